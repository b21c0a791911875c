import JSON

/// The sandbox as one versioned JSON document (`GET|PUT /__emulator/state`, and each
/// sandbox of the state file): everything needed to rebuild the world so that every
/// API answer is the same — objects, users, grants, clock, profile, scheduled
/// transitions, fault rules, generator positions and the emulator log. Each model's
/// members are described once, in its state form (Sources/WorkloadEmulator/State);
/// the document's own members are `documentMembers`. Reading checks each field as it
/// comes (the forms); `restore` then checks the objects against each other.
extension World {
    public static let snapshotFormat = "workload-emulator/state"
    public static let snapshotVersion: Int64 = 1

    /// The document as a value (`full`): the bytes of `snapshotBytes()`, parsed.
    public func snapshot() -> JSONValue {
        // The writer's output is JSON by construction; a failure here is a bug in it.
        do {
            return try JSONParser.parse(
                snapshotBytes(), limits: JSONParser.Limits(maxDepth: 256, maxBytes: Int.max, maxKeys: Int.max))
        } catch { fatalError("snapshotBytes wrote invalid JSON: \(error)") }
    }

    /// A sandbox's document as read, before its objects are checked against each other.
    public struct Document: Sendable {
        /// Where it stands in the file (`$`, or `$.sandboxes[0]`): refusals name it.
        var path = "$"
        /// The name it was saved under (the state file's sandboxes are named by it).
        public var sandbox: String?
        var header = WorldHeader()
        var users: [User] = []
        var repositories: [ArtifactRepository] = []
        var artifacts: [Artifact] = []
        var workloads: [Workload] = []
        var protons: [Proton] = []
        var deployments: [Deployment] = []
        var builds: [ArtifactBuild] = []
        var scheduled: [LifecycleScheduler.Entry] = []
        var faults: [FaultRule] = []
        var log: [EmulatorLogEntry] = []
        /// Absent in documents written before credentials were saved.
        var credentials: [Credential]?
    }

    /// A list member of the document: written from the world, read into the document.
    private static func objects<E: StateForm>(
        _ key: StaticString, required: Bool = true, _ values: @escaping @Sendable (World) -> [E],
        _ kp: any WritableKeyPath<Document, [E]> & Sendable
    ) -> StateMember<World, Document> {
        StateMember(
            key: key, required: required, isDefault: nil,
            write: { w, j, e in j.array(key) { j in for x in values(w) { x.writeState(&j, e) } } },
            read: { (c, d) throws(JSONPathError) in d[keyPath: kp] = try c.list(E.self) })
    }

    static let documentMembers: [StateMember<World, Document>] =
        [
            StateMember(
                key: "format", required: true, isDefault: nil,
                write: { _, j, _ in j.string("format", World.snapshotFormat) },
                read: { (c, _) throws(JSONPathError) in
                    let format = try c.string()
                    guard format == snapshotFormat else {
                        throw c.fail("expected '\(snapshotFormat)', found '\(format)'")
                    }
                }),
            StateMember(
                key: "version", required: true, isDefault: nil,
                write: { _, j, _ in j.int("version", World.snapshotVersion) },
                read: { (c, _) throws(JSONPathError) in
                    let version = try c.int()
                    guard version <= snapshotVersion else {
                        throw c.fail(
                            "version \(version) is newer than this emulator understands (\(snapshotVersion)); upgrade it")
                    }
                    guard version >= 1 else { throw c.fail("must be at least 1") }
                }),
            // The sandbox's name is where the document is put, not what it says.
            StateMember(
                key: "sandbox", required: false, isDefault: nil, write: { w, j, _ in j.string("sandbox", w.name) },
                read: { (c, d) throws(JSONPathError) in d.sandbox = try c.string() }),
        ] + WorldHeader.members(of: { WorldHeader($0) }, into: \Document.header) + [
            objects("users", { $0.usersById.values.sorted(by: { $0.id < $1.id }) }, \.users),
            objects("repositories", { $0.repositories.values }, \.repositories),
            objects("artifacts", { $0.artifacts.values }, \.artifacts),
            objects("workloads", { $0.workloads.values }, \.workloads),
            objects("protons", { $0.protons.values.sorted(by: { $0.id < $1.id }) }, \.protons),
            objects("deployments", { $0.deployments.values }, \.deployments),
            objects("builds", required: false, { $0.builds.values.sorted(by: { $0.id < $1.id }) }, \.builds),
            objects("scheduled", { $0.savedSchedule }, \.scheduled),
            StateMember(
                key: "faults", required: true, isDefault: nil,
                write: { w, j, _ in j.array("faults") { j in for f in w.faults { j.value(f.json) } } },
                read: { (c, d) throws(JSONPathError) in d.faults = try c.faultRules() }),
            objects("log", required: false, { $0.log }, \.log),
            // The sandbox's credentials, those from fixtures included: once saved, the
            // list is the sandbox's own (created and deleted through the API).
            StateMember(
                key: "credentials", required: false, isDefault: nil,
                write: { w, j, e in j.array("credentials") { j in for x in w.platform.credentials { x.writeState(&j, e) } } },
                read: { (c, d) throws(JSONPathError) in d.credentials = try c.list(Credential.self) }),
        ]

