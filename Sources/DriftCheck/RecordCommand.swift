import HTTPServer
import JSON
import WorkloadAPI

#if canImport(Glibc)
import Glibc
#endif

/// `workload-emulator record --upstream URL --out FILE [--host H] [--port N] [--port-file F]`:
/// a forwarding proxy that writes every exchange with the upstream to FILE, one JSON line
/// each, in order. Clients point at it as at the emulator; a `/sandboxes/NAME` prefix is
/// dropped (the real service has none). Requests are forwarded one at a time, so the
/// recording's order is the order the upstream saw.
public enum RecordCommand {
    public typealias Failure = CommandFailure

    public struct Options: Sendable, Equatable {
        public var upstream = ""
        public var out = ""
        public var host = "127.0.0.1"
        public var port = 8081
        public var portFile: String? = nil
        public var timeoutSeconds: Double = 60
    }

    public static let usage = """
        usage: workload-emulator record --upstream URL --out FILE [--host H] [--port N] [--port-file F]
                                        [--upstream-timeout S]
          Forwards every request to URL (http://host[:port][/base]) and writes each exchange to
          FILE as one JSON line. Authorization, cookies, tokens and other credentials are never
          written. Stops on SIGINT/SIGTERM.

        """

    public static func parse(_ arguments: [String]) throws(Failure) -> Options? {
        var o = Options()
        var i = 0
        func value(_ flag: String) throws(Failure) -> String {
            i += 1
            guard i < arguments.count else { throw Failure(message: "record: \(flag) needs a value", exitCode: 2) }
            return arguments[i]
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "--help", "-h": return nil
            case "--upstream": o.upstream = try value(a)
            case "--out": o.out = try value(a)
            case "--host": o.host = try value(a)
            case "--port-file": o.portFile = try value(a)
            case "--port":
                let v = try value(a)
                guard let p = Int(v), (0...65535).contains(p) else {
                    throw Failure(message: "record: --port must be 0…65535, not '\(v)'", exitCode: 2)
                }
                o.port = p
            case "--upstream-timeout":
                let v = try value(a)
                guard let s = Double(v), s > 0, s <= 3600 else {
                    throw Failure(message: "record: --upstream-timeout must be 0…3600 seconds, not '\(v)'", exitCode: 2)
                }
                o.timeoutSeconds = s
            default: throw Failure(message: "record: unknown argument '\(a)' (see record --help)", exitCode: 2)
            }
            i += 1
        }
        guard !o.upstream.isEmpty else { throw Failure(message: "record: --upstream URL is required", exitCode: 2) }
        guard !o.out.isEmpty else { throw Failure(message: "record: --out FILE is required", exitCode: 2) }
        if o.upstream.hasPrefix("https://") {
            throw Failure(message: "record: https upstreams are not supported yet; use http://", exitCode: 2)
        }
        guard ForwardingClient(url: o.upstream) != nil else {
            throw Failure(
                message: "record: --upstream must be http://host[:port][/base], not '\(o.upstream)'", exitCode: 2)
        }
        return o
    }

    /// The whole subcommand; returns the exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        do throws(Failure) {
            guard let options = try parse(arguments) else {
                Output.out(usage)
                return 0
            }
            try run(options)
            return 0
        } catch {
            Output.err(error.message)
            return error.exitCode
        }
    }

    /// The request path the upstream gets: without a sandbox prefix.
    static func upstreamPath(_ path: String) -> String {
        guard path.hasPrefix("/sandboxes/") else { return path }
        let rest = path.dropFirst("/sandboxes/".count).drop { $0 != "/" }
        return rest.isEmpty ? "/" : String(rest)
    }

    /// Request headers never forwarded: they describe this hop, the emulator, or ask for
    /// a compressed answer the recording could not show as text.
    static let notForwarded: Set<String> = ["accept-encoding", "x-emulator-sandbox", "x-emulator-token", "host"]

    static func exchange(
        _ request: HTTPRequest, client: ForwardingClient, timeoutSeconds: Double
    ) -> (HTTPResponse, Exchange) {
        let path = upstreamPath(request.path)
        var headers = HTTPHeaders()
        for (name, value) in request.headers where !notForwarded.contains(name.lowercased()) {
            headers.add(name, value)
        }
        let target = request.query.isEmpty ? path : path + "?" + request.query
        let started = ForwardingClient.monotonicSeconds()
        let response: HTTPResponse
        do throws(ForwardingClient.Failure) {
            response = try client.send(
                method: request.method, path: target, headers: headers, body: request.body,
                timeoutSeconds: timeoutSeconds)
        } catch {
            let detail = "record: the upstream did not answer: \(error.description)"
            response = .json(error.timedOut ? 504 : 502, JSONSerializer.serialize(["detail": .string(detail)]))
        }
        let elapsed = Int64(((ForwardingClient.monotonicSeconds() - started) * 1000).rounded())
        var kept: [String: String] = [:]
        for name in Exchange.keptResponseHeaders {
            if let v = response.headers[name] { kept[name] = v }
        }
        let recorded = Exchange(
            method: request.method, path: path, query: Redaction.scrubQuery(request.query),
            requestContentType: request.headers["content-type"], requestBody: Redaction.scrubBody(request.body),
            status: response.status, responseHeaders: kept, responseBody: Redaction.scrubBody(response.body),
            upstreamMs: elapsed)
        return (response, recorded)
    }

    static func run(_ options: Options) throws(Failure) {
        signal(SIGPIPE, SIG_IGN)
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        let client = ForwardingClient(url: options.upstream)!
        let file: RecordingFile
        do throws(Failure) {
            file = try RecordingFile(path: options.out)
        } catch {
            throw Failure(message: "record: --out \(error.message)", exitCode: 2)
        }
        let worker = SerialWorker()
        let timeout = options.timeoutSeconds
        var http = HTTPServerConfiguration()
        http.host = options.host
        http.port = options.port
        let server = HTTPServer(configuration: http) { request, responder in
            worker.submit {
                let (response, recorded) = exchange(request, client: client, timeoutSeconds: timeout)
                // Written before the client sees the answer: a client that stops the
                // proxy right after its last call still finds that call in the file.
                file.append(JSONSerializer.serialize(recorded.json))
                responder.respond(response)
            }
        }
        let port: Int
        do {
            port = try server.start()
        } catch {
            file.close()
            throw Failure(message: "record: cannot listen on \(options.host):\(options.port): \(error)", exitCode: 1)
        }
        if let path = options.portFile {
            let text = Array("\(port)\n".utf8)
            let temporary = path + ".tmp"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                server.shutdown(timeoutSeconds: 1)
                file.close()
                throw Failure(message: "record: --port-file \(path): \(String(cString: strerror(errno)))", exitCode: 2)
            }
            Output.write(all: text, to: fd)
            _ = close(fd)
            rename(temporary, path)
        }
        Output.out("workload-emulator recording on http://\(options.host):\(port) (upstream \(options.upstream))\n")
        var received: Int32 = 0
        while sigwait(&stopSignals, &received) != 0 {}
        server.shutdown(timeoutSeconds: 4)
        if let path = options.portFile { unlink(path) }
        file.close()
    }
}
