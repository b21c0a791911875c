import Synchronization
import Testing

@testable import WorkloadEmulator

/// A long catch-up calls its caller's `pause` between due actions (the advance route
/// gives up its core there), once for every `World.pauseEvery` of them.
@Suite struct AdvancePauseTests {
    @Test func pauseRunsOnceForEveryPauseEveryDueActions() throws {
        var w = World.make()
        for i in 0..<200 { _ = try w.createWorkload(draftInput("w\(i)"), by: alice) }
        var pauses = 0
        let fired = w.advanceClock(to: w.clock.now() + 8 * 3_600_000) { pauses += 1 }
        // Each draft's lifecycle fires a few actions, none of them stale here.
        #expect(fired.count > World.pauseEvery * 3)
        #expect(pauses == fired.count / World.pauseEvery)
        #expect(w.workloads.count == 0)
    }

    @Test func fewerDueActionsThanPauseEveryNeverPause() throws {
        var w = World.make()
        _ = try w.createWorkload(draftInput(), by: alice)
        var pauses = 0
        let fired = w.advanceClock(to: w.clock.now() + 8 * 3_600_000) { pauses += 1 }
        #expect(!fired.isEmpty)
        #expect(fired.count < World.pauseEvery)
        #expect(pauses == 0)
    }

    @Test func anAdvanceWithNothingDueNeverPauses() {
        var w = World.make()
        var pauses = 0
        let fired = w.advanceClock(to: w.clock.now() + 8 * 3_600_000) { pauses += 1 }
        #expect(fired.isEmpty)
        #expect(pauses == 0)
    }
}

/// The ids a large command changed are freed after the sandbox's lock, in pieces.
@Suite struct ChangedIdsReleaseTests {
    @Test func releaseDropsEveryIdAndPausesBetweenPieces() {
        var ids = ChangedIds()
        ids.ids = (0..<(ChangedIds.piece * 2 + 1)).map { "id-\($0)" }
        var pauses = 0
        ids.release { pauses += 1 }
        #expect(ids.count == 0)
        #expect(pauses == 2)  // three pieces, a pause between each two
    }

    @Test func aSmallReleaseNeverPauses() {
        var ids = ChangedIds()
        ids.ids = ["a", "b"]
        var pauses = 0
        ids.release { pauses += 1 }
        #expect(ids.count == 0)
        #expect(pauses == 0)
    }

    @Test func executePausingFreesTheChangedIdsInPiecesAfterTheLock() throws {
        let sandbox = Sandbox(name: "big", settings: .make())
        try sandbox.execute { (w) throws(DomainError) in
            for i in 0..<3000 { _ = try w.createWorkload(draftInput("w\(i)"), by: alice) }
        }
        let pauses = Atomic<Int>(0)
        let count: @Sendable () -> Void = { pauses.add(1, ordering: .relaxed) }
        let fired = try sandbox.execute(pausing: count) { (w) throws(DomainError) -> Int in
            w.advanceClock(to: w.clock.now() + 8 * 3_600_000).count
        }
        #expect(fired > 0)
        // 3,000 workloads and their artifacts, repositories and protons: several pieces.
        #expect(pauses.load(ordering: .relaxed) >= 2)
        #expect(sandbox.inspect { $0.workloads.count } == 0)
        // Nothing is left to write or free: the next change's set starts empty.
        #expect(sandbox.inspect { $0.workloads.changed.isEmpty && $0.artifacts.changed.isEmpty })
    }
}
