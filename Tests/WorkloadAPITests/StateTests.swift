import JSON
import HTTPServer
import Testing
import WorkloadAPI
import WorkloadEmulator

/// `GET|PUT /__emulator/state`: export one sandbox, import it into another, and every
/// answer is the same.
@Suite struct StateTests {
    struct Client {
        let t: TestApp
        let sandbox: String
        @discardableResult
        func send(_ method: String, _ path: String, _ body: JSONValue? = nil, token: String? = "alice") -> TestResponse {
            t.send(method, path, body, token: token, headers: [("X-Emulator-Sandbox", sandbox)])
        }
        func control(_ method: String, _ path: String, _ body: JSONValue? = nil) -> TestResponse {
            send(method, path, body, token: nil)
        }
    }

    /// Workloads in several states, artifacts (draft, locked), repositories, a
    /// deployment, a replacement, sharing, faults (one holding a workload, one pending)
    /// and transitions still scheduled.
    static func richWorld(_ c: Client) -> [String] {
        func create(_ name: String, _ extra: JSONValue? = nil) -> String {
            var body = JSONObject([("name", .string(name)), ("artifact", ["name": .string(name + "-art")])])
            for (k, v) in extra?.objectValue ?? JSONObject() { body[k] = v }
            let r = c.send("POST", "/api/v2/workloads", .object(body))
            #expect(r.status == 201, "\(r.text)")
            return r.json["id"]?.stringValue ?? ""
        }
        let running = create("running", ["importance": "high", "description": "kept"])
        let stopped = create("stopped")
        let errored = create("errored")
        let held = create("held")
        let promoted = create("promoted")
        _ = c.control(
            "POST", "/__emulator/faults",
            ["match": ["workloadId": .string(errored)], "action": "launchFailure", "message": "ImagePullBackOff"])
        _ = c.control("POST", "/__emulator/faults", ["match": ["workloadId": .string(held)], "action": "hold", "state": "provisioning"])
        _ = c.control(
            "POST", "/__emulator/faults",
            ["match": ["path": "/api/v2/version"], "action": "respond", "status": 429, "probability": 0.5])
        _ = c.control("POST", "/__emulator/clock/advance", ["seconds": 10])
        c.send("POST", "/api/v2/workloads/\(stopped)/stop")
        c.send("POST", "/api/v2/workloads/\(promoted)/promote")
        let art = c.send("GET", "/api/v2/workloads/\(promoted)").json["artifactId"]?.stringValue ?? ""
        let dep = c.send("POST", "/api/v2/console/deployments", ["name": "dep", "workloadId": .string(promoted)])
        #expect(dep.status == 201, "\(dep.text)")
        // A second workload on the locked artifact, and a locked artifact of its own.
        let onLocked = c.send("POST", "/api/v2/workloads", ["name": "on-locked", "artifactId": .string(art)])
        #expect(onLocked.status == 201, "\(onLocked.text)")
        let locked = c.send(
            "POST", "/api/v2/artifacts", ["name": "solo", "status": "locked", "spec": ["containerGroups": []]])
        #expect(locked.status == 201, "\(locked.text)")
        // A replacement in flight on the running workload.
        let replacement = c.send(
            "PATCH", "/api/v2/workloads/\(running)/settings",
            ["runtime": ["containerGroups": [["name": "g", "replicaCount": 2]]]])
        #expect(replacement.status == 202, "\(replacement.text)")
        c.send(
            "PATCH", "/api/v2/workloads/\(running)/sharedRoles",
            ["operation": "updateRoles", "roles": [["username": "bob", "role": "USER", "shareRecipientType": "user"]]])
        _ = c.send("GET", "/api/v2/version", token: "bob")
        _ = c.control("POST", "/__emulator/clock/advance", ["seconds": 0.7])
        let pending = create("pending")
        c.send("GET", "/api/v2/version")
        return [running, stopped, errored, held, promoted, pending, onLocked.json["id"]?.stringValue ?? ""]
    }

    /// Everything a client can read about the sandbox.
    static func answers(_ c: Client, _ ids: [String]) -> [String] {
        var paths = [
            "/api/v2/workloads?limit=100", "/api/v2/artifacts?limit=100", "/api/v2/artifactRepositories?limit=100",
            "/api/v2/console/deployments", "/api/v2/account/info/", "/api/v2/workloads/stats",
        ]
        for id in ids {
            for suffix in ["", "/events", "/protons", "/history", "/replacement", "/settings", "/stats", "/sharedRoles"] {
                paths.append("/api/v2/workloads/\(id)\(suffix)")
            }
        }
        var out = paths.map { p in
            let r = c.send("GET", p)
            return "\(p) \(r.status) \(r.text)"
        }
        for p in ["/__emulator/clock", "/__emulator/faults", "/__emulator/events?limit=10000", "/__emulator/lifecycle"]
            + ids.map({ "/__emulator/workloads/\($0)" })
        {
            let r = c.control("GET", p)
            out.append("\(p) \(r.status) \(r.text)")
        }
        out.append("bob " + c.send("GET", "/api/v2/workloads", token: "bob").text)
        return out
    }

