import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct WorkloadLifecycleTests {
    let t = TestApp()

    @Test func quarterSecondStepsAndEventsAgreeWithGets() {
        let id = t.createWorkload()
        var seen: [(String, String)] = [("submitted", "2026-01-01T00:00:00.000Z")]
        for _ in 0..<16 {
            let adv = t.advance(0.25)
            #expect(adv.status == 200)
            let w = t.send("GET", "/api/v2/workloads/\(id)").json
            let s = w["status"]!.stringValue!
            if seen.last?.0 != s { seen.append((s, w["updatedAt"]!.stringValue!)) }
        }
        #expect(seen.map(\.0) == ["submitted", "provisioning", "launching", "running"])
        let events = t.send("GET", "/api/v2/workloads/\(id)/events").json
        #expect(events["totalCount"] == 4)
        let data = events["data"]!.arrayValue!
        #expect(
            data.map { $0["details"]?["to"]?.stringValue ?? "" } == [
                "submitted", "provisioning", "launching", "running",
            ])
        #expect(
            data.dropFirst().map { $0["details"]?["from"]?.stringValue ?? "" } == [
                "submitted", "provisioning", "launching",
            ])
        #expect(data.map { $0["timestamp"]!.stringValue! } == seen.map(\.1))
        #expect(
            data[0].objectValue?.keys == [
                "id", "workloadId", "eventType", "timestamp", "actorId", "details", "type", "reason", "message",
            ])
        #expect(data.allSatisfy { $0["type"] == "Normal" })
        #expect(data.map { $0["reason"]!.stringValue! } == ["Created", "Scheduled", "Pulling", "Running"])
    }

    @Test func advanceReportsWhatFired() {
        let id = t.createWorkload()
        let r = t.advance(3)
        #expect(r.json["now"] == "2026-01-01T00:00:03.000Z")
        #expect(r.json["firedCount"] == 3)
        let fired = r.json["fired"]!.arrayValue!
        #expect(
            fired[0] == [
                "at": "2026-01-01T00:00:00.500Z", "kind": "transition", "workloadId": .string(id), "from": "submitted",
                "to": "provisioning",
            ])
        #expect(fired.map { $0["to"]!.stringValue! } == ["provisioning", "launching", "running"])
    }

    @Test func startStopCodesAndShapes() {
        let id = t.createWorkload()
        let starting = t.send("POST", "/api/v2/workloads/\(id)/start")
        #expect(starting.status == 200)
        #expect(
            starting.json == [
                "status": "submitted", "workloadId": .string(id),
                "trackVia": .string("http://emulator.test/api/v2/workloads/\(id)"),
            ])
        _ = t.advance(3)
        #expect(t.send("POST", "/api/v2/workloads/\(id)/start").status == 200)
        let stop = t.send("POST", "/api/v2/workloads/\(id)/stop")
        #expect(stop.status == 202)
        #expect(stop.json["status"] == "stopping")
        #expect(t.send("POST", "/api/v2/workloads/\(id)/stop").status == 200)
        let conflict = t.send("POST", "/api/v2/workloads/\(id)/start")
        #expect(conflict.status == 409)
        #expect(conflict.json["detail"]?.stringValue != nil)
        _ = t.advance(1)
        #expect(t.status(id) == "stopped")
        #expect(t.send("POST", "/api/v2/workloads/\(id)/stop").status == 200)
        let start = t.send(
            "POST", "/api/v2/workloads/\(id)/start", raw: "", headers: [("Content-Type", "application/json")])
        #expect(start.status == 202)
        #expect(start.json["status"] == "submitted")
        #expect(
            t.send("POST", "/api/v2/workloads/\(id)/start", ["force": true]).issues == ["body.force:extra_forbidden"])
        #expect(t.send("POST", "/api/v2/workloads/\(id)/stop", raw: "nope").status == 400)
        #expect(t.send("POST", "/api/v2/workloads/000000000000000000000000/start").status == 404)
    }

    @Test func patchChangesOnlyMetadata() {
        let id = t.createWorkload()
        let r = t.send(
            "PATCH", "/api/v2/workloads/\(id)", ["name": "renamed", "description": nil, "importance": "critical"])
        #expect(r.status == 200)
        #expect(r.json["name"] == "renamed")
        #expect(r.json["importance"] == "critical")
        #expect(
            t.send("PATCH", "/api/v2/workloads/\(id)", ["status": "running"]).issues == ["body.status:extra_forbidden"])
        #expect(t.send("PATCH", "/api/v2/workloads/\(id)", ["runtime": [:]]).status == 422)
        #expect(t.send("PATCH", "/api/v2/workloads/\(id)", ["name": ""]).issues == ["body.name:string_too_short"])
        #expect(t.send("GET", "/api/v2/workloads/\(id)").json["name"] == "renamed")
    }

    @Test func deleteIs204ThenGone() {
        let id = t.createWorkload()
        let r = t.send("DELETE", "/api/v2/workloads/\(id)")
        #expect(r.status == 204)
        #expect(r.body.isEmpty)
        #expect(t.send("GET", "/api/v2/workloads/\(id)").status == 404)
        #expect(t.send("GET", "/api/v2/workloads/\(id)").text == #"{"detail":"Workload not found."}"#)
        #expect(t.send("DELETE", "/api/v2/workloads/\(id)").status == 404)
    }

    @Test(arguments: [502, 200])
    func partialDeleteStillDeletes(_ status: Int) {
        let t = TestApp { $0.partialDeleteStatus = status }
        let id = t.createWorkload()
        let proton = t.send("GET", "/api/v2/workloads/\(id)").json["protonId"]!.stringValue!
        let rule = t.send(
            "POST", "/__emulator/faults", ["match": ["workloadId": .string(id)], "action": "protonStopFailure"],
            token: nil)
        #expect(rule.status == 201)
        let r = t.send("DELETE", "/api/v2/workloads/\(id)")
        #expect(r.status == status)
        #expect(r.contentType == "application/json")
        #expect(r.text == #"{"detail":"Workload \#(id) was deleted, but proton \#(proton) could not be stopped."}"#)
        #expect(t.send("GET", "/api/v2/workloads/\(id)").status == 404)
    }

    @Test func draftTTLThroughTheAPI() {
        let id = t.createWorkload()
        _ = t.advance(3600)
        #expect(t.send("POST", "/api/v2/workloads/\(id)/stop").status == 202)
        _ = t.advance(7 * 3600 - 61)
        #expect(t.status(id) == "stopped")
        let view = t.send("GET", "/__emulator/workloads/\(id)", token: nil).json
        #expect(view["expiresAt"] == "2026-01-01T08:00:00.000Z")
        let fired = t.advance(61).json["fired"]!.arrayValue!
        #expect(fired.contains { $0["kind"] == "expiry" })
        #expect(t.send("GET", "/api/v2/workloads/\(id)").status == 404)
        let log = t.send("GET", "/__emulator/events", token: nil).json["data"]!.arrayValue!
        #expect(log.contains { $0["kind"] == "expired" && $0["workloadId"] == .string(id) })
    }

    @Test func promoteLocksInPlaceAndRemovesTheTTL() {
        let id = t.createWorkload()
        let early = t.send("POST", "/api/v2/workloads/\(id)/promote")
        #expect(early.status == 422)
        _ = t.advance(3)
        let p = t.send("POST", "/api/v2/workloads/\(id)/promote")
        #expect(p.status == 202)
        #expect(p.json["status"] == "running")
        #expect(p.json["artifact"]?["status"] == "locked")
        #expect(p.json["artifact"]?["version"] == 1)
        #expect(t.send("POST", "/api/v2/workloads/\(id)/promote").status == 422)
        #expect(t.send("GET", "/__emulator/workloads/\(id)", token: nil).json["expiresAt"] == .null)
        _ = t.advance(24 * 3600)
        #expect(t.status(id) == "running")
        let events = t.send("GET", "/api/v2/workloads/\(id)/events").json["data"]!.arrayValue!
        #expect(events.last?["eventType"] == "promoted")
    }

    @Test func holdAndLaunchFailureThroughTheFaultAPI() {
        let hold = t.send("POST", "/__emulator/faults", ["action": "hold", "state": "launching"], token: nil).json
        let id = t.createWorkload()
        _ = t.advance(60)
        #expect(t.status(id) == "launching")
        let view = t.send("GET", "/__emulator/workloads/\(id)", token: nil).json
        #expect(view["heldBy"] == hold["id"])
        #expect(view["scheduled"] == [])
        #expect(t.send("DELETE", "/__emulator/faults/\(hold["id"]!.stringValue!)", token: nil).status == 204)
        _ = t.advance(0)
        #expect(t.status(id) == "running")

        _ = t.send(
            "POST", "/__emulator/faults", ["action": "launchFailure", "message": "ImagePullBackOff", "times": 1],
            token: nil)
        let other = t.createWorkload("b")
        _ = t.advance(3)
        let w = t.send("GET", "/api/v2/workloads/\(other)").json
        #expect(w["status"] == "errored")
        #expect(
            w["statusDetails"]?["logTail"]?.arrayValue?.first?.stringValue?.hasSuffix("ERROR ImagePullBackOff") == true)
        let events = t.send("GET", "/api/v2/workloads/\(other)/events").json["data"]!.arrayValue!
        #expect(events.contains { $0["type"] == "Warning" && $0["message"] == "ImagePullBackOff" })
        let faults = t.send("GET", "/__emulator/faults", token: nil).json
        #expect(faults["count"] == 1)
        #expect(faults["data"]?.arrayValue?.first?["fired"] == 1)
    }

    @Test func protonsListAndGet() {
        let id = t.createWorkload()
        let list = t.send("GET", "/api/v2/workloads/\(id)/protons").json
        #expect(list["count"] == 1)
        let pid = list["data"]!.arrayValue![0]["id"]!.stringValue!
        let p = t.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)")
        #expect(p.json["role"] == "active")
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/nope").status == 404)
    }

    @Test func aggregateStats() {
        _ = t.createWorkload("a")
        let b = t.createWorkload("b")
        _ = t.advance(3)
        t.send("POST", "/api/v2/workloads/\(b)/stop")
        let s = t.send("GET", "/api/v2/workloads/stats").json
        // Active: running; the stopping one counts in the total only.
        #expect(s["workloads"] == ["total": 2, "active": 1])
        #expect(s["requests"]?["total"] == 0)
        #expect(t.send("GET", "/api/v2/workloads/stats?status=running").json["workloads"] == ["total": 1, "active": 1])
        #expect(
            t.send("GET", "/api/v2/workloads/stats?status=stopping").json["workloads"] == ["total": 1, "active": 0])
    }
}
