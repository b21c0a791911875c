import JSON
import WorkloadEmulator

/// Documents of the operate routes: replacements, history, proton snapshots, builds, shares, stats.
extension Documents {
    /// The workload's `replacement` field: null, or the one in flight (or errored).
    static func replacementSummary(_ w: Workload) -> JSONValue {
        guard let r = w.replacement else { return .null }
        return [
            "candidateProtonIds": .array(r.candidateProtonId.map { [.string($0)] } ?? []),
            "status": .string(r.status.rawValue), "strategy": .string(r.strategy),
        ]
    }

    static func replacement(_ r: Replacement, workloadId: String) -> JSONValue {
        var o = JSONObject()
        o.append("id", .string(r.id))
        o.append("workloadId", .string(workloadId))
        o.append("status", .string(r.status.rawValue))
        o.append("strategy", .string(r.strategy))
        o.append("artifactId", .string(r.toArtifactId))
        o.append("previousArtifactId", .string(r.fromArtifactId))
        o.append("runtime", r.toRuntime)
        o.append(
            "config",
            [
                "warmupDurationMinutes": .int(Int64(r.warmupMinutes)),
                "keepOldVersionMinutes": .int(Int64(r.keepMinutes)),
            ])
        o.append("candidateProtonIds", .array(r.candidateProtonId.map { [.string($0)] } ?? []))
        o.append("previousProtonId", .optional(r.oldProtonId))
        o.append("trigger", .string(r.trigger))
        o.append("message", .optional(r.failureMessage))
        o.append("createdBy", .string(r.actorId))
        o.append("createdAt", .string(Timestamp.format(r.createdAt)))
        o.append("updatedAt", .string(Timestamp.format(r.updatedAt)))
        o.append("completedAt", r.completedAt.map { .string(Timestamp.format($0)) } ?? .null)
        return .object(o)
    }

    static func history(_ h: HistoryEntry, workloadId: String) -> JSONValue {
        var o = JSONObject()
        o.append("id", .string(h.id))
        o.append("workloadId", .string(workloadId))
        o.append("type", .string(h.kind.rawValue))
        o.append("status", .string(h.status))
        o.append("fromArtifactId", .string(h.fromArtifactId))
        o.append("toArtifactId", .string(h.toArtifactId))
        o.append("replacementId", .optional(h.replacementId))
        o.append("trigger", .optional(h.trigger))
        o.append("actorId", .optional(h.actorId))
        o.append("startedAt", .string(Timestamp.format(h.startedAt)))
        o.append("finishedAt", .string(Timestamp.format(h.finishedAt)))
        o.append("message", .optional(h.message))
        return .object(o)
    }

    /// Container names of the artifact's spec, in order ("main" when it names none).
    static func containerNames(_ artifact: Artifact?) -> [String] {
        var names: [String] = []
        for g in artifact?.spec["containerGroups"]?.arrayValue ?? [] {
            for (i, c) in (g["containers"]?.arrayValue ?? []).enumerated() {
                names.append(c["name"]?.stringValue ?? (i == 0 ? "main" : "container-\(i)"))
            }
        }
        return names.isEmpty ? ["main"] : names
    }

