import Dispatch
import Glibc
import HTTPServer
import Synchronization
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct ClockAPITests {
    let t = TestApp()

    @Test func getPutAdvance() {
        #expect(
            t.send("GET", "/__emulator/clock", token: nil).text
                == #"{"now":"2026-01-01T00:00:00.000Z","mode":"manual","scale":1.0,"nextTransitionAt":null}"#)
        let to = t.send("POST", "/__emulator/clock/advance", ["to": "2026-01-02T00:00:00Z"], token: nil)
        #expect(to.json["now"] == "2026-01-02T00:00:00.000Z")
        let back = t.send("POST", "/__emulator/clock/advance", ["to": "2026-01-01T00:00:00Z"], token: nil)
        #expect(back.status == 422)
        #expect(back.json["detail"]?.stringValue?.contains("never goes backwards") == true)
        #expect(
            t.send("POST", "/__emulator/clock/advance", ["seconds": 1, "to": "2026-01-03T00:00:00Z"], token: nil).issues
                == ["body:value_error"])
        #expect(t.send("POST", "/__emulator/clock/advance", [:], token: nil).issues == ["body:value_error"])
        #expect(
            t.send("POST", "/__emulator/clock/advance", ["seconds": -1], token: nil).issues == [
                "body.seconds:greater_than_equal"
            ])
        #expect(
            t.send("POST", "/__emulator/clock/advance", ["to": "tomorrow"], token: nil).issues == [
                "body.to:datetime_parsing"
            ])
        let real = t.send("PUT", "/__emulator/clock", ["mode": "real", "scale": 60], token: nil)
        #expect(real.json["mode"] == "real")
        #expect(real.json["scale"] == 60.0)
        let manual = t.send("PUT", "/__emulator/clock", ["mode": "manual"], token: nil)
        #expect(manual.json["mode"] == "manual")
        #expect(t.send("PUT", "/__emulator/clock", ["mode": "fast"], token: nil).issues == ["body.mode:enum"])
    }

    /// The clock names the next scheduled transition, and null once nothing is pending.
    @Test func nextTransitionAtFollowsTheScheduler() throws {
        let id = t.createWorkload()
        let first = try #require(t.send("GET", "/__emulator/clock", token: nil).json["nextTransitionAt"]?.stringValue)
        let now = try #require(t.send("GET", "/__emulator/clock", token: nil).json["now"]?.stringValue)
        #expect(first > now)
        // Advancing to it fires exactly what was due then, and the next one moves on.
        let fired = t.send("POST", "/__emulator/clock/advance", ["to": .string(first)], token: nil)
        #expect(fired.json["now"] == .string(first))
        #expect((fired.json["firedCount"]?.numberValue ?? 0) >= 1)
        let second = t.send("GET", "/__emulator/clock", token: nil).json["nextTransitionAt"]
        #expect(second != .string(first))
        _ = t.send("POST", "/__emulator/clock/advance", ["seconds": 3600], token: nil)
        #expect(t.send("GET", "/api/v2/workloads/\(id)").json["status"] == "running")
        // Running, its expiry is what remains; once that has fired nothing is pending.
        let expiry = try #require(t.send("GET", "/__emulator/clock", token: nil).json["nextTransitionAt"]?.stringValue)
        _ = t.send("POST", "/__emulator/clock/advance", ["to": .string(expiry)], token: nil)
        _ = t.send("POST", "/__emulator/clock/advance", ["seconds": 3600], token: nil)
        #expect(t.send("GET", "/api/v2/workloads/\(id)").json["status"] != "running")
        #expect(t.send("GET", "/__emulator/clock", token: nil).json["nextTransitionAt"] == .null)
    }

    @Test func lifecycleProfilePerSandbox() {
        #expect(t.send("GET", "/__emulator/lifecycle", token: nil).json["submitted"] == 0.5)
        #expect(t.send("PUT", "/__emulator/lifecycle", ["name": "instant"], token: nil).json["provisioning"] == 0.0)
        let id = t.createWorkload()
        _ = t.advance(0)
        #expect(t.status(id) == "running")
        #expect(t.send("PUT", "/__emulator/lifecycle", ["submitted": "x"], token: nil).status == 422)
        #expect(t.send("GET", "/sandboxes/other/__emulator/lifecycle", token: nil).json["name"] == "realistic")
    }
}
