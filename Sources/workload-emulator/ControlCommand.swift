import JSON

#if canImport(Glibc)
import Glibc
#endif

/// `workload-emulator ctl …`: the control API (`/__emulator/…`) from a shell, against a
/// running instance. Parsing is a pure function of the arguments and our variables, so
/// it is tested as a value; `run` makes the call and prints the answer.
///
/// Exit codes follow the server's: 0 done, 1 the instance cannot be reached or refused
/// the call, 2 a bad command line or input file.
struct ControlCommand: Equatable {
    enum Target: Equatable {
        case url(host: String, port: Int, basePath: String)
        case portFile(String)
    }

    enum Request: Equatable {
        /// One call; its JSON answer is printed as it came.
        case call(method: String, path: String, body: JSONValue?)
        /// `state import FILE`: the file's bytes, as they are, go to `PUT /__emulator/state`.
        case importState(file: String)
        /// `requests`: every matching journal entry, one JSON object per line.
        case requests(query: [(String, String)])
        case help

        static func == (a: Request, b: Request) -> Bool {
            switch (a, b) {
            case let (.call(m1, p1, b1), .call(m2, p2, b2)): return m1 == m2 && p1 == p2 && b1 == b2
            case let (.importState(f1), .importState(f2)): return f1 == f2
            case let (.requests(q1), .requests(q2)): return q1.elementsEqual(q2) { $0 == $1 }
            case (.help, .help): return true
            default: return false
            }
        }
    }

    var target: Target
    var sandbox: String?
    var controlToken: String?
    var request: Request

    static let usage = """
        Usage: workload-emulator ctl [--url URL | --port-file PATH] [--sandbox NAME] [--control-token TOKEN] COMMAND

        Drives a running workload-emulator through its control API (/__emulator/...) and prints
        the JSON answer. The instance: --url, else --port-file, else $WORKLOAD_EMULATOR_URL, else
        $WORKLOAD_EMULATOR_PORT_FILE, else http://127.0.0.1:$WORKLOAD_EMULATOR_PORT (default 8080).
        --sandbox picks the sandbox (default: default). --control-token (or
        $WORKLOAD_EMULATOR_CONTROL_TOKEN) is sent as X-Emulator-Token.

        Commands:
          health                                  GET /__emulator/health
          sandboxes                               the sandboxes in use, with object counts
          reset                                   empty the sandbox: objects, clock, faults, journal
          clock [get]                             the sandbox clock
          clock advance DURATION | --to TIME      fire what is due: 8h, 90s, 15m, 1d, 1h30m, 1.5h, 500ms
          clock freeze                            switch to the manual clock
          clock run [--scale X]                   switch to the real clock, X times faster
          faults [list]                           the fault rules
          faults add --action ACTION [--method M] [--path GLOB] [--workload ID] [--status N]
                     [--body JSON] [--header 'Name: value']... [--delay-ms N] [--state STATUS]
                     [--message TEXT] [--times N] [--probability P]
          faults delete ID | faults clear         remove one rule, or all
          state export                            the sandbox as one JSON document (stdout)
          state import FILE                       replace the sandbox with FILE ('-' = stdin)
          requests [--method M] [--path GLOB] [--injected true|false]
                                                  the request journal, one entry per line
          requests clear                          empty the journal

        Exit codes: 0 done, 1 the instance cannot be reached or refused the call, 2 bad command line or file.

        """

    struct UsageError: Error, Equatable, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Flags that take a value, by command; `--header` may repeat.
    static let globalFlags: Set<String> = ["url", "port-file", "sandbox", "control-token"]

    static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> ControlCommand {
        var flags: [(name: String, value: String)] = []
        var words: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            i += 1
            if a == "--help" || a == "-h" {
                words = ["help"]
                break
            }
            if a == "--" {
                words += arguments[i...]
                break
            }
            guard a.hasPrefix("--"), a.count > 2 else {
                words.append(a)
                continue
            }
            let body = a.dropFirst(2)
            if let eq = body.firstIndex(of: "=") {
                flags.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
            } else {
                guard i < arguments.count else { throw UsageError("\(a) needs a value (see ctl --help)") }
                flags.append((String(body), arguments[i]))
                i += 1
            }
        }

        func value(_ name: String) -> String? { flags.last { $0.name == name }?.value }
        func variable(_ name: String) -> String? {
            environment["WORKLOAD_EMULATOR_" + name].flatMap { $0.isEmpty ? nil : $0 }
        }

