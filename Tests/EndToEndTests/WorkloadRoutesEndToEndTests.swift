import Testing
import WorkloadEmulator

/// One test per workload route, over real
/// sockets, driven by the manual clock.
@Suite struct WorkloadRoutesEndToEndTests {
    @Test func postWorkloads201And422And404And400() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let r = try c.send("POST", "/api/v2/workloads", ["name": "w", "artifact": ["name": "a"]])
        #expect(r.status == 201)
        #expect(r.contentType == "application/json")
        #expect(r.json["status"] == "submitted")
        let id = r.json["id"]!.stringValue!
        #expect(r.json["endpoint"] == .string("http://127.0.0.1:\(live.port)/api/v2/endpoints/workloads/\(id)/"))
        #expect(
            try c.send("POST", "/api/v2/workloads", ["name": "w", "artifact": ["name": "a"], "bogus": 1]).issues == [
                "body.bogus:extra_forbidden"
            ])
        #expect(try c.send("POST", "/api/v2/workloads", raw: "{").status == 400)
        #expect(
            try c.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": "ffffffffffffffffffffffff"]).status
                == 404)
        let dup = try c.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": r.json["artifactId"]!])
        #expect(dup.status == 400)
        #expect(dup.contentType == "application/json")
        #expect(try c.send("GET", "/api/v2/workloads").json["totalCount"] == 1)
    }

    @Test func postWorkloads403Limits() throws {
        let live = try LiveEmulator {
            $0.maxReplicas = 2
            $0.maxConcurrentWorkloads = 1
        }
        let c = try live.client()
        let r = try c.send(
            "POST", "/api/v2/workloads",
            ["name": "w", "artifact": ["name": "a"], "runtime": ["containerGroups": [["replicaCount": 5]]]])
        #expect(r.status == 403)
        #expect(r.text == #"{"detail":"Requested replicas (5) exceeds the maximum allowed (2)."}"#)
        _ = try c.createWorkload()
        #expect(try c.send("POST", "/api/v2/workloads", ["name": "w", "artifact": ["name": "a"]]).status == 403)
    }

    @Test func getWorkloadsListWithEnvelope() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        for i in 0..<12 { _ = try c.createWorkload("w\(i)") }
        let r = try c.send("GET", "/api/v2/workloads/?search=w1&limit=2")
        #expect(r.status == 200)
        #expect(r.contentType == "application/json")
        #expect(r.json["count"] == 2)
        #expect(r.json["totalCount"] == 3)
        #expect(r.json["next"] == .string("http://127.0.0.1:\(live.port)/api/v2/workloads/?offset=2&limit=2&search=w1"))
        #expect(r.json["previous"] == .null)
        #expect(try c.send("GET", "/api/v2/workloads?limit=1000").status == 422)
    }

    @Test func getWorkloadsStats() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try c.createWorkload()
        try c.advance(3)
        let r = try c.send("GET", "/api/v2/workloads/stats")
        #expect(r.status == 200)
        #expect(r.contentType == "application/json")
        #expect(r.json["workloads"] == ["total": 1, "active": 1])
        _ = try c.createWorkload("other")
        try c.advance(3)
        _ = try c.send("GET", "/api/v2/endpoints/workloads/\(id)/x")
        _ = try c.send("GET", "/api/v2/endpoints/workloads/\(id)/y")
        let after = try c.send("GET", "/api/v2/workloads/stats").json
        #expect(after["workloads"] == ["total": 2, "active": 2])
        #expect(after["requests"] == ["total": 2, "succeeded": 2, "failed": 0, "trend": 0.0])
        #expect(after["errorRate"] == ["rate": 0.0, "trend": 0.0])
        #expect(after["concurrentRequests"]?["count"] == 0)
        #expect(
            after.objectValue?.keys == ["workloads", "requests", "errorRate", "responseTime", "concurrentRequests"])
    }

    @Test func getWorkload200And404() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try c.createWorkload()
        let r = try c.send("GET", "/api/v2/workloads/\(id)/")
        #expect(r.status == 200)
        #expect(r.json["id"] == .string(id))
        let missing = try c.send("GET", "/api/v2/workloads/ffffffffffffffffffffffff")
        #expect(missing.status == 404)
        #expect(missing.contentType == "application/json")
        #expect(missing.text == #"{"detail":"Workload not found."}"#)
    }

    @Test func patchWorkload200And422() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try c.createWorkload()
        let r = try c.send(
            "PATCH", "/api/v2/workloads/\(id)", ["name": "n", "description": "d", "importance": "moderate"])
        #expect(r.status == 200)
        #expect(r.json["name"] == "n" && r.json["description"] == "d" && r.json["importance"] == "moderate")
        let bad = try c.send("PATCH", "/api/v2/workloads/\(id)", ["artifactId": "x"])
        #expect(bad.status == 422)
        #expect(bad.issues == ["body.artifactId:extra_forbidden"])
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").json["name"] == "n")
    }

    @Test func deleteWorkload204And502And200() throws {
        for status in [502, 200] {
            let live = try LiveEmulator { $0.partialDeleteStatus = status }
            let c = try live.client()
            let id = try c.createWorkload()
            let r = try c.send("DELETE", "/api/v2/workloads/\(id)")
            #expect(r.status == 204)
            #expect(r.body.isEmpty)
            #expect(try c.send("GET", "/api/v2/workloads/\(id)").status == 404)
            let other = try c.createWorkload()
            try c.advance(3)
            let proton = try c.send("GET", "/api/v2/workloads/\(other)").json["protonId"]!.stringValue!
            #expect(
                try c.send(
                    "POST", "/__emulator/faults",
                    ["match": ["workloadId": .string(other)], "action": "protonStopFailure"]
                ).status == 201)
            let partial = try c.send("DELETE", "/api/v2/workloads/\(other)")
            #expect(partial.status == status)
            #expect(partial.contentType == "application/json")
            #expect(partial.json["detail"]?.stringValue?.contains(proton) == true)
            #expect(try c.send("GET", "/api/v2/workloads/\(other)").status == 404)
        }
    }

    @Test func startAndStopCodes() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try c.createWorkload()
        let already = try c.send("POST", "/api/v2/workloads/\(id)/start")
        #expect(already.status == 200)
        #expect(already.json.objectValue?.keys == ["status", "workloadId", "trackVia"])
        try c.advance(3)
        let stop = try c.send("POST", "/api/v2/workloads/\(id)/stop")
        #expect(stop.status == 202)
        #expect(stop.json["status"] == "stopping")
        #expect(try c.send("POST", "/api/v2/workloads/\(id)/stop").status == 200)
        let conflict = try c.send("POST", "/api/v2/workloads/\(id)/start")
        #expect(conflict.status == 409)
        #expect(conflict.contentType == "application/json")
        try c.advance(1)
        #expect(try c.status(id) == "stopped")
        #expect(try c.send("POST", "/api/v2/workloads/\(id)/stop").status == 200)
        let start = try c.send("POST", "/api/v2/workloads/\(id)/start")
        #expect(start.status == 202)
        #expect(
            start.json == [
                "status": "submitted", "workloadId": .string(id),
                "trackVia": .string("http://127.0.0.1:\(live.port)/api/v2/workloads/\(id)"),
            ])
    }

    @Test func promote202And422() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try c.createWorkload()
        let early = try c.send("POST", "/api/v2/workloads/\(id)/promote")
        #expect(early.status == 422)
        #expect(early.issues == ["body:value_error"])
        try c.advance(3)
        let p = try c.send("POST", "/api/v2/workloads/\(id)/promote")
        #expect(p.status == 202)
        #expect(p.json["artifact"]?["status"] == "locked")
        #expect(p.json["artifact"]?["version"] == 1)
        #expect(p.json["status"] == "running")
        #expect(try c.send("POST", "/api/v2/workloads/\(id)/promote").status == 422)
    }

    @Test func eventsAndProtons() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try c.createWorkload()
        try c.advance(3)
        let events = try c.send("GET", "/api/v2/workloads/\(id)/events")
        #expect(events.status == 200)
        #expect(
            events.json["data"]?.arrayValue?.map { $0["details"]?["to"]?.stringValue ?? "" } == [
                "submitted", "provisioning", "launching", "running",
            ])
        let protons = try c.send("GET", "/api/v2/workloads/\(id)/protons")
        #expect(protons.status == 200)
        let pid = protons.json["data"]!.arrayValue![0]["id"]!.stringValue!
        #expect(try c.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)").json["status"] == "running")
    }

    @Test func conventions() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let nf = try c.send("GET", "/api/v2/nowhere")
        #expect(nf.status == 404)
        #expect(nf.text == #"{"detail":"Not Found"}"#)
        #expect(nf.contentType == "application/json")
        let na = try c.send("DELETE", "/api/v2/workloads")
        #expect(na.status == 405)
        #expect(na["Allow"] == "GET, HEAD, POST")
        c.token = nil
        let unauth = try c.send("GET", "/api/v2/workloads")
        #expect(unauth.status == 401)
        #expect(unauth.text == #"{"message":"Invalid API key"}"#)
        #expect(try c.send("GET", "/api/v2/workloads", headers: [("Authorization", "Token t")]).status == 200)
        #expect(try c.send("GET", "/api/v2/version/").json["versionString"] == "2.49")
    }
}
