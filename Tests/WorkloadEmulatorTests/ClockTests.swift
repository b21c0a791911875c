import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct ClockTests {
    @Test func manualClockStartsFixedAndNeverGoesBack() {
        var c = ManualClock()
        #expect(c.now() == ManualClock.defaultStart)
        c.advance(to: c.now() + 250)
        #expect(c.now() == ManualClock.defaultStart + 250)
        c.advance(to: 0)
        #expect(c.now() == ManualClock.defaultStart + 250)
    }

    @Test func scaledRealClockRunsFaster() {
        let wall = FakeWallClock()
        var c = ScaledRealClock(wall: wall, scale: 3600, startingAt: 0)
        wall.advance(8_000)
        #expect(c.now() == 8 * 3_600_000)
        c.setScale(1)
        wall.advance(1_000)
        #expect(c.now() == 8 * 3_600_000 + 1_000)
        c.advance(to: 5)  // never backwards
        #expect(c.now() == 8 * 3_600_000 + 1_000)
    }

    @Test func realClockFollowsTheWall() {
        let wall = FakeWallClock(42_000)
        let c = ScaledRealClock(wall: wall)
        #expect(c.now() == 42_000)
        wall.advance(10)
        #expect(c.now() == 42_010)
    }

    @Test func sandboxClockSwitchesModesWithoutJumping() {
        let wall = FakeWallClock()
        var c = SandboxClock(mode: .manual, wall: wall)
        #expect(c.mode == .manual)
        c.advance(to: ManualClock.defaultStart + 1000)
        c.setMode(.real, scale: 60)
        #expect(c.now() == ManualClock.defaultStart + 1000)
        wall.advance(1000)
        #expect(c.now() == ManualClock.defaultStart + 61_000)
        c.setMode(.manual, scale: 1)
        wall.advance(1000)
        #expect(c.now() == ManualClock.defaultStart + 61_000)
        #expect(c.scale == 1)
    }

    @Test func systemWallClockIsPlausible() {
        let ms = SystemWallClock().milliseconds()
        #expect(ms > 1_700_000_000_000)
    }
}
