import JSON

#if canImport(Glibc)
import Glibc
#endif

/// Runs a parsed `ctl` command: finds the instance, makes the call, prints the answer.
enum ControlCommandRunner {
    struct Failure: Error {
        var message: String
        var exitCode: Int32
    }

    /// The whole `ctl` subcommand; returns the exit code.
    static func main(_ arguments: [String], environment: [String: String]) -> Int32 {
        let command: ControlCommand
        do throws(ControlCommand.UsageError) {
            command = try ControlCommand.parse(arguments, environment: environment)
        } catch {
            writeErr("ctl: \(error)")
            return 2
        }
        if command.request == .help {
            writeOut(ControlCommand.usage)
            return 0
        }
        do throws(Failure) {
            try run(command)
            return 0
        } catch {
            writeErr("ctl: \(error.message)")
            return error.exitCode
        }
    }

    static func run(_ command: ControlCommand) throws(Failure) {
        let (host, port, basePath) = try resolve(command.target)
        var headers: [(String, String)] = []
        if let sandbox = command.sandbox { headers.append(("X-Emulator-Sandbox", sandbox)) }
        if let token = command.controlToken { headers.append(("X-Emulator-Token", token)) }

        func call(_ method: String, _ path: String, _ body: [UInt8]?) throws(Failure) -> ControlHTTPClient.Response {
            let target = "\(basePath)/__emulator/\(path)"
            let response: ControlHTTPClient.Response
            do throws(ControlHTTPClient.Failure) {
                response = try ControlHTTPClient.send(
                    host: host, port: port, method: method, target: target, headers: headers, body: body)
            } catch {
                throw Failure(message: error.description, exitCode: 1)
            }
            guard (200..<300).contains(response.status) else {
                throw Failure(
                    message: "\(method) \(target) answered \(response.status): \(detail(response.body))", exitCode: 1)
            }
            return response
        }

        switch command.request {
        case .help:
            writeOut(ControlCommand.usage)
        case let .call(method, path, body):
            var bytes: [UInt8]? = nil
            if let body {
                var w = JSONWriter()
                w.value(body)
                bytes = w.bytes
            }
            printBody(try call(method, path, bytes).body)
        case let .importState(file):
            let bytes = try readInput(file)
            printBody(try call("PUT", "state", bytes).body)
        case let .requests(query):
            // Every page, so a filter over a full journal prints everything it matches.
            var offset = 0
            while true {
                let q = (query + [("offset", String(offset)), ("limit", "1000")])
                    .map { "\($0.0)=\(ControlCommand.percentEncoded($0.1))" }.joined(separator: "&")
                let body = try call("GET", "requests?\(q)", nil).body
                guard
                    let page = try? JSONParser.parse(body, limits: .init(maxBytes: ControlHTTPClient.maxResponseBytes)),
                    let data = page["data"]?.arrayValue, let total = page["totalCount"]?.exactInt
                else { throw Failure(message: "the journal answer is not a list document", exitCode: 1) }
                var text: [UInt8] = []
                for entry in data {
                    var w = JSONWriter()
                    w.value(entry)
                    text += w.bytes
                    text.append(10)
                }
                writeOut(String(decoding: text, as: UTF8.self))
                offset += data.count
                if data.isEmpty || offset >= total { return }
            }
        }
    }

    static func resolve(_ target: ControlCommand.Target) throws(Failure) -> (String, Int, String) {
        switch target {
        case let .url(host, port, basePath):
            return (host, port, basePath)
        case let .portFile(path):
            let text: String
            do throws(Failure) {
                text = String(decoding: try readFile(path, limit: 64), as: UTF8.self)
            } catch {
                throw Failure(message: "--port-file: \(error.message) (is the emulator running?)", exitCode: 1)
            }
            let trimmed = text.hasSuffix("\n") ? String(text.dropLast()) : text
            guard let port = Int(trimmed), (1...65535).contains(port) else {
                throw Failure(message: "--port-file: '\(path)' does not hold a port", exitCode: 1)
            }
            return ("127.0.0.1", port, "")
        }
    }

    /// The server's own words: `detail` (a string, or pydantic-style entries), else the body.
    static func detail(_ body: [UInt8]) -> String {
        guard let doc = try? JSONParser.parse(body) else {
            return String(decoding: body.prefix(500), as: UTF8.self)
        }
        if let text = doc["detail"]?.stringValue ?? doc["message"]?.stringValue { return text }
        if let entries = doc["detail"]?.arrayValue {
            return entries.map { e in
                let loc = (e["loc"]?.arrayValue ?? []).map { $0.stringValue ?? $0.exactInt.map(String.init) ?? "?" }
                return "\(loc.joined(separator: ".")): \(e["msg"]?.stringValue ?? "invalid")"
            }.joined(separator: "; ")
        }
        var w = JSONWriter()
        w.value(doc)
        return String(decoding: w.bytes.prefix(500), as: UTF8.self)
    }

    static func printBody(_ body: [UInt8]) {
        guard !body.isEmpty else { return }
        var text = String(decoding: body, as: UTF8.self)
        if !text.hasSuffix("\n") { text += "\n" }
        writeOut(text)
    }

    /// A file (or stdin for `-`), bounded; an unreadable one is the user's input: exit 2.
    static func readInput(_ path: String) throws(Failure) -> [UInt8] {
        do throws(Failure) {
            return try readFile(path, limit: ControlHTTPClient.maxResponseBytes)
        } catch {
            throw Failure(message: "state import: \(error.message)", exitCode: 2)
        }
    }

    static func readFile(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Failure(message: "cannot read '\(path)': \(String(cString: strerror(errno)))", exitCode: 2)
        }
        defer { if fd != 0 { close(fd) } }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return out }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(message: "cannot read '\(path)': \(String(cString: strerror(errno)))", exitCode: 2)
            }
            guard out.count <= limit - n else {
                throw Failure(message: "'\(path)' is larger than \(limit) bytes", exitCode: 2)
            }
            out += buffer[0..<n]
        }
    }
}
