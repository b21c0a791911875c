import Synchronization
import Testing

@testable import WorkloadEmulator

/// A wall clock the test moves by hand.
final class FakeWallClock: WallClock {
    let value: Mutex<Int64>
    init(_ start: Int64 = 1_000_000) { value = Mutex(start) }
    func milliseconds() -> Int64 { value.withLock { $0 } }
    func advance(_ ms: Int64) { value.withLock { $0 += ms } }
}
