import HTTPServer
import JSON
import WorkloadEmulator

/// `/api/v2/artifacts` (and `/api/v2/registry/artifacts`).
enum ArtifactRoutes {
    static func register(_ t: inout RouteTable, root: String, legacy: Bool) {
        t.add("POST", root, legacy: legacy, create)
        t.add("GET", root, legacy: legacy, list)
        t.add("GET", root + "/{id}", legacy: legacy, get)
        t.add("PUT", root + "/{id}", legacy: legacy, put)
        t.add("PATCH", root + "/{id}", legacy: legacy, patch)
        t.add("DELETE", root + "/{id}", legacy: legacy, delete)
        t.add("POST", root + "/{id}/clone", legacy: legacy, clone)
        BuildRoutes.register(&t, root: root, legacy: legacy)
        SharingRoutes.register(&t, root: root, legacy: legacy, kind: .artifact)
    }

    /// `registered` (v2.41) reads as `locked`.
    static func status(_ v: JSONValue?) -> ArtifactStatus? {
        guard let s = v?.stringValue else { return nil }
        return s == "registered" ? .locked : ArtifactStatus(rawValue: s)
    }

    static func input(_ body: JSONValue, defaultName: String) -> ArtifactInput {
        ArtifactInput(
            name: body["name"]?.stringValue ?? defaultName, description: body["description"]?.stringValue,
            type: body["type"]?.stringValue ?? body["spec"]?["type"]?.stringValue ?? "service",
            spec: body["spec"] ?? JSONValue.emptyRuntime,
            repositoryId: body["artifactRepositoryId"]?.stringValue, status: status(body["status"]) ?? .draft)
    }

    @Sendable static func create(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.artifact(nameRequired: true, legacy: r.legacy)) {
            Schemas.runtimeRules($0["spec"], loc: ["body", "spec"])
        }
        guard let body = parsed.value else { return parsed.failure! }
        let inp = input(body, defaultName: "artifact")
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                do throws(DomainError) {
                    return Documents.artifact(try world.createArtifact(inp, by: r.user), world, viewer: r.user)
                } catch {
                    // The contract documents no 404 for a create: an unknown repository is a bad field.
                    if case let .notFound(message) = error { throw .unprocessable(message) }
                    throw error
                }
            }
            return Responses.json(201, doc)
        }
    }

    @Sendable static func list(_ r: APIRequest) -> HTTPResponse {
        var lr = ListRequest(
            r.http, defaultLimit: r.legacy ? 100 : 10, legacy: r.legacy,
            orderFields: [.name, .createdAt, .updatedAt, .status])
        var statuses: [ArtifactStatus]?
        for s in lr.extra["status"] ?? [] {
            if let st = status(.string(s)), r.legacy || s != "registered" {
                statuses = (statuses ?? []) + [st]
            } else {
                lr.issues.append(
                    ValidationIssue(loc: ["query", "status"], msg: "Input should be 'draft' or 'locked'", type: "enum"))
            }
        }
        // `status=locked` parses as no workload status, so it lands in `extra`; a
        // value that is both (none today) would be read as a workload status.
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        let statusFilter = statuses ?? q.artifactStatus
        let (items, total) = r.sandbox.read { world in
            let page = world.listArtifacts(q, statuses: statusFilter, repositoryIds: q.repositoryIds, for: r.user)
            return (page.items.map { Documents.artifact($0, world, viewer: r.user) }, page.totalCount)
        }
        return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                Documents.artifact(try world.artifact(r.parameter("id"), for: r.user), world, viewer: r.user)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func put(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.artifact(nameRequired: true, legacy: r.legacy)) {
            Schemas.runtimeRules($0["spec"], loc: ["body", "spec"])
        }
        guard let body = parsed.value else { return parsed.failure! }
        let inp = input(body, defaultName: "artifact")
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                Documents.artifact(
                    try world.replaceArtifact(r.parameter("id"), with: inp, by: r.user), world, viewer: r.user)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func patch(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.artifactPatch(legacy: r.legacy)) {
            Schemas.runtimeRules($0["spec"], loc: ["body", "spec"])
        }
        guard let body = parsed.value else { return parsed.failure! }
        let description: String?? = body["description"].map { $0.stringValue }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let spec = body["spec"].flatMap { $0.isNull ? nil : $0 }
                let a = try world.patchArtifact(
                    r.parameter("id"), name: body["name"]?.stringValue, description: description, spec: spec,
                    status: status(body["status"]), by: r.user)
                return Documents.artifact(a, world, viewer: r.user)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func delete(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            try r.sandbox.execute { (world) throws(DomainError) in
                try world.deleteArtifact(r.parameter("id"), by: r.user)
            }
            return Responses.noContent
        }
    }

    @Sendable static func clone(_ r: APIRequest) -> HTTPResponse {
        // The v2.41 clone under the legacy prefix takes no body.
        let parsed = r.validatedBody(Schemas.clone(legacy: r.legacy), emptyIsObject: r.legacy)
        guard let body = parsed.value else { return parsed.failure! }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                Documents.artifact(
                    try world.cloneArtifact(r.parameter("id"), name: body["name"]?.stringValue, by: r.user), world,
                    viewer: r.user)
            }
            return Responses.json(200, doc)
        }
    }
}
