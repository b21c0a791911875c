import JSON

/// A workload's state form. `recordFields` leaves out its requests and log lines: the
/// state log appends those apart, not with every change of the workload.
extension Workload: StateForm {
    static let blank = Workload(
        id: "", seq: 0, name: "", description: nil, importance: .low, status: .submitted, artifactId: "",
        runtime: .null, protonId: nil, protonIds: [], creatorId: "", roles: [], createdAt: 0, updatedAt: 0,
        lastStartAt: 0, expiresAt: nil, pending: nil, transitionToken: 0, expiryToken: 0, heldBy: nil,
        failureMessage: nil, promotedAt: nil)

    static let fields: [StateField<Workload>] = [
        .string("id", \.id),
        .int("seq", \.seq, check: sequenceCheck),
        .string("name", \.name),
        .optionalString("description", \.description),
        .enumeration("importance", \.importance), .enumeration("status", \.status),
        .string("artifactId", \.artifactId),
        .value("runtime", \.runtime),
        .optionalString("protonId", \.protonId),
        .strings("protonIds", \.protonIds),
        .string("creatorId", \.creatorId),
        GrantForm.field("roles", \.roles, required: true),
        .timestamp("createdAt", \.createdAt), .timestamp("updatedAt", \.updatedAt),
        .timestamp("lastStartAt", \.lastStartAt),
        .optionalTimestamp("expiresAt", \.expiresAt),
        .custom(
            "pending", required: false, isDefault: { $0.pending == nil },
            write: { w, j, e in
                j.key("pending")
                if let p = w.pending { PendingForm(at: p.at, to: p.to).writeState(&j, e) } else { j.null() }
            },
            read: { (c, w) throws(JSONPathError) in
                let p = try PendingForm.readState(&c)
                w.pending = (p.at, p.to)
            }),
        .hex("transitionToken", \.transitionToken), .hex("expiryToken", \.expiryToken),
        .optionalString("heldBy", \.heldBy), .optionalString("failureMessage", \.failureMessage),
        .optionalTimestamp("promotedAt", \.promotedAt),
        .list("events", \.events),
        .optionalObject("replacement", \.replacement),
        .list("history", \.history, required: false),
        .optionalString("upstream", \.upstream),
        .optionalTimestamp("invocationsSince", \.invocations.since),
        // Requests in flight belonged to the process that saved it: none are now.
        .list("invocations", \.invocations.records, required: false),
        .custom(
            "logsWritten", required: false, isDefault: { $0.logs.written == 0 },
            write: { w, j, _ in j.int("logsWritten", Int64(w.logs.written)) },
            read: { (c, w) throws(JSONPathError) in
                w.logs = WorkloadLog(restoring: w.logs.savedLines, written: UInt64(try c.sequence()))
            }),
        .custom(
            "logs", required: false, isDefault: { $0.logs.count == 0 },
            write: { w, j, e in World.writeLogLines(w.logs, last: w.logs.count, &j, e) },
            read: { (c, w) throws(JSONPathError) in
                w.logs = WorkloadLog(
                    restoring: try WorkloadLogLine.readLines(&c, capacity: WorkloadLog.capacity),
                    written: w.logs.written)
            }),
    ]

    /// The members a state log record carries (not the requests and log lines).
    static let recordFields = Array(fields.dropLast(3))
    private static let logsIndex = StateTable.index(of: "logs", in: fields)
    private static let logsWrittenIndex = StateTable.index(of: "logsWritten", in: fields)

    static func finish(_ w: inout Workload, present: StatePresence, at c: inout JSONCursor) throws(JSONPathError) {
        for i in w.events.indices { w.events[i].workloadId = w.id }
        guard present.contains(logsIndex) else {
            w.logs = WorkloadLog()
            return
        }
        guard present.contains(logsWrittenIndex) else { throw c.missing("logsWritten") }
        // The next line takes `written + 1`: none may be numbered above it.
        let written = w.logs.written
        let lines = w.logs.savedLines
        if let i = lines.firstIndex(where: { $0.number > written }) {
            throw JSONPathError(
                path: c.path + ".logs[\(i)].number", reason: "must be at most logsWritten (\(written))")
        }
    }
}