    /// GET /protons/{pid}/statusDetails: one pod-like entry per replica, nil (204)
    /// before the proton was scheduled.
    static func protonSnapshot(_ p: Proton, _ world: World) -> JSONValue? {
        guard let scheduledAt = p.scheduledAt else { return nil }
        let since = Timestamp.format(p.updatedAt)
        let scheduled = Timestamp.format(scheduledAt)
        func condition(_ type: String, _ ok: Bool, _ reason: String? = nil, _ message: String? = nil) -> JSONValue {
            [
                "type": .string(type), "status": .string(ok ? "True" : "False"),
                "lastTransitionTime": .string(ok && type == "PodScheduled" ? scheduled : since),
                "reason": .optional(reason), "message": .optional(message),
            ]
        }
        let failure = p.failureMessage
        let failureReason = failure.map { $0.contains(" ") ? "Error" : $0 }
        let phase: String
        let ready: Bool
        var conditions: [JSONValue]
        let state: JSONValue
        switch p.status {
        case .provisioning:
            phase = "Pending"
            ready = false
            conditions = [condition("PodScheduled", true), condition("Initialized", false, "ContainersInitializing")]
            state = ["waiting": ["reason": "PodInitializing", "message": nil]]
        case .launching:
            phase = "Pending"
            ready = false
            conditions = [
                condition("PodScheduled", true), condition("Initialized", true),
                condition("ContainersReady", false, "ContainersNotReady"),
                condition("Ready", false, "ContainersNotReady"),
            ]
            state = ["waiting": ["reason": "ContainerCreating", "message": nil]]
        case .warming:
            phase = "Running"
            ready = false
            conditions = [
                condition("PodScheduled", true), condition("Initialized", true),
                condition("ContainersReady", false, "ReadinessProbeWarmingUp"),
                condition("Ready", false, "ReadinessProbeWarmingUp"),
            ]
            state = ["running": ["startedAt": .string(since)]]
        case .running:
            phase = "Running"
            ready = true
            conditions = [
                condition("PodScheduled", true), condition("Initialized", true), condition("ContainersReady", true),
                condition("Ready", true),
            ]
            state = ["running": ["startedAt": .string(since)]]
        case .stopping, .draining:
            phase = "Running"
            ready = false
            conditions = [
                condition("PodScheduled", true), condition("Initialized", true),
                condition("ContainersReady", false, "Terminating"), condition("Ready", false, "Terminating"),
            ]
            state = ["running": ["startedAt": .string(scheduled)]]
        case .errored:
            phase = "Failed"
            ready = false
            conditions = [
                condition("PodScheduled", true), condition("Initialized", true),
                condition("ContainersReady", false, failureReason, failure),
                condition("Ready", false, failureReason, failure),
            ]
            state = ["waiting": ["reason": .optional(failureReason), "message": .optional(failure)]]
        default:
            phase = "Succeeded"
            ready = false
            conditions = [condition("PodScheduled", true), condition("Ready", false, "PodCompleted")]
            state = ["terminated": ["reason": "Completed", "exitCode": 0, "finishedAt": .string(since)]]
        }
        let names = containerNames(world.artifacts[p.artifactId])
        let replicas: [JSONValue] = (0..<max(1, p.replicas)).map { i in
            [
                "name": .string("proton-\(p.id.prefix(8))-\(i)"), "phase": .string(phase), "ready": .bool(ready),
                "conditions": .array(conditions),
                "containerStatuses": .array(
                    names.map { n in
                        [
                            "name": .string(n), "ready": .bool(ready), "restartCount": 0, "state": state,
                        ]
                    }),
            ]
        }
        return [
            "protonId": .string(p.id), "status": .string(p.status.rawValue), "role": .string(p.role.rawValue),
            "replicaCount": .int(Int64(max(1, p.replicas))),
            "readyReplicas": .int(Int64(ready ? max(1, p.replicas) : 0)),
            "replicas": .array(replicas), "updatedAt": .string(since),
        ]
    }

    static func build(_ b: ArtifactBuild) -> JSONValue {
        [
            "id": .string(b.id), "artifactId": .string(b.artifactId), "status": .string(b.status.rawValue),
            "imageUri": .optional(b.imageUri), "createdAt": .string(Timestamp.format(b.createdAt)),
            "updatedAt": .string(Timestamp.format(b.updatedAt)),
            "completedAt": b.status == .completed ? .string(Timestamp.format(b.updatedAt)) : .null,
        ]
    }

    /// The build log, one JSON object per line (NDJSON).
    static func buildLog(_ b: ArtifactBuild) -> [UInt8] {
        var out: [UInt8] = []
        for (status, at) in b.transitions {
            let message: String
            switch status {
            case .pending: message = "Build \(b.id) queued"
            case .inProgress: message = "Building image for artifact \(b.artifactId)"
            case .built: message = "Image built; pushing"
            case .completed: message = "Build completed: \(b.imageUri ?? "")"
            }
            let line: JSONValue = [
                "timestamp": .string(Timestamp.format(at)), "level": "info", "status": .string(status.rawValue),
                "message": .string(message),
            ]
            out += JSONSerializer.serialize(line)
            out.append(10)
        }
        return out
    }

    static func sharedRole(_ userId: String, _ role: Role, _ world: World) -> JSONValue {
        let name = world.usersById[userId]?.username
        return [
            "id": .string(userId), "name": .optional(name), "username": .optional(name), "role": .string(role.rawValue),
            "shareRecipientType": "user",
        ]
    }

    static func stats(_ s: RequestStats) -> JSONObject {
        var o = JSONObject()
        o.append("totalRequests", .int(Int64(s.totalRequests)))
        o.append("requestsPerMinute", .double(s.requestsPerMinute))
        o.append("concurrentRequests", .int(Int64(s.concurrentRequests)))
        o.append("responseTime", s.responseTime.map { .double($0) } ?? .null)
        o.append("slowRequests", .int(Int64(s.slowRequests)))
        o.append("serverErrorCount", .int(Int64(s.serverErrorCount)))
        o.append("userErrorCount", .int(Int64(s.userErrorCount)))
        o.append("serverErrorRate", .double(s.serverErrorRate))
        o.append("userErrorRate", .double(s.userErrorRate))
        o.append("totalErrorRate", .double(s.totalErrorRate))
        return o
    }
}
