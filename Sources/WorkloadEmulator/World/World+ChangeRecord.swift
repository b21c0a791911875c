import JSON

/// What a command changed, beyond the ids the stores remember themselves: the state
/// log writes these, so making a change durable costs the size of the change.
struct WorldChanges: Sendable {
    /// The world was replaced (new, reset, imported): the record is the whole snapshot.
    var whole = false
    var users = false
    var logAppended = 0
    /// The capped log dropped its older half: the record carries the whole log.
    var logTruncated = false
    var invocationsAppended: [String: Int] = [:]
    /// Requests removed (stats reset, promotion): the record carries all of them.
    var invocationsReset: Set<String> = []
    /// Workload log lines written, per workload (appended to the record, like requests).
    var logsAppended: [String: Int] = [:]
    /// A credential was created or deleted: the record carries the whole list.
    var credentials = false
    /// Recovery only: scheduler entries that fired in a replayed record.
    var fired: Set<UInt64> = []
}

/// One record of the state log: the objects a change touched, the generator positions
/// and clock, and what was appended to the scheduler, the emulator log and the
/// invocation logs. Objects are written and read through their state forms, as in the
/// snapshot; `recordMembers` describes the record's own members.
extension World {
    /// A record as read (on any thread), before it is applied in order.
    public struct ChangeRecord: Sendable {
        var path = "$"
        /// The world was replaced: the record is its whole document.
        var whole: Document?
        var header = WorldHeader()
        var users: [User]?
        var credentials: [Credential]?
        var faults: [FaultRule] = []
        var repositories: StoreChange<ArtifactRepository>?
        var artifacts: StoreChange<Artifact>?
        var workloads: StoreChange<Workload>?
        var deployments: StoreChange<Deployment>?
        var protons: KeyedChange<Proton>?
        var builds: KeyedChange<ArtifactBuild>?
        var scheduled: [LifecycleScheduler.Entry]?
        var fired: [UInt64] = []
        var log: [EmulatorLogEntry]?
        var logAppend: [EmulatorLogEntry]?
        var workloadLogs: [WorkloadLogsChange] = []
        var invocations: [InvocationsChange] = []
    }

    /// Objects of an ordered store set (with their creation sequence) or deleted.
    struct StoreChange<V: StateForm & Sendable>: Sendable {
        var set: [(seq: Int, value: V)] = []
        var delete: [String] = []
    }

    struct KeyedChange<V: StateForm & Sendable>: Sendable {
        var set: [V] = []
        var delete: [String] = []
    }

    /// A workload's log lines written since the last record.
    struct WorkloadLogsChange: StateForm, Sendable {
        var workloadId: String
        var logsWritten: UInt64
        var lines: [WorkloadLogLine]
        static let blank = WorkloadLogsChange(workloadId: "", logsWritten: 0, lines: [])
        static let fields: [StateField<WorkloadLogsChange>] = [
            .string("workloadId", \.workloadId),
            .custom(
                "logsWritten", write: { x, j, _ in j.int("logsWritten", Int64(x.logsWritten)) },
                read: { (c, x) throws(JSONPathError) in x.logsWritten = UInt64(try c.sequence()) }),
            .custom(
                "logs", write: { x, j, e in j.array("logs") { j in for l in x.lines { l.writeState(&j, e) } } },
                read: { (c, x) throws(JSONPathError) in x.lines = try WorkloadLogLine.readLines(&c, capacity: nil) }),
        ]
    }

    /// A workload's requests: appended since the last record, or all of them.
    struct InvocationsChange: StateForm, Sendable {
        var workloadId: String
        var all: Bool
        var records: [InvocationRecord]
        static let blank = InvocationsChange(workloadId: "", all: false, records: [])
        static let fields: [StateField<InvocationsChange>] = [
            .string("workloadId", \.workloadId),
            .custom(
                "mode", write: { x, j, _ in j.string("mode", x.all ? "all" : "append") },
                read: { (c, x) throws(JSONPathError) in x.all = try c.string() == "all" }),
            .list("invocations", \.records),
        ]
    }

    /// The record of everything changed since the last call (JSON bytes), and forgets
    /// it. Called by `Sandbox.execute` under the sandbox's lock, so records follow the
    /// order of the changes.
    public mutating func takeChangeRecord() -> [UInt8] {
        var j = JSONWriter(capacity: 1024)
        if changes.whole {
            j.object { j in
                j.key("whole")
                writeSnapshot(&j, .compact)
            }
        } else {
            StateTable.write(World.recordMembers, self, &j, .compact)
        }
        discardChanges()
        return j.bytes
    }

