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
        /// When set, the lists are handed to it as they are read (with the name the
        /// document gave so far), long ones in chunks, instead of being kept here.
        var sink: (@Sendable (String?, Section) -> Void)?
        var headerSent = false
        /// A header member (or the name) came after the first list: what the sink got
        /// is not the document (the caller reads it again without a sink).
        public var headerLate = false

        /// Hands a list to the sink (the header first, once).
        mutating func send(_ section: Section) {
            guard let sink else { return }
            if !headerSent {
                headerSent = true
                sink(sandbox, .header(header))
            }
            sink(sandbox, section)
        }
    }

    /// A list member of the document: written from the world, read into the document
    /// (or handed to its sink, in chunks of `chunk`, as `section`).
    private static func objects<E: StateForm & Sendable>(
        _ key: StaticString, required: Bool = true, _ values: @escaping @Sendable (World) -> [E],
        _ kp: any WritableKeyPath<Document, [E]> & Sendable, chunk: Int = .max,
        _ section: @escaping @Sendable (MoveBuffer<E>, Part) -> Section
    ) -> StateMember<World, Document> {
        StateMember(
            key: key, required: required, isDefault: nil,
            write: { w, j, e in
                // The state file's long lists one element a line: start-up reads
                // their halves on both cores.
                if e == .compact && chunk != .max {
                    j.lines(key) { j in
                        for x in values(w) {
                            j.line()
                            x.writeState(&j, e)
                        }
                    }
                } else {
                    j.array(key) { j in for x in values(w) { x.writeState(&j, e) } }
                }
            },
            read: { (c, d) throws(JSONPathError) in
                guard d.sink != nil else {
                    d[keyPath: kp] = try c.list(E.self)
                    return
                }
                let read: @Sendable (inout JSONCursor) throws(JSONPathError) -> E = { (c) throws(JSONPathError) in
                    try E.readState(&c)
                }
                guard chunk != .max else {
                    // One section for the whole list (its checks look at all of it).
                    let all = MoveBuffer<E>()
                    try c.elements(read, chunk: .max) { part in while let e = part.next() { all.append(e) } }
                    d.send(section(all, Part(from: 0, total: all.count)))
                    return
                }
                var at = Part(from: 0, total: 0)
                try c.elements(
                    read, chunk: chunk, expect: { at.total = $0 }
                ) { (part) throws(JSONPathError) in
                    let n = part.count
                    d.send(section(part, at))
                    at.from += n
                }
            })
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
                            "version \(version) is newer than this emulator understands (\(snapshotVersion)); upgrade it"
                        )
                    }
                    guard version >= 1 else { throw c.fail("must be at least 1") }
                }),
            // The sandbox's name is where the document is put, not what it says.
            StateMember(
                key: "sandbox", required: false, isDefault: nil, write: { w, j, _ in j.string("sandbox", w.name) },
                read: { (c, d) throws(JSONPathError) in
                    if d.headerSent { d.headerLate = true }
                    d.sandbox = try c.string()
                }),
        ] + WorldHeader.documentMembers(of: { WorldHeader($0) }) + [
            objects("users", { $0.usersById.values.sorted(by: { $0.id < $1.id }) }, \.users) { l, _ in
                .users(l.takeAll())
            },
            objects("repositories", { $0.repositories.values }, \.repositories, chunk: chunk) {
                .repositories($0, $1)
            },
            objects("artifacts", { $0.artifacts.values }, \.artifacts, chunk: chunk) { .artifacts($0, $1) },
            objects("workloads", { $0.workloads.values }, \.workloads, chunk: chunk) { .workloads($0, $1) },
            objects("protons", { $0.protons.values.sorted(by: { $0.id < $1.id }) }, \.protons, chunk: chunk) {
                .protons($0, $1)
            },
            objects("deployments", { $0.deployments.values }, \.deployments) { l, _ in .deployments(l.takeAll()) },
            objects("builds", required: false, { $0.builds.values.sorted(by: { $0.id < $1.id }) }, \.builds) {
                l, _ in .builds(l.takeAll())
            },
            objects("scheduled", { $0.savedSchedule }, \.scheduled, chunk: chunk) { .scheduled($0, $1) },
            StateMember(
                key: "faults", required: true, isDefault: nil,
                write: { w, j, e in j.array("faults") { j in for f in w.faults { f.writeState(&j, e) } } },
                read: { (c, d) throws(JSONPathError) in
                    d.faults = try c.list(FaultRule.self)
                    d.send(.faults(d.faults))
                }),
            objects("log", required: false, { $0.log }, \.log) { l, _ in .log(l.takeAll()) },
            // The sandbox's credentials, those from fixtures included: once saved, the
            // list is the sandbox's own (created and deleted through the API).
            StateMember(
                key: "credentials", required: false, isDefault: nil,
                write: { w, j, e in
                    j.array("credentials") { j in for x in w.platform.credentials { x.writeState(&j, e) } }
                },
                read: { (c, d) throws(JSONPathError) in
                    let list = try c.list(Credential.self)
                    d.credentials = list
                    d.send(.credentials(list))
                }),
        ]

    /// The objects handed to a sink at a time.
    private static let chunk = 4096

    /// Reads a sandbox's document, handing its lists to `sink` as they are read
    /// (start-up rebuilds the world on another thread meanwhile, `Restorer`).
    public static func readDocument(
        _ c: inout JSONCursor, sink: @escaping @Sendable (String?, Section) -> Void
    ) throws(JSONPathError) -> Document {
        var d = Document()
        d.path = c.path
        d.sink = sink
        _ = try StateTable.read(documentMembers, into: &d, &c)
        if !d.headerSent {
            d.headerSent = true
            sink(d.sandbox, .header(d.header))
        }
        return d
    }

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
        try restore(
            bytes: JSONSerializer.serialize(value), name: name, settings: settings, checkConsistency: checkConsistency)
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
        var r = Restorer(name: name, settings: settings, at: d.path)
        for section in sections(of: d) { try r.add(section) }
        return try r.finish(checkConsistency: checkConsistency)
    }

    /// A document read whole, as the sections a `Restorer` takes, in order.
    public static func sections(of d: Document) -> [Section] {
        func whole(_ n: Int) -> Part { Part(from: 0, total: n) }
        var out: [Section] = [
            .header(d.header), .users(d.users), .repositories(MoveBuffer(d.repositories), whole(d.repositories.count)),
            .artifacts(MoveBuffer(d.artifacts), whole(d.artifacts.count)),
            .workloads(MoveBuffer(d.workloads), whole(d.workloads.count)),
            .protons(MoveBuffer(d.protons), whole(d.protons.count)),
            .deployments(d.deployments), .builds(d.builds),
            .scheduled(MoveBuffer(d.scheduled), whole(d.scheduled.count)), .faults(d.faults), .log(d.log),
        ]
        if let list = d.credentials { out.append(.credentials(list)) }
        return out
    }

    /// Where a chunk of a long list stands in it: the index of its first element, and
    /// the length of the whole list where the reader could tell it ahead (else 0), so
    /// that the stores are sized once, at the first chunk.
    public struct Part: Sendable {
        var from: Int
        var total: Int
    }

    /// A part of a sandbox's document, as read: the restorer takes them in the
    /// document's order, the long lists in chunks.
    public enum Section: Sendable {
        case header(WorldHeader)
        case users([User])
        case repositories(MoveBuffer<ArtifactRepository>, Part)
        case artifacts(MoveBuffer<Artifact>, Part)
        case workloads(MoveBuffer<Workload>, Part)
        case protons(MoveBuffer<Proton>, Part)
        case deployments([Deployment])
        case builds([ArtifactBuild])
        case scheduled(MoveBuffer<LifecycleScheduler.Entry>, Part)
        case faults([FaultRule])
        case log([EmulatorLogEntry])
        case credentials([Credential])
    }

    /// Builds a world from a document's sections as they are read, checking each
    /// object against those before it (start-up hands it the sections on another
    /// thread while it reads the rest). The checks that need what comes later (a
    /// workload's protons, the counters) are `finish`'s.
    public struct Restorer: Sendable {
        var w: World
        let base: String
        var lastSeq = 0
        var maxEvent: UInt64 = 0
        var lastDeploymentSeq = 0
        /// Workloads read before the protons: their proton ids are checked at the end.
        /// (Their proton ids kept here: no second lookup of each workload.)
        var workloadsToCheck: [(index: Int, protonIds: [String])] = []
        /// The scheduler's entries so far (they come in chunks): made its heap at the end.
        var scheduled: [LifecycleScheduler.Entry] = []

        public init(name: String, settings: SandboxSettings, at path: String) {
            w = World(name: name, settings: settings)
            base = path
        }

        public mutating func add(_ section: Section) throws(JSONPathError) {
            // A copy the refusals' closures take, not `self` (whose world they change).
            let base = self.base
            switch section {
            case let .header(h): h.apply(to: &w)
            case let .users(users): try restoreUsers(users, at: base + ".users", into: &w)
            case let .repositories(list, part):
                // Room for the whole list at once (its length comes with the first chunk):
                // the index never regrows while it is read. More room bought no fewer cache
                // misses, only more pages to fault in.
                if part.from == 0 { w.repositories.reserveCapacity(max(part.total, list.count)) }
                var i = part.from
                while let repo = list.next() {
                    try Restorer.restore(repo.id, repo, numbered: i, into: &w.repositories) {
                        ("\(base).repositories", "repository")
                    }
                    i += 1
                }
            case let .artifacts(list, part):
                if part.from == 0 { w.artifacts.reserveCapacity(max(part.total, list.count)) }
                var i = part.from
                while let a = list.next() {
                    let id = a.id
                    guard w.repositories.contains(a.repositoryId) else {
                        throw JSONPathError(
                            path: "\(base).artifacts[\(i)].repositoryId", reason: "no repository \(a.repositoryId)")
                    }
                    try Restorer.restore(id, a, numbered: i, into: &w.artifacts) { ("\(base).artifacts", "artifact") }
                    i += 1
                }
            case let .workloads(list, part):
                if part.from == 0 { w.workloads.reserveCapacity(max(part.total, list.count)) }
                var i = part.from
                while let wl = list.next() {
                    func at() -> String { "\(base).workloads[\(i)]" }
                    let id = wl.id
                    let seq = wl.seq
                    guard seq > lastSeq else {
                        throw JSONPathError(
                            path: at() + (w.workloads.contains(id) ? "" : ".seq"),
                            reason: w.workloads.contains(id) ? "duplicate workload id \(id)" : "must increase")
                    }
                    // What the checks below read, before the workload moves into the store.
                    let artifactId = wl.artifactId
                    let roles = wl.roles
                    let protonIds = wl.protonIds
                    let lastEvent = wl.events.last?.number ?? 0
                    // Refused below if anything is wrong with it: the world is then dropped.
                    guard w.workloads.restore(wl, id: id, seq: seq) else {
                        throw JSONPathError(path: at(), reason: "duplicate workload id \(id)")
                    }
                    lastSeq = seq
                    maxEvent = max(maxEvent, lastEvent)
                    guard w.artifacts.contains(artifactId) else {
                        throw JSONPathError(path: at() + ".artifactId", reason: "no artifact \(artifactId)")
                    }
                    guard roles.contains(where: { $0.role == .owner }) else {
                        throw JSONPathError(path: at() + ".roles", reason: "no OWNER: nobody could see or delete it")
                    }
                    if !protonIds.isEmpty { workloadsToCheck.append((i, protonIds)) }
                    // Lists show what a role may read: not CONSUMER (World+Sharing).
                    for (userId, role) in roles where World.listsShow(role) {
                        w.visible[userId, default: OrderedIndex()].append(id, seq: seq)
                    }
                    i += 1
                }
            case let .protons(list, part):
                if part.from == 0 { w.protons.reserveCapacity(max(part.total, list.count)) }
                var i = part.from
                while let p = list.next() {
                    let id = p.id
                    guard w.protons.restore(p, key: id) else {
                        throw JSONPathError(path: "\(base).protons[\(i)].id", reason: "duplicate proton id \(id)")
                    }
                    i += 1
                }
            case let .deployments(list):
                try checkProtons()
                for (i, dep) in list.enumerated() {
                    let at = "\(base).deployments[\(i)]"
                    guard w.deployments[dep.id] == nil else {
                        throw JSONPathError(path: at, reason: "duplicate deployment id \(dep.id)")
                    }
                    guard dep.seq > lastDeploymentSeq else {
                        throw JSONPathError(path: at + ".seq", reason: "must increase")
                    }
                    lastDeploymentSeq = dep.seq
                    guard w.workloads.contains(dep.workloadId) else {
                        throw JSONPathError(path: at + ".workloadId", reason: "no workload \(dep.workloadId)")
                    }
                    w.deployments.insert(dep, id: dep.id, seq: dep.seq)
                }
            case let .builds(list):
                for (i, b) in list.enumerated() {
                    let at = "\(base).builds[\(i)]"
                    guard w.builds[b.id] == nil else {
                        throw JSONPathError(path: at + ".id", reason: "duplicate build id \(b.id)")
                    }
                    guard w.artifacts.contains(b.artifactId) else {
                        throw JSONPathError(path: at + ".artifactId", reason: "no artifact \(b.artifactId)")
                    }
                    w.builds[b.id] = b
                }
            case let .scheduled(list, part):
                if part.from == 0 { scheduled.reserveCapacity(max(part.total, list.count)) }
                var i = part.from
                while let e = list.next() {
                    let exists =
                        e.action.kind == .build
                        ? w.builds.contains(e.action.workloadId) : w.workloads.contains(e.action.workloadId)
                    guard exists else {
                        throw JSONPathError(
                            path: "\(base).scheduled[\(i)].workloadId",
                            reason: "no \(e.action.kind == .build ? "build" : "workload") \(e.action.workloadId)")
                    }
                    guard e.sequence < w.scheduler.nextSequence else {
                        throw JSONPathError(
                            path: "\(base).scheduled[\(i)].sequence", reason: "not below generators.schedulerSequence")
                    }
                    scheduled.append(e)
                    i += 1
                }
            case let .faults(list):
                try checkFaults(list, at: base + ".faults")
                w.faults = list
            case let .log(list): w.log = list
            case let .credentials(list):
                // Absent in a document written before credentials were saved: the
                // catalogue's are kept.
                try checkCredentials(list, at: base + ".credentials")
                w.platform.credentials = list
            }
        }

        /// Stores the `i`-th object of a list numbered by its place (repositories and
        /// artifacts); refuses a second object of the same id. `names`, the list's path
        /// and its objects' kind, is only spelled out for a refusal: building a path per
        /// object was a fifth of the restorer's loop.
        private static func restore<V>(
            _ id: String, _ value: consuming V, numbered i: Int, into store: inout OrderedStore<V>,
            names: () -> (path: String, kind: String)
        ) throws(JSONPathError) {
            guard store.restore(value, id: id, seq: i + 1) else {
                let (path, kind) = names()
                throw JSONPathError(path: "\(path)[\(i)]", reason: "duplicate \(kind) id \(id)")
            }
        }

        /// The proton ids of the workloads read so far.
        private mutating func checkProtons() throws(JSONPathError) {
            for (i, pids) in workloadsToCheck {
                for pid in pids where !w.protons.contains(pid) {
                    throw JSONPathError(path: "\(base).workloads[\(i)].protonIds", reason: "no proton \(pid)")
                }
            }
            workloadsToCheck = []
        }

        public consuming func finish(checkConsistency: Bool) throws(JSONPathError) -> World {
            try checkProtons()
            // Kept in the saved order when it is a valid heap (so a re-export is
            // byte-identical); a hand-edited list is sorted instead, always a valid heap.
            let heap = scheduled
            scheduled = []
            let isHeap = heap.indices.dropFirst().allSatisfy { !heap[$0].precedes(heap[($0 - 1) / 2]) }
            w.scheduler.heap = isHeap ? heap : heap.sorted { $0.precedes($1) }
            try checkCounters(w, maxSeq: max(lastSeq, lastDeploymentSeq), maxEvent: maxEvent, at: base)
            for u in w.settings.users where w.usersByToken[u.token] == nil {
                w.usersByToken[u.token] = u
                w.usersById[u.id] = u
            }
            if checkConsistency, let problem = w.invariantViolations().first {
                throw JSONPathError(path: base, reason: "inconsistent: \(problem)")
            }
            return w
        }
    }

    /// The fault rules, each id once (every rule added through the routes gets a new id).
    static func checkFaults(_ faults: [FaultRule], at path: String) throws(JSONPathError) {
        try checkOnce(faults, at: path, ".id", { $0.id }, reason: { "duplicate fault rule id \($0.id)" })
    }

    /// Tokens non-empty and once each, ids once each.
    static func restoreUsers(_ users: [User], at path: String, into w: inout World) throws(JSONPathError) {
        try checkOnce(users, at: path, ".token", { nonEmpty($0.token) }, reason: { _ in "empty or duplicate token" })
        try checkOnce(users, at: path, ".id", { $0.id }, reason: { "duplicate user id \($0.id)" })
        for user in users {
            w.usersById[user.id] = user
            w.usersByToken[user.token] = user
        }
    }

    /// The sandbox's credentials as the API keeps them: ids and names once each.
    static func checkCredentials(_ list: [Credential], at path: String) throws(JSONPathError) {
        try checkOnce(list, at: path, ".id", { nonEmpty($0.id) }, reason: { _ in "empty or duplicate credential id" })
        try checkOnce(list, at: path, ".name", { $0.name }, reason: { "duplicate credential name '\($0.name)'" })
    }

    private static func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }

    /// Refuses the first element whose `value` is nil (not allowed) or taken by one before.
    private static func checkOnce<T>(
        _ list: [T], at path: String, _ member: String, _ value: (T) -> String?, reason: (T) -> String
    ) throws(JSONPathError) {
        var seen = Set<String>()
        for (i, x) in list.enumerated() {
            guard let v = value(x), seen.insert(v).inserted else {
                throw JSONPathError(path: "\(path)[\(i)]\(member)", reason: reason(x))
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
}
