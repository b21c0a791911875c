import Foundation
import JSON
import Testing

/// Issue 14 over real processes: a client session recorded through `record` against a
/// second emulator standing in for the real service, then replayed with `replay`.
@Suite struct DriftCheckEndToEndTests {
    static let secret = "drift-secret-7f3c91e2"
    let twoReplicas: JSONValue = ["containerGroups": [["name": "default", "replicaCount": 2]]]

    /// The "real" service (manual clock, advanced by the test between polls) and the proxy.
    struct Rig {
        let upstream: EmulatorProcess
        let upstreamPort: Int
        let recorder: EmulatorProcess
        let recorderPort: Int
        let file: String

        init(directory: URL) throws {
            upstream = try EmulatorProcess(["--port", "0", "--clock", "manual", "--log-level", "error"])
            upstreamPort = try upstream.waitUntilListening()
            file = directory.appendingPathComponent("session.ndjson").path
            recorder = try EmulatorProcess([
                "record", "--upstream", "http://127.0.0.1:\(upstreamPort)", "--out", file, "--port", "0",
            ])
            let line = recorder.stdout.wait(timeout: 20) { $0.contains("\n") } ?? ""
            guard line.hasPrefix("workload-emulator recording on http://127.0.0.1:"),
                let port = Int(
                    line.dropFirst("workload-emulator recording on http://127.0.0.1:".count).prefix { $0.isNumber })
            else { throw HarnessError("no recording line; stdout: \(line); stderr: \(recorder.stderr.text)") }
            recorderPort = port
        }

        /// The client, through the proxy, with a credential the recording must not hold.
        func client() throws -> TestClient {
            let c = try TestClient(port: recorderPort)
            c.token = DriftCheckEndToEndTests.secret
            return c
        }

        /// Straight to the "real" service: its clock and faults are not part of the session.
        func control() throws -> TestClient { try TestClient(port: upstreamPort) }

        func stopRecording() throws -> String {
            recorder.send(SIGTERM)
            #expect(recorder.waitForExit(timeout: 20) == 0)
            return try String(contentsOfFile: file, encoding: .utf8)
        }
    }

    /// Polls through the proxy until `done`, advancing the real service's clock between polls.
    func poll(_ c: TestClient, _ control: TestClient, _ path: String, until done: (JSONValue) -> Bool) throws {
        for _ in 0..<60 {
            if done(try c.send("GET", path).json) { return }
            try control.advance(2)
        }
        Issue.record("\(path) never reached the state")
    }

