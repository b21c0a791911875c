import HTTPServer
import JSON
import WorkloadEmulator

/// `/api/v2/workloads` (and `/api/v2/console/workloads`).
enum WorkloadRoutes {
    static func register(_ t: inout RouteTable, root: String, legacy: Bool) {
        t.add("POST", root, legacy: legacy, create)
        t.add("GET", root, legacy: legacy, list)
        t.add("GET", root + "/stats", legacy: legacy, StatsRoutes.aggregate)
        t.add("GET", root + "/{id}", legacy: legacy, get)
        t.add("PATCH", root + "/{id}", legacy: legacy, patch)
        t.add("DELETE", root + "/{id}", legacy: legacy, delete)
        t.add("POST", root + "/{id}/start", legacy: legacy, start)
        t.add("POST", root + "/{id}/stop", legacy: legacy, stop)
        t.add("POST", root + "/{id}/promote", legacy: legacy, promote)
        t.add("GET", root + "/{id}/events", legacy: legacy, events)
        t.add("GET", root + "/{id}/protons", legacy: legacy, protons)
        t.add("GET", root + "/{id}/protons/{protonId}", legacy: legacy, proton)
        ReplacementRoutes.register(&t, root: root, legacy: legacy)
        StatsRoutes.register(&t, root: root, legacy: legacy)
        SharingRoutes.register(&t, root: root, legacy: legacy, kind: .workload)
    }

    static func document(_ w: Workload, _ world: World, _ r: APIRequest) -> JSONValue {
        Documents.workload(w, world, base: r.base, viewer: r.user, serviceStats: serviceStats(r))
    }

    /// `serviceStats=true` fills each workload's `requestStats`.
    static func serviceStats(_ r: APIRequest) -> Bool {
        r.http.queryItems.contains {
            $0.name == "serviceStats" && ["true", "1", "yes", "on"].contains($0.value.lowercased())
        }
    }

    @Sendable static func create(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.workloadCreate(legacy: r.legacy), extra: Schemas.workloadRules)
        guard let body = parsed.value else { return parsed.failure! }
        var input = WorkloadInput(
            name: body["name"]?.stringValue, description: body["description"]?.stringValue,
            importance: body["importance"]?.stringValue.flatMap(Importance.init) ?? .low,
            runtime: Schemas.normalizedRuntime(body["runtime"]) ?? JSONValue.emptyRuntime,
            artifactId: body["artifactId"]?.stringValue)
        if let a = body["artifact"], !a.isNull {
            input.artifact = ArtifactRoutes.input(a, defaultName: input.name ?? "artifact")
        }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.createWorkload(input, by: r.user)
                return document(w, world, r)
            }
            return Responses.json(201, doc)
        }
    }

    @Sendable static func list(_ r: APIRequest) -> HTTPResponse {
        var lr = ListRequest(r.http, defaultLimit: r.legacy ? 100 : 10, legacy: r.legacy)
        lr.requireWorkloadStatuses()
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        let (items, total) = r.sandbox.read { world in
            let page = world.listWorkloads(q, for: r.user)
            return (page.items.map { document($0, world, r) }, page.totalCount)
        }
        return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                document(try world.workload(r.parameter("id"), for: r.user), world, r)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func patch(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.workloadPatch)
        guard let body = parsed.value else { return parsed.failure! }
        let description: String?? = body["description"].map { $0.stringValue }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.updateWorkload(
                    r.parameter("id"), name: body["name"]?.stringValue, description: description,
                    importance: body["importance"]?.stringValue.flatMap(Importance.init), by: r.user)
                return document(w, world, r)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func delete(_ r: APIRequest) -> HTTPResponse {
        let id = r.parameter("id")
        return Responses.run { () throws(DomainError) in
            let (unstoppable, rule) = try r.sandbox.execute { (world) throws(DomainError) in
                let left = try world.deleteWorkload(id, by: r.user, request: (r.http.method, r.routePath))
                return (left, left.isEmpty ? nil : world.lastDomainFault)
            }
            if unstoppable.isEmpty { return Responses.noContent }
            let list = unstoppable.joined(separator: ", ")
            let plural = unstoppable.count == 1 ? "proton \(list) could" : "protons \(list) could"
            var response = Responses.detail(
                r.configuration.partialDeleteStatus == 200 ? 200 : 502,
                "Workload \(id) was deleted, but \(plural) not be stopped.")
            // An injected answer: marked like those of the request-level rules.
            if let rule { response.headers.set("X-Emulator-Injected", rule) }
            return response
        }
    }

    static func operation(_ w: Workload, _ r: APIRequest) -> JSONValue {
        [
            "status": .string(w.status.rawValue), "workloadId": .string(w.id),
            "trackVia": .string(r.workloadsRoot + "/" + w.id),
        ]
    }

    @Sendable static func start(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.action, emptyIsObject: true)
        guard parsed.value != nil else { return parsed.failure! }
        return Responses.run { () throws(DomainError) in
            let (w, accepted) = try r.sandbox.execute { (world) throws(DomainError) in
                try world.startWorkload(r.parameter("id"), by: r.user)
            }
            return Responses.json(accepted ? 202 : 200, operation(w, r))
        }
    }

    @Sendable static func stop(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.action, emptyIsObject: true)
        guard parsed.value != nil else { return parsed.failure! }
        return Responses.run { () throws(DomainError) in
            let (w, accepted) = try r.sandbox.execute { (world) throws(DomainError) in
                try world.stopWorkload(r.parameter("id"), by: r.user)
            }
            return Responses.json(accepted ? 202 : 200, operation(w, r))
        }
    }

    @Sendable static func promote(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.action, emptyIsObject: true)
        guard parsed.value != nil else { return parsed.failure! }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                document(try world.promoteWorkload(r.parameter("id"), by: r.user), world, r)
            }
            return Responses.json(202, doc)
        }
    }

    /// Oldest first, in the §4 envelope (default limit 100, up to 1000).
    @Sendable static func events(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, maxLimit: 1000, legacy: r.legacy)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        return Responses.run { () throws(DomainError) in
            let (items, total) = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.workload(r.parameter("id"), for: r.user)
                let all = world.workloadEvents(w.id)
                let start = min(q.offset, all.count)
                return (all[start..<min(start + q.limit, all.count)].map { world.eventJSON($0) }, all.count)
            }
            return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
        }
    }

    @Sendable static func protons(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, legacy: r.legacy)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        return Responses.run { () throws(DomainError) in
            let (items, total) = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.workload(r.parameter("id"), for: r.user)
                // Active, candidate and a predecessor still draining: stopped ones are history.
                let live = world.protonsOf(w).filter {
                    $0.id == w.protonId || ($0.role == .candidate && $0.status != .terminated && $0.status != .stopped)
                        || $0.status == .draining
                }
                let start = min(q.offset, live.count)
                return (
                    live[start..<min(start + q.limit, live.count)].map { Documents.proton($0, world, base: r.base) },
                    live.count
                )
            }
            return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
        }
    }

    @Sendable static func proton(_ r: APIRequest) -> HTTPResponse {
        Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.workload(r.parameter("id"), for: r.user)
                guard w.protonIds.contains(r.parameter("protonId")), let p = world.protons[r.parameter("protonId")]
                else {
                    throw .notFound("Proton not found.")
                }
                return Documents.proton(p, world, base: r.base)
            }
            return Responses.json(200, doc)
        }
    }
}
