import HTTPServer
import WorkloadEmulator

/// `/api/v2/artifactRepositories`: created implicitly with their first artifact.
enum RepositoryRoutes {
    static func register(_ t: inout RouteTable, root: String, legacy: Bool) {
        t.add("GET", root, legacy: legacy, list)
        t.add("GET", root + "/{id}", legacy: legacy, get)
        t.add("DELETE", root + "/{id}", legacy: legacy, delete)
        t.add("GET", root + "/{id}/artifacts", legacy: legacy, artifacts)
        SharingRoutes.register(&t, root: root, legacy: legacy, kind: .repository)
    }

    @Sendable static func list(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(
            r.http, defaultLimit: r.legacy ? 100 : 10, legacy: r.legacy, orderFields: [.name, .createdAt])
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        let (items, total) = r.sandbox.read { world in
            let page = world.listRepositories(q, for: r.user)
            return (page.items.map { Documents.repository($0, world) }, page.totalCount)
        }
        return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                Documents.repository(try world.repository(r.parameter("id"), for: r.user), world)
            }
            return Responses.json(200, doc)
        }
    }

    /// The repository's artifacts, oldest first.
    @Sendable static func artifacts(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: r.legacy ? 100 : 10, legacy: r.legacy)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        return Responses.run { () throws(DomainError) in
            let (items, total) = try r.sandbox.execute { (world) throws(DomainError) in
                let repo = try world.repository(r.parameter("id"), for: r.user)
                let page = world.listArtifacts(q, statuses: nil, repositoryIds: [repo.id], for: r.user)
                return (page.items.map { Documents.artifact($0, world) }, page.totalCount)
            }
            return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
        }
    }

    /// `?cascade=true` deletes its artifacts too (409 if any backs a workload).
    @Sendable static func delete(_ r: APIRequest) -> HTTPResponse {
        var cascade = false
        for item in r.http.queryItems where item.name == "cascade" {
            switch item.value.lowercased() {
            case "true", "1", "yes", "on": cascade = true
            case "false", "0", "no", "off": continue
            default:
                return Responses.validation([
                    ValidationIssue(
                        loc: ["query", "cascade"], msg: "Input should be a valid boolean", type: "bool_parsing")
                ])
            }
        }
        return Responses.run { () throws(DomainError) in
            try r.sandbox.execute { (world) throws(DomainError) in
                try world.deleteRepository(r.parameter("id"), cascade: cascade, by: r.user)
            }
            return Responses.noContent
        }
    }
}
