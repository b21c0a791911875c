import Foundation
import Testing
import WorkloadAPI

@testable import workload_emulator

#if canImport(Glibc)
import Glibc
#endif

/// The built binary as a user runs it: exit codes, the listening line, the
/// port file, signals, variables and request logs.
@Suite struct ProcessTests {
    @Test func helpListsEveryFlagAndExitsZero() throws {
        let result = try EmulatorProcess.run(["--help"])
        #expect(result.status == 0)
        for flag in ServerOptions.flags {
            #expect(result.stdout.contains(flag.flag), "missing \(flag.flag)")
            #expect(result.stdout.contains("default: \(flag.defaultDescription)"))
        }
        #expect(result.stderr.isEmpty)
    }

    @Test func versionPrintsTheVersion() throws {
        let result = try EmulatorProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "workload-emulator \(EmulatorApplication.version)\n")
    }

    @Test(arguments: [
        (["--no-such-flag"], "--no-such-flag"),
        (["--port", "http"], "--port"),
        (["--clock", "sundial"], "--clock"),
        (["--log-format", "xml"], "--log-format"),
        (["--port"], "--port"),
    ])
    func badFlagExitsTwoNamingTheFlag(arguments: [String], flag: String) throws {
        let result = try EmulatorProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(flag))
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func portInUseExitsOneNamingHostAndPort() throws {
        let occupied = try OccupiedPort()
        let result = try EmulatorProcess.run(["--port", "\(occupied.port)"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:\(occupied.port)"), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(result.stdout.isEmpty, "no listening line when not listening")
    }

    @Test func portZeroWritesTheRealPortAndHealthAnswers() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let portFile = dir.appendingPathComponent("port").path
        let emulator = try EmulatorProcess(["--port", "0", "--port-file", portFile])
        let port = try emulator.waitUntilListening()
        #expect(port > 0)
        #expect(emulator.stdout.text == "workload-emulator listening on http://127.0.0.1:\(port)\n")
        let written = try String(contentsOfFile: portFile, encoding: .utf8)
        #expect(written.trimmingCharacters(in: .whitespacesAndNewlines) == "\(port)")
        // No temporary file left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["port"])

        let health = try LoopbackHTTP.get(port: port, path: "/__emulator/health")
        #expect(health.status == 200)
        #expect(health.body.contains(#""status":"ok""#))

        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 5) == 0)
        #expect(!FileManager.default.fileExists(atPath: portFile), "removed on a clean stop")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func stopSignalExitsZeroWithinFiveSeconds(signal: Int32) throws {
        let emulator = try EmulatorProcess(["--port", "0"])
        let port = try emulator.waitUntilListening()
        #expect(try LoopbackHTTP.get(port: port, path: "/__emulator/health").status == 200)
        let start = Date()
        emulator.send(signal)
        #expect(emulator.waitForExit(timeout: 5) == 0)
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func stopSignalFinishesARequestInFlight() throws {
        let emulator = try EmulatorProcess(["--port", "0"])
        let port = try emulator.waitUntilListening()
        // The fault API's `delay` keeps a request in the handler for 1.5 s.
        let rule = #"{"match":{"method":"GET","path":"/api/v2/version*"},"action":"delay","delayMs":1500}"#
        let created = try LoopbackHTTP.request(port: port, method: "POST", path: "/__emulator/faults", body: rule)
        #expect(created.status == 201, "\(created.body)")
        let inFlight = LoopbackHTTP.Pending(port: port, method: "GET", path: "/api/v2/version/")
        // The emulator event log records the injected fault as soon as the request arrives.
        let deadline = Date().addingTimeInterval(10)
        var arrived = false
        while !arrived, Date() < deadline {
            arrived = try LoopbackHTTP.get(port: port, path: "/__emulator/events").body.contains("faultInjected")
        }
        try #require(arrived, "the delayed request never reached the handler")
        emulator.send(SIGTERM)
        let answer = try inFlight.result(timeout: 5)
        #expect(answer.status == 200, "the delayed request is answered, not cut: \(answer.body)")
        #expect(emulator.waitForExit(timeout: 5) == 0)
        // Both lines go through the one log writer in order: the signal was handled while
        // the request was still in flight, not after it had been answered.
        let log = emulator.stderr.waitForEnd(timeout: 5)
        let signalled = try #require(log.range(of: "received SIGTERM"), "\(log)")
        let answered = try #require(log.range(of: #""GET /api/v2/version/" 200"#), "\(log)")
        #expect(signalled.lowerBound < answered.lowerBound, "\(log)")
    }

    @Test func stopSignalWithOpenIdleConnectionStillExitsZero() throws {
        let emulator = try EmulatorProcess(["--port", "0"])
        let port = try emulator.waitUntilListening()
        // A keep-alive client that never sends anything must not hold the process.
        let idle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(idle) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(idle, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 5) == 0)
    }

    @Test func variableSetsAValueAndTheFlagBeatsIt() throws {
        // A variable alone is used…
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let portFile = dir.appendingPathComponent("port").path
        let emulator = try EmulatorProcess(
            [], environment: ["WORKLOAD_EMULATOR_PORT": "0", "WORKLOAD_EMULATOR_PORT_FILE": portFile])
        let port = try emulator.waitUntilListening()
        #expect(try String(contentsOfFile: portFile, encoding: .utf8) == "\(port)\n")
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 5) == 0)

        // …a bad one is an error naming it…
        let bad = try EmulatorProcess.run([], environment: ["WORKLOAD_EMULATOR_PORT": "eighty"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("WORKLOAD_EMULATOR_PORT"))

        // …and a flag overrides it.
        let overridden = try EmulatorProcess(["--port", "0"], environment: ["WORKLOAD_EMULATOR_PORT": "eighty"])
        #expect(try overridden.waitUntilListening() > 0)
        overridden.send(SIGTERM)
        #expect(overridden.waitForExit(timeout: 5) == 0)
    }

    @Test func textLogHasOneLinePerRequest() throws {
        let emulator = try EmulatorProcess(["--port", "0"])
        let port = try emulator.waitUntilListening()
        #expect(try LoopbackHTTP.get(port: port, path: "/__emulator/health").status == 200)
        #expect(try LoopbackHTTP.get(port: port, path: "/no/such/path").status == 404)
        let log = emulator.stderr.wait(timeout: 10) { $0.contains("/no/such/path") }
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 5) == 0)
        let lines = (log ?? "").split(separator: "\n").filter { $0.contains("\"GET ") }
        #expect(lines.count == 2, "\(log ?? "nothing")")
        #expect(lines.first?.contains(#""GET /__emulator/health" 200 "#) == true)
        #expect(lines.last?.contains(#""GET /no/such/path" 404 "#) == true)
    }

    @Test func jsonDebugLogCarriesBodies() throws {
        let emulator = try EmulatorProcess(["--port", "0", "--log-format", "json", "--log-level", "debug"])
        let port = try emulator.waitUntilListening()
        #expect(try LoopbackHTTP.get(port: port, path: "/__emulator/health").status == 200)
        let log = emulator.stderr.wait(timeout: 10) { $0.contains("/__emulator/health") } ?? ""
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 5) == 0)
        let line = try #require(log.split(separator: "\n").first { $0.hasPrefix("{") })
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "GET")
        #expect(object["target"] as? String == "/__emulator/health")
        #expect(object["status"] as? Int == 200)
        #expect((object["responseBody"] as? String)?.contains(#""status":"ok""#) == true)
        #expect(object["time"] is String)
        #expect(object["durationMs"] is NSNumber)
    }

    @Test func quietLogLevelOmitsRequestLines() throws {
        let emulator = try EmulatorProcess(["--port", "0", "--log-level", "warn"])
        let port = try emulator.waitUntilListening()
        #expect(try LoopbackHTTP.get(port: port, path: "/__emulator/health").status == 200)
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 5) == 0)
        #expect(!emulator.stderr.waitForEnd(timeout: 5).contains("/__emulator/health"))
    }

    @Test func healthcheckFlagReportsTheServer() throws {
        let emulator = try EmulatorProcess(["--port", "0"])
        let port = try emulator.waitUntilListening()
        #expect(try EmulatorProcess.run(["--healthcheck", "--port", "\(port)"]).status == 0)
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 5) == 0)
        // Nobody listens there: a port held bound but not listening, never one just freed.
        let refused = try RefusedPort()
        #expect(try EmulatorProcess.run(["--healthcheck", "--port", "\(refused.port)"]).status == 1)
    }

    @Test func unwritablePortFileExitsTwoNamingTheFlag() throws {
        let result = try EmulatorProcess.run(["--port", "0", "--port-file", "/no/such/dir/port"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--port-file"))
    }
}
