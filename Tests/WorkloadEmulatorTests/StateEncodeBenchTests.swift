import JSON
import Testing

@testable import WorkloadEmulator

/// The state document's encoding cost (it is written within 100 ms of a change).
/// Prints timings, never asserts them. `STATE_BENCH_N=1000` (and a release build,
/// `bench/state-encode.sh`) for real figures; the default is small so the suite stays fast.
@Suite struct StateEncodeBenchTests {
    static func world(workloads n: Int) throws -> World {
        var w = World.make()
        for i in 0..<n {
            let user = i % 2 == 0 ? alice : bob
            _ = try w.createWorkload(draftInput("w\(i)"), by: user)
            if i % 50 == 49 { _ = w.advanceClock(to: w.now + 700) }
        }
        _ = w.advanceClock(to: w.now + 5000)
        return w
    }

    static var n: Int {
        guard let p = getenv("STATE_BENCH_N") else { return 40 }
        return Int(String(cString: p)) ?? 40
    }

    @Test func timesTheStateDocument() throws {
        let n = Self.n
        let w = try Self.world(workloads: n)
        let clock = ContinuousClock()
        var bytes = 0
        var best = Duration.seconds(1000)
        for _ in 0..<3 {
            let t = clock.measure { bytes = JSONSerializer.serialize(w.snapshot()).count }
            best = min(best, t)
        }
        print("state-encode: tree n=\(n) bytes=\(bytes) best-of-3=\(best)")
        best = .seconds(1000)
        for _ in 0..<3 {
            let t = clock.measure { bytes = w.snapshotBytes(capacity: bytes).count }
            best = min(best, t)
        }
        print("state-encode: writer n=\(n) bytes=\(bytes) best-of-3=\(best)")
    }
}

#if canImport(Glibc)
import Glibc
#endif
