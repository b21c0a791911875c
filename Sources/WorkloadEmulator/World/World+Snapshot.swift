import JSON

/// The sandbox as one versioned JSON document (`GET|PUT /__emulator/state`, and each
/// sandbox of the state file): everything needed to rebuild the world so that every
/// API answer is the same — objects, users, grants, clock, profile, scheduled
/// transitions, fault rules, generator positions and the emulator log. Written by
/// hand: the models hold tuples and derived indexes. A new model field is written in
/// one place, World+SnapshotBytes (which the state file, its log records and
/// `GET /__emulator/state` share), and read in one, here (with a default for older
/// documents).
extension World {
    public static let snapshotFormat = "workload-emulator/state"
    public static let snapshotVersion: Int64 = 1

    /// The document as a value: the bytes of `snapshotBytes()` (World+SnapshotBytes, the
    /// one writer of the state form), parsed.
    public func snapshot() -> JSONValue {
        // The writer's output is JSON by construction; a failure here is a bug in it.
        do {
            return try JSONParser.parse(
                snapshotBytes(), limits: JSONParser.Limits(maxDepth: 256, maxBytes: Int.max, maxKeys: Int.max))
        } catch { fatalError("snapshotBytes wrote invalid JSON: \(error)") }
    }

    /// Rebuilds a world from `snapshot()`'s document. Refuses, naming the JSON path, a
    /// document of another format or a newer version, a malformed field, or objects
    /// that refer to missing ones. Settings (seed, limits, auth) are the process's own.
    /// `checkConsistency: false` leaves `invariantViolations` to the caller: recovery runs
    /// it once, after the log (`finishReplay`), not once per document.
    public static func restore(
        _ value: JSONValue, name: String, settings: SandboxSettings, checkConsistency: Bool = true
    ) throws(JSONPathError) -> World {
        let r = JSONReader(value)
        _ = try r.object()
        let format = try r.string("format")
        guard format == snapshotFormat else {
            throw JSONPathError(path: "$.format", reason: "expected '\(snapshotFormat)', found '\(format)'")
        }
        let version = try r.int("version")
        guard version <= snapshotVersion else {
            throw JSONPathError(
                path: "$.version",
                reason: "version \(version) is newer than this emulator understands (\(snapshotVersion)); upgrade it")
        }
        guard version >= 1 else { throw JSONPathError(path: "$.version", reason: "must be at least 1") }

        var w = World(name: name, settings: settings)
        try restoreHeader(r, into: &w)
        try restoreUsers(r.required("users"), into: &w)
        for (i, x) in try r.required("repositories").array().enumerated() {
            let repo = try decodeRepository(x)
            guard w.repositories[repo.id] == nil else { throw x.fail("duplicate repository id \(repo.id)") }
            w.repositories.insert(repo, id: repo.id, seq: i + 1)
        }
        for (i, x) in try r.required("artifacts").array().enumerated() {
            let a = try decodeArtifact(x)
            guard w.artifacts[a.id] == nil else { throw x.fail("duplicate artifact id \(a.id)") }
            guard w.repositories[a.repositoryId] != nil else {
                throw JSONPathError(path: x.path + ".repositoryId", reason: "no repository \(a.repositoryId)")
            }
            w.artifacts.insert(a, id: a.id, seq: i + 1)
        }
        for x in try r.required("protons").array() {
            let p = try decodeProton(x)
            guard w.protons[p.id] == nil else {
                throw JSONPathError(path: x.path + ".id", reason: "duplicate proton id \(p.id)")
            }
            w.protons[p.id] = p
        }
        var lastSeq = 0
        var maxEvent: UInt64 = 0
        for x in try r.required("workloads").array() {
            let wl = try decodeWorkload(x)
            guard w.workloads[wl.id] == nil else { throw x.fail("duplicate workload id \(wl.id)") }
            guard wl.seq > lastSeq else { throw JSONPathError(path: x.path + ".seq", reason: "must increase") }
            lastSeq = wl.seq
            maxEvent = max(maxEvent, wl.events.last?.number ?? 0)
            guard w.artifacts[wl.artifactId] != nil else {
                throw JSONPathError(path: x.path + ".artifactId", reason: "no artifact \(wl.artifactId)")
            }
            guard wl.roles.contains(where: { $0.role == .owner }) else {
                throw JSONPathError(path: x.path + ".roles", reason: "no OWNER: nobody could see or delete it")
            }
            for pid in wl.protonIds where w.protons[pid] == nil {
                throw JSONPathError(path: x.path + ".protonIds", reason: "no proton \(pid)")
            }
            w.workloads.insert(wl, id: wl.id, seq: wl.seq)
            // Lists show what a role may read: not CONSUMER (World+Sharing).
            for (userId, role) in wl.roles where World.listsShow(role) {
                w.visible[userId, default: OrderedIndex()].append(wl.id, seq: wl.seq)
            }
        }
        var lastDeploymentSeq = 0
        for x in try r.required("deployments").array() {
            let d = try decodeDeployment(x)
            guard w.deployments[d.id] == nil else { throw x.fail("duplicate deployment id \(d.id)") }
            guard d.seq > lastDeploymentSeq else { throw JSONPathError(path: x.path + ".seq", reason: "must increase") }
            lastDeploymentSeq = d.seq
            guard w.workloads[d.workloadId] != nil else {
                throw JSONPathError(path: x.path + ".workloadId", reason: "no workload \(d.workloadId)")
            }
            w.deployments.insert(d, id: d.id, seq: d.seq)
        }
        for x in try r.optional("builds")?.array() ?? [] {
            let b = try decodeBuild(x)
            guard w.builds[b.id] == nil else {
                throw JSONPathError(path: x.path + ".id", reason: "duplicate build id \(b.id)")
            }
            guard w.artifacts[b.artifactId] != nil else {
                throw JSONPathError(path: x.path + ".artifactId", reason: "no artifact \(b.artifactId)")
            }
            w.builds[b.id] = b
        }
        var heap: [LifecycleScheduler.Entry] = []
        for x in try r.required("scheduled").array() {
            let e = try decodeScheduled(x)
            let exists =
                e.action.kind == .build ? w.builds[e.action.workloadId] != nil : w.workloads[e.action.workloadId] != nil
            guard exists else {
                throw JSONPathError(
                    path: x.path + ".workloadId",
                    reason: "no \(e.action.kind == .build ? "build" : "workload") \(e.action.workloadId)")
            }
            guard e.sequence < w.scheduler.nextSequence else {
                throw JSONPathError(path: x.path + ".sequence", reason: "not below generators.schedulerSequence")
            }
            heap.append(e)
        }
        // Kept in the saved order when it is a valid heap (so a re-export is byte-identical);
        // a hand-edited list is sorted instead, which is always a valid heap.
        func before(_ a: LifecycleScheduler.Entry, _ b: LifecycleScheduler.Entry) -> Bool {
            a.at < b.at || (a.at == b.at && a.sequence < b.sequence)
        }
        let isHeap = heap.indices.dropFirst().allSatisfy { !before(heap[$0], heap[($0 - 1) / 2]) }
        w.scheduler.heap = isHeap ? heap : heap.sorted(by: before)
        w.faults = try decodeFaults(r.required("faults"))
        try checkCounters(w, maxSeq: max(lastSeq, lastDeploymentSeq), maxEvent: maxEvent)
        w.log = try (r.optional("log")?.array() ?? []).map { (x) throws(JSONPathError) in try decodeLog(x) }
        for u in settings.users where w.usersByToken[u.token] == nil {
            w.usersByToken[u.token] = u
            w.usersById[u.id] = u
        }
        if checkConsistency, let problem = w.invariantViolations().first {
            throw JSONPathError(path: "$", reason: "inconsistent: \(problem)")
        }
        return w
    }

