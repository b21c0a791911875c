import Dispatch
import HTTPServer
import JSON
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
    /// Metrics, journal recording, fixtures and the state file.
    private let control: ControlPlane
    /// Test-only; nil unless `recordResponsesDirectory` is set.
    private let recorder: ResponseRecorder?

    public init(configuration: APIConfiguration) throws {
        self.configuration = configuration
        let control = try ControlPlane(configuration: configuration)
        var settings = try configuration.sandboxSettings
        settings.users = control.users
        settings.platformBySandbox = control.platformCatalogues(base: settings.platform)
        let registry = SandboxRegistry(settings: settings, recorder: control.store)
        try control.attach(registry)
        self.control = control
        self.registry = registry
        recorder = configuration.recordResponsesDirectory.flatMap(ResponseRecorder.forDirectory)
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
        InvokeRoutes.register(
            &table,
            forwarding: InvokeRoutes.Forwarding(
                maxInvokes: configuration.maxUpstreamInvokes, timeoutSeconds: configuration.upstreamTimeoutSeconds,
                resolver: configuration.upstreamResolver))
        PlatformRoutes.register(&table)
        DashboardRoutes.register(&table)
        ControlRoutes.register(&table, registry: registry, control: control)
        OpenAPIDocument.register(&table)
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
            self.handle(request) { response, delay in
                if let delay, delay > 0 {
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) {
                        responder.respond(response)
                    }
                } else {
                    responder.respond(response)
                }
            }
        }
    }

    /// Called on SIGINT/SIGTERM after the server stopped. False when the final write of
    /// the state file failed (the process then exits 1).
    @discardableResult
    public func shutdown() -> Bool {
        ticker.stop()
        return control.shutdown()
    }

    /// The synchronous core of `handler`; returns the response and any injected delay.
    /// Every request is counted in the metrics and, outside `/__emulator`, journaled.
    /// A deferred answer (invoke forwarding) is waited for here: call this only off the
    /// event loops (tests); the server goes through `handler`.
    public func handle(_ request: HTTPRequest) -> (HTTPResponse, delayMs: Int?) {
        let answer = Mutex<(HTTPResponse, Int?)?>(nil)
        let done = DispatchSemaphore(value: 0)
        handle(request) { response, delay in
            answer.withLock { $0 = (response, delay) }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0! }
    }

    /// Answers now, or later from another thread for a deferred route (never blocking
    /// the caller's thread on I/O).
    private func handle(_ request: HTTPRequest, _ done: @escaping @Sendable (HTTPResponse, Int?) -> Void) {
        let started = RequestMetrics.monotonicMicros()
        var seen = ControlPlane.Seen()
        var deferred: DeferredAnswer?
        let (response, delay) = dispatch(request, &seen, &deferred)
        guard let deferred else {
            if let lease = seen.lease { registry.release(lease, succeeded: EmulatorApplication.succeeded(response)) }
            control.observe(
                request, response, seen, micros: RequestMetrics.monotonicMicros() - started, registry: registry)
            recorder?.record(
                request, response, routePath: seen.path,
                fault: seen.injected?.action == .respond || seen.refusedByStorage)
            control.acknowledge(response, method: request.method) { done($0, delay) }
            return
        }
        let seenNow = seen
        deferred.start { [self] answer in
            var response = answer
            if let injected = deferred.injected { response.headers.set("X-Emulator-Injected", injected) }
            if let lease = seenNow.lease {
                registry.release(lease, succeeded: EmulatorApplication.succeeded(response))
            }
            control.observe(
                request, response, seenNow, micros: RequestMetrics.monotonicMicros() - started, registry: registry)
            recorder?.record(request, response, routePath: seenNow.path, fault: seenNow.injected?.action == .respond)
            control.acknowledge(response, method: request.method) { done($0, delay) }
        }
    }

    private func dispatch(
        _ request: HTTPRequest, _ seen: inout ControlPlane.Seen, _ deferred: inout DeferredAnswer?
    ) -> (HTTPResponse, delayMs: Int?) {
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
        seen.sandboxName = sandboxName
        seen.path = String(path)

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
            seen.route = pattern
        }
        // 2a. `--control-token`: the control routes need it; the dashboard's page itself
        // holds no data (everything it shows comes from routes that need it).
        if let expected = configuration.controlToken, (seen.route ?? "").hasPrefix("/__emulator"),
            seen.route != "/__emulator/ui"
        {
            guard let given = request.headers["X-Emulator-Token"] else {
                return (
                    Responses.detail(
                        401, "This route needs the control token: send it in the X-Emulator-Token header."),
                    nil
                )
            }
            guard EmulatorApplication.constantTimeEqual(given, expected) else {
                return (Responses.detail(403, "The X-Emulator-Token header does not match the control token."), nil)
            }
        }
        // A state file that cannot be written: changes are refused, reads go on.
        if let problem = control.persistenceProblem {
            if seen.route == "/__emulator/health" {
                return (Responses.json(503, ["status": "degraded", "persistence": .string(problem)]), nil)
            }
            if request.method != "GET" && request.method != "HEAD" {
                seen.refusedByStorage = true
                return (ControlPlane.notSaved(problem), nil)
            }
        }
        // 2b. The sandbox, unless the route is about the registry or the emulator as a
        // whole (then naming a new sandbox must not make one).
        var leased: Sandbox?
        if !EmulatorApplication.sandboxFreeRoutes.contains(seen.route ?? "") {
            guard let s = registry.acquire(named: sandboxName) else { return (sandboxLimitReached(), nil) }
            leased = s
            seen.lease = s
        }
        // 3. Request-level fault rules (respond, delay, drop), not on /__emulator.
        var delay: Int?
        var injected: String?
        let sandbox = path.hasPrefix("/__emulator") ? nil : leased
        if let sandbox, sandbox.mayInjectRequestFaults {
            let method = request.method
            let p = String(path)
            if let rule = sandbox.read({ $0.consumeRequestFault(method: method, path: p) }) {
                injected = rule.id
                seen.injected = rule
                switch rule.action {
                case .drop:
                    var dropped = HTTPResponse.drop
                    dropped.headers.set("X-Emulator-Injected", rule.id)
                    return (dropped, nil)
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
                let (u, at) = (leased ?? registry.sandbox(named: sandboxName)).read({ w in
                    w.authenticate(token: token).map { ($0, w.clock.now()) }
                })
            else { return (Responses.unauthorized, nil) }
            user = u
            // The journal's time for the request, read under the lock taken here anyway,
            // so that recording it does not take the sandbox's lock once more.
            seen.arrivedAt = at
        }

        var http = request
        http.pathParameters = parameters
        let api = APIRequest(
            http: http, registry: registry, sandboxName: sandboxName, resolved: leased, prefix: prefix,
            routePath: String(path),
            origin: origin(request),
            legacy: route.legacy,
            configuration: configuration, user: user)
        if let later = route.deferred {
            deferred = DeferredAnswer(start: { done in later(api, done) }, injected: injected)
            return (HTTPResponse(status: 0), delay)
        }
        if request.body.count > EmulatorApplication.largeBodyBytes {
            // Parsing and validating a body of megabytes takes a loop seconds (a million
            // keys: 2.7 s), and every other connection on that loop would wait for it.
            let handler = route.handler
            deferred = DeferredAnswer(
                start: { done in
                    if !EmulatorApplication.largeBodies.submit({ handler(api) }, then: done) {
                        var busy = Responses.detail(
                            503, "Too many large request bodies are being handled at once; retry shortly.")
                        busy.headers.set("Retry-After", "1")
                        done(busy)
                    }
                }, injected: injected)
            return (HTTPResponse(status: 0), delay)
        }
        var response = route.handler(api)
        if let injected { response.headers.set("X-Emulator-Injected", injected) }
        return (response, delay)
    }

    /// Bodies above this are handled on `largeBodies`, off the event loops; the body
    /// budget's notion of a large body.
    static let largeBodyBytes = 64 * 1024
    /// Two threads, as many as there are loops by default; the bodies waiting for them are
    /// held within the body budget (`--max-buffered-body-bytes`) until answered.
    static let largeBodies = WorkerPool(maxThreads: 2, maxWaiting: 32)

    private func invalidSandbox(_ name: String) -> HTTPResponse {
        Responses.detail(
            400,
            "Invalid sandbox name '\(name)': use 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-' (not '.' or '..')."
        )
    }

    /// Compares without stopping at the first difference, so the time taken says
    /// nothing about how much of a guess was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }

    /// Routes that never touch one sandbox: they make none.
    static let sandboxFreeRoutes: Set<String> = [
        "/", "/__emulator/ui", "/__emulator/health", "/__emulator/metrics", "/__emulator/sandboxes",
        "/__emulator/sandboxes/{name}", "/api/v2/openapi.json", "/api/v2/openapi.yaml",
    ]

    /// A request made (or kept) its sandbox when it was answered below 400.
    static func succeeded(_ response: HTTPResponse) -> Bool {
        !response.dropConnection && response.status >= 200 && response.status < 400
    }

    private func sandboxLimitReached() -> HTTPResponse {
        Responses.detail(
            403,
            "Sandbox limit reached: the emulator holds \(registry.settings.maxSandboxes) sandboxes (--max-sandboxes); "
                + "delete one with DELETE /__emulator/sandboxes/NAME.")
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
