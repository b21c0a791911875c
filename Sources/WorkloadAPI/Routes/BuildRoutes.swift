import HTTPServer
import WorkloadEmulator

/// `/artifacts/{id}/builds`: trigger, list, get, delete, and the log as NDJSON.
enum BuildRoutes {
    static func register(_ t: inout RouteTable, root: String, legacy: Bool) {
        t.add("POST", root + "/{id}/builds", legacy: legacy, trigger)
        t.add("GET", root + "/{id}/builds", legacy: legacy, list)
        t.add("GET", root + "/{id}/builds/{buildId}", legacy: legacy, get)
        t.add("DELETE", root + "/{id}/builds/{buildId}", legacy: legacy, delete)
        t.add("GET", root + "/{id}/builds/{buildId}/logs", legacy: legacy, logs)
    }

    /// The one non-JSON content type of the API: `text/plain`, one JSON object per line.
    static let ndjson = "text/plain"

    @Sendable static func trigger(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.action, emptyIsObject: true)
        guard parsed.value != nil else { return parsed.failure! }
        return Responses.run { () throws(DomainError) in
            let b = try r.sandbox.execute { (world) throws(DomainError) in
                try world.triggerBuild(r.parameter("id"), by: r.user)
            }
            return Responses.json(202, ["buildIds": [.string(b.id)]])
        }
    }

    @Sendable static func list(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: r.legacy ? 100 : 10, legacy: r.legacy)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        return Responses.run { () throws(DomainError) in
            let (items, total) = try r.sandbox.execute { (world) throws(DomainError) in
                let all = try world.builds(of: r.parameter("id"), for: r.user)
                let start = min(q.offset, all.count)
                return (all[start..<min(start + q.limit, all.count)].map { Documents.build($0, world) }, all.count)
            }
            return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
        }
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                Documents.build(try world.build(r.parameter("buildId"), of: r.parameter("id"), for: r.user), world)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func delete(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            try r.sandbox.execute { (world) throws(DomainError) in
                try world.deleteBuild(r.parameter("buildId"), of: r.parameter("id"), by: r.user)
            }
            return Responses.noContent
        }
    }

    @Sendable static func logs(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let body = try r.sandbox.execute { (world) throws(DomainError) in
                Documents.buildLog(try world.build(r.parameter("buildId"), of: r.parameter("id"), for: r.user))
            }
            var headers = HTTPHeaders()
            headers.set("Content-Type", ndjson)
            return HTTPResponse(status: 200, headers: headers, body: body)
        }
    }
}
