import JSON
import Testing

@testable import workload_emulator

/// `ctl`'s command line as values: which instance, which call, which body.
@Suite struct ControlCommandParseTests {
    func parse(_ a: [String], _ env: [String: String] = [:]) throws -> ControlCommand {
        try ControlCommand.parse(a, environment: env)
    }

    @Test(arguments: [
        ("8h", 28800.0), ("90s", 90), ("15m", 900), ("1d", 86400), ("1h30m", 5400), ("1.5h", 5400),
        ("500ms", 0.5), ("42", 42), ("0", 0), ("3200000000", 3.2e9),
    ])
    func durations(text: String, seconds: Double) {
        #expect(ControlDuration.seconds(text) == seconds)
    }

    @Test(arguments: [
        "", "h", "-1h", "1e3", "nan", "inf", "8x", "1..5h", ".5h", "3200000001", "1h-", "9999999999999999999999h",
    ])
    func badDurations(text: String) {
        #expect(ControlDuration.seconds(text) == nil)
    }

    @Test func theInstanceFlagsBeatTheVariables() throws {
        let env = ["WORKLOAD_EMULATOR_URL": "http://emulator:9000", "WORKLOAD_EMULATOR_PORT": "7000"]
        #expect(
            try parse(["--url", "http://[::1]:81/x/", "health"], env).target
                == .url(host: "::1", port: 81, basePath: "/x"))
        #expect(try parse(["--port-file", "/tmp/p", "health"], env).target == .portFile("/tmp/p"))
        #expect(try parse(["health"], env).target == .url(host: "emulator", port: 9000, basePath: ""))
        #expect(
            try parse(["health"], ["WORKLOAD_EMULATOR_PORT_FILE": "/run/p", "WORKLOAD_EMULATOR_PORT": "7000"]).target
                == .portFile("/run/p"))
        #expect(
            try parse(["health"], ["WORKLOAD_EMULATOR_PORT": "7000"]).target
                == .url(host: "127.0.0.1", port: 7000, basePath: ""))
        #expect(try parse(["health"]).target == .url(host: "127.0.0.1", port: 8080, basePath: ""))
        #expect(throws: ControlCommand.UsageError.self) { try parse(["health"], ["WORKLOAD_EMULATOR_PORT": "99999"]) }
        #expect(throws: ControlCommand.UsageError.self) { try parse(["--url", "http://h:0", "health"]) }
    }

    @Test func commandsBecomeControlCalls() throws {
        #expect(
            try parse(["clock", "advance", "8h"]).request
                == .call(method: "POST", path: "clock/advance", body: ["seconds": 28800]))
        #expect(
            try parse(["clock", "advance", "500ms"]).request
                == .call(method: "POST", path: "clock/advance", body: ["seconds": 0.5]))
        #expect(
            try parse(["clock", "advance", "--to", "2026-01-02T00:00:00Z"]).request
                == .call(method: "POST", path: "clock/advance", body: ["to": "2026-01-02T00:00:00Z"]))
        #expect(
            try parse(["clock", "run", "--scale=60"]).request
                == .call(method: "PUT", path: "clock", body: ["mode": "real", "scale": 60.0]))
        #expect(
            try parse(["faults", "delete", "a b"]).request == .call(method: "DELETE", path: "faults/a%20b", body: nil))
        #expect(try parse(["state", "import", "-"]).request == .importState(file: "-"))
        let rule = try parse([
            "faults", "add", "--action", "respond", "--path", "/api/v2/workloads/*", "--status", "429",
            "--body", #"{"detail":"slow"}"#, "--header", "Retry-After: 2", "--times", "1",
        ]).request
        #expect(
            rule
                == .call(
                    method: "POST", path: "faults",
                    body: [
                        "match": ["path": "/api/v2/workloads/*"], "action": "respond", "status": 429,
                        "body": ["detail": "slow"], "headers": ["Retry-After": "2"], "times": 1,
                    ]))
    }

    @Test(arguments: [
        (["faults", "add", "--action", "respond", "--status", "4x"], "--status: '4x' is not an integer"),
        (["faults", "add", "--action", "respond", "--body", "{"], "--body: not JSON"),
        (["faults", "add", "--action", "respond", "--header", "NoColon"], "is not 'Name: value'"),
        (["faults", "add"], "--action is needed"),
        (["clock", "run", "--scale", "0"], "--scale: '0'"),
        (["requests", "--injected", "maybe"], "--injected: 'maybe'"),
        (["clock", "freeze", "now"], "unexpected argument 'now'"),
        (["health", "--path", "/x"], "unknown flag '--path' for 'health'"),
    ])
    func badArgumentsNameTheProblem(arguments: [String], message: String) {
        #expect {
            try parse(arguments)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func theControlTokenComesFromTheFlagThenTheVariable() throws {
        let env = ["WORKLOAD_EMULATOR_CONTROL_TOKEN": "from-env"]
        #expect(try parse(["--control-token", "from-flag", "health"], env).controlToken == "from-flag")
        #expect(try parse(["health"], env).controlToken == "from-env")
        #expect(try parse(["health"]).controlToken == nil)
    }
}