    /// The fault rules, each id once (every rule added through the routes gets a new id).
    static func decodeFaults(_ r: JSONReader) throws(JSONPathError) -> [FaultRule] {
        var seen = Set<String>()
        var out: [FaultRule] = []
        for x in try r.array() {
            let f = try decodeFault(x)
            guard seen.insert(f.id).inserted else {
                throw JSONPathError(path: x.path + ".id", reason: "duplicate fault rule id \(f.id)")
            }
            out.append(f)
        }
        return out
    }

    /// The clock, profile and generator positions: what every record of the state log
    /// carries too.
    static func restoreHeader(_ r: JSONReader, into w: inout World) throws(JSONPathError) {
        let c = try r.required("clock")
        let modeReader = try c.required("mode")
        guard let mode = SandboxClock.Mode(rawValue: try modeReader.string()) else {
            throw modeReader.fail("expected manual or real")
        }
        let scale = try c.optional("scale")?.double() ?? 1
        // The bounds of PUT /__emulator/clock.
        guard scale >= 0.000001, scale <= 1e9 else {
            throw JSONPathError(path: c.path + ".scale", reason: "must be between 0.000001 and 1000000000")
        }
        w.clock = SandboxClock(restoring: mode, now: try c.timestamp("now"), scale: scale, wall: w.settings.wall)
        w.now = try r.timestamp("now")
        let p = try r.required("profile")
        let profileName = try p.optionalString("name") ?? "custom"
        do throws(LifecycleProfile.ParseError) {
            w.profile = try LifecycleProfile.fromJSON(p.value, name: profileName)
        } catch {
            throw JSONPathError(
                path: "$.profile" + (error.field.isEmpty ? "" : "." + error.field), reason: error.reason)
        }

        let g = try r.required("generators")
        w.ids.random = SplitMix64(seed: try g.required("ids").hex64())
        w.faultRandom = SplitMix64(seed: try g.required("faults").hex64())
        w.eventIdBase = try g.required("eventIdBase").hex64()
        w.nextEventNumber = UInt64(try sequence(g.required("nextEventNumber")))
        w.nextSeq = Int(try sequence(g.required("nextSeq")))
        w.nextToken = try g.required("nextToken").hex64()
        w.scheduler.nextSequence = try g.required("schedulerSequence").hex64()

    }

