import Foundation
import JSON
import Testing

/// The drift check with more than one user, and through an https upstream: a second
/// emulator stands in for the real service, behind a TLS-terminating forwarder
/// (tests/drift/tls_forwarder.py) whose certificate is made for the test by `openssl`.
@Suite struct DriftCheckUsersAndTLSTests {
    static let alice = "alice-secret-5d1e08aa"
    static let bob = "bob-secret-92c4f7e1"
    static let artifact: JSONValue = [
        "name": "shared-art", "spec": ["containerGroups": [["containers": [["name": "web", "imageUri": "nginx:1"]]]]],
    ]

    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// Runs a tool to completion; its output when it exits 0.
    static func tool(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw HarnessError("\(arguments.joined(separator: " ")): \(String(decoding: data, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `record` in front of `upstream`; returns the process and the port it listens on.
    static func recorder(_ arguments: [String]) throws -> (EmulatorProcess, Int) {
        let p = try EmulatorProcess(["record", "--port", "0"] + arguments)
        let prefix = "workload-emulator recording on http://127.0.0.1:"
        let line = p.stdout.wait(timeout: 20) { $0.contains("\n") } ?? ""
        guard line.hasPrefix(prefix), let port = Int(line.dropFirst(prefix.count).prefix { $0.isNumber }) else {
            throw HarnessError("no recording line; stdout: \(line); stderr: \(p.stderr.text)")
        }
        return (p, port)
    }

    static func stop(_ p: EmulatorProcess, _ file: String) throws -> String {
        p.send(SIGTERM)
        #expect(p.waitForExit(timeout: 20) == 0)
        return try String(contentsOfFile: file, encoding: .utf8)
    }

    static func replay(_ file: String) throws -> (status: Int32?, report: JSONValue, stderr: String) {
        let r = try EmulatorProcess.run(["replay", file, "--json"], timeout: 120)
        return (r.status, (try? JSONParser.parse(r.stdout)) ?? .null, r.stderr)
    }

    static func differences(_ report: JSONValue) -> [[String]] {
        (report["differences"]?.arrayValue ?? []).map { d in
            [d["operation"], d["at"], d["what"], d["real"], d["emulator"]].map { $0?.stringValue ?? "?" }
        }
    }

    /// Alice makes an artifact that Bob may not see; each lists what is visible to them. No
    /// two GETs of one path follow each other: as one user they would replay as a poll.
    static func twoUserSession(port: Int) throws {
        let a = try TestClient(port: port)
        a.token = alice
        let b = try TestClient(port: port)
        b.token = bob
        let created = try a.send("POST", "/api/v2/artifacts", artifact)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"]?.stringValue)
        #expect(try a.send("GET", "/api/v2/artifacts/\(id)").status == 200)
        #expect(try b.send("GET", "/api/v2/artifacts").json["totalCount"] == 0)
        #expect(try b.send("GET", "/api/v2/artifacts/\(id)").status == 404)
        #expect(try a.send("GET", "/api/v2/artifacts").json["totalCount"] == 1)
    }

    @Test func twoUsersReplayAsTwoUsersAndListLengthsAreCompared() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try EmulatorProcess(["--port", "0", "--clock", "manual", "--log-level", "error"])
        let upstreamPort = try upstream.waitUntilListening()
        let file = directory.appendingPathComponent("users.ndjson").path
        let (recorder, port) = try Self.recorder(["--upstream", "http://127.0.0.1:\(upstreamPort)", "--out", file])
        try Self.twoUserSession(port: port)
        let recording = try Self.stop(recorder, file)
        #expect(!recording.contains(Self.alice) && !recording.contains(Self.bob))
        let users = recording.split(separator: "\n").map { line in
            (try? JSONParser.parse(String(line)))?["user"]?.stringValue ?? "none"
        }
        #expect(users == ["user-1", "user-1", "user-2", "user-2", "user-1"])

        let result = try Self.replay(file)
        #expect(result.status == 0, "\(result.report) \(result.stderr)")
        #expect(result.report["differences"] == [])

        // The same recording without its labels replays as one user: Bob then sees Alice's
        // artifact, and his list is one longer than the real one.
        let single = directory.appendingPathComponent("single.ndjson").path
        let stripped = recording.split(separator: "\n").map { line -> String in
            var o = (try? JSONParser.parse(String(line)))?.objectValue ?? JSONObject()
            o["user"] = nil
            return JSONSerializer.string(.object(o))
        }
        try (stripped.joined(separator: "\n") + "\n").write(toFile: single, atomically: true, encoding: .utf8)
        let merged = try Self.replay(single)
        #expect(merged.status == 1, "\(merged.stderr)")
        let found = Self.differences(merged.report)
        let exchanges = (merged.report["differences"]?.arrayValue ?? []).map { $0["exchange"]?.exactInt ?? 0 }
        // Bob's list (exchange 3) is one longer; Bob's read (4) succeeds. Alice's are as recorded.
        #expect(Set(exchanges) == [3, 4], "\(merged.report)")
        #expect(found.contains(["listArtifacts", "$.data", "list length", "0", "1"]), "\(merged.report)")
        #expect(found.contains(["listArtifacts", "$.totalCount", "total count", "0", "1"]), "\(merged.report)")
        #expect(found.contains(["getArtifact", "status", "status code", "404", "200"]), "\(merged.report)")
    }

    /// A sharing flow: Bob's id is learnt from his own artifact's `creator`, then Alice shares
    /// hers with him by that id; the replay substitutes the emulator's id for Bob.
    @Test func aSharingFlowBetweenTwoUsersReplaysWithoutDifferences() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try EmulatorProcess(["--port", "0", "--clock", "manual", "--log-level", "error"])
        let upstreamPort = try upstream.waitUntilListening()
        let file = directory.appendingPathComponent("sharing.ndjson").path
        let (recorder, port) = try Self.recorder(["--upstream", "http://127.0.0.1:\(upstreamPort)", "--out", file])
        let a = try TestClient(port: port)
        a.token = Self.alice
        let b = try TestClient(port: port)
        b.token = Self.bob
        let bobs = try b.send("POST", "/api/v2/artifacts", Self.artifact)
        let bobId = try #require(bobs.json["creator"]?["id"]?.stringValue)
        let alices = try #require(try a.send("POST", "/api/v2/artifacts", Self.artifact).json["id"]?.stringValue)
        #expect(try b.send("GET", "/api/v2/artifacts/\(alices)").status == 404)
        let share: JSONValue = [
            "operation": "updateRoles",
            "roles": [["id": .string(bobId), "role": "USER", "shareRecipientType": "user"]],
        ]
        #expect(try a.send("PATCH", "/api/v2/artifacts/\(alices)/sharedRoles", share).status == 204)
        #expect(try b.send("GET", "/api/v2/artifacts/\(alices)").status == 200)
        #expect(try b.send("GET", "/api/v2/artifacts").json["totalCount"] == 2)
        _ = try Self.stop(recorder, file)

        let result = try Self.replay(file)
        #expect(result.status == 0, "\(result.report) \(result.stderr)")
        #expect(result.report["exchanges"]?.exactInt == 6)
    }

