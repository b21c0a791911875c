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
/// invocation logs. Objects are written by the same functions as the snapshot
/// (World+SnapshotBytes) and read by the same decoders (World+Snapshot).
extension World {
    /// The record of everything changed since the last call (JSON bytes), and forgets
    /// it. Called by `Sandbox.execute` under the sandbox's lock, so records follow the
    /// order of the changes.
    public mutating func takeChangeRecord() -> [UInt8] {
        var j = JSONWriter(capacity: 1024)
        if changes.whole {
            j.object { j in
                j.key("whole")
                writeSnapshot(&j)
            }
        } else {
            j.object { j in writeChanges(&j) }
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

    private func writeChanges(_ j: inout JSONWriter) {
        writeHeader(&j)
        if changes.users { writeUsers(&j) }
        if changes.credentials { writeCredentials(&j) }
        j.array("faults") { j in for f in faults { j.value(f.json) } }
        writeStore("repositories", repositories, &j) { World.write($0, &$1) }
        writeStore("artifacts", artifacts, &j) { World.write($0, &$1) }
        writeStore("workloads", workloads, &j) { World.write($0, &$1, invocations: false) }
        writeStore("deployments", deployments, &j) { World.write($0, &$1) }
        writeKeyed("protons", protons, &j) { World.write($0, &$1) }
        writeKeyed("builds", builds, &j) { World.write($0, &$1) }
        if !scheduler.added.isEmpty {
            j.array("scheduled") { j in for e in scheduler.added { World.write(e, &j) } }
        }
        if !scheduler.popped.isEmpty {
            j.array("fired") { j in for s in scheduler.popped { j.int(Int64(truncatingIfNeeded: s)) } }
        }
        if changes.logTruncated {
            j.array("log") { j in for e in log { World.write(e, &j) } }
        } else if changes.logAppended > 0 {
            j.array("logAppend") { j in for e in log.suffix(changes.logAppended) { World.write(e, &j) } }
        }
        if !changes.logsAppended.isEmpty {
            j.array("workloadLogs") { j in
                for (id, appended) in changes.logsAppended.sorted(by: { $0.key < $1.key }) {
                    guard let log = workloads.read(id, { $0.logs }) else { continue }
                    j.object { j in
                        j.string("workloadId", id)
                        j.int("logsWritten", Int64(log.written))
                        // Appending to the ring drops the oldest lines as the live log did.
                        World.writeLogLines(log, last: appended, &j)
                    }
                }
            }
        }
        let touched = Set(changes.invocationsAppended.keys).union(changes.invocationsReset)
        if !touched.isEmpty {
            j.array("invocations") { j in
                for id in touched.sorted() {
                    guard let records = workloads.read(id, { $0.invocations.records }) else { continue }
                    let appended = changes.invocationsAppended[id] ?? 0
                    // Past half the cap the log may have dropped its older half: send all.
                    let all = changes.invocationsReset.contains(id) || appended >= InvocationLog.capacity / 2
                    j.object { j in
                        j.string("workloadId", id)
                        j.string("mode", all ? "all" : "append")
                        World.writeInvocations(all ? records[...] : records.suffix(appended), &j)
                    }
                }
            }
        }
    }

    private func writeStore<V>(
        _ key: StaticString, _ store: OrderedStore<V>, _ j: inout JSONWriter, _ write: (V, inout JSONWriter) -> Void
    ) {
        guard !store.changed.isEmpty else { return }
        j.object(key) { j in
            j.array("set") { j in
                for id in store.changed.sorted() {
                    guard let v = store[id], let seq = store.seq(of: id) else { continue }
                    j.object { j in
                        j.int("seq", seq)
                        j.key("value")
                        write(v, &j)
                    }
                }
            }
            j.array("delete") { j in
                for id in store.changed.sorted() where store[id] == nil { j.string(id) }
            }
        }
    }

    private func writeKeyed<V>(
        _ key: StaticString, _ store: KeyedStore<V>, _ j: inout JSONWriter, _ write: (V, inout JSONWriter) -> Void
    ) {
        guard !store.changed.isEmpty else { return }
        j.object(key) { j in
            j.array("set") { j in
                for id in store.changed.sorted() { if let v = store[id] { write(v, &j) } }
            }
            j.array("delete") { j in
                for id in store.changed.sorted() where store[id] == nil { j.string(id) }
            }
        }
    }

    /// Applies one record of `takeChangeRecord()` (recovery). Field checks are the
    /// snapshot's; references between objects are checked once the log is replayed
    /// (`invariantViolations`), since one record may refer to an object of a later one.
    public mutating func apply(changeRecord r: JSONReader) throws(JSONPathError) {
        if let whole = r.optional("whole") {
            self = try World.restore(whole.value, name: name, settings: settings, checkConsistency: false)
            discardChanges()
            return
        }
        try World.restoreHeader(r, into: &self)
        if let users = r.optional("users") { try World.restoreUsers(users, into: &self) }
        if let x = r.optional("credentials") { platform.credentials = try World.decodeCredentials(x) }
        faults = try World.decodeFaults(r.required("faults"))
        if let x = r.optional("repositories") {
            try World.applyStore(x, &repositories) { (v) throws(JSONPathError) in try World.decodeRepository(v) }
        }
        if let x = r.optional("artifacts") {
            try World.applyStore(x, &artifacts) { (v) throws(JSONPathError) in try World.decodeArtifact(v) }
        }
        if let x = r.optional("workloads") { try applyWorkloads(x) }
        if let x = r.optional("deployments") {
            try World.applyStore(x, &deployments) { (v) throws(JSONPathError) in try World.decodeDeployment(v) }
        }
        if let x = r.optional("protons") {
            for v in try x.required("set").array() {
                let p = try World.decodeProton(v)
                protons[p.id] = p
            }
            for id in try x.required("delete").array() { protons[try id.string()] = nil }
        }
        if let x = r.optional("builds") {
            for v in try x.required("set").array() {
                let b = try World.decodeBuild(v)
                builds[b.id] = b
            }
            for id in try x.required("delete").array() { builds[try id.string()] = nil }
        }
        if let x = r.optional("scheduled") {
            for v in try x.array() { scheduler.restore(try World.decodeScheduled(v)) }
        }
        for v in try r.optional("fired")?.array() ?? [] {
            changes.fired.insert(UInt64(bitPattern: try v.int()))
        }
        if let x = r.optional("log") {
            log = try x.array().map { (v) throws(JSONPathError) in try World.decodeLog(v) }
        } else if let x = r.optional("logAppend") {
            for v in try x.array() { appendLog(try World.decodeLog(v)) }
        }
        for x in try r.optional("workloadLogs")?.array() ?? [] {
            let id = try x.string("workloadId")
            let written = UInt64(try World.sequence(x.required("logsWritten")))
            guard let old = workloads.read(id, { $0.logs }) else { continue }
            let log = try World.decodeLogLines(
                x.required("logs"), after: old.written, written: written, replacing: false, into: old)
            guard log.written == written else {
                throw JSONPathError(path: x.path + ".logsWritten", reason: "must be the number of the last line")
            }
            workloads.update(id) { $0.logs = log }
        }
        for x in try r.optional("invocations")?.array() ?? [] {
            let id = try x.string("workloadId")
            let records = try World.decodeInvocations(x.required("invocations"))
            let all = try x.string("mode") == "all"
            workloads.update(id) { w in
                if all { w.invocations.records = records } else { for rec in records { w.invocations.append(rec) } }
            }
        }
        discardChanges()
    }

    /// After the last record: drops the scheduler entries that have fired, and checks
    /// that the objects refer to each other as the API keeps them.
    public mutating func finishReplay() throws(JSONPathError) {
        scheduler.forget(changes.fired)
        discardChanges()
        changes.fired = []
        if let problem = invariantViolations().first {
            throw JSONPathError(path: "$", reason: "inconsistent: \(problem)")
        }
    }

    private static func applyStore<V>(
        _ x: JSONReader, _ store: inout OrderedStore<V>, _ decode: (JSONReader) throws(JSONPathError) -> V
    ) throws(JSONPathError) {
        // A record lists objects by id; new ones are appended in creation order.
        let entries = try x.required("set").array()
        var seqs: [Int] = []
        for e in entries { seqs.append(Int(try e.required("seq").int())) }
        for i in entries.indices.sorted(by: { seqs[$0] < seqs[$1] }) {
            let e = entries[i]
            let v = try decode(e.required("value"))
            let id = try e.required("value").string("id")
            let seqReader = try e.required("seq")
            let seq = seqs[i]
            if store[id] != nil {
                // In its place: repositories and artifacts are numbered by position when a
                // snapshot is read, so a record's seq for them need not be the one restored.
                store.update(id) { $0 = v }
            } else {
                // The creation order is kept by appending: a new object comes after all.
                guard seq > (store.order.lastSeq ?? 0) else {
                    throw seqReader.fail("must be above \(store.order.lastSeq ?? 0), the last one used")
                }
                store.insert(v, id: id, seq: seq)
            }
        }
        for id in try x.required("delete").array() { store.remove(try id.string()) }
    }

    /// Workloads also carry the per-user list indexes, and keep the requests they had.
    private mutating func applyWorkloads(_ x: JSONReader) throws(JSONPathError) {
        var decoded: [(value: JSONReader, workload: Workload)] = []
        for e in try x.required("set").array() {
            let value = try e.required("value")
            decoded.append((value, try World.decodeWorkload(value)))
        }
        // A record lists workloads by id; new ones are appended in creation order.
        for (value, decodedWorkload) in decoded.sorted(by: { $0.workload.seq < $1.workload.seq }) {
            var wl = decodedWorkload
            if let oldSeq = workloads.seq(of: wl.id), oldSeq != wl.seq {
                throw JSONPathError(path: value.path + ".seq", reason: "\(wl.id) had seq \(oldSeq)")
            }
            if let old = workloads[wl.id] {
                let since = wl.invocations.since
                wl.invocations = old.invocations
                wl.invocations.since = since
                wl.logs = old.logs
                workloads.update(wl.id) { [wl] in $0 = wl }
                reindexVisibility(workload: wl.id, before: old.roles, after: wl.roles)
            } else {
                // Each user's list index is appended to, as the store's order is.
                let last = wl.roles.reduce(workloads.order.lastSeq ?? 0) { max($0, visible[$1.userId]?.lastSeq ?? 0) }
                guard wl.seq > last else {
                    throw JSONPathError(path: value.path + ".seq", reason: "must be above \(last), the last one used")
                }
                workloads.insert(wl, id: wl.id, seq: wl.seq)
                for (userId, role) in wl.roles where World.listsShow(role) {
                    visible[userId, default: OrderedIndex()].append(wl.id, seq: wl.seq)
                }
            }
        }
        for id in try x.required("delete").array() {
            let id = try id.string()
            guard let w = workloads.remove(id) else { continue }
            for (userId, _) in w.roles { visible[userId]?.remove(seq: w.seq) }
        }
    }
}