    static func restoreUsers(_ r: JSONReader, into w: inout World) throws(JSONPathError) {
        var ids = Set<String>()
        var tokens = Set<String>()
        for u in try r.array() {
            let user = User(id: try u.string("id"), username: try u.string("username"), token: try u.string("token"))
            guard !user.token.isEmpty, tokens.insert(user.token).inserted else {
                throw JSONPathError(path: u.path + ".token", reason: "empty or duplicate token")
            }
            guard ids.insert(user.id).inserted else {
                throw JSONPathError(path: u.path + ".id", reason: "duplicate user id \(user.id)")
            }
            w.usersById[user.id] = user
            w.usersByToken[user.token] = user
        }
    }

    static func decodeScheduled(_ x: JSONReader) throws(JSONPathError) -> LifecycleScheduler.Entry {
        let kindName = try x.string("kind")
        guard let kind = World.kinds.first(where: { World.kindName($0) == kindName }) else {
            throw JSONPathError(path: x.path + ".kind", reason: "expected transition, expiry, replacement or build")
        }
        return LifecycleScheduler.Entry(
            at: try x.timestamp("at"), sequence: try x.required("sequence").hex64(),
            action: ScheduledAction(
                kind: kind, workloadId: try x.string("workloadId"), token: try x.required("token").hex64()))
    }

    /// The scheduler's entries as saved: in due order, without the stale ones whose
    /// workload or build is gone (they would fire nothing).
    var savedSchedule: [LifecycleScheduler.Entry] {
        scheduler.heap.filter { e in
            e.action.kind == .build ? builds[e.action.workloadId] != nil : workloads[e.action.workloadId] != nil
        }.sorted { $0.precedes($1) }
    }

    /// The generators must be past every object they numbered: a new object would
    /// otherwise take a sequence or an event number that is already used.
    /// `maxSeq`, `maxEvent`: the largest of each among the objects read.
    static func checkCounters(_ w: World, maxSeq: Int, maxEvent: UInt64) throws(JSONPathError) {
        guard w.nextSeq >= maxSeq, w.nextSeq < Int(Int32.max) else {
            throw JSONPathError(
                path: "$.generators.nextSeq",
                reason: "must be at least \(maxSeq) (the largest seq) and below 2147483647")
        }
        guard w.nextEventNumber >= maxEvent, w.nextEventNumber < UInt64(Int64.max) else {
            throw JSONPathError(
                path: "$.generators.nextEventNumber", reason: "must be at least \(maxEvent) (the largest event number)")
        }
    }

