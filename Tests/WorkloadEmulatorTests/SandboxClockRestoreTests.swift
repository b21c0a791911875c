import Testing

@testable import WorkloadEmulator

/// README: after a restart with `--state-file`, a real clock resumes at the later of the
/// saved time and the wall clock; a manual one at the saved time.
@Suite struct SandboxClockRestoreTests {
    @Test func aRealClockSavedAheadOfTheWallResumesWhereItWas() {
        let wall = FakeWallClock(1_000_000)
        var c = SandboxClock(restoring: .real, now: 5_000_000, scale: 1, wall: wall)
        #expect(c.now() == 5_000_000)
        wall.advance(250)
        #expect(c.now() == 5_000_250, "and runs on with the wall")
        c.advance(to: 0)
        #expect(c.now() == 5_000_250, "never backwards")
    }

    @Test func aRealClockSavedBehindTheWallResumesAtTheWall() {
        let wall = FakeWallClock(9_000_000)
        let c = SandboxClock(restoring: .real, now: 5_000_000, scale: 1, wall: wall)
        #expect(c.now() == 9_000_000)
        wall.advance(100)
        #expect(c.now() == 9_000_100)
    }

    @Test func aScaledRealClockKeepsItsScale() {
        let wall = FakeWallClock(1_000_000)
        let c = SandboxClock(restoring: .real, now: 2_000_000, scale: 60, wall: wall)
        #expect(c.scale == 60)
        wall.advance(1_000)
        #expect(c.now() == 2_060_000)
    }

    @Test func aManualClockResumesAtTheSavedTimeWhateverTheWall() {
        let wall = FakeWallClock(9_000_000)
        let c = SandboxClock(restoring: .manual, now: 5_000_000, scale: 1, wall: wall)
        #expect(c.mode == .manual)
        #expect(c.now() == 5_000_000)
        wall.advance(10_000)
        #expect(c.now() == 5_000_000)
    }
}
