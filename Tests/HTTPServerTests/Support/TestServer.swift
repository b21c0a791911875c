import Dispatch
import HTTPServer
import Synchronization

/// A live server on 127.0.0.1, port 0, for one test:
///
///     let s = try TestServer.start { $0.maxBodyBytes = 10 }
///     defer { s.stop() }
struct TestServer {
    let server: HTTPServer
    let port: Int

    static func start(
        threads: Int = 2, _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        handler: @escaping HTTPHandler = TestServer.echo
    ) throws -> TestServer {
        raiseLimitOnce
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.threads = threads
        configure(&configuration)
        let server = HTTPServer(configuration: configuration, handler: handler)
        return TestServer(server: server, port: try server.start())
    }

    /// Stops the server; tests call it with `defer` right after `start`.
    func stop() { server.shutdown(timeoutSeconds: 1) }

    func client(timeoutSeconds: Double = 5) throws -> RawClient {
        try RawClient(port: port, timeoutSeconds: timeoutSeconds)
    }

    /// Answers `METHOD target` plus the request body, as text.
    static let echo: HTTPHandler = { request, responder in
        var body = Array("\(request.method) \(request.target)".utf8)
        if !request.body.isEmpty {
            body.append(UInt8(ascii: "\n"))
            body.append(contentsOf: request.body)
        }
        responder.respond(HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: body))
    }

    private static let raiseLimitOnce: Void = { _ = HTTPServer.raiseOpenFileLimit() }()
}

/// Collects values from any thread.
final class Collected<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func append(_ item: T) { items.withLock { $0.append(item) } }
    var values: [T] { items.withLock { $0 } }
}
