import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `workload-emulator ctl …` against a real instance: each subcommand's output, its
/// effect seen through the control API, and the exit codes 0, 1 and 2.
@Suite struct ControlCommandEndToEndTests {
    /// One emulator on a free port with the demo-sized world of one draft workload.
    final class Instance {
        let dir: URL
        let portFile: String
        let process: EmulatorProcess
        let port: Int

        init() throws {
            dir = try makeTemporaryDirectory()
            portFile = dir.appendingPathComponent("port").path
            let fixtures = dir.appendingPathComponent("fixtures")
            try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
            try #"""
            {"sandbox": "default", "users": [{"username": "ctl@example.com", "token": "ctl-token"}],
             "workloads": [{"name": "draft", "status": "running", "artifact": {"name": "draft-artifact"}}]}
            """#.write(to: fixtures.appendingPathComponent("one.json"), atomically: true, encoding: .utf8)
            process = try EmulatorProcess([
                "--port", "0", "--port-file", portFile, "--clock", "manual", "--fixtures", fixtures.path,
            ])
            port = try process.waitUntilListening()
        }

        func ctl(
            _ arguments: [String], environment: [String: String] = [:]
        ) throws -> (
            status: Int32?, stdout: String, stderr: String
        ) {
            try EmulatorProcess.run(["ctl", "--port-file", portFile] + arguments, environment: environment)
        }

        func json(_ path: String) throws -> [String: Any] {
            let answer = try LoopbackHTTP.get(port: port, path: path)
            #expect(answer.status == 200, "\(path): \(answer.body)")
            return try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] ?? [:]
        }

        func workloadIds(sandbox: String = "default") throws -> [String] {
            let state = try json("/sandboxes/\(sandbox)/__emulator/state")
            return (state["workloads"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }

        deinit {
            process.send(SIGTERM)
            _ = process.waitForExit(timeout: 5)
            try? FileManager.default.removeItem(at: dir)
        }
    }

    @Test func clockAdvanceEightHoursExpiresTheDraft() throws {
        let emulator = try Instance()
        let ids = try emulator.workloadIds()
        #expect(ids.count == 1)
        let result = try emulator.ctl(["clock", "advance", "8h"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let answer = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(answer?["now"] as? String == "2026-01-01T08:00:00.000Z")
        let fired = answer?["fired"] as? [[String: Any]] ?? []
        #expect(fired.map { $0["kind"] as? String } == ["expiry"])
        #expect(fired.first?["workloadId"] as? String == ids.first)
        #expect(result.stdout.hasSuffix("}\n"))
        #expect(try emulator.workloadIds().isEmpty)
        #expect(try emulator.json("/__emulator/clock")["now"] as? String == "2026-01-01T08:00:00.000Z")
    }

    @Test func clockAdvanceRefusesABadDurationWithExitTwoAndMovesNothing() throws {
        let emulator = try Instance()
        for bad in ["8x", "-1h", "h", "99999999999999h", ""] {
            let result = try emulator.ctl(["clock", "advance", bad])
            #expect(result.status == 2, "\(bad)")
            #expect(result.stderr.hasPrefix("workload-emulator: ctl: clock advance: '\(bad)' is not a duration"))
            #expect(result.stdout.isEmpty)
        }
        #expect(try emulator.json("/__emulator/clock")["now"] as? String == "2026-01-01T00:00:00.000Z")
    }

    @Test func faultsAddSendsTheRuleAndARefusalExitsOne() throws {
        let emulator = try Instance()
        let id = try #require(try emulator.workloadIds().first)
        let added = try emulator.ctl(["faults", "add", "--action", "launchFailure", "--workload", id, "--times", "2"])
        #expect(added.status == 0, "\(added.stderr)")
        let rule = try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any]
        #expect(rule?["action"] as? String == "launchFailure")
        #expect((rule?["match"] as? [String: Any])?["workloadId"] as? String == id)
        #expect(rule?["times"] as? Int == 2)
        let listed = try emulator.json("/__emulator/faults")
        #expect(
            ((listed["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [rule?["id"] as? String])

        // The server's validation answer, in its words, and nothing added.
        let refused = try emulator.ctl(["faults", "add", "--action", "delay"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr
                == "workload-emulator: ctl: POST /__emulator/faults answered 422: body.delayMs: Field required\n")
        #expect(try emulator.json("/__emulator/faults")["count"] as? Int == 1)

        let unknownFlag = try emulator.ctl(["faults", "add", "--action", "drop", "--colour", "red"])
        #expect(unknownFlag.status == 2)
        #expect(unknownFlag.stderr.contains("unknown flag '--colour' for 'faults add'"))
    }

    @Test func stateExportThenImportCopiesTheSandbox() throws {
        let emulator = try Instance()
        let exported = try emulator.ctl(["state", "export"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let file = emulator.dir.appendingPathComponent("f.json")
        try exported.stdout.write(to: file, atomically: true, encoding: .utf8)

        let imported = try emulator.ctl(["--sandbox", "copy", "state", "import", file.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
        #expect(summary?["sandbox"] as? String == "copy")
        #expect(summary?["workloads"] as? Int == 1)
        #expect(try emulator.workloadIds(sandbox: "copy") == emulator.workloadIds())

        // A missing file is the user's input (2); a file the server refuses is a refusal (1).
        let missing = try emulator.ctl(["--sandbox", "copy", "state", "import", file.path + ".missing"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read '\(file.path).missing': No such file or directory"))
        let notJSON = emulator.dir.appendingPathComponent("bad.json")
        try "{not json".write(to: notJSON, atomically: true, encoding: .utf8)
        let refused = try emulator.ctl(["--sandbox", "copy", "state", "import", notJSON.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("PUT /__emulator/state answered 400: Request body is not valid JSON"))
        #expect(try emulator.workloadIds(sandbox: "copy").count == 1, "a refused import changes nothing")
    }

    @Test func requestsPrintsMatchingJournalEntriesOnePerLine() throws {
        let emulator = try Instance()
        for path in ["/api/v2/workloads/", "/api/v2/workloads/abc", "/api/v2/version/", "/api/v2/workloads/"] {
            _ = try LoopbackHTTP.get(port: emulator.port, path: path)
        }
        let result = try emulator.ctl(["requests", "--path", "/api/v2/workloads*"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        let paths = try lines.map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["path"] as? String
        }
        #expect(paths == ["/api/v2/workloads/", "/api/v2/workloads/abc", "/api/v2/workloads/"])

        let gets = try emulator.ctl(["requests", "--method", "get", "--path", "/api/v2/version/"])
        #expect(gets.stdout.split(separator: "\n").count == 1)
        #expect(try emulator.ctl(["requests", "clear"]).status == 0)
        #expect(try emulator.ctl(["requests"]).stdout.isEmpty)
    }

    @Test func usageErrorsExitTwoAndAnUnreachableInstanceExitsOne() throws {
        let help = try EmulatorProcess.run(["ctl", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("Usage: workload-emulator ctl"))
        for (arguments, message) in [
            ([], "a command is needed"), (["warp"], "unknown command 'warp'"),
            (["clock", "advance"], "a duration is needed"),
            (["--url", "https://x", "health"], "is not an http:// URL"),
            (["--sandbox", "a/b", "health"], "--sandbox: 'a/b'"), (["health", "--url"], "--url needs a value"),
        ] {
            let result = try EmulatorProcess.run(["ctl"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(
                result.stderr.hasPrefix("workload-emulator: ctl: ") && result.stderr.contains(message),
                "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        // A bound socket that does not listen: connections to it are refused.
        let closed = try RefusedPort()
        let refused = try EmulatorProcess.run(["ctl", "--url", "http://127.0.0.1:\(closed.port)", "health"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot connect to 127.0.0.1:\(closed.port): Connection refused"))
        let noFile = try EmulatorProcess.run(["ctl", "--port-file", "/nonexistent/port", "health"])
        #expect(noFile.status == 1)
        #expect(noFile.stderr.contains("--port-file: cannot read '/nonexistent/port'"))
    }

    @Test func theControlTokenAndSandboxGoInHeadersFromFlagOrVariable() throws {
        for (arguments, environment) in [
            (["--control-token", "s3cret"], [:]), ([], ["WORKLOAD_EMULATOR_CONTROL_TOKEN": "s3cret"]),
        ] {
            let server = try OccupiedPort()
            let ctl = try EmulatorProcess(
                ["ctl", "--url", "http://127.0.0.1:\(server.port)/base/"] + arguments + ["--sandbox", "sb-1", "reset"],
                environment: environment)
            let head = try acceptOne(server.fd, answer: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            #expect(ctl.waitForExit(timeout: 20) == 0)
            #expect(ctl.stdout.waitForEnd(timeout: 5) == "{}\n")
            #expect(head.hasPrefix("POST /base/__emulator/reset HTTP/1.1\r\n"))
            #expect(head.contains("\r\nX-Emulator-Token: s3cret\r\n"))
            #expect(head.contains("\r\nX-Emulator-Sandbox: sb-1\r\n"))
        }
    }

    @Test func aServerWithAControlTokenAnswersCtlOnlyWithIt() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let portFile = dir.appendingPathComponent("port").path
        let server = try EmulatorProcess([
            "--port", "0", "--port-file", portFile, "--clock", "manual", "--control-token", "s3cret",
        ])
        _ = try server.waitUntilListening()
        defer {
            server.send(SIGTERM)
            _ = server.waitForExit(timeout: 5)
        }
        let ctl = ["ctl", "--port-file", portFile]

        let missing = try EmulatorProcess.run(ctl + ["clock", "advance", "1h"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("POST /__emulator/clock/advance answered 401: This route needs the control token"))
        let wrong = try EmulatorProcess.run(ctl + ["--control-token", "guess", "clock", "advance", "1h"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("answered 403"))

        let byFlag = try EmulatorProcess.run(ctl + ["--control-token", "s3cret", "clock", "advance", "1h"])
        #expect(byFlag.status == 0, "\(byFlag.stderr)")
        #expect(byFlag.stdout.contains(#""now":"2026-01-01T01:00:00.000Z""#))
        let byVariable = try EmulatorProcess.run(
            ctl + ["clock", "get"], environment: ["WORKLOAD_EMULATOR_CONTROL_TOKEN": "s3cret"])
        #expect(byVariable.status == 0, "\(byVariable.stderr)")
        #expect(byVariable.stdout.contains(#""now":"2026-01-01T01:00:00.000Z""#), "only the authorised advance moved it")
    }

    /// Accepts one connection, reads its request head, answers, closes.
    func acceptOne(_ fd: Int32, answer: String) throws -> String {
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let client = accept(fd, nil, nil)
        guard client >= 0 else { throw HarnessError("accept: errno \(errno)") }
        defer { close(client) }
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            received += buffer[0..<n]
        }
        let bytes = Array(answer.utf8)
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return String(decoding: received, as: UTF8.self)
    }
}