    /// Forgets what changed (no state log is kept, or the change is already recorded).
    public mutating func discardChanges() {
        _ = workloads.takeChanged()
        _ = artifacts.takeChanged()
        _ = repositories.takeChanged()
        _ = deployments.takeChanged()
        _ = protons.takeChanged()
        _ = builds.takeChanged()
        scheduler.added.removeAll()
        scheduler.popped.removeAll()
        let fired = changes.fired
        changes = WorldChanges()
        changes.fired = fired
    }

    typealias RecordMember = StateMember<World, ChangeRecord>

    /// A member written only when `changed` says so (and read when present).
    private static func member(
        _ key: StaticString, write: @escaping @Sendable (World, inout JSONWriter, StateEncoding) -> Void,
        read: @escaping @Sendable (inout JSONCursor, inout ChangeRecord) throws(JSONPathError) -> Void
    ) -> RecordMember {
        RecordMember(key: key, required: false, isDefault: nil, write: write, read: read)
    }

    /// Every member may be absent in a `whole` record; the others need the header and
    /// the fault rules (`requiredRecordMembers`).
    static let recordMembers: [RecordMember] =
        [
            member(
                "whole", write: { _, _, _ in }, read: { (c, r) throws(JSONPathError) in r.whole = try readDocument(&c) }
            )
        ]
        + WorldHeader.members(of: { WorldHeader($0) }, into: \ChangeRecord.header).map { m in
            RecordMember(key: m.key, required: false, isDefault: nil, write: m.write, read: m.read)
        } + [
            member(
                "users",
                write: { w, j, e in
                    guard w.changes.users else { return }
                    j.array("users") { j in
                        for u in w.usersById.values.sorted(by: { $0.id < $1.id }) { u.writeState(&j, e) }
                    }
                }, read: { (c, r) throws(JSONPathError) in r.users = try c.list(User.self) }),
            member(
                "credentials",
                write: { w, j, e in
                    guard w.changes.credentials else { return }
                    j.array("credentials") { j in for x in w.platform.credentials { x.writeState(&j, e) } }
                }, read: { (c, r) throws(JSONPathError) in r.credentials = try c.list(Credential.self) }),
            member(
                "faults", write: { w, j, e in j.array("faults") { j in for f in w.faults { f.writeState(&j, e) } } },
                read: { (c, r) throws(JSONPathError) in r.faults = try c.list(FaultRule.self) }),
            storeMember("repositories", \.repositories, \.repositories, ArtifactRepository.fields),
            storeMember("artifacts", \.artifacts, \.artifacts, Artifact.fields),
            storeMember("workloads", \.workloads, \.workloads, Workload.recordFields),
            storeMember("deployments", \.deployments, \.deployments, Deployment.fields),
            keyedMember("protons", \.protons, \.protons),
            keyedMember("builds", \.builds, \.builds),
            member(
                "scheduled",
                write: { w, j, e in
                    guard !w.scheduler.added.isEmpty else { return }
                    j.array("scheduled") { j in for x in w.scheduler.added { x.writeState(&j, e) } }
                }, read: { (c, r) throws(JSONPathError) in r.scheduled = try c.list(LifecycleScheduler.Entry.self) }),
            member(
                "fired",
                write: { w, j, _ in
                    guard !w.scheduler.popped.isEmpty else { return }
                    j.array("fired") { j in for s in w.scheduler.popped { j.int(Int64(truncatingIfNeeded: s)) } }
                },
                read: { (c, r) throws(JSONPathError) in
                    try c.beginArray()
                    while try c.nextElement() { r.fired.append(UInt64(bitPattern: try c.int())) }
                }),
            member(
                "log",
                write: { w, j, e in
                    guard w.changes.logTruncated else { return }
                    j.array("log") { j in for x in w.log { x.writeState(&j, e) } }
                }, read: { (c, r) throws(JSONPathError) in r.log = try c.list(EmulatorLogEntry.self) }),
            member(
                "logAppend",
                write: { w, j, e in
                    guard !w.changes.logTruncated, w.changes.logAppended > 0 else { return }
                    j.array("logAppend") { j in for x in w.log.suffix(w.changes.logAppended) { x.writeState(&j, e) } }
                }, read: { (c, r) throws(JSONPathError) in r.logAppend = try c.list(EmulatorLogEntry.self) }),
            member(
                "workloadLogs",
                write: { w, j, e in
                    guard !w.changes.logsAppended.isEmpty else { return }
                    j.array("workloadLogs") { j in
                        for (id, appended) in w.changes.logsAppended.sorted(by: { $0.key < $1.key }) {
                            guard let log = w.workloads.read(id, { $0.logs }) else { continue }
                            // Appending to the ring drops the oldest lines as the live log did.
                            let lines = (max(0, log.count - appended)..<log.count).map { log[$0] }
                            WorkloadLogsChange(workloadId: id, logsWritten: log.written, lines: lines).writeState(&j, e)
                        }
                    }
                }, read: { (c, r) throws(JSONPathError) in r.workloadLogs = try c.list(WorkloadLogsChange.self) }),
            member(
                "invocations",
                write: { w, j, e in
                    let touched = Set(w.changes.invocationsAppended.keys).union(w.changes.invocationsReset)
                    guard !touched.isEmpty else { return }
                    j.array("invocations") { j in
                        for id in touched.sorted() {
                            guard let records = w.workloads.read(id, { $0.invocations.records }) else { continue }
                            let appended = w.changes.invocationsAppended[id] ?? 0
                            // Past half the cap the log may have dropped its older half: send all.
                            let all = w.changes.invocationsReset.contains(id) || appended >= InvocationLog.capacity / 2
                            InvocationsChange(
                                workloadId: id, all: all, records: all ? records : Array(records.suffix(appended))
                            ).writeState(&j, e)
                        }
                    }
                }, read: { (c, r) throws(JSONPathError) in r.invocations = try c.list(InvocationsChange.self) }),
        ]