    @Test func anHTTPSUpstreamIsTrustedThroughUpstreamCAAndRefusedWithoutIt() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        _ = try Self.tool([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        let upstream = try EmulatorProcess(["--port", "0", "--clock", "manual", "--log-level", "error"])
        let upstreamPort = try upstream.waitUntilListening()

        let forwarder = Process()
        forwarder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        forwarder.arguments = [
            "python3", Self.repository.appendingPathComponent("tests/drift/tls_forwarder.py").path, "--cert", cert,
            "--key", key, "--upstream-port", "\(upstreamPort)",
        ]
        let forwarderOut = Pipe()
        forwarder.standardOutput = forwarderOut
        try forwarder.run()
        defer {
            kill(forwarder.processIdentifier, SIGKILL)
            forwarder.waitUntilExit()
        }
        let listening = OutputCollector(forwarderOut.fileHandleForReading).wait(timeout: 20) { $0.contains("\n") }
        let tlsPort = try #require(Int(listening?.split(separator: " ").last?.prefix { $0.isNumber } ?? ""))
        let url = "https://127.0.0.1:\(tlsPort)"

        // Trusted through --upstream-ca: the session is recorded and replays clean.
        let file = directory.appendingPathComponent("tls.ndjson").path
        let (recorder, port) = try Self.recorder(["--upstream", url, "--upstream-ca", cert, "--out", file])
        try Self.twoUserSession(port: port)
        let recording = try Self.stop(recorder, file)
        #expect(recording.split(separator: "\n").count == 5, "\(recorder.stderr.text)")
        #expect(!recording.contains(Self.alice) && !recording.contains(Self.bob))
        #expect(!recording.lowercased().contains("authorization"))
        #expect(!recording.lowercased().contains("bearer"))
        let result = try Self.replay(file)
        #expect(result.status == 0, "\(result.report) \(result.stderr)")
        #expect(result.report["exchanges"]?.exactInt == 5)

        // Without it the self-signed certificate is refused: 502 naming the reason, nothing recorded.
        let refusedFile = directory.appendingPathComponent("refused.ndjson").path
        let (refusing, refusingPort) = try Self.recorder(["--upstream", url, "--out", refusedFile])
        let c = try TestClient(port: refusingPort)
        c.token = Self.alice
        let refused = try c.send("GET", "/api/v2/artifacts")
        #expect(refused.status == 502)
        let detail = refused.json["detail"]?.stringValue ?? ""
        #expect(detail.hasPrefix("record: TLS with the upstream failed, the request was not sent: "), "\(detail)")
        #expect(detail.lowercased().contains("certificate"), "\(detail)")
        #expect(try Self.stop(refusing, refusedFile) == "")
    }

    @Test func anUnreadableOrEmptyCAExitsTwoBeforeListening() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out.ndjson").path
        let missing = directory.appendingPathComponent("missing.pem").path
        let r = try EmulatorProcess.run([
            "record", "--upstream", "https://127.0.0.1:1", "--upstream-ca", missing, "--out", out, "--port", "0",
        ])
        #expect(r.status == 2)
        #expect(r.stderr == "workload-emulator: record: --upstream-ca \(missing): No such file or directory\n")
        let empty = directory.appendingPathComponent("empty.pem").path
        try "not a certificate\n".write(toFile: empty, atomically: true, encoding: .utf8)
        let e = try EmulatorProcess.run([
            "record", "--upstream", "https://127.0.0.1:1", "--upstream-ca", empty, "--out", out, "--port", "0",
        ])
        #expect(e.status == 2)
        #expect(e.stderr.contains("holds no PEM certificate"))
        let plain = try EmulatorProcess.run([
            "record", "--upstream", "http://127.0.0.1:1", "--upstream-ca", empty, "--out", out,
        ])
        #expect(plain.status == 2)
        #expect(plain.stderr == "workload-emulator: record: --upstream-ca applies to an https upstream only\n")
    }
}
