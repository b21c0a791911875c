import JSON
import WorkloadEmulator

/// Documents of replacements, history, proton snapshots, builds, shares and stats.
extension Documents {
    /// The workload's `replacement` field: null, or the one in flight (or errored).
    static func replacementSummary(_ w: Workload) -> JSONValue {
        guard let r = w.replacement else { return .null }
        return [
            "candidateProtonIds": .array(r.candidateProtonId.map { [.string($0)] } ?? []),
            "status": .string(status(r.status)), "strategy": .string(r.strategy),
        ]
    }

    /// `ReplacementStatus` has no `cancelled`: a cancelled replacement is `deleting`
    /// and marked deleted.
    static func status(_ s: Replacement.Status) -> String {
        s == .cancelled ? "deleting" : s.rawValue
    }

    /// `Replacement`, named after its workload; `userId` is who started it.
    static func replacement(_ r: Replacement, workloadId: String, _ world: World) -> JSONValue {
        let cancelled = r.status == .cancelled
        var o = JSONObject()
        o.append("id", .string(r.id))
        o.append("name", .string(world.workloads[workloadId]?.name ?? workloadId))
        o.append("workloadId", .string(workloadId))
        o.append("userId", .string(r.actorId))
        o.append("tenantId", .string(tenantId(r.actorId)))
        o.append("candidateArtifactId", .string(r.toArtifactId))
        o.append("candidateProtonIds", .array(r.candidateProtonId.map { [.string($0)] } ?? []))
        o.append("previousProtonIds", .array(r.oldProtonId.map { [.string($0)] } ?? []))
        o.append("status", .string(status(r.status)))
        o.append("strategy", .string(r.strategy))
        o.append(
            "config",
            [
                "warmupDurationMinutes": .int(Int64(r.warmupMinutes)),
                "keepOldVersionMinutes": .int(Int64(r.keepMinutes)),
            ])
        o.append("runtime", runtime(r.toRuntime))
        o.append("message", .optional(r.failureMessage))
        o.append(
            "switchedAt", r.status == .completed ? .string(Timestamp.format(r.completedAt ?? r.updatedAt)) : .null)
        o.append("isDeleted", .bool(cancelled))
        o.append("deletedAt", cancelled ? .string(Timestamp.format(r.completedAt ?? r.updatedAt)) : .null)
        o.append("createdAt", .string(Timestamp.format(r.createdAt)))
        o.append("updatedAt", .string(Timestamp.format(r.updatedAt)))
        return .object(o)
    }

    /// A history entry as a `Replacement`: a finished replacement under its own id, or
    /// a promotion (completed at once, onto the artifact it locked).
    static func history(_ h: HistoryEntry, _ w: Workload) -> JSONValue {
        let cancelled = h.status == Replacement.Status.cancelled.rawValue
        let actor = h.actorId ?? w.creatorId
        var o = JSONObject()
        o.append("id", .string(h.replacementId ?? h.id))
        o.append("name", .string(w.name))
        o.append("workloadId", .string(w.id))
        o.append("userId", .string(actor))
        o.append("tenantId", .string(tenantId(actor)))
        o.append("candidateArtifactId", .string(h.toArtifactId))
        o.append("status", .string(cancelled ? "deleting" : h.status))
        o.append("strategy", "rolling")
        o.append("message", .optional(h.message))
        o.append("switchedAt", h.status == "completed" ? .string(Timestamp.format(h.finishedAt)) : .null)
        o.append("isDeleted", .bool(cancelled))
        o.append("deletedAt", cancelled ? .string(Timestamp.format(h.finishedAt)) : .null)
        o.append("createdAt", .string(Timestamp.format(h.startedAt)))
        o.append("updatedAt", .string(Timestamp.format(h.finishedAt)))
        return .object(o)
    }

