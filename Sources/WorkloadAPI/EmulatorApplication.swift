import HTTPServer
import WorkloadEmulator

/// Everything the executable needs to know to build the application. Owned by the
/// API module; the executable fills it from flags and environment.
public struct APIConfiguration: Sendable {
    public enum AuthMode: String, Sendable { case open, strict }
    public enum ClockMode: String, Sendable { case real, manual }

    public var publicURL: String? = nil
    public var clockMode: ClockMode = .real
    public var timeScale: Double = 1
    /// `realistic`, `instant`, or a path to a JSON profile.
    public var lifecycle: String = "realistic"
    public var fixturesDirectory: String? = nil
    public var stateFile: String? = nil
    public var auth: AuthMode = .open
    public var seed: UInt64 = 0
    public var partialDeleteStatus: Int = 502
    public var maxConcurrentWorkloads: Int = 0
    public var maxReplicas: Int = 0

    public init() {}
}

/// The whole emulator behind one `HTTPHandler`.
public final class EmulatorApplication: Sendable {
    public static let version = "0.1.0"
    public let configuration: APIConfiguration
    private let router: Router

    public init(configuration: APIConfiguration) throws {
        self.configuration = configuration
        var router = Router()
        router.add("GET", "/__emulator/health") { _, responder in
            responder.respond(.json(200, #"{"status":"ok","version":"\#(EmulatorApplication.version)"}"#))
        }
        self.router = router
    }

    public var handler: HTTPHandler {
        let router = self.router
        return { request, responder in
            switch router.match(method: request.method, path: request.path) {
            case let .found(handler, parameters, _):
                var request = request
                request.pathParameters = parameters
                handler(request, responder)
            case let .methodNotAllowed(allow):
                var headers = HTTPHeaders()
                headers.set("Allow", allow.joined(separator: ", "))
                responder.respond(.json(405, #"{"detail":"Method Not Allowed"}"#, headers: headers))
            case .notFound:
                responder.respond(.json(404, #"{"detail":"Not Found"}"#))
            }
        }
    }

    /// Called on SIGINT/SIGTERM after the server stopped: flush state to disk.
    public func shutdown() {}
}
