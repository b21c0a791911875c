import Testing
import WorkloadEmulator

/// The emulator's control API over real sockets.
@Suite struct EmulatorControlEndToEndTests {
    @Test func sandboxesClockFaultsAndReset() throws {
        let live = try LiveEmulator()
        let c = try live.client(sandbox: "ctl", token: nil)
        let clock = try c.send("GET", "/__emulator/clock")
        #expect(clock.status == 200)
        #expect(clock.contentType == "application/json")
        #expect(clock.text == #"{"now":"2026-01-01T00:00:00.000Z","mode":"manual","scale":1.0,"nextTransitionAt":null}"#)
        #expect(try c.send("PUT", "/__emulator/clock", ["mode": "manual"]).status == 200)
        let rule = try c.send("POST", "/__emulator/faults", ["action": "launchFailure", "times": 1])
        #expect(rule.status == 201)
        #expect(try c.send("GET", "/__emulator/faults").json["count"] == 1)
        c.token = "t"
        let id = try c.createWorkload()
        let adv = try c.advance(3)
        #expect(adv.json["fired"]!.arrayValue!.last?["to"] == "errored")
        let view = try c.send("GET", "/__emulator/workloads/\(id)").json
        #expect(view["status"] == "errored")
        #expect(view["expiresAt"] == "2026-01-01T08:00:00.000Z")
        let sandboxes = try c.send("GET", "/__emulator/sandboxes").json["data"]!.arrayValue!
        #expect(sandboxes.map { $0["name"]!.stringValue! } == ["ctl"])
        #expect(try c.send("POST", "/__emulator/reset").status == 200)
        #expect(try c.send("GET", "/__emulator/faults").json["count"] == 0)
        #expect(try c.send("GET", "/api/v2/workloads").json["totalCount"] == 0)
        #expect(try c.send("DELETE", "/__emulator/sandboxes/ctl").status == 204)
        let bad = try c.send("GET", "/sandboxes/bad%2Fname/__emulator/clock")
        #expect(bad.status == 400)
        #expect(bad.contentType == "application/json")
        #expect(try c.send("GET", "/__emulator/health").json["status"] == "ok")
    }
}
