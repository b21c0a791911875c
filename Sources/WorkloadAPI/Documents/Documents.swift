import JSON
import WorkloadEmulator

/// JSON documents of the API objects, keys in a fixed order (byte-reproducible).
/// Rendered inside the sandbox lock, from the world they describe.
enum Documents {
    static func user(_ id: String, _ world: World) -> JSONValue {
        let name = world.usersById[id]?.username
        return ["id": .string(id), "username": .optional(name)]
    }

    static let ownerPermissions: JSONValue = ["CAN_DELETE", "CAN_INVOKE", "CAN_SHARE", "CAN_UPDATE", "CAN_VIEW"]

    static func permissions(_ role: Role?) -> JSONValue {
        switch role {
        case .owner: return ownerPermissions
        case .user: return ["CAN_INVOKE", "CAN_VIEW"]
        case .consumer: return ["CAN_INVOKE"]
        case nil: return []
        }
    }

    static func workload(_ w: Workload, _ world: World, base: String, viewer: User?) -> JSONValue {
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
                    "type": .string(a.type),
                    "version": .optional(a.version), "artifactRepositoryId": .string(a.repositoryId),
                ])
        } else {
            o.append("artifact", .null)
        }
        o.append("runtime", w.runtime)
        o.append("endpoint", .string(base + "/api/v2/endpoints/workloads/\(w.id)/"))
        o.append("protonId", .optional(w.protonId))
        o.append("replacement", replacementSummary(w))
        o.append("creator", user(w.creatorId, world))
        o.append("owners", .array(w.roles.filter { $0.role == .owner }.map { user($0.userId, world) }))
        o.append("permissions", permissions(viewer.flatMap { world.role(of: $0, on: w) }))
        o.append("tags", [])
        o.append("type", "service")
        o.append("createdAt", .string(Timestamp.format(w.createdAt)))
        o.append("updatedAt", .string(Timestamp.format(w.updatedAt)))
        o.append("lastResponse", .null)
        o.append("statusDetails", w.protonId.flatMap { world.protons[$0] }.map { statusDetails($0, world) } ?? .null)
        return .object(o)
    }

    /// Pod-like conditions that match the proton's phase.
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
        var logTail: [JSONValue] = []
        if p.status == .errored, let m = p.failureMessage {
            logTail.append(.string("\(Timestamp.format(p.updatedAt)) ERROR \(m)"))
        }
        return ["logTail": .array(logTail), "conditions": .array(conditions)]
    }

    static func proton(_ p: Proton, _ world: World) -> JSONValue {
        [
            "id": .string(p.id), "workloadId": .string(p.workloadId), "status": .string(p.status.rawValue),
            "role": .string(p.role.rawValue), "artifactId": .string(p.artifactId),
            "replicaCount": .int(Int64(p.replicas)),
            "createdAt": .string(Timestamp.format(p.createdAt)), "updatedAt": .string(Timestamp.format(p.updatedAt)),
        ]
    }

    static func artifact(_ a: Artifact, _ world: World) -> JSONValue {
        [
            "id": .string(a.id), "name": .string(a.name), "description": .optional(a.description),
            "type": .string(a.type),
            "status": .string(a.status.rawValue), "version": .optional(a.version),
            "artifactRepositoryId": .string(a.repositoryId),
            "spec": a.spec, "creator": user(a.creatorId, world), "createdAt": .string(Timestamp.format(a.createdAt)),
            "updatedAt": .string(Timestamp.format(a.updatedAt)),
        ]
    }

    static func repository(_ r: ArtifactRepository, _ world: World) -> JSONValue {
        [
            "id": .string(r.id), "name": .string(r.name), "description": .optional(r.description),
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
    static func emulatorView(_ w: Workload, _ world: World) -> JSONValue {
        [
            "id": .string(w.id), "status": .string(w.status.rawValue), "now": .string(Timestamp.format(world.now)),
            "scheduled": .array(
                world.schedule(of: w).map { ["at": .string(Timestamp.format($0.at)), "to": .string($0.to.rawValue)] }),
            "expiresAt": w.expiresAt.map { .string(Timestamp.format($0)) } ?? .null,
            "lastStartAt": .string(Timestamp.format(w.lastStartAt)), "heldBy": .optional(w.heldBy),
            "protons": .array(world.protonsOf(w).map { proton($0, world) }),
        ]
    }

    static func clock(_ world: World) -> JSONValue {
        [
            "now": .string(Timestamp.format(world.clock.now())), "mode": .string(world.clock.mode.rawValue),
            "scale": .double(world.clock.scale),
        ]
    }
}
