import JSON
import WorkloadEmulator

/// JSON documents of the API objects, keys in a fixed order (byte-reproducible).
/// Rendered inside the sandbox lock, from the world they describe.
enum Documents {
    static func user(_ id: String, _ world: World) -> JSONValue {
        let name = world.usersById[id]?.username
        return ["id": .string(id), "username": .optional(name)]
    }

    /// `ResourcePermission` values, in the enum's order; invoking is `CAN_MAKE_PREDICTIONS`.
    static let ownerPermissions: JSONValue = [
        "CAN_VIEW", "CAN_UPDATE", "CAN_DELETE", "CAN_SHARE", "CAN_MAKE_PREDICTIONS", "CAN_SHARE_ROLE_OWNER",
        "CAN_SHARE_ROLE_READ_WRITE", "CAN_SHARE_ROLE_READ_ONLY",
    ]

    static func permissions(_ role: Role?) -> JSONValue {
        switch role {
        case .owner: return ownerPermissions
        case .user: return ["CAN_VIEW", "CAN_MAKE_PREDICTIONS"]
        case .consumer: return ["CAN_MAKE_PREDICTIONS"]
        case nil: return []
        }
    }

    /// `ArtifactType` of v11.5 is `service` or `nim`: an `agent` artifact (the Terraform
    /// provider's newer type) is kept as such and shown as a service.
    static func shownType(_ type: String?) -> String {
        type == "nim" ? "nim" : "service"
    }

    /// `Replacement.tenantId` is a UUID4: one per user, derived from its id so that it
    /// is the same in every run.
    static func tenantId(_ userId: String) -> String {
        let a = IdGenerator.hex(IdGenerator.fnv1a("tenant:" + userId), digits: 16)
        let b = IdGenerator.hex(IdGenerator.fnv1a("tenant2:" + userId), digits: 16)
        let h = Array(a + b)
        func part(_ r: Range<Int>) -> String { String(h[r]) }
        let variant = ["8", "9", "a", "b"][Int(h[16].hexDigitValue ?? 0) & 3]
        return "\(part(0..<8))-\(part(8..<12))-4\(part(13..<16))-\(variant)\(part(17..<20))-\(part(20..<32))"
    }

    static func workload(
        _ w: Workload, _ world: World, base: String, viewer: User?, serviceStats: Bool = false
    ) -> JSONValue {
        var o = JSONObject()
        o.append("id", .string(w.id))
        o.append("name", .string(w.name))
        o.append("description", .optional(w.description))
        o.append("importance", .string(w.importance.rawValue))
        o.append("status", .string(w.status.rawValue))
        o.append("artifactId", .string(w.artifactId))
        if let a = world.artifacts[w.artifactId] {
            o.append(
                "artifact",
                [
                    "id": .string(a.id), "name": .string(a.name), "status": .string(a.status.rawValue),
                    "type": .string(shownType(a.type)),
                    "version": .optional(a.version), "artifactRepositoryId": .string(a.repositoryId),
                ])
        } else {
            o.append("artifact", .null)
        }
        o.append("runtime", runtime(w.runtime))
        o.append("endpoint", .string(endpoint(ofWorkload: w.id, base: base)))
        o.append("protonId", .optional(w.protonId))
        o.append("replacement", replacementSummary(w))
        o.append("creator", user(w.creatorId, world))
        o.append("owners", .array(w.roles.filter { $0.role == .owner }.map { user($0.userId, world) }))
        o.append("permissions", permissions(viewer.flatMap { world.role(of: $0, on: w) }))
        o.append("tags", [])
        o.append("type", .string(shownType(world.artifacts[w.artifactId]?.type)))
        o.append("createdAt", .string(Timestamp.format(w.createdAt)))
        o.append("updatedAt", .string(Timestamp.format(w.updatedAt)))
        o.append("lastResponse", lastResponse(w))
        o.append("requestStats", serviceStats ? requestStats(w, world) : .null)
        o.append("statusDetails", w.protonId.flatMap { world.protons[$0] }.map { statusDetails($0, world) } ?? .null)
        return .object(o)
    }

    /// The workload's `statusDetails` (README, difference D1): the active proton's log tail and
    /// pod-like conditions.
    static func statusDetails(_ p: Proton, _ world: World) -> JSONValue {
        func c(_ type: String, _ ok: Bool, _ reason: String? = nil, _ message: String? = nil) -> JSONValue {
            [
                "type": .string(type), "status": .string(ok ? "True" : "False"), "reason": .optional(reason),
                "message": .optional(message),
            ]
        }
        let conditions: [JSONValue]
        switch p.status {
        case .submitted: conditions = [c("PodScheduled", false, "Pending")]
        case .provisioning: conditions = [c("PodScheduled", true), c("Initialized", false, "ContainersInitializing")]
        case .launching:
            conditions = [
                c("PodScheduled", true), c("Initialized", true), c("ContainersReady", false, "ContainerCreating"),
                c("Ready", false, "ContainersNotReady"),
            ]
        case .running, .warming:
            conditions = [
                c("PodScheduled", true), c("Initialized", true), c("ContainersReady", true), c("Ready", true),
            ]
        case .stopping, .draining: conditions = [c("PodScheduled", true), c("Ready", false, "Terminating")]
        case .errored:
            conditions = [
                c("PodScheduled", true), c("Initialized", true),
                c("ContainersReady", false, "Failed", p.failureMessage), c("Ready", false, "Failed", p.failureMessage),
            ]
        default: conditions = []
        }
        return ["logTail": .array(logTail(p)), "conditions": .array(conditions)]
    }