    @Test func exportImportGivesIdenticalAnswers() {
        let t = TestApp()
        let src = Client(t: t, sandbox: "src")
        let dst = Client(t: t, sandbox: "dst")
        let ids = StateTests.richWorld(src)
        let exported = src.control("GET", "/__emulator/state")
        #expect(exported.status == 200)
        #expect(exported.json["format"] == "workload-emulator/state")
        #expect(exported.json["version"] == 1)
        let put = dst.control("PUT", "/__emulator/state", exported.json)
        #expect(put.status == 200, "\(put.text)")
        guard put.status == 200 else { return }

        let before = StateTests.answers(src, ids)
        let after = StateTests.answers(dst, ids)
        #expect(before.count == after.count)
        for (a, b) in zip(before, after) { #expect(a == b) }

        // And they stay the same as time passes and clients act: transitions, the
        // replacement, TTLs, fault draws and new ids all continue identically.
        for c in [src, dst] {
            _ = c.control("DELETE", "/__emulator/faults/\(c.control("GET", "/__emulator/faults").json["data"]?[1]?["id"]?.stringValue ?? "")")
        }
        let advanced = [src, dst].map { $0.control("POST", "/__emulator/clock/advance", ["seconds": 30000]).text }
        #expect(advanced[0] == advanced[1])
        let created = [src, dst].map { $0.send("POST", "/api/v2/workloads", ["name": "new", "artifact": ["name": "a"]]).text }
        #expect(created[0] == created[1])
        let draws = [src, dst].map { c in (0..<16).map { _ in c.send("GET", "/api/v2/version").status } }
        #expect(draws[0] == draws[1])
        let later = [StateTests.answers(src, ids), StateTests.answers(dst, ids)]
        for (a, b) in zip(later[0], later[1]) { #expect(a == b) }
        // Exporting again gives the same document (but for the sandbox's name).
        var again = dst.control("GET", "/__emulator/state").json.objectValue
        again?["sandbox"] = "src"
        #expect(again.map { JSONValue.object($0) } == src.control("GET", "/__emulator/state").json)
    }

    @Test func refusalsChangeNothing() {
        let t = TestApp()
        let c = Client(t: t, sandbox: "x")
        let id = c.send("POST", "/api/v2/workloads", ["name": "keep", "artifact": ["name": "a"]]).json["id"]?.stringValue ?? ""
        let before = c.control("GET", "/__emulator/state").text
        let good = c.control("GET", "/__emulator/state").json

        let notJSON = t.send("PUT", "/__emulator/state", raw: "{nope", token: nil, headers: [("X-Emulator-Sandbox", "x")])
        #expect(notJSON.status == 400)

        var newer = good.objectValue!
        newer["version"] = 2
        let r1 = c.control("PUT", "/__emulator/state", .object(newer))
        #expect(r1.status == 422)
        #expect(r1.json["detail"]?.stringValue?.contains("$.version: version 2 is newer") == true, "\(r1.text)")

        var other = good.objectValue!
        other["format"] = "something-else"
        #expect(c.control("PUT", "/__emulator/state", .object(other)).status == 422)

        var broken = good.objectValue!
        var workloads = broken["workloads"]!.arrayValue!
        var w0 = workloads[0].objectValue!
        w0["status"] = "sleeping"
        workloads[0] = .object(w0)
        broken["workloads"] = .array(workloads)
        let r2 = c.control("PUT", "/__emulator/state", .object(broken))
        #expect(r2.status == 422)
        #expect(r2.json["detail"]?.stringValue?.contains("$.workloads[0].status") == true, "\(r2.text)")

        var dangling = good.objectValue!
        dangling["artifacts"] = []
        let r3 = c.control("PUT", "/__emulator/state", .object(dangling))
        #expect(r3.status == 422, "\(r3.text)")

        #expect(c.control("PUT", "/__emulator/state", "just a string").status == 422)
        #expect(c.control("GET", "/__emulator/state").text == before)
        #expect(c.send("GET", "/api/v2/workloads/\(id)").status == 200)
    }

    @Test func importReplacesEverything() {
        let t = TestApp()
        let empty = Client(t: t, sandbox: "empty").control("GET", "/__emulator/state").json
        let c = Client(t: t, sandbox: "full")
        let id = c.send("POST", "/api/v2/workloads", ["name": "gone", "artifact": ["name": "a"]]).json["id"]?.stringValue ?? ""
        #expect(c.control("PUT", "/__emulator/state", empty).status == 200)
        #expect(c.send("GET", "/api/v2/workloads/\(id)").status == 404)
        #expect(c.send("GET", "/api/v2/workloads").json["totalCount"] == 0)
    }
}
