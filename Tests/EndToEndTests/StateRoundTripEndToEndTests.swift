import Foundation
import JSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Random worlds, built over the API by seeded command sequences, read back three
/// ways: from the state file's snapshot plus its log after a SIGKILL, from a state
/// file holding only the exported document, and through `PUT /__emulator/state` into
/// a fresh process. Every API answer must be the one the original process gave.
@Suite struct StateRoundTripEndToEndTests {
    /// Seeded steps of the commands users run: ids are picked among the workloads made so far.
    func build(_ c: TestClient, seed: UInt64) throws -> [String] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        var ids: [String] = []
        var accepted: [String: Int] = [:]
        // bob becomes known (a user is, once they have made a request) so he can be shared with.
        c.token = "bob"
        let bob = try c.send("GET", "/api/v2/account/info/").json["username"] ?? .null
        #expect(bob.stringValue != nil)
        c.token = "alice"
        _ = try c.send(
            "POST", "/__emulator/faults", ["action": "launchFailure", "probability": 0.2, "message": "pull"])
        for step in 0..<160 {
            let roll = next() % 100
            let id = ids.isEmpty ? "none" : ids[Int(next() % UInt64(ids.count))]
            let kind: String
            let r: TestClient.Response
            switch roll {
            case 0..<18:
                kind = "create"
                r = try c.send(
                    "POST", "/api/v2/workloads",
                    [
                        "name": .string("w\(step)"), "description": .string("d \"\(step)\""),
                        "artifact": ["name": .string("a\(step)")],
                    ])
                if r.status == 201, let id = r.json["id"]?.stringValue { ids.append(id) }
            case 18..<30:
                kind = "start"
                r = try c.send("POST", "/api/v2/workloads/\(id)/start")
            case 30..<38:
                kind = "stop"
                r = try c.send("POST", "/api/v2/workloads/\(id)/stop")
            case 38..<42:
                kind = "delete"
                r = try c.send("DELETE", "/api/v2/workloads/\(id)")
                if r.status / 100 == 2 { ids.removeAll { $0 == id } }
            case 42..<52:
                kind = "settings"
                r = try c.send(
                    "PATCH", "/api/v2/workloads/\(id)/settings",
                    ["runtime": ["containerGroups": [["name": "g", "replicaCount": .int(Int64(next() % 3 + 1))]]]])
            case 52..<56:
                kind = "share"
                r = try c.send(
                    "PATCH", "/api/v2/workloads/\(id)/sharedRoles",
                    [
                        "operation": "updateRoles",
                        "roles": [["username": bob, "role": "USER", "shareRecipientType": "user"]],
                    ])
            case 56..<66:
                kind = "invoke"
                r = try c.send("POST", "/api/v2/endpoints/workloads/\(id)/predict", ["x": 1])
            case 66..<70:
                kind = "promote"
                r = try c.send("POST", "/api/v2/workloads/\(id)/promote")
            default:
                kind = "advance"
                r = try c.send(
                    "POST", "/__emulator/clock/advance", ["seconds": .double(Double(next() % 90_000) / 1000)])
            }
            // A 503 is the answer for invoking a workload that is not running.
            #expect(
                r.status < 500 || (kind == "invoke" && r.status == 503), "step \(step) \(kind): \(r.status) \(r.text)")
            if r.status / 100 == 2 { accepted[kind, default: 0] += 1 }
        }
        // Credentials (created, one deleted): platform state the API keeps beside the workloads.
        var credentials: [String] = []
        for n in 0..<3 {
            let r = try c.send(
                "POST", "/api/v2/credentials/",
                ["name": .string("cred-\(seed)-\(n)"), "credentialType": "api_token", "apiToken": "secret"])
            #expect(r.status == 201, "\(r.text)")
            credentials.append(r.json["credentialId"]?.stringValue ?? "")
        }
        let deleted = try c.send("DELETE", "/api/v2/credentials/\(credentials[1])")
        #expect(deleted.status == 204, "\(deleted.status) \(deleted.text)")
        // A generator that achieved nothing would make the comparison trivially true.
        for kind in ["create", "start", "stop", "settings", "share", "invoke", "advance"] {
            #expect(accepted[kind, default: 0] > 0, "no \(kind) accepted: \(accepted)")
        }
        return ids
    }

    /// Everything alice and bob can read about the sandbox, as status and body (with
    /// the process's own address, which endpoint URLs carry, taken out).
    func answers(_ port: Int, _ ids: [String]) throws -> [String] {
        var out: [String] = []
        let c = try TestClient(port: port)
        var paths = [
            "/api/v2/workloads?limit=100", "/api/v2/artifacts?limit=100", "/api/v2/artifactRepositories?limit=100",
            "/api/v2/console/deployments", "/api/v2/workloads/stats", "/__emulator/state",
            "/api/v2/credentials/?limit=1000",
        ]
        for id in ids {
            for suffix in [
                "", "/events", "/protons", "/history", "/replacement", "/settings", "/stats", "/sharedRoles",
            ] {
                paths.append("/api/v2/workloads/\(id)\(suffix)")
            }
            // The emulated containers' log lines, and the traces derived from the access lines.
            paths.append("/api/v2/otel/workload/\(id)/logs/?limit=1000")
            paths.append("/api/v2/otel/workload/\(id)/traces/?limit=1000")
        }
        for p in paths {
            let r = try c.send("GET", p)
            out.append("\(p) \(r.status) " + r.text.replacingOccurrences(of: "127.0.0.1:\(port)", with: "HOST"))
        }
        c.token = "bob"
        let bob = try c.send("GET", "/api/v2/workloads?limit=100")
        out.append("bob \(bob.status) " + bob.text.replacingOccurrences(of: "127.0.0.1:\(port)", with: "HOST"))
        return out
    }

    func expectSame(_ got: [String], _ want: [String], _ route: String) {
        #expect(got.count == want.count, "\(route)")
        for (g, w) in zip(got, want) where g != w {
            let (a, b) = (Array(g.utf8), Array(w.utf8))
            let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            let at = max(0, i - 120)
            Issue.record(
                "\(route): \(w.prefix { $0 != " " }) differs at byte \(i): got …\(String(decoding: a[at..<min(a.count, i + 120)], as: UTF8.self)) want …\(String(decoding: b[at..<min(b.count, i + 120)], as: UTF8.self))"
            )
            return
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64]) func aRandomWorldReadsBackTheSameThroughFileLogAndImport(
        seed: UInt64
    ) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let args = ["--port", "0", "--clock", "manual", "--durability", "sync"]

        let original = try EmulatorProcess(args + ["--state-file", state])
        let port = try original.waitUntilListening()
        let ids = try build(try TestClient(port: port), seed: seed)
        let want = try answers(port, ids)
        // Log lines and credentials are there to compare (an empty answer would compare trivially).
        #expect(want.contains { $0.contains("/logs/?limit=1000 200 ") && !$0.contains("\"totalCount\":0") })
        #expect(
            want.contains { $0.hasPrefix("/api/v2/credentials/?limit=1000 200 ") && $0.contains("\"totalCount\":2") })
        let document = try TestClient(port: port).send("GET", "/__emulator/state").body
        original.send(SIGKILL)
        _ = original.waitForExit(timeout: 5)

        // 1. The snapshot and the log, as the killed process left them.
        let fromLog = try EmulatorProcess(args + ["--state-file", state])
        expectSame(try answers(try fromLog.waitUntilListening(), ids), want, "snapshot + log")
        fromLog.send(SIGTERM)
        #expect(fromLog.waitForExit(timeout: 10) == 0)

        // 2. A state file holding only the exported document.
        let file = dir.appendingPathComponent("exported.json").path
        let sandbox = try JSONParser.parse(document, limits: JSONParser.Limits(maxDepth: 256, maxBytes: Int.max))
        let content: JSONValue = ["format": "workload-emulator/state-file", "version": 1, "sandboxes": [sandbox]]
        try #require(FileManager.default.createFile(atPath: file, contents: Data(JSONSerializer.serialize(content))))
        let fromFile = try EmulatorProcess(args + ["--state-file", file])
        expectSame(try answers(try fromFile.waitUntilListening(), ids), want, "state file")
        fromFile.send(SIGTERM)
        #expect(fromFile.waitForExit(timeout: 10) == 0)

        // 3. The import route of a fresh process.
        let fresh = try EmulatorProcess(args)
        let freshPort = try fresh.waitUntilListening()
        let put = try TestClient(port: freshPort).send(
            "PUT", "/__emulator/state", raw: String(decoding: document, as: UTF8.self))
        #expect(put.status == 200, "\(put.text)")
        expectSame(try answers(freshPort, ids), want, "PUT /__emulator/state")
        fresh.send(SIGTERM)
        #expect(fresh.waitForExit(timeout: 10) == 0)
    }
}
