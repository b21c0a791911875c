import HTTPServer
import WorkloadEmulator

/// One row of the API: method, path pattern, whether it needs a token, whether the
/// v2.41 differences apply, and the handler.
struct APIRoute: Sendable {
    let method: String
    let pattern: String
    let authenticated: Bool
    let legacy: Bool
    let handler: @Sendable (APIRequest) -> HTTPResponse
    /// Routes that answer later from another thread (invoke forwarding does blocking
    /// I/O, which must never run on an event loop): called instead of `handler`.
    var deferred: (@Sendable (APIRequest, @escaping @Sendable (HTTPResponse) -> Void) -> Void)? = nil
}

/// A deferred route's answer in the making, plus the fault rule id to stamp on it.
struct DeferredAnswer: Sendable {
    let start: @Sendable (@escaping @Sendable (HTTPResponse) -> Void) -> Void
    let injected: String?
}

struct RouteTable {
    private(set) var routes: [APIRoute] = []

    mutating func add(
        _ method: String, _ pattern: String, authenticated: Bool = true, legacy: Bool = false,
        _ handler: @escaping @Sendable (APIRequest) -> HTTPResponse
    ) {
        routes.append(
            APIRoute(method: method, pattern: pattern, authenticated: authenticated, legacy: legacy, handler: handler))
    }

    /// A route whose handler answers through `respond`, now or later, on any thread.
    mutating func addDeferred(
        _ method: String, _ pattern: String, authenticated: Bool = true,
        _ handler: @escaping @Sendable (APIRequest, @escaping @Sendable (HTTPResponse) -> Void) -> Void
    ) {
        var route = APIRoute(
            method: method, pattern: pattern, authenticated: authenticated, legacy: false,
            handler: { _ in HTTPResponse(status: 500) })
        route.deferred = handler
        routes.append(route)
    }
}
