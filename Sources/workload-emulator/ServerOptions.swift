import HTTPServer
import Persistence
import WorkloadAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything the command line and the `WORKLOAD_EMULATOR_*` variables say,
/// parsed and validated without starting anything: `main.swift` only turns a
/// `CommandLineAction` into a running process. Tests reach it with `@testable import`.
public struct ServerOptions: Sendable, Equatable {
    public enum LogFormat: String, Sendable, Equatable, CaseIterable { case text, json }
    /// Request lines are `info`; `debug` adds the bodies; `warn` and `error` silence requests.
    public enum LogLevel: Int, Sendable, Equatable, Comparable, CaseIterable {
        case debug, info, warn, error
        public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
        public var name: String {
            switch self {
            case .debug: return "debug"
            case .info: return "info"
            case .warn: return "warn"
            case .error: return "error"
            }
        }
    }

    public var host = "127.0.0.1"
    public var port = 8080
    public var portFile: String? = nil
    public var publicURL: String? = nil
    public var clock: APIConfiguration.ClockMode = .real
    public var timeScale: Double = 1
    public var lifecycle = "realistic"
    public var fixtures: String? = nil
    public var stateFile: String? = nil
    public var durability: StateStore.Durability = .batch
    public var auth: APIConfiguration.AuthMode = .open
    public var seed: UInt64 = 0
    public var partialDeleteStatus = 502
    public var maxConcurrentWorkloads = 0
    public var maxReplicas = 0
    public var maxBodyBytes = 16 * 1024 * 1024
    public var maxSandboxes = 1000
    public var journalBytes = 64 * 1024 * 1024
    public var controlToken: String? = nil
    public var maxBufferedBodyBytes = 256 * 1024 * 1024
    public var maxUpstreamInvokes = 64
    public var upstreamTimeoutSeconds: Double = 30
    /// 0 = one per core.
    public var threads = 0
    public var logFormat: LogFormat = .text
    public var logLevel: LogLevel = .info

    public init() {}

    public var apiConfiguration: APIConfiguration {
        var c = APIConfiguration()
        c.publicURL = publicURL
        c.clockMode = clock
        c.timeScale = timeScale
        c.lifecycle = lifecycle
        c.fixturesDirectory = fixtures
        c.stateFile = stateFile
        c.durability = durability
        c.auth = auth
        c.seed = seed
        c.partialDeleteStatus = partialDeleteStatus
        c.maxConcurrentWorkloads = maxConcurrentWorkloads
        c.maxReplicas = maxReplicas
        c.maxSandboxes = maxSandboxes
        c.journalBytes = journalBytes
        c.controlToken = controlToken
        c.maxUpstreamInvokes = maxUpstreamInvokes
        c.upstreamTimeoutSeconds = upstreamTimeoutSeconds
        return c
    }

    /// The engine's settings; the caller adds `requestLog`.
    public var httpConfiguration: HTTPServerConfiguration {
        var c = HTTPServerConfiguration()
        c.host = host
        c.port = port
        c.threads = threads
        c.maxBodyBytes = maxBodyBytes
        c.maxBufferedBodyBytes = maxBufferedBodyBytes
        return c
    }

    /// The base URL a person would type, brackets around IPv6 hosts.
    public static func displayURL(host: String, port: Int) -> String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }
}

/// What the process should do.
public enum CommandLineAction: Equatable, Sendable {
    case run(ServerOptions)
    case help
    case version
    /// `--healthcheck`: GET `/__emulator/health` on the configured port and exit 0 on 200
    /// (the Docker `HEALTHCHECK`, so the runtime image needs no curl).
    case healthcheck(ServerOptions)
}

/// One line for stderr; `source` is the flag or variable at fault, if any.
public struct CommandLineError: Error, Equatable, Sendable, CustomStringConvertible {
    public var source: String?
    public var message: String
    public init(source: String?, message: String) {
        self.source = source
        self.message = message
    }
    public var description: String { source.map { "\($0): \(message)" } ?? message }
}

extension ServerOptions {
    public static let environmentPrefix = "WORKLOAD_EMULATOR_"

    /// One flag that takes a value. The table below is the single source of the parser,
    /// the environment variables and `--help`, so none can miss a flag.
    public struct Flag: Sendable {
        public let name: String
        public let valueName: String
        public let defaultDescription: String
        public let help: String
        let apply: @Sendable (inout ServerOptions, String) throws(CommandLineError) -> Void

        public var flag: String { "--\(name)" }
        public var environmentVariable: String {
            ServerOptions.environmentPrefix + name.uppercased().replacingOccurrences("-", "_")
        }
    }

