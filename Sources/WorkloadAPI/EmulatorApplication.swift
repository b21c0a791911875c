import Dispatch
import HTTPServer
import Synchronization
import WorkloadEmulator

/// The whole emulator behind one `HTTPHandler`: sandbox selection, authentication,
/// request-level faults, and the route tables of the API and of `/__emulator`.
public final class EmulatorApplication: Sendable {
    public static let version = "0.1.0"
    public let configuration: APIConfiguration
    public let registry: SandboxRegistry
    private let router: Router
    private let routes: [String: APIRoute]
    private let ticker: RealClockTicker

    public init(configuration: APIConfiguration) throws {
        self.configuration = configuration
        let registry = SandboxRegistry(settings: try configuration.sandboxSettings)
        self.registry = registry
        var table = RouteTable()
        EmulatorRoutes.register(&table, registry: registry)
        AccountRoutes.register(&table)
        WorkloadRoutes.register(&table, root: "/api/v2/workloads", legacy: false)
        WorkloadRoutes.register(&table, root: "/api/v2/console/workloads", legacy: true)
        ArtifactRoutes.register(&table, root: "/api/v2/artifacts", legacy: false)
        ArtifactRoutes.register(&table, root: "/api/v2/registry/artifacts", legacy: true)
        RepositoryRoutes.register(&table, root: "/api/v2/artifactRepositories", legacy: false)
        RepositoryRoutes.register(&table, root: "/api/v2/registry/artifactRepositories", legacy: true)
        DeploymentRoutes.register(&table, root: "/api/v2/console/deployments")
        DashboardRoutes.register(&table)
        var router = Router()
        var byKey: [String: APIRoute] = [:]
        for route in table.routes {
            // The router only locates the pattern; the APIRoute holds the handler.
            router.add(route.method, route.pattern) { _, _ in }
            byKey[route.method + " " + route.pattern] = route
        }
        self.router = router
        self.routes = byKey
        ticker = RealClockTicker(registry: registry, intervalMilliseconds: configuration.tickIntervalMilliseconds)
        ticker.start()
    }

    /// Every (method, pattern) served, for the OpenAPI coverage test.
    public var routeList: [(method: String, pattern: String)] { router.routes }

    public var handler: HTTPHandler {
        { [self] request, responder in
            let (response, delay) = self.handle(request)
            if let delay, delay > 0 {
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) {
                    responder.respond(response)
                }
            } else {
                responder.respond(response)
            }
        }
    }

    /// Called on SIGINT/SIGTERM after the server stopped.
    public func shutdown() {
        ticker.stop()
    }

    /// The synchronous core of `handler`; returns the response and any injected delay.
    public func handle(_ request: HTTPRequest) -> (HTTPResponse, delayMs: Int?) {
        // 1. Which sandbox: the path prefix, else the header, else `default`.
        var path = Substring(request.path)
        var prefix = ""
        var sandboxName = "default"
        if path.hasPrefix("/sandboxes/") {
            let rest = path.dropFirst("/sandboxes/".count)
            let name = rest.prefix { $0 != "/" }
            guard SandboxRegistry.isValidName(name) else { return (invalidSandbox(String(name)), nil) }
            sandboxName = String(name)
            prefix = "/sandboxes/" + sandboxName
            path = rest.dropFirst(name.count)
            if path.isEmpty { path = "/" }
        } else if let header = request.headers["X-Emulator-Sandbox"] {
            guard SandboxRegistry.isValidName(header) else { return (invalidSandbox(header), nil) }
            sandboxName = header
        }

        // 2. Which route.
        let match = router.match(method: request.method, path: String(path))
        let route: APIRoute
        let parameters: [String: String]
        switch match {
        case .notFound: return (Responses.notFound, nil)
        case let .methodNotAllowed(allow):
            var headers = HTTPHeaders()
            headers.set("Allow", allow.joined(separator: ", "))
            return (.json(405, #"{"detail":"Method Not Allowed"}"#, headers: headers), nil)
        case let .found(_, params, pattern):
            guard let r = routes[request.method + " " + pattern] ?? routes["GET " + pattern] else {
                return (Responses.notFound, nil)
            }
            route = r
            parameters = params
        }
        // 3. Request-level fault rules (respond, delay, drop), not on /__emulator.
        var delay: Int?
        var injected: String?
        let sandbox = path.hasPrefix("/__emulator") ? nil : registry.sandbox(named: sandboxName)
        if let sandbox, sandbox.mayInjectRequestFaults {
            let method = request.method
            let p = String(path)
            if let rule = sandbox.read({ $0.consumeRequestFault(method: method, path: p) }) {
                injected = rule.id
                switch rule.action {
                case .drop: return (.drop, nil)
                case .respond:
                    var headers = HTTPHeaders()
                    for h in rule.headers { headers.set(h.name, h.value) }
                    headers.set("X-Emulator-Injected", rule.id)
                    let body = rule.body.map { JSONSerializer.serialize($0) } ?? []
                    var response = HTTPResponse.json(rule.status ?? 500, body, headers: headers)
                    if body.isEmpty { response.headers.remove("Content-Type") }
                    return (response, nil)
                case .delay: delay = rule.delayMs
                default: break
                }
            }
        }

        // 4. Who is calling.
        var user = User(id: "", username: "", token: "")
        if route.authenticated {
            guard let token = EmulatorApplication.token(request.headers["Authorization"]),
                let u = (sandbox ?? registry.sandbox(named: sandboxName)).read({ $0.authenticate(token: token) })
            else { return (Responses.unauthorized, nil) }
            user = u
        }

        var http = request
        http.pathParameters = parameters
        let api = APIRequest(
            http: http, registry: registry, sandboxName: sandboxName, resolved: sandbox, prefix: prefix,
            routePath: String(path),
            origin: origin(request),
            legacy: route.legacy,
            configuration: configuration, user: user)
        var response = route.handler(api)
        if let injected { response.headers.set("X-Emulator-Injected", injected) }
        return (response, delay)
    }

    private func invalidSandbox(_ name: String) -> HTTPResponse {
        Responses.detail(
            400, "Invalid sandbox name '\(name)': use 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'.")
    }

    /// `Bearer TOKEN` or `Token TOKEN` (scheme case-insensitive); nil when missing or empty.
    static func token(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased()
        guard scheme == "bearer" || scheme == "token" else { return nil }
        let token = String(parts[1]).trimmingSpaces
        return token.isEmpty ? nil : token
    }

    /// `--public-url`, else `http://` + the Host header.
    private func origin(_ request: HTTPRequest) -> String {
        if var url = configuration.publicURL, !url.isEmpty {
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        return "http://" + (request.headers["Host"] ?? "127.0.0.1")
    }
}
