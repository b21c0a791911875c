import JSON
import Testing
import WorkloadEmulator

/// Issue 4 over real sockets, driven by the manual clock: replacement, protons,
/// sharing and builds with exact codes and bodies.
@Suite struct OperateEndToEndTests {
    let twoReplicas: JSONValue = ["containerGroups": [["name": "default", "replicaCount": 2]]]

    func running(_ c: TestClient) throws -> String {
        let id = try c.createWorkload()
        try c.advance(3)
        return id
    }

    @Test func settingsReplacementWith409ThenTheNewRuntimeRuns() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try running(c)
        let start = try c.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas])
        #expect(start.status == 202)
        #expect(start.contentType == "application/json")
        let before = try c.send("GET", "/api/v2/workloads/\(id)").json
        let conflict = try c.send(
            "PATCH", "/api/v2/workloads/\(id)/settings",
            ["runtime": ["containerGroups": [["name": "default", "replicaCount": 3]]]])
        #expect(conflict.status == 409)
        #expect(conflict.json == ["detail": "A replacement is already in progress for this workload."])
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").json == before)
        try c.advance(5)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").json["replacement"]?["status"] == "cleaning_up")
        try c.advance(1)
        let after = try c.send("GET", "/api/v2/workloads/\(id)").json
        #expect(after["status"] == "running")
        #expect(after["replacement"] == .null)
        #expect(after["runtime"] == twoReplicas)
        #expect(after["protonId"] == start.json["candidateProtonIds"]?.arrayValue?.first)
        let gone = try c.send("GET", "/api/v2/workloads/\(id)/replacement")
        #expect(gone.status == 404)
        #expect(gone.json == ["detail": "There is no active replacement for this workload."])
        let pid = after["protonId"]!.stringValue!
        let snapshot = try c.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)/statusDetails").json
        #expect(snapshot["replicas"]?.arrayValue?.count == 2)
        #expect(
            try c.send("GET", "/api/v2/workloads/\(id)/history").json["data"]?.arrayValue?.first?["status"]
                == "completed")
    }

    /// A proton's `endpoint` is the workload's URL while the proton takes its traffic;
    /// a candidate has none until the switch makes it the active one.
    @Test func protonEndpointIsTheWorkloadsWhileActive() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try running(c)
        let endpoint = JSONValue.string("http://127.0.0.1:\(live.port)/api/v2/endpoints/workloads/\(id)/")
        let w = try c.send("GET", "/api/v2/workloads/\(id)").json
        #expect(w["endpoint"] == endpoint)
        let old = w["protonId"]!.stringValue!
        let start = try c.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas])
        let candidate = start.json["candidateProtonIds"]!.arrayValue![0].stringValue!
        let listed = try c.send("GET", "/api/v2/workloads/\(id)/protons").json["data"]!.arrayValue!
        #expect(Set(listed.compactMap { $0["id"]?.stringValue }) == [old, candidate])
        for p in listed {
            #expect(p["endpoint"] == (p["id"]?.stringValue == old ? endpoint : .null), "\(p)")
        }
        try c.advance(6)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").json["protonId"] == .string(candidate))
        #expect(try c.send("GET", "/api/v2/workloads/\(id)/protons/\(candidate)").json["endpoint"] == endpoint)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)/protons/\(old)").json["endpoint"] == .null)
        // Under a sandbox prefix the URL carries it, as the workload's does.
        let other = try c.send(
            "POST", "/sandboxes/other/api/v2/workloads", ["name": "o", "artifact": ["name": "x"]]
        ).json["id"]!.stringValue!
        try c.send("POST", "/sandboxes/other/__emulator/clock/advance", ["seconds": 3])
        let pid = try c.send("GET", "/sandboxes/other/api/v2/workloads/\(other)").json["protonId"]!.stringValue!
        #expect(
            try c.send("GET", "/sandboxes/other/api/v2/workloads/\(other)/protons/\(pid)").json["endpoint"]
                == .string("http://127.0.0.1:\(live.port)/sandboxes/other/api/v2/endpoints/workloads/\(other)/"))
    }

    @Test func failedCandidateLeavesTheOldOneServing() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try running(c)
        let before = try c.send("GET", "/api/v2/workloads/\(id)").json
        #expect(try c.send("POST", "/__emulator/faults", ["action": "replacementFailure", "times": 1]).status == 201)
        let next = try c.send("POST", "/api/v2/artifacts", ["name": "next", "spec": [:]]).json["id"]!
        let r = try c.send(
            "POST", "/api/v2/workloads/\(id)/replacement",
            [
                "artifactId": next, "strategy": "rolling",
                "config": ["warmupDurationMinutes": 0, "keepOldVersionMinutes": 0],
            ])
        #expect(r.status == 202)
        try c.advance(10)
        let errored = try c.send("GET", "/api/v2/workloads/\(id)/replacement")
        #expect(errored.status == 200)
        #expect(errored.json["status"] == "errored")
        let w = try c.send("GET", "/api/v2/workloads/\(id)").json
        #expect(w["status"] == "running")
        #expect(w["protonId"] == before["protonId"])
        #expect(w["artifactId"] == before["artifactId"])
        #expect(try c.send("GET", "/api/v2/endpoints/workloads/\(id)/x").json["protonId"] == before["protonId"])
        let cancel = try c.send("DELETE", "/api/v2/workloads/\(id)/replacement")
        #expect(cancel.status == 202)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)/replacement").status == 404)
    }

    @Test func statusDetailsIs204WithNoBodyBeforeScheduling() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try c.createWorkload()
        let pid = try c.send("GET", "/api/v2/workloads/\(id)").json["protonId"]!.stringValue!
        let r = try c.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)/statusDetails")
        #expect(r.status == 204)
        #expect(r.body.isEmpty)
        try c.advance(1)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)/statusDetails").status == 200)
    }

    @Test func threeTokensThreeRoles() throws {
        let live = try LiveEmulator()
        let alice = try live.client()
        let bob = try live.client(token: "bob")
        let carol = try live.client(token: "carol")
        let bobId = try bob.send("GET", "/api/v2/account/info/").json["id"]!
        let carolName = try carol.send("GET", "/api/v2/account/info/").json["username"]!
        let id = try running(alice)
        let share = try alice.send(
            "PATCH", "/api/v2/workloads/\(id)/sharedRoles",
            [
                "operation": "updateRoles",
                "roles": [
                    ["id": bobId, "role": "user", "shareRecipientType": "user"],
                    ["username": carolName, "role": "CONSUMER", "shareRecipientType": "user"],
                ],
            ])
        #expect(share.status == 204)
        #expect(share.body.isEmpty)
        #expect(try bob.send("GET", "/api/v2/workloads/\(id)").status == 200)
        #expect(try bob.send("POST", "/api/v2/workloads/\(id)/stop").status == 403)
        #expect(try carol.send("GET", "/api/v2/workloads/\(id)").status == 403)
        #expect(try carol.send("GET", "/api/v2/workloads").json["totalCount"] == 0)
        #expect(try carol.send("GET", "/api/v2/endpoints/workloads/\(id)/").status == 200)
        let dave = try live.client(token: "dave")
        #expect(try dave.send("GET", "/api/v2/workloads/\(id)").status == 404)
        let last = try alice.send(
            "PATCH", "/api/v2/workloads/\(id)/sharedRoles",
            [
                "operation": "updateRoles",
                "roles": [
                    [
                        "username": .string(
                            "user-"
                                + String(
                                    try alice.send("GET", "/api/v2/account/info/").json["id"]!.stringValue!.prefix(8))
                                + "@example.com"), "role": "NO_ROLE", "shareRecipientType": "user",
                    ]
                ],
            ])
        #expect(last.status == 422)
        #expect(last.text.contains("last owner"))
    }

    @Test func buildsOnTheClockAndNDJSONLogs() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let a = try c.send(
            "POST", "/api/v2/artifacts",
            [
                "name": "a",
                "spec": [
                    "containerGroups": [["containers": [["imageBuildConfig": ["dockerfile": ["source": "provided"]]]]]]
                ],
            ]
        ).json["id"]!.stringValue!
        let trigger = try c.send("POST", "/api/v2/artifacts/\(a)/builds", raw: "")
        #expect(trigger.status == 202)
        let bid = trigger.json["buildIds"]![0]!.stringValue!
        let refused = try c.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": .string(a)])
        #expect(refused.status == 422)
        #expect(refused.text.contains("runtime_image_uri"))
        try c.advance(4)
        let b = try c.send("GET", "/api/v2/artifacts/\(a)/builds/\(bid)").json
        #expect(b["status"] == "COMPLETED")
        let container = try c.send("GET", "/api/v2/artifacts/\(a)").json["spec"]?["containerGroups"]?[0]?[
            "containers"]?[0]
        #expect(container?["imageUri"]?.stringValue?.hasSuffix(":\(bid)") == true)
        let logs = try c.send("GET", "/api/v2/artifacts/\(a)/builds/\(bid)/logs")
        #expect(logs.contentType == "text/plain")
        let lines = logs.text.split(separator: "\n").map { (try? JSONParser.parse(Array($0.utf8))) ?? .null }
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0["build_id"] == .string(bid) && $0["levelname"] == "INFO" })
        #expect(try c.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": .string(a)]).status == 201)
    }
}

extension JSONValue {
    /// Array element, nil when out of range or not an array (tests only).
    subscript(_ index: Int) -> JSONValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