    /// Reads a sandbox's document at the cursor.
    public static func readDocument(_ c: inout JSONCursor) throws(JSONPathError) -> Document {
        var d = Document()
        d.path = c.path
        _ = try StateTable.read(documentMembers, into: &d, &c)
        return d
    }

    /// Rebuilds a world from `snapshot()`'s document (PUT /__emulator/state): the same
    /// reader as the state file's, over the value's bytes.
    public static func restore(
        _ value: JSONValue, name: String, settings: SandboxSettings, checkConsistency: Bool = true
    ) throws(JSONPathError) -> World {
        try restore(bytes: JSONSerializer.serialize(value), name: name, settings: settings, checkConsistency: checkConsistency)
    }

    public static func restore(
        bytes: [UInt8], name: String, settings: SandboxSettings, checkConsistency: Bool = true
    ) throws(JSONPathError) -> World {
        let d = try JSONCursor.read(bytes) { (c) throws(JSONPathError) in try readDocument(&c) }
        return try restore(d, name: name, settings: settings, checkConsistency: checkConsistency)
    }

    /// Rebuilds a world from a document read. Refuses, naming the JSON path, objects
    /// that refer to missing ones, duplicate ids, counters behind the objects. Settings
    /// (seed, limits, auth) are the process's own. `checkConsistency: false` leaves
    /// `invariantViolations` to the caller: recovery runs it once, after the log
    /// (`finishReplay`), not once per document.
    public static func restore(
        _ d: Document, name: String, settings: SandboxSettings, checkConsistency: Bool = true
    ) throws(JSONPathError) -> World {
        let base = d.path
        var w = World(name: name, settings: settings)
        d.header.apply(to: &w)
        try restoreUsers(d.users, at: base + ".users", into: &w)
        w.repositories.reserveCapacity(d.repositories.count)
        w.artifacts.reserveCapacity(d.artifacts.count)
        w.protons.reserveCapacity(d.protons.count)
        w.workloads.reserveCapacity(d.workloads.count)
        for (i, repo) in d.repositories.enumerated() {
            guard w.repositories.restore(repo, id: repo.id, seq: i + 1) else {
                throw JSONPathError(path: "\(base).repositories[\(i)]", reason: "duplicate repository id \(repo.id)")
            }
        }
        for (i, a) in d.artifacts.enumerated() {
            let at = "\(base).artifacts[\(i)]"
            guard w.repositories.contains(a.repositoryId) else {
                throw JSONPathError(path: at + ".repositoryId", reason: "no repository \(a.repositoryId)")
            }
            guard w.artifacts.restore(a, id: a.id, seq: i + 1) else {
                throw JSONPathError(path: at, reason: "duplicate artifact id \(a.id)")
            }
        }
        for (i, p) in d.protons.enumerated() {
            guard w.protons.restore(p, key: p.id) else {
                throw JSONPathError(path: "\(base).protons[\(i)].id", reason: "duplicate proton id \(p.id)")
            }
        }
        var lastSeq = 0
        var maxEvent: UInt64 = 0
        for (i, wl) in d.workloads.enumerated() {
            let at = "\(base).workloads[\(i)]"
            guard wl.seq > lastSeq else {
                throw JSONPathError(
                    path: at + (w.workloads.contains(wl.id) ? "" : ".seq"),
                    reason: w.workloads.contains(wl.id) ? "duplicate workload id \(wl.id)" : "must increase")
            }
            // Refused below if anything is wrong with it: the world is then dropped.
            guard w.workloads.restore(wl, id: wl.id, seq: wl.seq) else {
                throw JSONPathError(path: at, reason: "duplicate workload id \(wl.id)")
            }
            lastSeq = wl.seq
            maxEvent = max(maxEvent, wl.events.last?.number ?? 0)
            guard w.artifacts.contains(wl.artifactId) else {
                throw JSONPathError(path: at + ".artifactId", reason: "no artifact \(wl.artifactId)")
            }
            guard wl.roles.contains(where: { $0.role == .owner }) else {
                throw JSONPathError(path: at + ".roles", reason: "no OWNER: nobody could see or delete it")
            }
            for pid in wl.protonIds where !w.protons.contains(pid) {
                throw JSONPathError(path: at + ".protonIds", reason: "no proton \(pid)")
            }
            // Lists show what a role may read: not CONSUMER (World+Sharing).
            for (userId, role) in wl.roles where World.listsShow(role) {
                w.visible[userId, default: OrderedIndex()].append(wl.id, seq: wl.seq)
            }
        }
        var lastDeploymentSeq = 0
        for (i, dep) in d.deployments.enumerated() {
            let at = "\(base).deployments[\(i)]"
            guard w.deployments[dep.id] == nil else {
                throw JSONPathError(path: at, reason: "duplicate deployment id \(dep.id)")
            }
            guard dep.seq > lastDeploymentSeq else { throw JSONPathError(path: at + ".seq", reason: "must increase") }
            lastDeploymentSeq = dep.seq
            guard w.workloads.contains(dep.workloadId) else {
                throw JSONPathError(path: at + ".workloadId", reason: "no workload \(dep.workloadId)")
            }
            w.deployments.insert(dep, id: dep.id, seq: dep.seq)
        }
        for (i, b) in d.builds.enumerated() {
            let at = "\(base).builds[\(i)]"
            guard w.builds[b.id] == nil else {
                throw JSONPathError(path: at + ".id", reason: "duplicate build id \(b.id)")
            }
            guard w.artifacts.contains(b.artifactId) else {
                throw JSONPathError(path: at + ".artifactId", reason: "no artifact \(b.artifactId)")
            }
            w.builds[b.id] = b
        }
        for (i, e) in d.scheduled.enumerated() {
            let at = "\(base).scheduled[\(i)]"
            let exists =
                e.action.kind == .build
                ? w.builds.contains(e.action.workloadId) : w.workloads.contains(e.action.workloadId)
            guard exists else {
                throw JSONPathError(
                    path: at + ".workloadId",
                    reason: "no \(e.action.kind == .build ? "build" : "workload") \(e.action.workloadId)")
            }
            guard e.sequence < w.scheduler.nextSequence else {
                throw JSONPathError(path: at + ".sequence", reason: "not below generators.schedulerSequence")
            }
        }
        // Kept in the saved order when it is a valid heap (so a re-export is byte-identical);
        // a hand-edited list is sorted instead, which is always a valid heap.
        let heap = d.scheduled
        let isHeap = heap.indices.dropFirst().allSatisfy { !heap[$0].precedes(heap[($0 - 1) / 2]) }
        w.scheduler.heap = isHeap ? heap : heap.sorted { $0.precedes($1) }
        try checkFaults(d.faults, at: base + ".faults")
        w.faults = d.faults
        try checkCounters(w, maxSeq: max(lastSeq, lastDeploymentSeq), maxEvent: maxEvent, at: base)
        w.log = d.log
        for u in settings.users where w.usersByToken[u.token] == nil {
            w.usersByToken[u.token] = u
            w.usersById[u.id] = u
        }
        // A document written before credentials were saved keeps the catalogue's.
        if let list = d.credentials {
            try checkCredentials(list, at: base + ".credentials")
            w.platform.credentials = list
        }
        if checkConsistency, let problem = w.invariantViolations().first {
            throw JSONPathError(path: base, reason: "inconsistent: \(problem)")
        }
        return w
    }