    public static let flags: [Flag] = [
        Flag(
            name: "host", valueName: "ADDRESS", defaultDescription: "127.0.0.1",
            help: "bind address; 0.0.0.0 or :: for containers"
        ) { o, v throws(CommandLineError) in
            o.host = try parseHost(v)
        },
        Flag(
            name: "port", valueName: "N", defaultDescription: "8080",
            help: "TCP port; 0 picks a free one"
        ) { o, v throws(CommandLineError) in
            o.port = try parseInt(v, in: 0...65535, what: "a port number (0-65535)")
        },
        Flag(
            name: "port-file", valueName: "PATH", defaultDescription: "none",
            help: "write the bound port there once listening (atomically)"
        ) { o, v throws(CommandLineError) in
            o.portFile = try nonEmpty(v)
        },
        Flag(
            name: "public-url", valueName: "URL", defaultDescription: "from Host",
            help: "base of the endpoint, next, previous and trackVia URLs"
        ) { o, v throws(CommandLineError) in
            o.publicURL = try parsePublicURL(v)
        },
        Flag(
            name: "clock", valueName: "real|manual", defaultDescription: "real",
            help: "manual: time moves only when advanced through the control API"
        ) { o, v throws(CommandLineError) in
            guard let mode = APIConfiguration.ClockMode(rawValue: v) else { throw oneOf(v, ["real", "manual"]) }
            o.clock = mode
        },
        Flag(
            name: "time-scale", valueName: "X", defaultDescription: "1",
            help: "the real clock runs X times faster"
        ) { o, v throws(CommandLineError) in
            // The clock API's bounds: past 1e9 a real clock would reach year 9999 in hours.
            guard let x = Double(v), x >= 0.000001, x <= 1e9 else {
                throw CommandLineError(source: nil, message: "'\(v)' is not a number from 0.000001 to 1e9")
            }
            o.timeScale = x
        },
        Flag(
            name: "lifecycle", valueName: "NAME|PATH", defaultDescription: "realistic",
            help: "phase durations: realistic, instant, or a JSON file"
        ) { o, v throws(CommandLineError) in
            if v != "realistic" && v != "instant" {
                guard !v.isEmpty, isReadableFile(v) else {
                    throw CommandLineError(
                        source: nil, message: "'\(v)' is neither realistic, instant nor a readable file")
                }
            }
            o.lifecycle = v
        },
        Flag(
            name: "fixtures", valueName: "DIR", defaultDescription: "none",
            help: "load every *.json fixture file in DIR at start"
        ) { o, v throws(CommandLineError) in
            guard isDirectory(v) else { throw CommandLineError(source: nil, message: "'\(v)' is not a directory") }
            o.fixtures = v
        },
        Flag(
            name: "state-file", valueName: "PATH", defaultDescription: "none",
            help: "persist all state there and reload it at start"
        ) { o, v throws(CommandLineError) in
            o.stateFile = try nonEmpty(v)
        },
        Flag(
            name: "durability", valueName: "batch|sync", defaultDescription: "batch",
            help: "sync: a change is answered once it is fsynced; batch: fsynced just after"
        ) { o, v throws(CommandLineError) in
            guard let d = StateStore.Durability(rawValue: v) else { throw oneOf(v, ["batch", "sync"]) }
            o.durability = d
        },
        Flag(
            name: "auth", valueName: "open|strict", defaultDescription: "open",
            help: "strict: only tokens from fixtures are valid"
        ) { o, v throws(CommandLineError) in
            guard let mode = APIConfiguration.AuthMode(rawValue: v) else { throw oneOf(v, ["open", "strict"]) }
            o.auth = mode
        },
        Flag(
            name: "seed", valueName: "N", defaultDescription: "0",
            help: "seeds ids and probabilistic faults"
        ) { o, v throws(CommandLineError) in
            guard let n = UInt64(v) else {
                throw CommandLineError(source: nil, message: "'\(v)' is not a non-negative 64-bit integer")
            }
            o.seed = n
        },
        Flag(
            name: "partial-delete-status", valueName: "502|200", defaultDescription: "502",
            help: "status of a delete whose protons could not all be stopped"
        ) { o, v throws(CommandLineError) in
            guard v == "502" || v == "200" else { throw oneOf(v, ["502", "200"]) }
            o.partialDeleteStatus = Int(v)!
        },
        Flag(
            name: "max-concurrent-workloads", valueName: "N", defaultDescription: "0",
            help: "0 = unlimited; above it, create/start answer 403"
        ) { o, v throws(CommandLineError) in
            o.maxConcurrentWorkloads = try parseInt(v, in: 0...Int.max, what: "a non-negative integer")
        },
        Flag(
            name: "max-replicas", valueName: "N", defaultDescription: "0",
            help: "0 = unlimited; above it, 403"
        ) { o, v throws(CommandLineError) in
            o.maxReplicas = try parseInt(v, in: 0...Int.max, what: "a non-negative integer")
        },
        Flag(
            name: "max-body-bytes", valueName: "N", defaultDescription: "16777216",
            help: "larger request bodies get 413"
        ) { o, v throws(CommandLineError) in
            o.maxBodyBytes = try parseInt(v, in: 1...Int.max, what: "a positive integer")
        },
        Flag(
            name: "max-sandboxes", valueName: "N", defaultDescription: "1000",
            help: "sandboxes held at most; a request naming a new one past it gets 403"
        ) { o, v throws(CommandLineError) in
            o.maxSandboxes = try parseInt(v, in: 1...1_000_000, what: "an integer from 1 to 1000000")
        },
        Flag(
            name: "journal-bytes", valueName: "N", defaultDescription: "67108864",
            help: "bytes all request journals keep together; the oldest entries go first"
        ) { o, v throws(CommandLineError) in
            o.journalBytes = try parseInt(v, in: 0...(1 << 40), what: "an integer from 0 to 2^40")
        },
        Flag(
            name: "control-token", valueName: "TOKEN", defaultDescription: "none",
            help: "required (X-Emulator-Token) by /__emulator routes and the dashboard"
        ) { o, v throws(CommandLineError) in
            guard v.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw CommandLineError(source: nil, message: "must be visible ASCII characters without spaces")
            }
            o.controlToken = v
        },
        Flag(
            name: "max-buffered-body-bytes", valueName: "N", defaultDescription: "268435456",
            help: "request bodies held at once, all clients together; past it a large body gets 503"
        ) { o, v throws(CommandLineError) in
            o.maxBufferedBodyBytes = try parseInt(v, in: 1...Int.max, what: "a positive integer")
        },
        Flag(
            name: "max-upstream-invokes", valueName: "N", defaultDescription: "64",
            help: "invokes forwarded to upstreams at once; more get 503"
        ) { o, v throws(CommandLineError) in
            o.maxUpstreamInvokes = try parseInt(v, in: 1...4096, what: "an integer from 1 to 4096")
        },
        Flag(
            name: "upstream-timeout", valueName: "SECONDS", defaultDescription: "30",
            help: "an upstream that has not answered by then gets 504"
        ) { o, v throws(CommandLineError) in
            guard let x = Double(v), x.isFinite, x > 0, x <= 86_400 else {
                throw CommandLineError(source: nil, message: "'\(v)' is not a number of seconds from 0 to 86400")
            }
            o.upstreamTimeoutSeconds = x
        },
        Flag(
            name: "threads", valueName: "N", defaultDescription: "cores",
            help: "event-loop threads; 0 = one per core"
        ) { o, v throws(CommandLineError) in
            o.threads = try parseInt(v, in: 0...1024, what: "an integer from 0 to 1024")
        },
        Flag(
            name: "log-format", valueName: "text|json", defaultDescription: "text",
            help: "one line per request on stderr"
        ) { o, v throws(CommandLineError) in
            guard let f = LogFormat(rawValue: v) else { throw oneOf(v, LogFormat.allCases.map(\.rawValue)) }
            o.logFormat = f
        },
        Flag(
            name: "log-level", valueName: "debug|info|warn|error", defaultDescription: "info",
            help: "debug adds bodies; warn and error omit request lines"
        ) { o, v throws(CommandLineError) in
            guard let l = LogLevel.allCases.first(where: { $0.name == v }) ?? (v == "warning" ? .warn : nil) else {
                throw oneOf(v, LogLevel.allCases.map(\.name))
            }
            o.logLevel = l
        },
    ]

    /// Flags beat variables; within each, the last occurrence wins. A variable is only
    /// checked when no flag overrides it, and an empty variable counts as unset (what
    /// `docker run -e NAME=` and compose files with blank values produce).
    public static func parse(
        arguments: [String], environment: [String: String]
    ) throws(CommandLineError) -> CommandLineAction {
        var given: [String: String] = [:]
        var healthcheck = false
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "--help", "-h": return .help
            case "--version", "-V": return .version
            case "--healthcheck":
                healthcheck = true
                continue
            default: break
            }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw CommandLineError(
                    source: nil,
                    message: argument.hasPrefix("-")
                        ? "unknown flag '\(argument)' (see --help)"
                        : "unexpected argument '\(argument)' (see --help)")
            }
            let body = argument.dropFirst(2)
            let name: String
            let value: String
            if let eq = body.firstIndex(of: "=") {
                name = String(body[..<eq])
                value = String(body[body.index(after: eq)...])
            } else {
                name = String(body)
                guard flags.contains(where: { $0.name == name }) else {
                    throw CommandLineError(source: nil, message: "unknown flag '\(argument)' (see --help)")
                }
                guard index < arguments.count else {
                    throw CommandLineError(source: "--\(name)", message: "needs a value")
                }
                value = arguments[index]
                index += 1
            }
            guard flags.contains(where: { $0.name == name }) else {
                throw CommandLineError(source: nil, message: "unknown flag '--\(name)' (see --help)")
            }
            given[name] = value
        }

        var options = ServerOptions()
        for flag in flags {
            if let value = given[flag.name] {
                do throws(CommandLineError) { try flag.apply(&options, value) } catch {
                    throw CommandLineError(source: flag.flag, message: error.message)
                }
            } else if let value = environment[flag.environmentVariable], !value.isEmpty {
                do throws(CommandLineError) { try flag.apply(&options, value) } catch {
                    throw CommandLineError(source: flag.environmentVariable, message: error.message)
                }
            }
        }
        if healthcheck {
            guard options.port != 0 else {
                throw CommandLineError(source: "--healthcheck", message: "needs a fixed --port, not 0")
            }
            return .healthcheck(options)
        }
        return .run(options)
    }

    /// `--help`: every flag, its variable and its default.
    public static var usage: String {
        var lines = [
            "workload-emulator \(EmulatorApplication.version): an emulator of the Workload control plane API.",
            "",
            "Usage: workload-emulator [--flag VALUE | --flag=VALUE]...",
            "       workload-emulator ctl COMMAND   (drive a running instance; ctl --help)",
            "       workload-emulator record|replay …  (check the emulator against a real tenant; record --help)",
            "",
            "Every flag can also be set with the environment variable shown; a flag beats the variable.",
            "",
        ]
        let rows = flags.map { ("\($0.flag) \($0.valueName)", $0.help, $0.defaultDescription, $0.environmentVariable) }
        let width = rows.map(\.0.count).max() ?? 0
        for (flag, help, def, variable) in rows {
            lines.append("  \(flag.padded(to: width))  \(help)")
            lines.append("  \("".padded(to: width))  default: \(def)   env: \(variable)")
        }
        lines += [
            "  \("--healthcheck".padded(to: width))  GET /__emulator/health on --host/--port, exit 0 if it answers 200",
            "  \("-h, --help".padded(to: width))  print this and exit",
            "  \("-V, --version".padded(to: width))  print the version and exit",
            "",
            "Exit codes: 0 clean stop (SIGINT/SIGTERM), 1 cannot listen (port in use), 2 bad flag, value or input file.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Values

    static func parseInt(_ v: String, in range: ClosedRange<Int>, what: String) throws(CommandLineError) -> Int {
        guard !v.isEmpty, v.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(v), range.contains(n) else {
            throw CommandLineError(source: nil, message: "'\(v)' is not \(what)")
        }
        return n
    }

    static func nonEmpty(_ v: String) throws(CommandLineError) -> String {
        guard !v.isEmpty else { throw CommandLineError(source: nil, message: "must not be empty") }
        return v
    }

    static func oneOf(_ v: String, _ choices: [String]) -> CommandLineError {
        CommandLineError(source: nil, message: "'\(v)' is not one of \(choices.joined(separator: ", "))")
    }

    /// A literal address the engine can bind; `localhost` means 127.0.0.1 and `[::1]`
    /// means `::1`, because people type both.
    static func parseHost(_ v: String) throws(CommandLineError) -> String {
        var host = v
        if host == "localhost" { host = "127.0.0.1" }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr()
        var v6 = in6_addr()
        guard inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1 else {
            throw CommandLineError(source: nil, message: "'\(v)' is not an IPv4 or IPv6 address")
        }
        return host
    }

    /// 127.0.0.0/8 and ::1: only this machine can connect.
    static func isLoopback(_ host: String) -> Bool {
        host == "::1" || host.hasPrefix("127.") || host == "0:0:0:0:0:0:0:1"
    }

    static func parsePublicURL(_ v: String) throws(CommandLineError) -> String {
        let rest: Substring
        if v.hasPrefix("http://") {
            rest = v.dropFirst(7)
        } else if v.hasPrefix("https://") {
            rest = v.dropFirst(8)
        } else {
            throw CommandLineError(source: nil, message: "'\(v)' is not an http:// or https:// URL")
        }
        guard let first = rest.first, first != "/", !v.contains(" "), !v.contains("?"), !v.contains("#") else {
            throw CommandLineError(source: nil, message: "'\(v)' is not a base URL like http://host:port[/prefix]")
        }
        // The API appends `/api/v2/...`; a trailing slash would double it.
        var url = v
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    static func isReadableFile(_ path: String) -> Bool {
        var s = stat()
        return stat(path, &s) == 0 && (s.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var s = stat()
        return !path.isEmpty && stat(path, &s) == 0 && (s.st_mode & S_IFMT) == S_IFDIR
    }
}

extension String {
    fileprivate func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// `replacingOccurrences(of:with:)` is Foundation's; this avoids loading it.
    fileprivate func replacingOccurrences(_ a: Character, _ b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}
