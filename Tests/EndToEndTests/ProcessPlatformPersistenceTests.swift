import Foundation
import JSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Credentials and the emulated containers' logs through `--state-file` and a SIGKILL:
/// the API accepts them, so a restart must give them back exactly, and credentials
/// from `--fixtures` must neither come back twice nor come back once deleted.
@Suite(.serialized) struct ProcessPlatformPersistenceTests {
    func answers(_ c: TestClient, _ id: String) throws -> [String] {
        var out: [String] = []
        for p in [
            "/api/v2/credentials/?limit=1000", "/api/v2/otel/workload/\(id)/logs/?limit=1000",
            "/api/v2/otel/workload/\(id)/traces/?limit=1000", "/api/v2/workloads/\(id)",
        ] {
            let r = try c.send("GET", p)
            // Endpoint URLs carry the process's own port.
            out.append("\(p) \(r.status) " + r.text.replacingOccurrences(of: "127.0.0.1:\(c.port)", with: "HOST"))
        }
        return out
    }

    @Test func credentialsAndWorkloadLogsSurviveSigkillWithFixtures() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = dir.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        try
            #"{"users":[{"username":"alice","token":"alice"}],"credentials":[{"name":"from-fixture","credentialType":"s3"},{"name":"doomed"}]}"#
            .write(to: fixtures.appendingPathComponent("10-platform.json"), atomically: true, encoding: .utf8)
        let state = dir.appendingPathComponent("state.json").path
        let args = [
            "--port", "0", "--clock", "manual", "--durability", "sync", "--fixtures", fixtures.path,
            "--state-file", state, "--log-level", "warn",
        ]

        let first = try EmulatorProcess(args)
        let c = try TestClient(port: try first.waitUntilListening())
        let listed = try c.send("GET", "/api/v2/credentials/").json["data"]?.arrayValue ?? []
        #expect(listed.compactMap { $0["name"]?.stringValue } == ["from-fixture", "doomed"])
        let doomed = listed.last?["credentialId"]?.stringValue ?? ""
        let created = try c.send(
            "POST", "/api/v2/credentials/", ["name": "made-here", "credentialType": "basic", "password": "x"])
        #expect(created.status == 201, "\(created.text)")
        #expect(try c.send("DELETE", "/api/v2/credentials/\(doomed)").status == 204)
        let id = try c.createWorkload("logged")
        try c.advance(60)
        #expect(try c.status(id) == "running")
        let invoked = try c.send("POST", "/api/v2/endpoints/workloads/\(id)/predict", ["x": 1])
        #expect(invoked.status == 200, "\(invoked.text)")
        let want = try answers(c, id)
        #expect(want[0].contains("\"made-here\"") && !want[0].contains("\"doomed\""), "\(want[0])")
        #expect(want[1].contains("Started container") && want[1].contains("/predict"), "\(want[1])")
        #expect(want[2].contains("\"totalCount\":1"), "\(want[2])")
        // sync: every answered change was on disk before its answer.
        first.send(SIGKILL)
        _ = first.waitForExit(timeout: 5)

        let second = try EmulatorProcess(args)
        let again = try TestClient(port: try second.waitUntilListening())
        let got = try answers(again, id)
        #expect(got == want)
        // New lines continue the numbering (trace ids are derived from it).
        try again.advance(1)
        let more = try again.send("POST", "/api/v2/endpoints/workloads/\(id)/predict", ["x": 2])
        #expect(more.status == 200, "\(more.text)")
        let traces = try again.send("GET", "/api/v2/otel/workload/\(id)/traces/").json["data"]?.arrayValue ?? []
        #expect(traces.count == 2)
        #expect(Set(traces.compactMap { $0["traceId"]?.stringValue }).count == 2, "\(traces)")
        second.send(SIGTERM)
        #expect(second.waitForExit(timeout: 5) == 0)