    /// The fault rules, each id once (every rule added through the routes gets a new id).
    static func checkFaults(_ faults: [FaultRule], at path: String) throws(JSONPathError) {
        var seen = Set<String>()
        for (i, f) in faults.enumerated() where !seen.insert(f.id).inserted {
            throw JSONPathError(path: "\(path)[\(i)].id", reason: "duplicate fault rule id \(f.id)")
        }
    }

    /// Tokens non-empty and once each, ids once each.
    static func restoreUsers(_ users: [User], at path: String, into w: inout World) throws(JSONPathError) {
        var ids = Set<String>()
        var tokens = Set<String>()
        for (i, user) in users.enumerated() {
            guard !user.token.isEmpty, tokens.insert(user.token).inserted else {
                throw JSONPathError(path: "\(path)[\(i)].token", reason: "empty or duplicate token")
            }
            guard ids.insert(user.id).inserted else {
                throw JSONPathError(path: "\(path)[\(i)].id", reason: "duplicate user id \(user.id)")
            }
            w.usersById[user.id] = user
            w.usersByToken[user.token] = user
        }
    }

    /// The sandbox's credentials as the API keeps them: ids and names once each.
    static func checkCredentials(_ list: [Credential], at path: String) throws(JSONPathError) {
        var ids = Set<String>()
        var names = Set<String>()
        for (i, c) in list.enumerated() {
            guard !c.id.isEmpty, ids.insert(c.id).inserted else {
                throw JSONPathError(path: "\(path)[\(i)].id", reason: "empty or duplicate credential id")
            }
            guard names.insert(c.name).inserted else {
                throw JSONPathError(path: "\(path)[\(i)].name", reason: "duplicate credential name '\(c.name)'")
            }
        }
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
    static func checkCounters(_ w: World, maxSeq: Int, maxEvent: UInt64, at base: String) throws(JSONPathError) {
        guard w.nextSeq >= maxSeq, w.nextSeq < Int(Int32.max) else {
            throw JSONPathError(
                path: base + ".generators.nextSeq",
                reason: "must be at least \(maxSeq) (the largest seq) and below 2147483647")
        }
        guard w.nextEventNumber >= maxEvent, w.nextEventNumber < UInt64(Int64.max) else {
            throw JSONPathError(
                path: base + ".generators.nextEventNumber",
                reason: "must be at least \(maxEvent) (the largest event number)")
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

}