    /// Container names and images of the artifact's spec, in order ("main" when it names none).
    static func containers(_ artifact: Artifact?) -> [(name: String, image: String)] {
        var out: [(String, String)] = []
        for g in artifact?.spec["containerGroups"]?.arrayValue ?? [] {
            for (i, c) in (g["containers"]?.arrayValue ?? []).enumerated() {
                out.append(
                    (c["name"]?.stringValue ?? (i == 0 ? "main" : "container-\(i)"), c["imageUri"]?.stringValue ?? ""))
            }
        }
        return out.isEmpty ? [("main", "")] : out
    }

    /// GET /protons/{pid}/statusDetails: `ReplicaStatusesSnapshot`, one entry per replica;
    /// nil (204) before the proton was scheduled. An injected failure's message is in
    /// the summary.
    static func protonSnapshot(_ p: Proton, _ world: World) -> JSONValue? {
        guard let scheduledAt = p.scheduledAt else { return nil }
        let since = Timestamp.format(p.updatedAt)
        let scheduled = Timestamp.format(scheduledAt)
        let count = max(1, p.replicas)
        // (replica phase, container status, ready, conditions met: scheduled, initialized, containersReady, ready)
        let phase: String
        let container: String
        let ready: Bool
        var met: [Bool]
        switch p.status {
        case .provisioning: (phase, container, ready, met) = ("pending", "waiting", false, [true, false, false, false])
        case .launching: (phase, container, ready, met) = ("pending", "waiting", false, [true, true, false, false])
        case .warming: (phase, container, ready, met) = ("running", "running", false, [true, true, false, false])
        case .running: (phase, container, ready, met) = ("running", "running", true, [true, true, true, true])
        case .stopping, .draining:
            (phase, container, ready, met) = ("running", "running", false, [true, true, false, false])
        case .errored: (phase, container, ready, met) = ("failed", "waiting", false, [true, true, false, false])
        case .stopped, .terminated:
            (phase, container, ready, met) = ("succeeded", "terminated", false, [true, true, false, false])
        default: (phase, container, ready, met) = ("unknown", "unknown", false, [true, false, false, false])
        }
        let started: JSONValue = container == "waiting" || container == "unknown" ? .null : .string(scheduled)
        let summary: String
        switch p.status {
        case .errored: summary = "0/\(count) replicas ready: \(p.failureMessage ?? "the containers failed")"
        case .running: summary = "\(count)/\(count) replicas ready"
        default: summary = "\(ready ? count : 0)/\(count) replicas ready; proton is \(p.status.rawValue)"
        }
        let types = ["PodScheduled", "Initialized", "ContainersReady", "Ready"]
        let conditions: [JSONValue] = zip(types, met).map { type, ok in
            [
                "type": .string(type), "met": .bool(ok),
                "since": .string(ok && type == "PodScheduled" ? scheduled : since),
            ]
        }
        let images = containers(world.artifacts[p.artifactId])
        let seed = IdGenerator.fnv1a(p.id)
        let replicas: [JSONValue] = (0..<count).map { i in
            [
                "name": .string("proton-\(p.id.suffix(8))-\(i)"), "status": .string(phase),
                "address": .string("10.\(40 + seed % 100).\((seed >> 8) % 250).\(10 + i % 240)"),
                "nodeAddress": .string("10.0.\((seed >> 16) % 250).\(1 + i % 8)"),
                "startedAt": started, "conditions": .array(conditions),
                "containers": .array(
                    images.map { c in
                        [
                            "name": .string(c.name), "status": .string(container), "startedAt": started,
                            "ready": .bool(ready), "restartCount": .int(p.status == .errored ? 3 : 0),
                            "image": .string(c.image),
                        ]
                    }),
            ]
        }
        return [
            "overallStatus": [
                "state": .string(p.status.rawValue), "summary": .string(summary), "lastUpdated": .string(since),
            ],
            "replicas": .array(replicas),
        ]
    }