    static let kinds: [ScheduledAction.Kind] = [.transition, .expiry, .replacement, .build]
    static func kindName(_ k: ScheduledAction.Kind) -> String {
        switch k {
        case .transition: return "transition"
        case .expiry: return "expiry"
        case .replacement: return "replacement"
        case .build: return "build"
        }
    }

    /// Sequence numbers and counters only ever grow by one per object: far below
    /// this, and a state file claiming more would make the next create overflow.
    static let maxSequence: Int64 = 1 << 53

    private static func sequence(_ r: JSONReader) throws(JSONPathError) -> Int64 {
        let v = try nonNegative(r)
        guard v <= maxSequence else { throw r.fail("must be at most \(maxSequence)") }
        return v
    }

    private static func nonNegative(_ r: JSONReader) throws(JSONPathError) -> Int64 {
        let v = try r.int()
        guard v >= 0 else { throw r.fail("must not be negative") }
        return v
    }

    // MARK: - Objects

    static func decodeRepository(_ x: JSONReader) throws(JSONPathError) -> ArtifactRepository {
        ArtifactRepository(
            id: try x.string("id"), name: try x.string("name"), description: try x.optionalString("description"),
            lastVersionNumber: Int(try sequence(x.required("lastVersionNumber"))), creatorId: try x.string("creatorId"),
            createdAt: try x.timestamp("createdAt"), updatedAt: try x.timestamp("updatedAt"),
            artifactIds: try strings(x.required("artifactIds")), roles: try decodeRoles(x.optional("roles")))
    }

    static func decodeRoles(_ x: JSONReader?) throws(JSONPathError) -> [(userId: String, role: Role)] {
        try (x?.array() ?? []).map { (g) throws(JSONPathError) -> (userId: String, role: Role) in
            (try g.string("userId"), try g.required("role").enumeration(Role.self))
        }
    }

    static func decodeArtifact(_ x: JSONReader) throws(JSONPathError) -> Artifact {
        Artifact(
            id: try x.string("id"), name: try x.string("name"), description: try x.optionalString("description"),
            type: try x.string("type"), status: try x.required("status").enumeration(ArtifactStatus.self),
            version: try x.optional("version").map { (v) throws(JSONPathError) in Int(try v.int()) },
            repositoryId: try x.string("repositoryId"), spec: try x.required("spec").value,
            creatorId: try x.string("creatorId"), createdAt: try x.timestamp("createdAt"),
            updatedAt: try x.timestamp("updatedAt"), workloadIds: try strings(x.required("workloadIds")),
            roles: try decodeRoles(x.optional("roles")),
            buildIds: try x.optional("buildIds").map { (b) throws(JSONPathError) in try strings(b) } ?? [])
    }

    static func decodeProton(_ x: JSONReader) throws(JSONPathError) -> Proton {
        let role = try x.string("role")
        guard let r = Proton.Role(rawValue: role) else {
            throw JSONPathError(path: x.path + ".role", reason: "expected active or candidate")
        }
        return Proton(
            id: try x.string("id"), workloadId: try x.string("workloadId"),
            status: try x.required("status").enumeration(WorkloadStatus.self), role: r,
            artifactId: try x.string("artifactId"), createdAt: try x.timestamp("createdAt"),
            updatedAt: try x.timestamp("updatedAt"), failureMessage: try x.optionalString("failureMessage"),
            replicas: Int(try x.optional("replicas")?.int() ?? 1), scheduledAt: try x.optionalTimestamp("scheduledAt"))
    }