    private static let requiredRecordMembers: [Int] = recordMembers.indices.filter { i in
        ["clock", "now", "profile", "generators", "faults"].contains(recordMembers[i].key.description)
    }

    /// `{"set": [...], "delete": [ids]}` of the ids that changed, in id order; nothing
    /// when none did.
    private static func writeChanged(
        _ key: StaticString, _ changed: Set<String>, gone: (String) -> Bool, _ j: inout JSONWriter,
        set: (inout JSONWriter, String) -> Void
    ) {
        guard !changed.isEmpty else { return }
        let ids = changed.sorted()
        j.object(key) { j in
            j.array("set") { j in for id in ids { set(&j, id) } }
            j.array("delete") { j in for id in ids where gone(id) { j.string(id) } }
        }
    }

    /// `{"set": [{"seq", "value"}], "delete": [ids]}` of the objects of an ordered store
    /// that changed (written with `fields`: a workload's without its requests).
    private static func storeMember<V: StateForm & Sendable>(
        _ key: StaticString, _ store: any KeyPath<World, OrderedStore<V>> & Sendable,
        _ kp: any WritableKeyPath<ChangeRecord, StoreChange<V>?> & Sendable, _ fields: [StateField<V>]
    ) -> RecordMember {
        member(
            key,
            write: { w, j, e in
                let store = w[keyPath: store]
                writeChanged(key, store.changed, gone: { !store.contains($0) }, &j) { j, id in
                    guard let v = store[id], let seq = store.seq(of: id) else { return }
                    j.object { j in
                        j.int("seq", seq)
                        j.key("value")
                        StateTable.write(fields, v, &j, e)
                    }
                }
            },
            read: { (c, r) throws(JSONPathError) in
                var change = StoreChange<V>()
                try c.setAndDelete(&change.delete) { (c) throws(JSONPathError) in
                    var seq: Int?
                    var value: V?
                    try c.members { (c, k) throws(JSONPathError) in
                        if c.matches(k, "seq") {
                            seq = Int(exactly: try c.int())
                        } else if c.matches(k, "value") {
                            value = try V.readState(&c)
                        } else {
                            try c.skip()
                        }
                    }
                    guard let seq else { throw c.missing("seq") }
                    guard let value else { throw c.missing("value") }
                    change.set.append((seq, value))
                }
                r[keyPath: kp] = change
            })
    }

