import HTTPServer
import JSON
import WorkloadEmulator

/// `/api/v2/console/deployments` (v2.41 only).
enum DeploymentRoutes {
    static func register(_ t: inout RouteTable, root: String) {
        t.add("POST", root, legacy: true, create)
        t.add("GET", root, legacy: true, list)
        t.add("GET", root + "/{id}", legacy: true, get)
        t.add("PATCH", root + "/{id}", legacy: true, patch)
        t.add("DELETE", root + "/{id}", legacy: true, delete)
        t.add("GET", root + "/{id}/stats", legacy: true, stats)
    }

    @Sendable static func create(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.deploymentCreate)
        guard let body = parsed.value else { return parsed.failure! }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let d = try world.createDeployment(
                    name: body["name"]!.stringValue!, workloadId: body["workloadId"]!.stringValue!,
                    description: body["description"]?.stringValue,
                    importance: body["importance"]?.stringValue.flatMap(Importance.init) ?? .low, by: r.user)
                return Documents.deployment(d, world, base: r.base)
            }
            return Responses.json(201, doc)
        }
    }

    @Sendable static func list(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, legacy: true)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        let (items, total) = r.sandbox.read { world in
            let page = world.listDeployments(q, for: r.user)
            return (page.items.map { Documents.deployment($0, world, base: r.base) }, page.totalCount)
        }
        return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                Documents.deployment(try world.deployment(r.parameter("id"), for: r.user), world, base: r.base)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func patch(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.deploymentPatch)
        guard let body = parsed.value else { return parsed.failure! }
        let description: String?? = body["description"].map { $0.stringValue }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let d = try world.updateDeployment(
                    r.parameter("id"), name: body["name"]?.stringValue, description: description,
                    importance: body["importance"]?.stringValue.flatMap(Importance.init), by: r.user)
                return Documents.deployment(d, world, base: r.base)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func delete(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            try r.sandbox.execute { (world) throws(DomainError) in
                try world.deleteDeployment(r.parameter("id"), by: r.user)
            }
            return Responses.noContent
        }
    }

    /// The request statistics of the deployment's workload (its invocations, whichever
    /// route they came through).
    @Sendable static func stats(_ r: APIRequest) -> HTTPResponse {
        let q = StatsRoutes.Query(r.http)
        guard q.issues.isEmpty else { return Responses.validation(q.issues) }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) -> JSONValue in
                let d = try world.deployment(r.parameter("id"), for: r.user)
                var o = JSONObject()
                o.append("deploymentId", .string(d.id))
                let w = world.workloads[d.workloadId]
                let s = w.map { StatsRoutes.computed($0, world, q) } ?? RequestStats()
                let from = q.start ?? w.flatMap { $0.invocations.since ?? $0.createdAt } ?? d.createdAt
                o.append("period", StatsRoutes.period(from, q.end ?? world.now))
                o.append("metrics", Documents.metrics(s))
                return .object(o)
            }
            return Responses.json(200, doc)
        }
    }
}