    static func decodeWorkload(_ x: JSONReader) throws(JSONPathError) -> Workload {
        let roles = try x.required("roles").array().map { (g) throws(JSONPathError) -> (userId: String, role: Role) in
            (try g.string("userId"), try g.required("role").enumeration(Role.self))
        }
        let pending = try x.optional("pending").map { (p) throws(JSONPathError) -> (at: Int64, to: WorkloadStatus) in
            (try p.timestamp("at"), try p.required("to").enumeration(WorkloadStatus.self))
        }
        var w = Workload(
            id: try x.string("id"), seq: Int(try sequence(x.required("seq"))), name: try x.string("name"),
            description: try x.optionalString("description"),
            importance: try x.required("importance").enumeration(Importance.self),
            status: try x.required("status").enumeration(WorkloadStatus.self), artifactId: try x.string("artifactId"),
            runtime: try x.required("runtime").value, protonId: try x.optionalString("protonId"),
            protonIds: try strings(x.required("protonIds")), creatorId: try x.string("creatorId"), roles: roles,
            createdAt: try x.timestamp("createdAt"), updatedAt: try x.timestamp("updatedAt"),
            lastStartAt: try x.timestamp("lastStartAt"), expiresAt: try x.optionalTimestamp("expiresAt"),
            pending: pending, transitionToken: try x.required("transitionToken").hex64(),
            expiryToken: try x.required("expiryToken").hex64(), heldBy: try x.optionalString("heldBy"),
            failureMessage: try x.optionalString("failureMessage"), promotedAt: try x.optionalTimestamp("promotedAt"))
        let id = w.id
        w.events = try x.required("events").array().map { (e) throws(JSONPathError) in
            try decodeEvent(e, workloadId: id)
        }
        w.replacement = try x.optional("replacement").map { (v) throws(JSONPathError) in try decodeReplacement(v) }
        w.history = try (x.optional("history")?.array() ?? []).map { (v) throws(JSONPathError) in try decodeHistory(v) }
        w.upstream = try x.optionalString("upstream")
        // Requests in flight belonged to the process that saved it: none are now.
        if let records = x.optional("invocations") { w.invocations.records = try decodeInvocations(records) }
        w.invocations.since = try x.optionalTimestamp("invocationsSince")
        return w
    }

    static func decodeInvocations(_ x: JSONReader) throws(JSONPathError) -> [InvocationRecord] {
        try x.array().map { (v) throws(JSONPathError) in
            InvocationRecord(
                at: try v.timestamp("at"), latencyMs: try v.required("latencyMs").double(),
                status: Int(try v.int("status")), protonId: try v.string("protonId"),
                concurrency: Int(try v.optional("concurrency")?.int() ?? 1))
        }
    }

    static func decodeEvent(_ x: JSONReader, workloadId: String) throws(JSONPathError) -> WorkloadEvent {
        let kind = try x.string("kind")
        guard let k = WorkloadEvent.Kind(rawValue: kind) else {
            throw JSONPathError(path: x.path + ".kind", reason: "unknown event kind '\(kind)'")
        }
        return WorkloadEvent(
            number: UInt64(try nonNegative(x.required("number"))), workloadId: workloadId, kind: k,
            at: try x.timestamp("at"),
            actorId: try x.optionalString("actorId"),
            from: try x.optional("from")?.enumeration(WorkloadStatus.self),
            to: try x.optional("to")?.enumeration(WorkloadStatus.self), message: try x.optionalString("message"),
            replacementStatus: try x.optional("replacementStatus")?.enumeration(Replacement.Status.self))
    }

    static func decodeReplacement(_ x: JSONReader) throws(JSONPathError) -> Replacement {
        var r = Replacement(
            id: try x.string("id"), status: try x.required("status").enumeration(Replacement.Status.self),
            trigger: try x.string("trigger"), fromArtifactId: try x.string("fromArtifactId"),
            toArtifactId: try x.string("toArtifactId"), fromRuntime: try x.required("fromRuntime").value,
            toRuntime: try x.required("toRuntime").value, warmupMinutes: Int(try x.int("warmupMinutes")),
            keepMinutes: Int(try x.int("keepMinutes")), oldProtonId: try x.optionalString("oldProtonId"),
            candidateProtonId: try x.optionalString("candidateProtonId"), actorId: try x.string("actorId"),
            createdAt: try x.timestamp("createdAt"), updatedAt: try x.timestamp("updatedAt"),
            completedAt: try x.optionalTimestamp("completedAt"), failureMessage: try x.optionalString("failureMessage"))
        r.strategy = try x.optionalString("strategy") ?? "rolling"
        r.token = try x.optional("token")?.hex64() ?? 0
        r.pendingAt = try x.optionalTimestamp("pendingAt")
        return r
    }

