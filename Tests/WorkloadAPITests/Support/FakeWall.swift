import Synchronization
import WorkloadEmulator

/// A wall clock the test moves by hand.
final class FakeWall: WallClock {
    let value = Mutex<Int64>(1_000_000)
    func milliseconds() -> Int64 { value.withLock { $0 } }
    func advance(_ ms: Int64) { value.withLock { $0 += ms } }
}
