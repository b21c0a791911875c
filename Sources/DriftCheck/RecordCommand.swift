import HTTPServer
import JSON
import Synchronization
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
        /// A PEM bundle that alone is trusted for an https upstream (else the system's CA store).
        public var upstreamCA: String? = nil
    }

    public static let usage = """
        usage: workload-emulator record --upstream URL --out FILE [--host H] [--port N] [--port-file F]
                                        [--upstream-timeout S] [--upstream-ca PATH]
          Forwards every request to URL (http[s]://host[:port][/base]) and writes each exchange to
          FILE as one JSON line. Authorization, cookies, tokens and other credentials are never
          written; each distinct credential is recorded as a label (user-1, user-2, …) in order of
          first appearance. An https upstream's certificate is checked against the system's CA
          store, or only against the PEM bundle PATH of --upstream-ca (libcurl.so.4 is needed for
          https). A request the upstream never answered (TLS refused, unreachable, timed out) gets
          502 or 504 from the proxy and is not written. Stops on SIGINT/SIGTERM.

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
            case "--upstream-ca": o.upstreamCA = try value(a)
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
            guard HTTPSUpstream(url: o.upstream, caPath: nil) != nil else {
                throw Failure(
                    message: "record: --upstream must be https://host[:port][/base], not '\(o.upstream)'", exitCode: 2)
            }
        } else {
            guard ForwardingClient(url: o.upstream) != nil else {
                throw Failure(
                    message: "record: --upstream must be http[s]://host[:port][/base], not '\(o.upstream)'", exitCode: 2
                )
            }
            if o.upstreamCA != nil {
                throw Failure(message: "record: --upstream-ca applies to an https upstream only", exitCode: 2)
            }
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

    /// Where requests go: the project's own HTTP/1.1 client, or libcurl for https.
    enum Upstream: Sendable {
        case plain(ForwardingClient)
        case tls(HTTPSUpstream)

        struct Failure: Error {
            let description: String
            let timedOut: Bool
            let tls: Bool
        }

        func send(
            method: String, path: String, headers: HTTPHeaders, body: [UInt8], timeoutSeconds: Double
        ) throws(Failure) -> HTTPResponse {
            switch self {
            case let .plain(client):
                do throws(ForwardingClient.Failure) {
                    return try client.send(
                        method: method, path: path, headers: headers, body: body, timeoutSeconds: timeoutSeconds)
                } catch {
                    throw Failure(description: error.description, timedOut: error.timedOut, tls: false)
                }
            case let .tls(client):
                do throws(HTTPSUpstream.Failure) {
                    return try client.send(
                        method: method, path: path, headers: headers, body: body, timeoutSeconds: timeoutSeconds)
                } catch {
                    throw Failure(description: error.description, timedOut: error.timedOut, tls: error.tls)
                }
            }
        }
    }

    /// The exchange and what the client gets; `recorded` is nil when the upstream never
    /// answered: the proxy's own 502 or 504 is not the service's answer, and a replay
    /// would report it as drift.
    static func exchange(
        _ request: HTTPRequest, upstream: Upstream, users: UserLabels, timeoutSeconds: Double
    ) -> (response: HTTPResponse, recorded: Exchange?) {
        let path = upstreamPath(request.path)
        var headers = HTTPHeaders()
        for (name, value) in request.headers where !notForwarded.contains(name.lowercased()) {
            headers.add(name, value)
        }
        let target = request.query.isEmpty ? path : path + "?" + request.query
        let started = ForwardingClient.monotonicSeconds()
        let response: HTTPResponse
        do throws(Upstream.Failure) {
            response = try upstream.send(
                method: request.method, path: target, headers: headers, body: request.body,
                timeoutSeconds: timeoutSeconds)
        } catch {
            let detail =
                error.tls
                ? "record: TLS with the upstream failed, the request was not sent: \(error.description)"
                : "record: the upstream did not answer: \(error.description)"
            return (.json(error.timedOut ? 504 : 502, JSONSerializer.serialize(["detail": .string(detail)])), nil)
        }
        let elapsed = Int64(((ForwardingClient.monotonicSeconds() - started) * 1000).rounded())
        var kept: [String: String] = [:]
        for name in Exchange.keptResponseHeaders {
            if let v = response.headers[name] { kept[name] = v }
        }
        var recorded = Exchange(
            method: request.method, path: path, query: Redaction.scrubQuery(request.query),
            requestContentType: request.headers["content-type"], requestBody: Redaction.scrubBody(request.body),
            status: response.status, responseHeaders: kept, responseBody: Redaction.scrubBody(response.body),
            upstreamMs: elapsed)
        recorded.user = users.label(for: request.headers)
        return (response, recorded)
    }

    static func run(_ options: Options) throws(Failure) {
        StopSignals.block()

        let upstream: Upstream
        if options.upstream.hasPrefix("https://") {
            // Checked before listening: a proxy that cannot reach its upstream should not start.
            if let missing = HTTPSUpstream.load() {
                throw Failure(message: "record: an https upstream needs libcurl: \(missing)", exitCode: 2)
            }
            if let path = options.upstreamCA, let problem = HTTPSUpstream.checkCA(path) {
                throw Failure(message: "record: --upstream-ca \(problem)", exitCode: 2)
            }
            upstream = .tls(HTTPSUpstream(url: options.upstream, caPath: options.upstreamCA)!)
        } else {
            upstream = .plain(ForwardingClient(url: options.upstream)!)
        }
        let users = UserLabels()
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
                let (response, recorded) = exchange(
                    request, upstream: upstream, users: users, timeoutSeconds: timeout)
                // Written before the client sees the answer: a client that stops the
                // proxy right after its last call still finds that call in the file.
                if let recorded {
                    file.append(JSONSerializer.serialize(recorded.json))
                } else {
                    Output.err("record: \(request.method) \(request.path) not recorded: \(response.status)")
                }
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
        _ = StopSignals.wait()
        server.shutdown(timeoutSeconds: 4)
        if let path = options.portFile { unlink(path) }
        file.close()
    }
}