    static func decodeHistory(_ x: JSONReader) throws(JSONPathError) -> HistoryEntry {
        let kind = try x.string("kind")
        guard let k = HistoryEntry.Kind(rawValue: kind) else {
            throw JSONPathError(path: x.path + ".kind", reason: "expected replacement or promotion")
        }
        return HistoryEntry(
            id: try x.string("id"), kind: k, status: try x.string("status"),
            fromArtifactId: try x.string("fromArtifactId"), toArtifactId: try x.string("toArtifactId"),
            replacementId: try x.optionalString("replacementId"), trigger: try x.optionalString("trigger"),
            actorId: try x.optionalString("actorId"), startedAt: try x.timestamp("startedAt"),
            finishedAt: try x.timestamp("finishedAt"), message: try x.optionalString("message"))
    }

    static func decodeBuild(_ x: JSONReader) throws(JSONPathError) -> ArtifactBuild {
        ArtifactBuild(
            id: try x.string("id"), artifactId: try x.string("artifactId"),
            status: try x.required("status").enumeration(ArtifactBuild.Status.self),
            createdAt: try x.timestamp("createdAt"), updatedAt: try x.timestamp("updatedAt"),
            creatorId: try x.string("creatorId"), imageUri: try x.optionalString("imageUri"),
            transitions: try x.required("transitions").array().map {
                (t) throws(JSONPathError) -> (status: ArtifactBuild.Status, at: Int64) in
                (try t.required("status").enumeration(ArtifactBuild.Status.self), try t.timestamp("at"))
            })
    }

    static func decodeDeployment(_ x: JSONReader) throws(JSONPathError) -> Deployment {
        Deployment(
            id: try x.string("id"), seq: Int(try sequence(x.required("seq"))), name: try x.string("name"),
            description: try x.optionalString("description"),
            importance: try x.required("importance").enumeration(Importance.self),
            workloadId: try x.string("workloadId"), creatorId: try x.string("creatorId"),
            createdAt: try x.timestamp("createdAt"), updatedAt: try x.timestamp("updatedAt"))
    }

    static func decodeFault(_ x: JSONReader) throws(JSONPathError) -> FaultRule {
        let m = x.optional("match")
        var f = FaultRule(
            id: try x.string("id"),
            match: FaultRule.Match(
                method: try m?.optionalString("method"), path: try m?.optionalString("path"),
                workloadId: try m?.optionalString("workloadId")),
            action: try x.required("action").enumeration(FaultRule.Action.self),
            status: try x.optional("status").map { (v) throws(JSONPathError) in Int(try v.int()) },
            body: x.optional("body")?.value,
            headers: try (x.optional("headers")?.object() ?? JSONObject()).map {
                (name: $0.key, value: $0.value.stringValue ?? "")
            },
            delayMs: try x.optional("delayMs").map { (v) throws(JSONPathError) in Int(try v.int()) },
            state: try x.optional("state")?.enumeration(WorkloadStatus.self),
            message: try x.optionalString("message"),
            times: try x.optional("times").map { (v) throws(JSONPathError) in Int(try v.int()) },
            probability: try x.optional("probability")?.double())
        f.fired = Int(try x.optional("fired")?.int() ?? 0)
        f.createdAt = try x.optionalTimestamp("createdAt") ?? 0
        if let p = f.problem { throw JSONPathError(path: ([x.path] + p.path).joined(separator: "."), reason: p.reason) }
        return f
    }

    static func decodeLog(_ x: JSONReader) throws(JSONPathError) -> EmulatorLogEntry {
        EmulatorLogEntry(
            at: try x.timestamp("timestamp"), kind: try x.string("kind"),
            workloadId: try x.optionalString("workloadId"),
            from: try x.optional("from")?.enumeration(WorkloadStatus.self),
            to: try x.optional("to")?.enumeration(WorkloadStatus.self), detail: try x.optionalString("detail"))
    }

    private static func strings(_ r: JSONReader) throws(JSONPathError) -> [String] {
        try r.array().map { (s) throws(JSONPathError) in try s.string() }
    }
}