/// `Workload.pending`.
struct PendingForm: StateForm {
    var at: Int64
    var to: WorkloadStatus
    static let blank = PendingForm(at: 0, to: .submitted)
    static let fields: [StateField<PendingForm>] = [.timestamp("at", \.at), .enumeration("to", \.to)]
}

/// A grant of `roles` (repositories, artifacts, workloads).
struct GrantForm: StateForm {
    var userId: String
    var role: Role
    static let blank = GrantForm(userId: "", role: .user)
    static let fields: [StateField<GrantForm>] = [.string("userId", \.userId), .enumeration("role", \.role)]

    static func field<M>(
        _ key: StaticString, _ kp: any WritableKeyPath<M, [(userId: String, role: Role)]> & Sendable, required: Bool
    ) -> StateField<M> {
        .custom(
            key, required: required, isDefault: required ? nil : StateField<M>.emptyTest(kp),
            write: { m, j, e in
                j.array(key) { j in
                    for g in m[keyPath: kp] { GrantForm(userId: g.userId, role: g.role).writeState(&j, e) }
                }
            },
            read: { (c, m) throws(JSONPathError) in
                m[keyPath: kp] = try c.list(GrantForm.self).map { ($0.userId, $0.role) }
            })
    }
}

extension WorkloadEvent: StateForm {
    static let blank = WorkloadEvent(
        number: 0, workloadId: "", kind: .created, at: 0, actorId: nil, from: nil, to: nil, message: nil,
        replacementStatus: nil)

    static let fields: [StateField<WorkloadEvent>] = [
        .custom(
            "number", write: { e, j, _ in j.int("number", Int64(e.number)) },
            read: { (c, e) throws(JSONPathError) in
                let v = try c.int()
                guard v >= 0 else { throw c.fail("must not be negative") }
                e.number = UInt64(v)
            }),
        .enumeration("kind", \.kind) { "unknown event kind '\($0)'" },
        .timestamp("at", \.at),
        .optionalString("actorId", \.actorId),
        .optionalEnumeration("from", \.from), .optionalEnumeration("to", \.to),
        .optionalString("message", \.message),
        .optionalEnumeration("replacementStatus", \.replacementStatus),
    ]
}

extension Replacement: StateForm {
    static let blank = Replacement(
        id: "", status: .submitted, trigger: "", fromArtifactId: "", toArtifactId: "", fromRuntime: .null,
        toRuntime: .null, warmupMinutes: 0, keepMinutes: 0, oldProtonId: nil, candidateProtonId: nil, actorId: "",
        createdAt: 0, updatedAt: 0, completedAt: nil, failureMessage: nil)

    static let fields: [StateField<Replacement>] = [
        .string("id", \.id),
        .enumeration("status", \.status),
        .string("strategy", \.strategy, default: "rolling"),
        .string("trigger", \.trigger),
        .string("fromArtifactId", \.fromArtifactId), .string("toArtifactId", \.toArtifactId),
        .value("fromRuntime", \.fromRuntime), .value("toRuntime", \.toRuntime),
        .int("warmupMinutes", \.warmupMinutes), .int("keepMinutes", \.keepMinutes),
        .optionalString("oldProtonId", \.oldProtonId), .optionalString("candidateProtonId", \.candidateProtonId),
        .string("actorId", \.actorId),
        .timestamp("createdAt", \.createdAt), .timestamp("updatedAt", \.updatedAt),
        .optionalTimestamp("completedAt", \.completedAt),
        .optionalString("failureMessage", \.failureMessage),
        .hex("token", \.token, default: 0),
        .optionalTimestamp("pendingAt", \.pendingAt),
    ]
}

extension HistoryEntry: StateForm {
    static let blank = HistoryEntry(
        id: "", kind: .replacement, status: "", fromArtifactId: "", toArtifactId: "", replacementId: nil,
        trigger: nil, actorId: nil, startedAt: 0, finishedAt: 0, message: nil)

