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
}