    /// Create, poll until running, a replacement, a 409, stop, delete. `alter` runs on the
    /// real service just before the calls it may fault (by name).
    func session(_ rig: Rig, alter: (String, String) throws -> Void = { _, _ in }) throws {
        let c = try rig.client()
        let control = try rig.control()
        let created = try c.send("POST", "/api/v2/workloads", ["name": "drift", "artifact": ["name": "drift-art"]])
        #expect(created.status == 201)
        let id = try #require(created.json["id"]?.stringValue)
        try poll(c, control, "/api/v2/workloads/\(id)") { $0["status"] == "running" }
        #expect(try c.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas]).status == 202)
        try alter("conflict", id)
        let conflict = try c.send(
            "PATCH", "/api/v2/workloads/\(id)/settings",
            ["runtime": ["containerGroups": [["name": "default", "replicaCount": 3]]]])
        #expect(conflict.status == 409 || conflict.status == 400)
        try alter("replacement", id)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)/replacement").status == 200)
        try poll(c, control, "/api/v2/workloads/\(id)") { $0["replacement"] == .null }
        #expect(try c.send("POST", "/api/v2/workloads/\(id)/stop").status == 202)
        try poll(c, control, "/api/v2/workloads/\(id)") { $0["status"] == "stopped" }
        let deleted = try c.send("DELETE", "/api/v2/workloads/\(id)")
        #expect((200..<300).contains(deleted.status))
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").status == 404)
    }

    func replay(_ file: String) throws -> (status: Int32?, report: JSONValue, stderr: String) {
        let r = try EmulatorProcess.run(["replay", file, "--json"], timeout: 120)
        return (r.status, (try? JSONParser.parse(r.stdout)) ?? .null, r.stderr)
    }

    @Test func anUnalteredSessionReplaysWithoutDifferencesAndHoldsNoCredential() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rig = try Rig(directory: directory)
        try session(rig)
        let recording = try rig.stopRecording()
        let lines = recording.split(separator: "\n")
        #expect(lines.count >= 12)
        #expect(!recording.contains(Self.secret))
        #expect(!recording.lowercased().contains("authorization"))
        #expect(!recording.lowercased().contains("bearer"))

        let result = try replay(rig.file)
        #expect(result.status == 0, "\(result.report) \(result.stderr)")
        #expect(result.report["exchanges"]?.exactInt == lines.count)
        #expect(result.report["differences"] == [])
        // The polls became clock advances on the emulator the replay started.
        #expect((result.report["clockAdvancedSeconds"]?.exactInt ?? 0) > 0)

        let table = try EmulatorProcess.run(["replay", rig.file], timeout: 120)
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("\(lines.count) exchanges replayed, 0 differences"))

        // Kept as a regression case: the same exchanges, under the recording's name.
        let kept = directory.appendingPathComponent("kept")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        #expect(try EmulatorProcess.run(["replay", rig.file, "--as-test", kept.path], timeout: 120).status == 0)
        let copy = try String(contentsOf: kept.appendingPathComponent("session.ndjson"), encoding: .utf8)
        #expect(copy.split(separator: "\n") == lines)
    }

    @Test func eachAlterationOfTheRealAnswersIsReportedAndOnlyThose() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rig = try Rig(directory: directory)
        try session(rig) { step, id in
            let control = try rig.control()
            control.token = Self.secret
            switch step {
            case "conflict":
                // A different status: 400 where the service says 409, with the same body.
                let rule: JSONValue = [
                    "match": ["method": "PATCH", "path": .string("/api/v2/workloads/\(id)/settings")],
                    "action": "respond", "status": 400,
                    "body": ["detail": "A replacement is already in progress for this workload."], "times": 1,
                ]
                #expect(try control.send("POST", "/__emulator/faults", rule).status == 201)
            case "replacement":
                // A renamed field and an extra one, on the service's own answer.
                let real = try control.send("GET", "/api/v2/workloads/\(id)/replacement").json
                var altered = JSONObject()
                for (key, value) in try #require(real.objectValue) {
                    altered.append(key == "strategy" ? "rolloutStrategy" : key, value)
                }
                altered.append("extraField", "x")
                let rule: JSONValue = [
                    "match": ["method": "GET", "path": .string("/api/v2/workloads/\(id)/replacement")],
                    "action": "respond", "status": 200, "body": .object(altered), "times": 1,
                ]
                #expect(try control.send("POST", "/__emulator/faults", rule).status == 201)
            default: break
            }
        }
        let recording = try rig.stopRecording()
        #expect(!recording.contains(Self.secret))

        let result = try replay(rig.file)
        #expect(result.status == 1, "\(result.stderr)")
        let found = (result.report["differences"]?.arrayValue ?? []).map { d in
            [d["operation"], d["at"], d["what"], d["real"], d["emulator"]].map { $0?.stringValue ?? "?" }
        }
        let expected: [[String]] = [
            ["updateWorkloadSettings", "status", "status code", "400", "409"],
            ["getWorkloadReplacement", "$.rolloutStrategy", "missing in the emulator", "string", "absent"],
            ["getWorkloadReplacement", "$.extraField", "missing in the emulator", "string", "absent"],
            ["getWorkloadReplacement", "$.strategy", "only in the emulator", "absent", "string"],
        ]
        #expect(found == expected, "\(result.report)")
        #expect(result.report["differenceCount"]?.exactInt == 4)
    }

    /// A poll whose last real answer is a state the emulator never reaches on its own
    /// (here `errored`, put there by a fault on the "real" service): the replay jumps from
    /// one scheduled transition to the next, stops once none is pending, and reports the
    /// state. Stepping one second at a time it went on for a day of emulated time.
    @Test func aPollTheEmulatorNeverMatchesEndsWhenNothingIsPending() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rig = try Rig(directory: directory)
        let c = try rig.client()
        let control = try rig.control()
        control.token = Self.secret
        let created = try c.send("POST", "/api/v2/workloads", ["name": "drift", "artifact": ["name": "drift-art"]])
        let id = try #require(created.json["id"]?.stringValue)
        try poll(c, control, "/api/v2/workloads/\(id)") { $0["status"] == "running" }
        // Promoted, its artifact is locked and it has no expiry: once running, nothing
        // more is scheduled for it.
        #expect(try c.send("POST", "/api/v2/workloads/\(id)/promote").status == 202)
        var errored = try #require(control.send("GET", "/api/v2/workloads/\(id)").json.objectValue)
        errored["status"] = "errored"
        let rule: JSONValue = [
            "match": ["method": "GET", "path": .string("/api/v2/workloads/\(id)")],
            "action": "respond", "status": 200, "body": .object(errored), "times": 1,
        ]
        #expect(try control.send("POST", "/__emulator/faults", rule).status == 201)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").json["status"] == "errored")
        _ = try rig.stopRecording()

        let result = try replay(rig.file)
        #expect(result.status == 1, "\(result.stderr)")
        let found = (result.report["differences"]?.arrayValue ?? []).map { d in
            [d["at"], d["real"], d["emulator"]].map { $0?.stringValue ?? "?" }
        }
        // Nothing was left to happen on the emulator: the poll's last answer differs in
        // its state only, and the clock moved only for the first poll (to running).
        #expect(found == [["$.status", "errored", "running"]], "\(result.report)")
        let advanced = result.report["clockAdvancedSeconds"]?.exactInt ?? 0
        #expect(advanced > 0 && advanced < 60, "advanced \(advanced) s")
    }

    @Test func badCommandLinesAndRecordingsExitTwoWithTheReason() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.ndjson").path
        try "{\"method\":\"GET\",\"path\":\"/api/v2/version\",\"status\":200}\nnot json\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        let replayed = try EmulatorProcess.run(["replay", bad])
        #expect(replayed.status == 2)
        #expect(replayed.stderr.hasPrefix("workload-emulator: replay: \(bad):2: not JSON"))
        let https = try EmulatorProcess.run(["record", "--upstream", "https://host:99999", "--out", bad])
        #expect(https.status == 2)
        #expect(https.stderr == "workload-emulator: record: --upstream must be https://host[:port][/base], not 'https://host:99999'\n")
        let missing = try EmulatorProcess.run(["record", "--out", bad])
        #expect(missing.status == 2)
        #expect(missing.stderr == "workload-emulator: record: --upstream URL is required\n")
        let help = try EmulatorProcess.run(["replay", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("usage: workload-emulator replay FILE"))
    }
}
