import JSON
import Dispatch
import Glibc
import HTTPServer
import Synchronization
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct RealClockTests {
    /// The application's ticker fires due transitions without any request; here the
    /// test drives the registry's tick itself (no sleeping), on a fake wall clock.
    @Test func tickerFiresTransitionsWithoutReads() {
        let wall = FakeWall()
        let t = TestApp {
            $0.clockMode = .real
            $0.wallClock = wall
            $0.tickIntervalMilliseconds = 3_600_000  // the test ticks by hand
        }
        let id = t.createWorkload()
        let sandbox = t.app.registry.sandbox(named: "default")
        wall.advance(3000)
        #expect(sandbox.inspect { $0.workloads[id]?.status } == .submitted)
        t.app.registry.tick()
        #expect(sandbox.inspect { $0.workloads[id]?.status } == .running)
        let events = t.send("GET", "/api/v2/workloads/\(id)/events").json["data"]!.arrayValue!
        #expect(events.last?["timestamp"]?.stringValue == Timestamp.format(1_000_000 + 3000))
    }

    @Test func scaledClockRunsFaster() {
        let wall = FakeWall()
        let t = TestApp {
            $0.clockMode = .real
            $0.timeScale = 3600
            $0.wallClock = wall
            $0.tickIntervalMilliseconds = 3_600_000
        }
        let id = t.createWorkload()
        wall.advance(8_000)  // 8 s of wall time = 8 h
        #expect(t.send("GET", "/api/v2/workloads/\(id)").status == 404)
        #expect(t.send("GET", "/__emulator/clock", token: nil).json["scale"] == 3600.0)
    }
}
