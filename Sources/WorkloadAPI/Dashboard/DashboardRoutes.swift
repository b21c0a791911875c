import HTTPServer

/// `/` and `/__emulator/ui`: the dashboard. No token, like the rest of
/// `/__emulator`: the page itself holds no data; its scripts call the API with the
/// token the user typed.
enum DashboardRoutes {
    static func register(_ t: inout RouteTable) {
        t.add("GET", "/", authenticated: false) { _ in page }
        t.add("GET", "/__emulator/ui", authenticated: false) { _ in page }
    }

    /// HTML is the one response that is not JSON. The policy forbids every request
    /// the page could make to another origin, so "no network beyond the emulator"
    /// is enforced by the browser, not just promised by the markup.
    static let page: HTTPResponse = {
        var headers = HTTPHeaders()
        headers.set("Content-Type", "text/html; charset=utf-8")
        headers.set("Cache-Control", "no-store")
        headers.set(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        headers.set("X-Content-Type-Options", "nosniff")
        return HTTPResponse(status: 200, headers: headers, body: Array(DashboardPage.html.utf8))
    }()
}