    /// `{"set": [objects], "delete": [ids]}` of a keyed store's changed objects.
    private static func keyedMember<V: StateForm & Sendable>(
        _ key: StaticString, _ store: any KeyPath<World, KeyedStore<V>> & Sendable,
        _ kp: any WritableKeyPath<ChangeRecord, KeyedChange<V>?> & Sendable
    ) -> RecordMember {
        let write: @Sendable (World, inout JSONWriter, StateEncoding) -> Void = { w, j, e in
            let s = w[keyPath: store]
            writeChanged(key, s.changed, gone: { !s.contains($0) }, &j) { j, id in s[id]?.writeState(&j, e) }
        }
        return member(
            key, write: write,
            read: { (c, r) throws(JSONPathError) in
                var change = KeyedChange<V>()
                try c.setAndDelete(&change.delete) { (c) throws(JSONPathError) in change.set.append(try V.readState(&c))
                }
                r[keyPath: kp] = change
            })
    }

    /// Reads a record at the cursor (the `change` of a state log entry).
    public static func readChangeRecord(_ c: inout JSONCursor) throws(JSONPathError) -> ChangeRecord {
        var r = ChangeRecord()
        r.path = c.path
        let present = try StateTable.read(recordMembers, into: &r, &c)
        if r.whole == nil {
            for i in requiredRecordMembers where !present.contains(i) { throw c.missing(recordMembers[i].key) }
        }
        return r
    }

    /// Reads and applies one record of `takeChangeRecord()`.
    public mutating func apply(changeRecord bytes: [UInt8]) throws(JSONPathError) {
        try apply(JSONCursor.read(bytes) { (c) throws(JSONPathError) in try World.readChangeRecord(&c) })
    }

    /// Applies one record (recovery). Field checks are the state forms'; references
    /// between objects are checked once the log is replayed (`invariantViolations`),
    /// since one record may refer to an object of a later one.
    public mutating func apply(_ r: ChangeRecord) throws(JSONPathError) {
        if let whole = r.whole {
            self = try World.restore(whole, name: name, settings: settings, checkConsistency: false)
            discardChanges()
            return
        }
        r.header.apply(to: &self)
        if let users = r.users { try World.restoreUsers(users, at: r.path + ".users", into: &self) }
        if let list = r.credentials {
            try World.checkCredentials(list, at: r.path + ".credentials")
            platform.credentials = list
        }
        try World.checkFaults(r.faults, at: r.path + ".faults")
        faults = r.faults
        if let x = r.repositories { try World.applyStore(x, &repositories, id: \.id, at: r.path + ".repositories") }
        if let x = r.artifacts { try World.applyStore(x, &artifacts, id: \.id, at: r.path + ".artifacts") }
        if let x = r.workloads { try applyWorkloads(x, at: r.path + ".workloads") }
        if let x = r.deployments { try World.applyStore(x, &deployments, id: \.id, at: r.path + ".deployments") }
        if let x = r.protons {
            for p in x.set { protons[p.id] = p }
            for id in x.delete { protons[id] = nil }
        }
        if let x = r.builds {
            for b in x.set { builds[b.id] = b }
            for id in x.delete { builds[id] = nil }
        }
        for e in r.scheduled ?? [] { scheduler.restore(e) }
        changes.fired.formUnion(r.fired)
        if let x = r.log {
            log = x
        } else if let x = r.logAppend {
            for e in x { appendLog(e) }
        }
        for (i, x) in r.workloadLogs.enumerated() {
            let at = "\(r.path).workloadLogs[\(i)]"
            guard var log = workloads.read(x.workloadId, { $0.logs }) else { continue }
            if let first = x.lines.first, first.number <= log.written {
                throw JSONPathError(
                    path: at + ".logs[0].number", reason: "must be above \(log.written), the line before")
            }
            if let n = x.lines.firstIndex(where: { $0.number > x.logsWritten }) {
                throw JSONPathError(
                    path: at + ".logs[\(n)].number", reason: "must be at most logsWritten (\(x.logsWritten))")
            }
            for l in x.lines { log.restore(l) }
            guard log.written == x.logsWritten else {
                throw JSONPathError(path: at + ".logsWritten", reason: "must be the number of the last line")
            }
            workloads.update(x.workloadId) { [log] in $0.logs = log }
        }
        for x in r.invocations {
            workloads.update(x.workloadId) { w in
                if x.all {
                    w.invocations.records = x.records
                } else {
                    for rec in x.records { w.invocations.append(rec) }
                }
            }
        }
        discardChanges()
    }