    /// `ImageBuildFormatted`, named after its artifact.
    static func build(_ b: ArtifactBuild, _ world: World) -> JSONValue {
        var o = JSONObject()
        o.append("id", .string(b.id))
        o.append("name", .string("\(world.artifacts[b.artifactId]?.name ?? "artifact")-build-\(b.id.suffix(8))"))
        o.append("artifactId", .string(b.artifactId))
        o.append("status", .string(b.status.rawValue))
        o.append("creator", user(b.creatorId, world))
        o.append("createdAt", .string(Timestamp.format(b.createdAt)))
        o.append("updatedAt", .string(Timestamp.format(b.updatedAt)))
        return .object(o)
    }

    /// The build log: NDJSON lines `{asctime, levelname, name, message, build_id}`,
    /// what DataRobot's CLI parses.
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
            var line = JSONObject()
            line.append("asctime", .string(Timestamp.format(at)))
            line.append("levelname", "INFO")
            line.append("name", "image-builder")
            line.append("message", .string(message))
            line.append("build_id", .string(b.id))
            out += JSONSerializer.serialize(.object(line))
            out.append(10)
        }
        return out
    }

    /// `SharedRole`: `name` is the username.
    static func sharedRole(_ userId: String, _ role: Role, _ world: World) -> JSONValue {
        [
            "id": .string(userId), "name": .string(world.usersById[userId]?.username ?? userId),
            "role": .string(role.rawValue), "shareRecipientType": "user",
        ]
    }

    /// `RequestMetrics`: counts and whole milliseconds as integers.
    static func metrics(_ s: RequestStats) -> JSONValue {
        var o = JSONObject()
        o.append("totalRequests", .int(Int64(s.totalRequests)))
        o.append("requestsPerMinute", .int(whole(s.requestsPerMinute)))
        o.append("concurrentRequests", .int(Int64(s.concurrentRequests)))
        o.append("responseTime", .int(whole(s.responseTime ?? 0)))
        o.append("slowRequests", .int(Int64(s.slowRequests)))
        o.append("serverErrors", .int(Int64(s.serverErrorCount)))
        o.append("userErrors", .int(Int64(s.userErrorCount)))
        o.append("serverErrorRate", .double(s.serverErrorRate))
        o.append("userErrorRate", .double(s.userErrorRate))
        o.append("totalErrorRate", .double(s.totalErrorRate))
        return .object(o)
    }

    /// Rounded to the nearest integer, within Int64.
    static func whole(_ d: Double) -> Int64 {
        guard d.isFinite else { return 0 }
        return Int64(max(-9e18, min(9e18, d.rounded())))
    }

    /// `lastResponse`: when the workload last answered an invocation.
    static func lastResponse(_ w: Workload) -> JSONValue {
        w.invocations.records.last.map { .string(Timestamp.format($0.at)) } ?? .null
    }

    /// `RequestStats` of a workload (`serviceStats=true`): the totals since the last
    /// reset, and per-hour request counts and error percentages over the last 24 hours.
    static func requestStats(_ w: Workload, _ world: World) -> JSONValue {
        let from = w.invocations.since ?? w.createdAt
        let records = w.invocations.records.filter { $0.at >= from }
        let s = RequestStats(
            records, quantile: 0.5, slowThresholdMs: 2000, windowMs: world.now - from, inFlight: w.invocations.inFlight)
        let hour: Int64 = 3_600_000
        var counts = [Int64](repeating: 0, count: 24)
        var errors = [Int64](repeating: 0, count: 24)
        let start = world.now - 24 * hour
        for r in records where r.at > start {
            let i = min(23, Int((r.at - start - 1) / hour))
            counts[i] += 1
            if r.status >= 400 { errors[i] += 1 }
        }
        var o = JSONObject()
        o.append("totalRequests", .int(Int64(s.totalRequests)))
        o.append("concurrentRequests", .int(Int64(s.concurrentRequests)))
        o.append("responseTime", .int(whole(s.responseTime ?? 0)))
        o.append("errorRate", .double(s.totalErrorRate))
        o.append("requestRates", .array(counts.map { .int($0) }))
        o.append("errorRates", .array(zip(errors, counts).map { e, c in .int(c == 0 ? 0 : e * 100 / c) }))
        o.append("lastRequestAt", lastResponse(w))
        return .object(o)
    }
}
