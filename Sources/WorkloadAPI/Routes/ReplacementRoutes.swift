import HTTPServer
import JSON
import WorkloadEmulator

/// Settings, rolling replacement, history, related objects and proton status details
/// of a workload.
enum ReplacementRoutes {
    static func register(_ t: inout RouteTable, root: String, legacy: Bool) {
        t.add("GET", root + "/{id}/settings", legacy: legacy, getSettings)
        t.add("PATCH", root + "/{id}/settings", legacy: legacy, patchSettings)
        t.add("POST", root + "/{id}/replacement", legacy: legacy, create)
        t.add("GET", root + "/{id}/replacement", legacy: legacy, get)
        t.add("DELETE", root + "/{id}/replacement", legacy: legacy, cancel)
        t.add("GET", root + "/{id}/history", legacy: legacy, history)
        t.add("GET", root + "/{id}/related", legacy: legacy, related)
        t.add("GET", root + "/{id}/protons/{protonId}/statusDetails", legacy: legacy, statusDetails)
    }

    @Sendable static func getSettings(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc: JSONValue = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.workload(r.parameter("id"), for: r.user)
                return ["runtime": w.runtime]
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func patchSettings(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.settings(legacy: r.legacy)) {
            Schemas.runtimeRules($0["runtime"], loc: ["body", "runtime"])
        }
        guard let body = parsed.value else { return parsed.failure! }
        let runtime = Schemas.normalizedRuntime(body["runtime"]) ?? JSONValue.emptyRuntime
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let id = r.parameter("id")
                return Documents.replacement(
                    try world.updateSettings(id, runtime: runtime, by: r.user), workloadId: id, world)
            }
            return Responses.json(202, doc)
        }
    }

    @Sendable static func create(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.replacement(legacy: r.legacy)) {
            Schemas.runtimeRules($0["runtime"], loc: ["body", "runtime"])
        }
        guard let body = parsed.value else { return parsed.failure! }
        // `.none`, not `nil`: JSONValue is ExpressibleByNilLiteral, so a `nil` beside a
        // JSONValue reads as `JSONValue.null`, and `"runtime": null` left the workload
        // with a null runtime.
        var runtime = Schemas.normalizedRuntime(body["runtime"])
        if runtime?.isNull == true { runtime = .none }
        let request = World.ReplacementRequest(
            artifactId: body["artifactId"]?.stringValue, runtime: runtime,
            warmupMinutes: body["config"]?["warmupDurationMinutes"]?.exactInt ?? 0,
            keepMinutes: body["config"]?["keepOldVersionMinutes"]?.exactInt ?? 0)
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let id = r.parameter("id")
                return Documents.replacement(try world.startReplacement(id, request, by: r.user), workloadId: id, world)
            }
            return Responses.json(202, doc)
        }
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let id = r.parameter("id")
                return Documents.replacement(try world.replacement(of: id, for: r.user), workloadId: id, world)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func cancel(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let id = r.parameter("id")
                return Documents.replacement(try world.cancelReplacement(id, by: r.user), workloadId: id, world)
            }
            return Responses.json(202, doc)
        }
    }

    /// Finished replacements and promotions, oldest first.
    @Sendable static func history(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 10, legacy: r.legacy)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        return Responses.run { () throws(DomainError) in
            let (items, total) = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.workload(r.parameter("id"), for: r.user)
                let all = w.history
                let start = min(q.offset, all.count)
                return (
                    all[start..<min(start + q.limit, all.count)].map { Documents.history($0, w) },
                    all.count
                )
            }
            return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
        }
    }

    /// Its artifact, that artifact's repository, and its protons (`ResourceTypes` has no
    /// deployment).
    @Sendable static func related(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let items: [JSONValue] = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.workload(r.parameter("id"), for: r.user)
                var out: [JSONValue] = [["id": .string(w.artifactId), "type": "artifact"]]
                if let a = world.artifacts[w.artifactId] {
                    out.append(["id": .string(a.repositoryId), "type": "artifact_repository"])
                }
                for pid in w.protonIds where world.protons[pid] != nil {
                    out.append(["id": .string(pid), "type": "proton"])
                }
                return out
            }
            return Responses.json(200, ["count": .int(Int64(items.count)), "data": .array(items)])
        }
    }

    /// 204 with no body until the proton is scheduled (DataRobot's client reads an
    /// empty body as "no snapshot yet").
    @Sendable static func statusDetails(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc: JSONValue? = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.workload(r.parameter("id"), for: r.user)
                let pid = r.parameter("protonId")
                guard w.protonIds.contains(pid), let p = world.protons[pid] else {
                    throw .notFound("Proton not found.")
                }
                return Documents.protonSnapshot(p, world)
            }
            guard let doc else { return Responses.noContent }
            return Responses.json(200, doc)
        }
    }
}