        // And once more from the snapshot written at that shutdown.
        let third = try EmulatorProcess(args)
        let last = try TestClient(port: try third.waitUntilListening())
        let afterStop = try answers(last, id)
        #expect(afterStop[0] == want[0], "no fixture credential added twice or brought back")
        #expect(afterStop[1].contains("\"totalCount\":\(lineCount(want[1]) + 1)"), "\(afterStop[1])")
        third.send(SIGTERM)
        #expect(third.waitForExit(timeout: 5) == 0)
    }

    /// Runs the emulator on a state file in `dir` (`sync`), creates a workload and lets it
    /// run for a minute (its log lines are written), does `more`, then SIGKILLs it. The
    /// arguments, to start it again on the same files.
    private func runLoggedWorkloadAndKill(
        _ dir: URL, _ more: (TestClient) throws -> Void = { _ in }
    ) throws -> [String] {
        let args = StateLogFrames.syncArguments(dir)
        let p = try EmulatorProcess(args)
        let client = try TestClient(port: try p.waitUntilListening())
        _ = try client.createWorkload("logged")
        try client.advance(60)
        try more(client)
        p.send(SIGKILL)
        _ = p.waitForExit(timeout: 5)
        return args
    }

    /// A state log record replayed with damage: its workload's lines numbered again (a
    /// record applied twice), or a credential list naming one credential twice. Start-up
    /// stops with exit 2 naming the record and the JSON path.
    @Test(arguments: [
        ("lines numbered again", "workloadLogs", "$.change.workloadLogs[0].logs[0].number: must be above"),
        ("a duplicate credential name", "credentials", "$.change.credentials[1].name: duplicate credential name"),
    ])
    func aDamagedLogRecordStopsStartUp(name: String, key: String, message: String) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try runLoggedWorkloadAndKill(dir) { client in
            let created = try client.send("POST", "/api/v2/credentials/", ["name": "one", "credentialType": "basic"])
            #expect(created.status == 201, "\(created.text)")
        }
        let records = try StateLogFrames.payloads(inLogsOf: dir)
        var payload = try #require(records.last { $0.contains("\"\(key)\":[") })
        let lsn = try #require(payload.range(of: #"^\{"lsn":[0-9]+"#, options: .regularExpression))
        payload.replaceSubrange(lsn, with: #"{"lsn":999999"#)
        if key == "credentials" {
            let list = try #require(payload.range(of: #""credentials":\[\{[^\]]*\}\]"#, options: .regularExpression))
            let one = String(payload[list].dropFirst(#""credentials":["#.count).dropLast())
            payload.replaceSubrange(
                list,
                with: #""credentials":["# + one + ","
                    + one.replacingOccurrences(
                        of: #""id":""#, with: #""id":"f"#) + "]")
        }
        let damaged = dir.appendingPathComponent("state.json.999.log").path
        try #require(FileManager.default.createFile(atPath: damaged, contents: Data(StateLogFrames.frame(Array(payload.utf8)))))
        let result = try EmulatorProcess.run(args)
        #expect(result.status == 2, "\(name)")
        #expect(result.stderr.contains("\(damaged): record 1: \(message)"), "\(name): \(result.stderr)")
    }

    /// A record whose lines end below the count it claims (lines lost): refused in place.
    @Test func aLogRecordClaimingMoreLinesThanItHoldsStopsStartUp() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try runLoggedWorkloadAndKill(dir)
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".log") {
            let url = dir.appendingPathComponent(file)
            var records = StateLogFrames.payloads([UInt8](try Data(contentsOf: url)))
            guard let k = records.lastIndex(where: { $0.contains("\"workloadLogs\":[") }) else { continue }
            let written = try #require(records[k].range(of: #""logsWritten":[0-9]+"#, options: .regularExpression))
            let n = Int(records[k][written].dropFirst(#""logsWritten":"#.count)) ?? 0
            records[k].replaceSubrange(written, with: "\"logsWritten\":\(n + 3)")
            try #require(FileManager.default.createFile(
                atPath: url.path, contents: Data(records.flatMap { StateLogFrames.frame(Array($0.utf8)) })))
            let result = try EmulatorProcess.run(args)
            #expect(result.status == 2)
            #expect(
                result.stderr.contains(
                    "record \(k + 1): $.change.workloadLogs[0].logsWritten: must be the number of the last line"),
                "\(result.stderr)")
            return
        }
        Issue.record("no record with workload log lines")
    }

    func lineCount(_ answer: String) -> Int {
        guard let body = answer.split(separator: " ", maxSplits: 2).last,
            let v = try? JSONParser.parse(Array(body.utf8))
        else { return -1 }
        return Int(v["totalCount"]?.intValue ?? -1)
    }
}