        let request = try parseRequest(words, flags: flags)
        let allowed = globalFlags.union(commandFlags(words))
        if let unknown = flags.first(where: { !allowed.contains($0.name) }) {
            throw UsageError(
                "unknown flag '--\(unknown.name)' for '\(words.prefix(2).joined(separator: " "))' (see ctl --help)")
        }

        let target: Target
        if let url = value("url") {
            target = try parseURL(url, source: "--url")
        } else if let path = value("port-file") {
            target = .portFile(path)
        } else if let url = variable("URL") {
            target = try parseURL(url, source: "WORKLOAD_EMULATOR_URL")
        } else if let path = variable("PORT_FILE") {
            target = .portFile(path)
        } else if let port = variable("PORT") {
            guard let n = Int(port), (1...65535).contains(n) else {
                throw UsageError("WORKLOAD_EMULATOR_PORT: '\(port)' is not a port (1 to 65535)")
            }
            target = .url(host: "127.0.0.1", port: n, basePath: "")
        } else {
            target = .url(host: "127.0.0.1", port: 8080, basePath: "")
        }

        var sandbox = value("sandbox")
        if let name = sandbox {
            guard (1...64).contains(name.utf8.count), name != ".", name != "..",
                name.utf8.allSatisfy({ isNameByte($0) })
            else { throw UsageError("--sandbox: '\(name)' is not 1 to 64 of A-Z a-z 0-9 . _ -") }
        } else {
            sandbox = nil
        }
        let token = value("control-token") ?? variable("CONTROL_TOKEN")
        return ControlCommand(target: target, sandbox: sandbox, controlToken: token, request: request)
    }

    static func commandFlags(_ words: [String]) -> Set<String> {
        switch (words.first, words.dropFirst().first) {
        case ("clock", "advance"): return ["to"]
        case ("clock", "run"): return ["scale"]
        case ("faults", "add"):
            return [
                "action", "method", "path", "workload", "status", "body", "header", "delay-ms", "state", "message",
                "times", "probability",
            ]
        case ("requests", nil): return ["method", "path", "injected"]
        default: return []
        }
    }

    static func parseRequest(_ words: [String], flags: [(name: String, value: String)]) throws(UsageError) -> Request {
        func value(_ name: String) -> String? { flags.last { $0.name == name }?.value }
        func noMore(_ count: Int) throws(UsageError) {
            if words.count > count {
                throw UsageError("unexpected argument '\(words[count])' (see ctl --help)")
            }
        }
        guard let command = words.first else { throw UsageError("a command is needed (see ctl --help)") }
        let sub = words.dropFirst().first
        switch (command, sub) {
        case ("help", _): return .help
        case ("health", nil): return .call(method: "GET", path: "health", body: nil)
        case ("sandboxes", nil): return .call(method: "GET", path: "sandboxes", body: nil)
        case ("reset", nil): return .call(method: "POST", path: "reset", body: nil)
        case ("clock", nil), ("clock", "get"):
            try noMore(2)
            return .call(method: "GET", path: "clock", body: nil)
        case ("clock", "advance"):
            if let to = value("to") {
                try noMore(2)
                return .call(method: "POST", path: "clock/advance", body: ["to": .string(to)])
            }
            guard words.count >= 3 else { throw UsageError("clock advance: a duration is needed, e.g. 8h or 90s") }
            try noMore(3)
            guard let seconds = ControlDuration.seconds(words[2]) else {
                throw UsageError(
                    "clock advance: '\(words[2])' is not a duration (e.g. 8h, 90s, 1h30m; at most \(Int64(ControlDuration.maxSeconds)) s)"
                )
            }
            let exact = seconds.rounded() == seconds ? JSONValue.int(Int64(seconds)) : .double(seconds)
            return .call(method: "POST", path: "clock/advance", body: ["seconds": exact])
        case ("clock", "freeze"):
            try noMore(2)
            return .call(method: "PUT", path: "clock", body: ["mode": "manual"])
        case ("clock", "run"):
            try noMore(2)
            var scale = 1.0
            if let s = value("scale") {
                guard let v = Double(s), v.isFinite, v > 0, v <= 1e9 else {
                    throw UsageError("--scale: '\(s)' is not a number above 0 and at most 1e9")
                }
                scale = v
            }
            return .call(method: "PUT", path: "clock", body: ["mode": "real", "scale": .double(scale)])
        case ("faults", nil), ("faults", "list"):
            try noMore(2)
            return .call(method: "GET", path: "faults", body: nil)
        case ("faults", "clear"):
            try noMore(2)
            return .call(method: "DELETE", path: "faults", body: nil)
        case ("faults", "delete"):
            guard words.count == 3 else { throw UsageError("faults delete: one rule id is needed") }
            return .call(method: "DELETE", path: "faults/\(percentEncoded(words[2]))", body: nil)
        case ("faults", "add"):
            try noMore(2)
            return .call(method: "POST", path: "faults", body: try faultRule(flags))
        case ("state", "export"):
            try noMore(2)
            return .call(method: "GET", path: "state", body: nil)
        case ("state", "import"):
            guard words.count == 3 else { throw UsageError("state import: one file is needed ('-' for stdin)") }
            return .importState(file: words[2])
        case ("requests", nil):
            var query: [(String, String)] = []
            for name in ["method", "path", "injected"] {
                if let v = value(name) { query.append((name, v)) }
            }
            if let injected = value("injected"), injected != "true" && injected != "false" {
                throw UsageError("--injected: '\(injected)' is not true or false")
            }
            return .requests(query: query)
        case ("requests", "clear"):
            try noMore(2)
            return .call(method: "DELETE", path: "requests", body: nil)
        default:
            throw UsageError("unknown command '\(words.prefix(2).joined(separator: " "))' (see ctl --help)")
        }
    }

    /// The rule from flags; the server validates values and combinations (and says
    /// which field is wrong), so only what a flag cannot carry as text is checked here.
    static func faultRule(_ flags: [(name: String, value: String)]) throws(UsageError) -> JSONValue {
        func value(_ name: String) -> String? { flags.last { $0.name == name }?.value }
        func integer(_ name: String) throws(UsageError) -> JSONValue? {
            guard let v = value(name) else { return nil }
            guard v.count <= 18, let n = Int64(v) else { throw UsageError("--\(name): '\(v)' is not an integer") }
            return .int(n)
        }
        guard let action = value("action") else { throw UsageError("faults add: --action is needed") }
        var match = JSONObject()
        if let m = value("method") { match.append("method", .string(m)) }
        if let p = value("path") { match.append("path", .string(p)) }
        if let w = value("workload") { match.append("workloadId", .string(w)) }
        var rule = JSONObject()
        if !match.isEmpty { rule.append("match", .object(match)) }
        rule.append("action", .string(action))
        if let s = try integer("status") { rule.append("status", s) }
        if let b = value("body") {
            do throws(JSONParser.Error) {
                rule.append("body", try JSONParser.parse(b))
            } catch {
                throw UsageError("--body: not JSON: \(error)")
            }
        }
        let headers = flags.filter { $0.name == "header" }
        if !headers.isEmpty {
            var object = JSONObject()
            for h in headers {
                guard let colon = h.value.firstIndex(of: ":"), colon != h.value.startIndex else {
                    throw UsageError("--header: '\(h.value)' is not 'Name: value'")
                }
                object.append(
                    String(h.value[..<colon]),
                    .string(String(h.value[h.value.index(after: colon)...].drop { $0 == " " })))
            }
            rule.append("headers", .object(object))
        }
        if let d = try integer("delay-ms") { rule.append("delayMs", d) }
        if let s = value("state") { rule.append("state", .string(s)) }
        if let m = value("message") { rule.append("message", .string(m)) }
        if let t = try integer("times") { rule.append("times", t) }
        if let p = value("probability") {
            guard let v = Double(p), v.isFinite else { throw UsageError("--probability: '\(p)' is not a number") }
            rule.append("probability", .double(v))
        }
        return .object(rule)
    }

    /// `http://HOST[:PORT][/base]`; https is not served by the emulator.
    static func parseURL(_ text: String, source: String) throws(UsageError) -> Target {
        guard text.hasPrefix("http://") else {
            throw UsageError("\(source): '\(text)' is not an http:// URL")
        }
        let rest = text.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        var basePath = String(rest.dropFirst(authority.count))
        while basePath.hasSuffix("/") { basePath.removeLast() }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw UsageError("\(source): '\(text)' has a bad host")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw UsageError("\(source): '\(text)' has a bad host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw UsageError("\(source): '\(text)' has no host") }
        var port = 80
        if let p = portText {
            guard p.count <= 5, let n = Int(p), (1...65535).contains(n) else {
                throw UsageError("\(source): '\(text)' has a bad port")
            }
            port = n
        }
        return .url(host: String(host), port: port, basePath: basePath)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F
            || b == 0x2D
    }

    /// RFC 3986 unreserved characters pass, plus `/` and `*`, which path globs hold.
    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if isNameByte(b) || b == 0x7E || b == 0x2F || b == 0x2A {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}