    /// After the last record: drops the scheduler entries that have fired, and checks
    /// that the objects refer to each other as the API keeps them.
    /// `check: false` leaves `invariantViolations` to the caller.
    public mutating func finishReplay(check: Bool = true) throws(JSONPathError) {
        scheduler.forget(changes.fired)
        discardChanges()
        changes.fired = []
        if check, let problem = invariantViolations().first {
            throw JSONPathError(path: "$", reason: "inconsistent: \(problem)")
        }
    }

    private static func applyStore<V>(
        _ x: StoreChange<V>, _ store: inout OrderedStore<V>, id: KeyPath<V, String>, at path: String
    ) throws(JSONPathError) {
        // A record lists objects by id; new ones are appended in creation order.
        for i in x.set.indices.sorted(by: { x.set[$0].seq < x.set[$1].seq }) {
            let (seq, v) = x.set[i]
            let id = v[keyPath: id]
            if store.contains(id) {
                // In its place: repositories and artifacts are numbered by position when a
                // snapshot is read, so a record's seq for them need not be the one restored.
                store.update(id) { $0 = v }
            } else {
                // The creation order is kept by appending: a new object comes after all.
                guard seq > (store.order.lastSeq ?? 0) else {
                    throw JSONPathError(
                        path: "\(path).set[\(i)].seq",
                        reason: "must be above \(store.order.lastSeq ?? 0), the last one used")
                }
                // New (just looked up): one insertion; `apply` discards the changes anyway.
                _ = store.restore(v, id: id, seq: seq)
            }
        }
        for id in x.delete { store.remove(id) }
    }

    /// Workloads also carry the per-user list indexes, and keep the requests they had.
    private mutating func applyWorkloads(_ x: StoreChange<Workload>, at path: String) throws(JSONPathError) {
        // A record lists workloads by id; new ones are appended in creation order.
        for i in x.set.indices.sorted(by: { x.set[$0].value.seq < x.set[$1].value.seq }) {
            var wl = x.set[i].value
            // The path only for a refusal (a log holds a record per change).
            func at() -> String { "\(path).set[\(i)].value" }
            if let oldSeq = workloads.seq(of: wl.id) {
                guard oldSeq == wl.seq else {
                    throw JSONPathError(path: at() + ".seq", reason: "\(wl.id) had seq \(oldSeq)")
                }
                // In place, one lookup: the requests and log lines it had are kept.
                let since = wl.invocations.since
                let before = workloads.update(wl.id) { old in
                    wl.invocations = old.invocations
                    wl.invocations.since = since
                    wl.logs = old.logs
                    let roles = old.roles
                    old = wl
                    return roles
                }
                reindexVisibility(workload: wl.id, before: before ?? [], after: wl.roles)
            } else {
                // Each user's list index is appended to, as the store's order is.
                let last = wl.roles.reduce(workloads.order.lastSeq ?? 0) { max($0, visible[$1.userId]?.lastSeq ?? 0) }
                guard wl.seq > last else {
                    throw JSONPathError(path: at() + ".seq", reason: "must be above \(last), the last one used")
                }
                // New (just looked up): one insertion, not counted as a change (the
                // record being applied is where it came from; `apply` discards them).
                _ = workloads.restore(wl, id: wl.id, seq: wl.seq)
                for (userId, role) in wl.roles where World.listsShow(role) {
                    visible[userId, default: OrderedIndex()].append(wl.id, seq: wl.seq)
                }
            }
        }
        for id in x.delete {
            guard let w = workloads.remove(id) else { continue }
            for (userId, _) in w.roles { visible[userId]?.remove(seq: w.seq) }
        }
    }
}

extension JSONCursor {
    /// `{"set": [...], "delete": [ids]}`, both required; `element` reads one of `set`.
    mutating func setAndDelete(
        _ delete: inout [String], _ element: (inout JSONCursor) throws(JSONPathError) -> Void
    ) throws(JSONPathError) {
        var sawSet = false
        var sawDelete = false
        try members { (c, k) throws(JSONPathError) in
            if c.matches(k, "set") {
                sawSet = true
                try c.beginArray()
                while try c.nextElement() { try element(&c) }
            } else if c.matches(k, "delete") {
                sawDelete = true
                try c.beginArray()
                while try c.nextElement() { delete.append(try c.string()) }
            } else {
                try c.skip()
            }
        }
        guard sawSet else { throw missing("set") }
        guard sawDelete else { throw missing("delete") }
    }
}
