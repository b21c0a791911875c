import HTTPServer
import JSON
import WorkloadEmulator

/// `/api/v2/executionEnvironments/`: base images for generated-Dockerfile artifacts,
/// with their versions (DataRobot's CLI takes `latestSuccessfulVersion.id`).
enum ExecutionEnvironmentRoutes {
    static let root = "/api/v2/executionEnvironments"

    static func register(_ t: inout RouteTable) {
        t.add("GET", root, list)
        t.add("GET", root + "/{id}", get)
        t.add("GET", root + "/{id}/versions", versions)
        t.add("GET", root + "/{id}/versions/{versionId}", version)
    }

    @Sendable static func list(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, maxLimit: 1000, legacy: false)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = PlatformQuery(r.http)
        let search = (q.last("searchFor") ?? q.last("search")).map { CaseInsensitiveNeedle($0) }
        let useCases = Set(q.list("useCases"))
        let languages = Set(q.list("programmingLanguage"))
        let all = r.sandbox.read { $0.platform.executionEnvironments }.filter { e in
            (search.map { $0.found(in: e.name) } ?? true)
                && (useCases.isEmpty || !useCases.isDisjoint(with: e.useCases))
                && (languages.isEmpty || languages.contains(e.programmingLanguage))
        }
        let start = min(lr.query.offset, all.count)
        let page = all[start..<min(start + lr.query.limit, all.count)].map(Documents.executionEnvironment)
        return Responses.json(200, lr.envelope(page, totalCount: all.count, request: r))
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let e = try r.sandbox.execute { (w) throws(DomainError) in try w.executionEnvironment(r.parameter("id")) }
            return Responses.json(200, Documents.executionEnvironment(e))
        }
    }

    /// Newest first.
    @Sendable static func versions(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, maxLimit: 1000, legacy: false)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        return Responses.run { () throws(DomainError) in
            let e = try r.sandbox.execute { (w) throws(DomainError) in try w.executionEnvironment(r.parameter("id")) }
            let all = Array(e.versions.reversed())
            let start = min(lr.query.offset, all.count)
            let page = all[start..<min(start + lr.query.limit, all.count)].map {
                Documents.environmentVersion($0, of: e)
            }
            return Responses.json(200, lr.envelope(page, totalCount: all.count, request: r))
        }
    }

    @Sendable static func version(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let e = try r.sandbox.execute { (w) throws(DomainError) in try w.executionEnvironment(r.parameter("id")) }
            guard let v = e.versions.first(where: { $0.id == r.parameter("versionId") }) else {
                throw .notFound("Execution environment version not found.")
            }
            return Responses.json(200, Documents.environmentVersion(v, of: e))
        }
    }
}
