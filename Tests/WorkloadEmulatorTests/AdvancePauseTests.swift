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
