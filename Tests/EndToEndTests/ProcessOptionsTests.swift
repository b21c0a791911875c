import Foundation
import Testing
import WorkloadAPI

@testable import workload_emulator

/// The command line as a pure value: the flags, their variables, and the errors.
@Suite struct ProcessOptionsTests {
    private func parse(_ arguments: [String], _ environment: [String: String] = [:]) throws -> CommandLineAction {
        try ServerOptions.parse(arguments: arguments, environment: environment)
    }

    private func options(_ arguments: [String], _ environment: [String: String] = [:]) throws -> ServerOptions {
        guard case let .run(options) = try parse(arguments, environment) else {
            Issue.record("expected .run for \(arguments)")
            return ServerOptions()
        }
        return options
    }

    private func error(_ arguments: [String], _ environment: [String: String] = [:]) -> CommandLineError? {
        do {
            _ = try ServerOptions.parse(arguments: arguments, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func defaultsAreTheSpecTable() throws {
        let o = try options([])
        #expect(o.host == "127.0.0.1")
        #expect(o.port == 8080)
        #expect(o.portFile == nil)
        #expect(o.publicURL == nil)
        #expect(o.clock == .real)
        #expect(o.timeScale == 1)
        #expect(o.lifecycle == "realistic")
        #expect(o.fixtures == nil)
        #expect(o.stateFile == nil)
        #expect(o.auth == .open)
        #expect(o.seed == 0)
        #expect(o.partialDeleteStatus == 502)
        #expect(o.maxConcurrentWorkloads == 0)
        #expect(o.maxReplicas == 0)
        #expect(o.maxBodyBytes == 16_777_216)
        #expect(o.threads == 0)
        #expect(o.logFormat == .text)
        #expect(o.logLevel == .info)
    }

    /// Each flag, its value, and what it must set; used both as a flag and as a variable.
    static let settings: [(name: String, value: String, check: @Sendable (ServerOptions) -> Bool)] = [
        ("host", "0.0.0.0", { $0.host == "0.0.0.0" }),
        ("port", "9000", { $0.port == 9000 }),
        ("port-file", "/tmp/p", { $0.portFile == "/tmp/p" }),
        ("public-url", "https://emu.example/base/", { $0.publicURL == "https://emu.example/base" }),
        ("clock", "manual", { $0.clock == .manual }),
        ("time-scale", "3600", { $0.timeScale == 3600 }),
        ("lifecycle", "instant", { $0.lifecycle == "instant" }),
        ("fixtures", "/", { $0.fixtures == "/" }),
        ("state-file", "/tmp/state.json", { $0.stateFile == "/tmp/state.json" }),
        ("durability", "sync", { $0.durability == .sync }),
        ("auth", "strict", { $0.auth == .strict }),
        ("seed", "18446744073709551615", { $0.seed == UInt64.max }),
        ("partial-delete-status", "200", { $0.partialDeleteStatus == 200 }),
        ("max-concurrent-workloads", "7", { $0.maxConcurrentWorkloads == 7 }),
        ("max-replicas", "3", { $0.maxReplicas == 3 }),
        ("max-body-bytes", "1024", { $0.maxBodyBytes == 1024 }),
        ("max-sandboxes", "5", { $0.maxSandboxes == 5 }),
        ("journal-bytes", "4096", { $0.journalBytes == 4096 }),
        ("control-token", "s3cret", { $0.controlToken == "s3cret" }),
        ("max-buffered-body-bytes", "65536", { $0.maxBufferedBodyBytes == 65536 }),
        ("max-upstream-invokes", "8", { $0.maxUpstreamInvokes == 8 }),
        ("upstream-timeout", "2.5", { $0.upstreamTimeoutSeconds == 2.5 }),
        ("threads", "4", { $0.threads == 4 }),
        ("log-format", "json", { $0.logFormat == .json }),
        ("log-level", "debug", { $0.logLevel == .debug }),
    ]

    @Test func everyFlagOfTheSpecIsCovered() {
        let spec = [
            "host", "port", "port-file", "public-url", "clock", "time-scale", "lifecycle", "fixtures",
            "state-file", "durability", "auth", "seed", "partial-delete-status", "max-concurrent-workloads", "max-replicas",
            "max-body-bytes", "max-sandboxes", "journal-bytes", "control-token", "max-buffered-body-bytes",
            "max-upstream-invokes", "upstream-timeout", "threads", "log-format",
            "log-level",
        ]
        #expect(ServerOptions.flags.map(\.name) == spec)
        #expect(Self.settings.map(\.name) == spec)
    }

    @Test(arguments: 0..<settings.count)
    func flagSetsItsField(index: Int) throws {
        let s = Self.settings[index]
        #expect(s.check(try options(["--\(s.name)", s.value])))
        #expect(s.check(try options(["--\(s.name)=\(s.value)"])))
    }

    @Test(arguments: 0..<settings.count)
    func variableSetsItsField(index: Int) throws {
        let s = Self.settings[index]
        let variable = "WORKLOAD_EMULATOR_" + s.name.uppercased().split(separator: "-").joined(separator: "_")
        #expect(s.check(try options([], [variable: s.value])))
    }

    @Test func flagBeatsVariableEvenAnInvalidOne() throws {
        #expect(try options(["--port", "9001"], ["WORKLOAD_EMULATOR_PORT": "9000"]).port == 9001)
        #expect(try options(["--port", "0"], ["WORKLOAD_EMULATOR_PORT": "not-a-port"]).port == 0)
    }

    @Test func lastFlagWins() throws {
        #expect(try options(["--port", "1", "--port=2"]).port == 2)
    }

    @Test func emptyVariableCountsAsUnset() throws {
        #expect(try options([], ["WORKLOAD_EMULATOR_PORT": ""]).port == 8080)
    }

    @Test func unrelatedVariablesAreIgnored() throws {
        #expect(try options([], ["WORKLOAD_EMULATOR_SOMETHING_ELSE": "x", "PORT": "1"]).port == 8080)
    }

    @Test func hostAcceptsLiteralsAndLocalhost() throws {
        #expect(try options(["--host", "localhost"]).host == "127.0.0.1")
        #expect(try options(["--host", "::"]).host == "::")
        #expect(try options(["--host", "[::1]"]).host == "::1")
    }

    @Test func displayURLBracketsIPv6() {
        #expect(ServerOptions.displayURL(host: "127.0.0.1", port: 8080) == "http://127.0.0.1:8080")
        #expect(ServerOptions.displayURL(host: "::1", port: 80) == "http://[::1]:80")
    }

    /// Bad values name the flag (or the variable they came from).
    static let badValues: [([String], String)] = [
        (["--port", "abc"], "--port"),
        (["--port", "65536"], "--port"),
        (["--port", "-1"], "--port"),
        (["--port", " 80"], "--port"),
        (["--host", "example.com"], "--host"),
        (["--host", ""], "--host"),
        (["--port-file", ""], "--port-file"),
        (["--public-url", "ftp://x"], "--public-url"),
        (["--public-url", "http://"], "--public-url"),
        (["--clock", "fast"], "--clock"),
        (["--time-scale", "0"], "--time-scale"),
        (["--time-scale", "-2"], "--time-scale"),
        (["--time-scale", "nan"], "--time-scale"),
        (["--time-scale", "inf"], "--time-scale"),
        (["--lifecycle", "/no/such/profile.json"], "--lifecycle"),
        (["--fixtures", "/no/such/dir"], "--fixtures"),
        (["--state-file", ""], "--state-file"),
        (["--auth", "closed"], "--auth"),
        (["--seed", "-1"], "--seed"),
        (["--seed", "18446744073709551616"], "--seed"),
        (["--partial-delete-status", "500"], "--partial-delete-status"),
        (["--max-concurrent-workloads", "-3"], "--max-concurrent-workloads"),
        (["--max-replicas", "many"], "--max-replicas"),
        (["--max-body-bytes", "0"], "--max-body-bytes"),
        (["--max-buffered-body-bytes", "0"], "--max-buffered-body-bytes"),
        (["--max-upstream-invokes", "0"], "--max-upstream-invokes"),
        (["--max-upstream-invokes", "5000"], "--max-upstream-invokes"),
        (["--upstream-timeout", "0"], "--upstream-timeout"),
        (["--upstream-timeout", "inf"], "--upstream-timeout"),
        (["--upstream-timeout", "1e300"], "--upstream-timeout"),
        (["--threads", "-1"], "--threads"),
        (["--threads", "100000"], "--threads"),
        (["--log-format", "xml"], "--log-format"),
        (["--log-level", "trace"], "--log-level"),
        (["--port"], "--port"),
        (["--port", "0", "--healthcheck"], "--healthcheck"),
    ]

    @Test(arguments: 0..<badValues.count)
    func badValueNamesTheFlag(index: Int) {
        let (arguments, flag) = Self.badValues[index]
        let e = error(arguments)
        #expect(e?.source == flag, "\(arguments)")
        #expect(e.map { !$0.description.contains("\n") } ?? false)
    }

    @Test func badVariableNamesTheVariable() {
        #expect(error([], ["WORKLOAD_EMULATOR_PORT": "x"])?.source == "WORKLOAD_EMULATOR_PORT")
        #expect(error([], ["WORKLOAD_EMULATOR_LOG_FORMAT": "xml"])?.source == "WORKLOAD_EMULATOR_LOG_FORMAT")
    }

    @Test func unknownFlagsAndArgumentsAreNamed() {
        #expect(error(["--bogus"])?.description.contains("'--bogus'") == true)
        #expect(error(["--bogus=1"])?.description.contains("'--bogus'") == true)
        #expect(error(["-x"])?.description.contains("'-x'") == true)
        #expect(error(["serve"])?.description.contains("'serve'") == true)
        #expect(error(["--"]) != nil)
    }

    @Test func helpAndVersionWin() throws {
        #expect(try parse(["--help"]) == .help)
        #expect(try parse(["-h"]) == .help)
        #expect(try parse(["--port", "x", "--help"]) == .help)
        #expect(try parse(["--version"]) == .version)
    }

    @Test func healthcheckCarriesTheOptions() throws {
        var expected = ServerOptions()
        expected.port = 9000
        #expect(try parse(["--healthcheck"], ["WORKLOAD_EMULATOR_PORT": "9000"]) == .healthcheck(expected))
    }

    @Test func usageListsEveryFlagWithDefaultAndVariable() {
        let usage = ServerOptions.usage
        for flag in ServerOptions.flags {
            #expect(usage.contains("\(flag.flag) \(flag.valueName)"))
            #expect(usage.contains("default: \(flag.defaultDescription)   env: \(flag.environmentVariable)"))
        }
        #expect(usage.contains("--help"))
        #expect(usage.contains("--version"))
    }

    @Test func configurationsCarryTheValues() throws {
        let o = try options([
            "--host", "::1", "--port", "0", "--threads", "3", "--max-body-bytes", "99", "--seed", "42",
            "--clock", "manual", "--auth", "strict", "--max-replicas", "5", "--public-url", "http://h:1",
            "--max-buffered-body-bytes", "1000", "--max-upstream-invokes", "3", "--upstream-timeout", "2.5",
        ])
        #expect(o.httpConfiguration.maxBufferedBodyBytes == 1000)
        #expect(o.apiConfiguration.maxUpstreamInvokes == 3)
        #expect(o.apiConfiguration.upstreamTimeoutSeconds == 2.5)
        let http = o.httpConfiguration
        #expect(http.host == "::1")
        #expect(http.port == 0)
        #expect(http.threads == 3)
        #expect(http.maxBodyBytes == 99)
        let api = o.apiConfiguration
        #expect(api.seed == 42)
        #expect(api.clockMode == .manual)
        #expect(api.auth == .strict)
        #expect(api.maxReplicas == 5)
        #expect(api.publicURL == "http://h:1")
    }

    /// The README's flags table is written by hand; this keeps it from missing a flag,
    /// naming one twice, or naming one the server does not have.
    @Test func readmeFlagsTableListsEveryFlagWithItsDefault() throws {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n## Flags\n").dropFirst().first)
            .components(separatedBy: "\n## ").first ?? ""
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| `--") }
        let named = rows.map { row in
            String(row.dropFirst(3).prefix { $0 != " " && $0 != "`" })
        }
        let known = Set(ServerOptions.flags.map(\.flag) + ["--healthcheck", "--help"])
        #expect(named.count == Set(named).count, "README names a flag twice: \(named)")
        #expect(named.filter { !known.contains($0) } == [], "README names flags the server lacks")
        #expect(named.count == ServerOptions.flags.count + 2)
        for flag in ServerOptions.flags {
            let row = rows.first { $0.hasPrefix("| `\(flag.flag) ") || $0.hasPrefix("| `\(flag.flag)`") }
            #expect(row != nil, "README has no row for \(flag.flag)")
            let expectedDefault = flag.defaultDescription == "none" ? "—" : flag.defaultDescription
            #expect(
                row?.replacingOccurrences(of: "`", with: "").contains(expectedDefault) == true,
                "README default of \(flag.flag)")
        }
    }
}