    static let fields: [StateField<HistoryEntry>] = [
        .string("id", \.id),
        .enumeration("kind", \.kind) { _ in "expected replacement or promotion" },
        .string("status", \.status),
        .string("fromArtifactId", \.fromArtifactId), .string("toArtifactId", \.toArtifactId),
        .optionalString("replacementId", \.replacementId), .optionalString("trigger", \.trigger),
        .optionalString("actorId", \.actorId),
        .timestamp("startedAt", \.startedAt), .timestamp("finishedAt", \.finishedAt),
        .optionalString("message", \.message),
    ]
}

extension InvocationRecord: StateForm {
    static let blank = InvocationRecord(at: 0, latencyMs: 0, status: 0, protonId: "", concurrency: 1)
    static let fields: [StateField<InvocationRecord>] = [
        .timestamp("at", \.at),
        .double("latencyMs", \.latencyMs),
        .int("status", \.status),
        .string("protonId", \.protonId),
        .int("concurrency", \.concurrency, default: 1),
    ]
}

extension WorkloadLogLine: StateForm {
    static let blank = WorkloadLogLine(number: 0, at: 0, level: .info, message: "", protonId: nil, access: nil)
    static let fields: [StateField<WorkloadLogLine>] = [
        .custom(
            "number", write: { l, j, _ in j.int("number", Int64(l.number)) },
            read: { (c, l) throws(JSONPathError) in l.number = UInt64(try c.sequence()) }),
        .timestamp("at", \.at),
        .custom(
            "level", write: { l, j, _ in j.string("level", l.level.name) },
            read: { (c, l) throws(JSONPathError) in
                guard let level = Level(name: try c.string()) else {
                    throw c.fail("expected debug, info, warning, error or critical")
                }
                l.level = level
            }),
        .string("message", \.message),
        .optionalString("protonId", \.protonId),
        // Only access lines have it: absent, not null, on the others.
        .custom(
            "access", required: false,
            write: { l, j, e in
                guard let a = l.access else { return }
                j.key("access")
                a.writeState(&j, e)
            },
            read: { (c, l) throws(JSONPathError) in l.access = try Access.readState(&c) }),
    ]

    /// A workload's lines, numbered upwards from 1, at most `capacity` of them.
    static func readLines(_ c: inout JSONCursor, capacity: Int?) throws(JSONPathError) -> [WorkloadLogLine] {
        var lines: [WorkloadLogLine] = []
        var last: UInt64 = 0
        try c.beginArray()
        while try c.nextElement() {
            let line = try readState(&c)
            guard line.number > last else {
                throw JSONPathError(path: c.path + ".number", reason: "must be above \(last), the line before")
            }
            last = line.number
            lines.append(line)
        }
        if let capacity, lines.count > capacity {
            throw c.fail("holds \(lines.count) lines; a workload keeps at most \(capacity)")
        }
        return lines
    }
}

extension WorkloadLogLine.Access: StateForm {
    static let blank = WorkloadLogLine.Access(method: "", path: "", status: 0, latencyMs: 0, startedAt: 0)
    static let fields: [StateField<WorkloadLogLine.Access>] = [
        .string("method", \.method), .string("path", \.path),
        .int("status", \.status, check: { (100...599).contains($0) ? nil : "must be between 100 and 599" }),
        .double("latencyMs", \.latencyMs, check: { $0.isFinite && $0 >= 0 ? nil : "must be a finite number >= 0" }),
        .timestamp("startedAt", \.startedAt),
    ]
}

extension World {
    /// The newest `n` of a workload's log lines, oldest first (`WorkloadLog` keeps the
    /// newest `capacity`). Read in place: no copy of the lines.
    static func writeLogLines(_ log: WorkloadLog, last n: Int, _ j: inout JSONWriter, _ e: StateEncoding) {
        j.array("logs") { j in
            for i in max(0, log.count - max(0, n))..<log.count { log[i].writeState(&j, e) }
        }
    }
}