    /// Where a workload's invocations go: the URL its `endpoint` field shows.
    static func endpoint(ofWorkload id: String, base: String) -> String {
        base + "/api/v2/endpoints/workloads/\(id)/"
    }

    /// `ProtonFormatted`. Its runtime is the workload's (a candidate's: the replacement's).
    /// `endpoint` is where the proton's traffic arrives: the workload's URL while it is the
    /// active proton; null for a candidate (no traffic before the switch) or a predecessor.
    static func proton(_ p: Proton, _ world: World, base: String) -> JSONValue {
        let w = world.workloads[p.workloadId]
        var rt = w?.runtime ?? JSONValue.emptyRuntime
        if p.role == .candidate, let r = w?.replacement, r.candidateProtonId == p.id { rt = r.toRuntime }
        var o = JSONObject()
        o.append("id", .string(p.id))
        o.append("name", .string(protonName(p, world)))
        o.append("workloadId", .string(p.workloadId))
        o.append("artifactId", .string(p.artifactId))
        o.append("status", .string(p.status.rawValue))
        o.append("role", .string(p.role.rawValue))
        o.append("runtime", runtime(rt))
        o.append("creator", w.map { user($0.creatorId, world) } ?? .null)
        o.append("runningSince", p.status == .running ? .string(Timestamp.format(p.updatedAt)) : .null)
        o.append("endpoint", w?.protonId == p.id ? .string(endpoint(ofWorkload: p.workloadId, base: base)) : .null)
        o.append("statusDetails", ["logTail": .array(logTail(p))])
        o.append("createdAt", .string(Timestamp.format(p.createdAt)))
        o.append("updatedAt", .string(Timestamp.format(p.updatedAt)))
        return .object(o)
    }

    /// A proton is named after its workload and its own id.
    static func protonName(_ p: Proton, _ world: World) -> String {
        "\(world.workloads[p.workloadId]?.name ?? "workload")-\(p.id.suffix(8))"
    }

    static func logTail(_ p: Proton) -> [JSONValue] {
        guard p.status == .errored, let m = p.failureMessage else { return [] }
        return [.string("\(Timestamp.format(p.updatedAt)) ERROR \(m)")]
    }

    /// `ArtifactFormatted`: the spec carries its `type` discriminator.
    static func artifact(_ a: Artifact, _ world: World, viewer: User? = nil) -> JSONValue {
        var o = JSONObject()
        o.append("id", .string(a.id))
        o.append("name", .string(a.name))
        o.append("description", .string(a.description ?? ""))
        o.append("type", .string(shownType(a.type)))
        o.append("status", .string(a.status.rawValue))
        o.append("version", .optional(a.version))
        o.append("artifactRepositoryId", .string(a.repositoryId))
        o.append("spec", spec(a.spec, type: a.type, build: a.buildIds.last.flatMap { world.builds[$0] }))
        o.append("creator", user(a.creatorId, world))
        o.append("permissions", permissions(viewer.flatMap { v in a.roles.first { $0.userId == v.id }?.role }))
        o.append("tags", [])
        o.append("createdAt", .string(Timestamp.format(a.createdAt)))
        o.append("updatedAt", .string(Timestamp.format(a.updatedAt)))
        return .object(o)
    }

    /// `ArtifactRepositoryFormatted` (it has no description).
    static func repository(_ r: ArtifactRepository, _ world: World) -> JSONValue {
        let type = shownType(r.artifactIds.first.flatMap { world.artifacts[$0]?.type })
        return [
            "id": .string(r.id), "name": .string(r.name), "type": .string(type), "tags": [],
            "lastVersionNumber": .int(Int64(r.lastVersionNumber)), "numArtifacts": .int(Int64(r.artifactIds.count)),
            "creator": user(r.creatorId, world), "createdAt": .string(Timestamp.format(r.createdAt)),
            "updatedAt": .string(Timestamp.format(r.updatedAt)),
        ]
    }

    static func deployment(_ d: Deployment, _ world: World, base: String) -> JSONValue {
        [
            "id": .string(d.id), "name": .string(d.name), "description": .optional(d.description),
            "importance": .string(d.importance.rawValue), "workloadId": .string(d.workloadId),
            "status": .string(world.workloads[d.workloadId]?.status.rawValue ?? "unknown"),
            "endpoint": .string(base + "/api/v2/endpoints/deployments/\(d.id)/"), "creator": user(d.creatorId, world),
            "createdAt": .string(Timestamp.format(d.createdAt)), "updatedAt": .string(Timestamp.format(d.updatedAt)),
        ]
    }

    /// The emulator's view of a workload: its schedule and TTL.
    static func emulatorView(_ w: Workload, _ world: World, base: String) -> JSONValue {
        [
            "id": .string(w.id), "status": .string(w.status.rawValue), "now": .string(Timestamp.format(world.now)),
            "scheduled": .array(
                world.schedule(of: w).map { ["at": .string(Timestamp.format($0.at)), "to": .string($0.to.rawValue)] }),
            "expiresAt": w.expiresAt.map { .string(Timestamp.format($0)) } ?? .null,
            "lastStartAt": .string(Timestamp.format(w.lastStartAt)), "heldBy": .optional(w.heldBy),
            "protons": .array(world.protonsOf(w).map { proton($0, world, base: base) }),
        ]
    }

    static func clock(_ world: World) -> JSONValue {
        [
            "now": .string(Timestamp.format(world.clock.now())), "mode": .string(world.clock.mode.rawValue),
            "scale": .double(world.clock.scale),
            // When the next scheduled transition is due: a client (replay among them) can
            // advance straight to it instead of stepping, and knows when nothing is pending.
            "nextTransitionAt": world.nextDue.map { .string(Timestamp.format($0)) } ?? .null,
        ]
    }
}
