import HTTPServer
import JSON
import WorkloadEmulator

/// `/__emulator/requests`, `/__emulator/state` and `/__emulator/metrics`.
enum ControlRoutes {
    static func register(_ t: inout RouteTable, registry: SandboxRegistry, control: ControlPlane) {
        t.add("GET", "/__emulator/requests", authenticated: false, requests)
        t.add("DELETE", "/__emulator/requests", authenticated: false) { r in
            r.sandbox.journal.clear()
            return Responses.noContent
        }
        t.add("GET", "/__emulator/state", authenticated: false) { r in
            // Copy the world under the lock (copy-on-write, cheap) and encode outside it,
            // with the same byte writer the state file uses.
            let world = r.sandbox.read { $0 }
            return HTTPResponse.json(200, world.snapshotBytes())
        }
        t.add("PUT", "/__emulator/state", authenticated: false, importState)
        t.add("GET", "/__emulator/metrics", authenticated: false) { _ in
            var headers = HTTPHeaders()
            // The one exception to the JSON content type: what Prometheus scrapes.
            headers.set("Content-Type", "text/plain; version=0.0.4")
            return HTTPResponse(
                status: 200, headers: headers, body: Array(control.metrics.render(sandboxes: registry.all()).utf8))
        }
    }

    /// Oldest first. Filters: `method`, `path` (`*` matches any run of characters),
    /// `injected=true|false`; `offset`/`limit` (default 100, at most 1000).
    @Sendable static func requests(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, maxLimit: 1000, legacy: false)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        var method: String?
        var path: String?
        var injected: Bool?
        for (name, value) in r.http.queryItems {
            switch name {
            case "method": method = value.uppercased()
            case "path": path = value
            case "injected":
                guard value == "true" || value == "false" else {
                    return Responses.validation([
                        ValidationIssue(
                            loc: ["query", "injected"], msg: "Input should be a valid boolean", type: "bool_parsing")
                    ])
                }
                injected = value == "true"
            default: continue
            }
        }
        let matched = r.sandbox.journal.entries().filter { e in
            if let method, e.method.uppercased() != method { return false }
            if let path, !Glob.matches(pattern: path, e.path) { return false }
            if let injected, (e.injectedRule != nil) != injected { return false }
            return true
        }
        let q = lr.query
        let start = min(q.offset, matched.count)
        let page = matched[start..<min(start + q.limit, matched.count)].map(\.json)
        return Responses.json(200, lr.envelope(Array(page), totalCount: matched.count, request: r))
    }

    /// Replaces the sandbox with the document; a refusal (400 not JSON, 422 anything
    /// else, with the JSON path) changes nothing.
    @Sendable static func importState(_ r: APIRequest) -> HTTPResponse {
        let body: JSONValue
        switch r.jsonBody() {
        case let .failure(e): return e.response
        case .success(nil):
            return Responses.detail(422, "A state document is required (GET /__emulator/state gives one).")
        case let .success(v?): body = v
        }
        return Responses.runControl { () throws(DomainError) in
            try r.sandbox.replaceWorld { (name, settings) throws(DomainError) in
                do throws(JSONPathError) {
                    return try World.restore(body, name: name, settings: settings)
                } catch {
                    throw .unprocessable("Invalid state document: \(error.description)")
                }
            }
            r.sandbox.journal.clear()
            return Responses.json(
                200,
                r.sandbox.read { w in
                    let c = w.counts
                    return [
                        "sandbox": .string(w.name), "workloads": .int(Int64(c.workloads)),
                        "artifacts": .int(Int64(c.artifacts)), "artifactRepositories": .int(Int64(c.repositories)),
                        "deployments": .int(Int64(c.deployments)), "faults": .int(Int64(w.faults.count)),
                        "clock": Documents.clock(w),
                    ]
                })
        }
    }
}
