import Testing
import WorkloadEmulator

/// The workload lifecycle over sockets: states, timing, TTL, delete, one workload per draft.
@Suite struct LifecycleEndToEndTests {
    @Test func quarterSecondStepsShowExactlyTheStatesAndEventsAgree() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try c.createWorkload()
        var seen: [(status: String, at: String)] = [("submitted", "2026-01-01T00:00:00.000Z")]
        var clock = 0
        for _ in 0..<20 {
            try c.advance(0.25)
            clock += 250
            let w = try c.send("GET", "/api/v2/workloads/\(id)").json
            if seen.last?.status != w["status"]?.stringValue {
                seen.append((w["status"]!.stringValue!, w["updatedAt"]!.stringValue!))
            }
        }
        #expect(seen.map(\.status) == ["submitted", "provisioning", "launching", "running"])
        #expect(
            seen.map(\.at) == [
                "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.500Z", "2026-01-01T00:00:02.000Z",
                "2026-01-01T00:00:03.000Z",
            ])
        let events = try c.send("GET", "/api/v2/workloads/\(id)/events").json["data"]!.arrayValue!
        #expect(events.map { $0["details"]!["to"]!.stringValue! } == seen.map(\.status))
        #expect(events.map { $0["timestamp"]!.stringValue! } == seen.map(\.at))
        #expect(
            events.dropFirst().map { $0["eventType"]!.stringValue! } == [
                "statusChanged", "statusChanged", "statusChanged",
            ])
    }

    @Test func instantProfilePassesEveryStateToo() throws {
        let live = try LiveEmulator { $0.lifecycle = "instant" }
        let c = try live.client()
        let r = try c.send("POST", "/api/v2/workloads", ["name": "w", "artifact": ["name": "a"]])
        #expect(r.json["status"] == "submitted")
        let id = r.json["id"]!.stringValue!
        #expect(try c.status(id) == "running")
        let events = try c.send("GET", "/api/v2/workloads/\(id)/events").json["data"]!.arrayValue!
        #expect(
            events.map { $0["details"]!["to"]!.stringValue! } == ["submitted", "provisioning", "launching", "running"])
    }

    @Test func restartCreatesANewProtonAndErroredIsStickyUntilStart() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        #expect(
            try c.send(
                "POST", "/__emulator/faults", ["action": "launchFailure", "message": "CrashLoopBackOff", "times": 1]
            ).status == 201)
        let id = try c.createWorkload()
        try c.advance(10)
        let errored = try c.send("GET", "/api/v2/workloads/\(id)").json
        #expect(errored["status"] == "errored")
        #expect(errored["statusDetails"]?["conditions"]?.arrayValue?.last?["message"] == "CrashLoopBackOff")
        try c.advance(600)
        #expect(try c.status(id) == "errored")
        let start = try c.send("POST", "/api/v2/workloads/\(id)/start")
        #expect(start.status == 202)
        try c.advance(3)
        let running = try c.send("GET", "/api/v2/workloads/\(id)").json
        #expect(running["status"] == "running")
        #expect(running["protonId"] != errored["protonId"])
    }

    @Test func draftTTL() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let plain = try c.createWorkload("plain")
        let stopped = try c.createWorkload("stopped")
        let restarted = try c.createWorkload("restarted")
        let promoted = try c.createWorkload("promoted")
        let locked = try c.send("POST", "/api/v2/artifacts", ["name": "l", "status": "locked", "spec": [:]]).json["id"]!
        let onLocked = try c.send("POST", "/api/v2/workloads", ["name": "locked", "artifactId": locked]).json["id"]!
            .stringValue!
        try c.advance(3)
        #expect(try c.send("POST", "/api/v2/workloads/\(stopped)/stop").status == 202)
        #expect(try c.send("POST", "/api/v2/workloads/\(restarted)/stop").status == 202)
        #expect(try c.send("POST", "/api/v2/workloads/\(promoted)/promote").status == 202)
        try c.send("POST", "/__emulator/clock/advance", ["to": "2026-01-01T04:00:00.000Z"])
        #expect(try c.send("POST", "/api/v2/workloads/\(restarted)/start").status == 202)
        // One minute before the 8 h mark: all there.
        try c.send("POST", "/__emulator/clock/advance", ["to": "2026-01-01T07:59:00.000Z"])
        for id in [plain, stopped, restarted, promoted, onLocked] {
            #expect(try c.send("GET", "/api/v2/workloads/\(id)").status == 200)
        }
        let fired = try c.send("POST", "/__emulator/clock/advance", ["to": "2026-01-01T08:00:00.000Z"]).json["fired"]!
            .arrayValue!
        #expect(
            Set(fired.filter { $0["kind"] == "expiry" }.map { $0["workloadId"]!.stringValue! }) == [plain, stopped])
        #expect(try c.send("GET", "/api/v2/workloads/\(plain)").status == 404)
        #expect(try c.send("GET", "/api/v2/workloads/\(stopped)").status == 404)  // stop does not pause it
        #expect(try c.send("GET", "/api/v2/workloads/\(restarted)").status == 200)  // a start resets it
        try c.send("POST", "/__emulator/clock/advance", ["to": "2026-01-01T12:00:00.000Z"])
        #expect(try c.send("GET", "/api/v2/workloads/\(restarted)").status == 404)
        try c.advance(30 * 24 * 3600)
        #expect(try c.status(promoted) == "running")  // promote removed the TTL
        #expect(try c.status(onLocked) == "running")  // locked never expires
        let log = try c.send("GET", "/__emulator/events").json["data"]!.arrayValue!
        #expect(log.filter { $0["kind"] == "expired" }.count == 3)
    }

    @Test func draftArtifactBacksOneWorkloadLockedBacksMany() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let draft = try c.send("POST", "/api/v2/artifacts", ["name": "d", "spec": [:]]).json["id"]!
        #expect(try c.send("POST", "/api/v2/workloads", ["name": "1", "artifactId": draft]).status == 201)
        #expect(try c.send("POST", "/api/v2/workloads", ["name": "2", "artifactId": draft]).status == 400)
        let locked = try c.send("POST", "/api/v2/artifacts", ["name": "l", "status": "locked", "spec": [:]]).json["id"]!
        for i in 0..<3 {
            #expect(
                try c.send("POST", "/api/v2/workloads", ["name": .string("\(i)"), "artifactId": locked]).status == 201)
        }
    }

    @Test func holdParksAWorkload() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let rule = try c.send("POST", "/__emulator/faults", ["action": "hold", "state": "provisioning"]).json["id"]!
            .stringValue!
        let id = try c.createWorkload()
        try c.advance(3600)
        #expect(try c.status(id) == "provisioning")
        #expect(try c.send("DELETE", "/__emulator/faults/\(rule)").status == 204)
        try c.advance(1)
        #expect(try c.status(id) == "running")
    }
}
