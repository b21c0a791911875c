import HTTPServer
import WorkloadEmulator

/// `GET|PATCH …/{id}/sharedRoles` on workloads, artifacts and repositories.
enum SharingRoutes {
    static func register(_ t: inout RouteTable, root: String, legacy: Bool, kind: World.SharedObject) {
        t.add("GET", root + "/{id}/sharedRoles", legacy: legacy) { r in get(r, kind) }
        t.add("PATCH", root + "/{id}/sharedRoles", legacy: legacy) { r in patch(r, kind) }
    }

    static func get(_ r: APIRequest, _ kind: World.SharedObject) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, legacy: r.legacy)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        let q = lr.query
        return Responses.run { () throws(DomainError) in
            let (items, total) = try r.sandbox.execute { (world) throws(DomainError) in
                let roles = try world.sharedRoles(kind, r.parameter("id"), for: r.user)
                let start = min(q.offset, roles.count)
                return (
                    roles[start..<min(start + q.limit, roles.count)].map {
                        Documents.sharedRole($0.userId, $0.role, world)
                    }, roles.count
                )
            }
            return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
        }
    }

    static func patch(_ r: APIRequest, _ kind: World.SharedObject) -> HTTPResponse {
        if kind == .repository, case .failure = r.jsonBody() {
            // The contract documents no 400 here; 422 `json_invalid` is what the real
            // service's framework answers for a body that is not JSON.
            return Responses.validation([
                ValidationIssue(loc: ["body"], msg: "JSON decode error", type: "json_invalid")
            ])
        }
        let parsed = r.validatedBody(Schemas.sharedRoles, extra: Schemas.sharingRules)
        guard let body = parsed.value else { return parsed.failure! }
        let entries = body["roles"]?.arrayValue ?? []
        if let other = entries.first(where: { $0["shareRecipientType"]?.stringValue != "user" }) {
            let kind = other["shareRecipientType"]?.stringValue ?? ""
            let name = other["id"]?.stringValue ?? other["username"]?.stringValue ?? ""
            return Responses.detail(404, "The emulator has no \(kind) '\(name)': only users can be shared with.")
        }
        let grants: [World.RoleGrant] = entries.map { e in
            World.RoleGrant(
                userId: e["id"]?.stringValue, username: e["username"]?.stringValue,
                role: (e["role"]?.stringValue).flatMap { Schemas.sharingRole($0) } ?? nil)
        }
        return Responses.run { () throws(DomainError) in
            try r.sandbox.execute { (world) throws(DomainError) in
                try world.updateSharedRoles(kind, r.parameter("id"), grants, by: r.user)
            }
            return Responses.noContent
        }
    }
}
