import Foundation
import JSON
import Testing

/// `--control-token`: every `/__emulator` route needs `X-Emulator-Token`; the API's
/// own routes and the dashboard's page do not.
@Suite struct ControlTokenEndToEndTests {
    static let token = "s3cret-token"

    @Test func controlRoutesNeedTheToken() throws {
        let e = try LiveEmulator { $0.controlToken = Self.token }
        let c = try e.client()
        for (method, path) in [
            ("GET", "/__emulator/state"), ("GET", "/__emulator/requests"), ("POST", "/__emulator/faults"),
            ("PUT", "/__emulator/workloads/000000000000000000000000/upstream"), ("GET", "/__emulator/health"),
            ("GET", "/__emulator/sandboxes"), ("GET", "/__emulator/metrics"), ("GET", "/sandboxes/x/__emulator/clock"),
        ] {
            let missing = try c.send(method, path, ["action": "drop"])
            #expect(missing.status == 401, "\(method) \(path)")
            #expect(missing.contentType == "application/json")
            #expect(
                missing.json
                    == ["detail": "This route needs the control token: send it in the X-Emulator-Token header."])
            let wrong = try c.send(method, path, ["action": "drop"], headers: [("X-Emulator-Token", "s3cret-tokeN")])
            #expect(wrong.status == 403, "\(method) \(path)")
            #expect(wrong.json == ["detail": "The X-Emulator-Token header does not match the control token."])
        }
        #expect(try c.send("GET", "/__emulator/faults").json["count"] == nil)
        let ok = [("X-Emulator-Token", Self.token)]
        #expect(try c.send("GET", "/__emulator/health", headers: ok).status == 200)
        #expect(try c.send("POST", "/__emulator/faults", ["action": "drop", "times": 1], headers: ok).status == 201)
        #expect(try c.send("GET", "/__emulator/faults", headers: ok).json["count"] == 1)
        // A refused control request made no sandbox.
        #expect(try c.send("GET", "/__emulator/sandboxes", headers: ok).json["count"] == 1)
    }

    @Test func theAPIAndTheDashboardPageDoNot() throws {
        let e = try LiveEmulator { $0.controlToken = Self.token }
        let c = try e.client()
        _ = try c.createWorkload()
        #expect(try c.send("GET", "/api/v2/workloads").json["totalCount"] == 1)
        for page in ["/", "/__emulator/ui", "/sandboxes/x/"] {
            let r = try c.send("GET", page)
            #expect(r.status == 200, "\(page)")
            #expect(r.contentType?.hasPrefix("text/html") == true)
            #expect(r.text.contains("id=\"control-token\""))
        }
    }

    @Test func withoutATokenNothingChanges() throws {
        let e = try LiveEmulator()
        let c = try e.client()
        #expect(try c.send("GET", "/__emulator/state").status == 200)
        #expect(try c.send("GET", "/__emulator/health", headers: [("X-Emulator-Token", "anything")]).status == 200)
    }

    @Test func aNonLoopbackBindWithoutATokenWarnsOnStderr() throws {
        let p = try EmulatorProcess(["--host", "0.0.0.0", "--port", "0", "--clock", "manual"])
        _ = try p.waitUntilListening()
        let warning = p.stderr.wait(timeout: 10) { $0.contains("without --control-token") }
        #expect(warning?.contains("workload-emulator: warning: --host 0.0.0.0 without --control-token") == true)
        p.send(SIGTERM)
        #expect(p.waitForExit(timeout: 10) == 0)
    }

    @Test func withATokenOrOnLoopbackThereIsNoWarning() throws {
        for arguments in [
            ["--host", "0.0.0.0", "--control-token", Self.token], ["--host", "127.0.0.1"], ["--host", "::1"],
        ] {
            let p = try EmulatorProcess(arguments + ["--port", "0", "--clock", "manual"])
            let port = try p.waitUntilListening()
            // The healthcheck sends the token it was given.
            let health = try EmulatorProcess.run(
                ["--healthcheck", "--port", String(port)]
                    + arguments.prefix(arguments.contains("--control-token") ? 4 : 2))
            #expect(health.status == 0, "\(arguments): \(health.stderr)")
            p.send(SIGTERM)
            #expect(p.waitForExit(timeout: 10) == 0)
            #expect(!p.stderr.waitForEnd(timeout: 5).contains("warning"), "\(arguments)")
        }
    }

    @Test func theVariableSetsTheToken() throws {
        let p = try EmulatorProcess(
            ["--port", "0", "--clock", "manual"], environment: ["WORKLOAD_EMULATOR_CONTROL_TOKEN": Self.token])
        let port = try p.waitUntilListening()
        #expect(try LoopbackHTTP.get(port: port, path: "/__emulator/health").status == 401)
        p.send(SIGTERM)
        #expect(p.waitForExit(timeout: 10) == 0)
    }
}
