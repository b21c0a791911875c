import JSON

/// The state forms of what the sandbox holds beside its objects: users, credentials,
/// scheduled transitions, fault rules, its own log, the clock and the generators.
extension User: StateForm {
    static let blank = User(id: "", username: "", token: "")
    static let fields: [StateField<User>] = [
        .string("id", \.id), .string("username", \.username), .string("token", \.token),
    ]
}

/// Ids and names once each (the list's checks, World.checkCredentials), names
/// non-empty, a known type. (Lengths are not bounded: fixture files do not bound them.)
extension Credential: StateForm {
    static let blank = Credential(id: "", name: "", credentialType: "", createdAt: 0)
    static let fields: [StateField<Credential>] = [
        .string("id", \.id),
        .custom(
            "name", write: { c, j, _ in j.string("name", c.name) },
            read: { (c, x) throws(JSONPathError) in
                x.name = try c.string()
                guard !x.name.isEmpty else { throw c.fail("must be non-empty") }
            }),
        .optionalString("description", \.description),
        .custom(
            "credentialType", write: { c, j, _ in j.string("credentialType", c.credentialType) },
            read: { (c, x) throws(JSONPathError) in
                x.credentialType = try c.string()
                guard Credential.types.contains(x.credentialType) else {
                    throw c.fail("expected one of " + Credential.types.joined(separator: ", "))
                }
            }),
        .timestamp("createdAt", \.createdAt),
        .optionalString("creatorId", \.creatorId),
    ]
}

extension LifecycleScheduler.Entry: StateForm {
    static let blank = LifecycleScheduler.Entry(
        at: 0, sequence: 0, action: ScheduledAction(kind: .transition, workloadId: "", token: 0))
    static let fields: [StateField<LifecycleScheduler.Entry>] = [
        .timestamp("at", \.at),
        .hex("sequence", \.sequence),
        .custom(
            "kind", write: { e, j, _ in j.string("kind", World.kindName(e.action.kind)) },
            read: { (c, e) throws(JSONPathError) in
                let name = try c.string()
                guard let kind = World.kinds.first(where: { World.kindName($0) == name }) else {
                    throw c.fail("expected transition, expiry, replacement or build")
                }
                e.action.kind = kind
            }),
        .string("workloadId", \.action.workloadId),
        .hex("token", \.action.token),
    ]
}

/// `EmulatorLogEntry.json`'s members: the absent ones are left out, not null.
extension EmulatorLogEntry: StateForm {
    static let blank = EmulatorLogEntry(at: 0, kind: "", workloadId: nil, from: nil, to: nil, detail: nil)
    static let fields: [StateField<EmulatorLogEntry>] = [
        .timestamp("timestamp", \.at),
        .string("kind", \.kind),
        .optionalString("workloadId", \.workloadId),
        .omittedWhenNil("from", \.from, write: writeStatus, read: readStatus),
        .omittedWhenNil("to", \.to, write: writeStatus, read: readStatus),
        .omittedWhenNil(
            "detail", \.detail, write: { $0.string($1) }, read: { (c) throws(JSONPathError) in try c.string() }),
    ]
}

let writeStatus: @Sendable (inout JSONWriter, WorkloadStatus) -> Void = { $0.string($1.rawValue) }
let readStatus: @Sendable (inout JSONCursor) throws(JSONPathError) -> WorkloadStatus = { (c) throws(JSONPathError) in
    try c.enumeration(WorkloadStatus.self)
}

/// The clock, profile and generator positions: members of the sandbox's document and of
/// every state log record.
public struct WorldHeader: Sendable {
    var clock = ClockForm.blank
    var now: Int64 = 0
    var profile = LifecycleProfile.realistic
    var generators = GeneratorsForm.blank

    init() {}

    init(_ w: World) {
        clock = ClockForm(mode: w.clock.mode, now: w.clock.now(), scale: w.clock.scale)
        now = w.now
        profile = w.profile
        generators = GeneratorsForm(
            ids: w.ids.random.state, faults: w.faultRandom.state, eventIdBase: w.eventIdBase, nextToken: w.nextToken,
            schedulerSequence: w.scheduler.nextSequence, nextEventNumber: Int(w.nextEventNumber), nextSeq: w.nextSeq)
    }

    func apply(to w: inout World) {
        w.clock = SandboxClock(restoring: clock.mode, now: clock.now, scale: clock.scale, wall: w.settings.wall)
        w.now = now
        w.profile = profile
        w.ids.random = SplitMix64(seed: generators.ids)
        w.faultRandom = SplitMix64(seed: generators.faults)
        w.eventIdBase = generators.eventIdBase
        w.nextEventNumber = UInt64(generators.nextEventNumber)
        w.nextSeq = generators.nextSeq
        w.nextToken = generators.nextToken
        w.scheduler.nextSequence = generators.schedulerSequence
    }

    static let fields: [StateField<WorldHeader>] = [
        .object("clock", \.clock),
        .timestamp("now", \.now),
        .custom(
            "profile", write: { h, j, _ in j.value("profile", h.profile.json) },
            read: { (c, h) throws(JSONPathError) in
                let path = c.path
                let value = try c.value()
                let name = value["name"]?.stringValue ?? "custom"
                if let n = value["name"], !n.isNull, n.stringValue == nil {
                    throw JSONPathError(path: path + ".name", reason: "expected a string, found \(n.typeName)")
                }
                do throws(LifecycleProfile.ParseError) {
                    h.profile = try LifecycleProfile.fromJSON(value, name: name)
                } catch {
                    throw JSONPathError(
                        path: path + (error.field.isEmpty ? "" : "." + error.field), reason: error.reason)
                }
            }),
        .object("generators", \.generators),
    ]

    /// The header's members as members of a document that holds one (`Target.header`).
    static func members<Source, Target>(
        of source: @escaping @Sendable (Source) -> WorldHeader,
        into kp: any WritableKeyPath<Target, WorldHeader> & Sendable
    ) -> [StateMember<Source, Target>] {
        fields.map { f in
            StateMember(
                key: f.key, required: f.required, isDefault: nil,
                write: { s, j, e in f.write(source(s), &j, e) },
                read: { (c, t) throws(JSONPathError) in try f.read(&c, &t[keyPath: kp]) })
        }
    }

    /// The header's members for the sandbox's document: one read after a list was
    /// handed to a sink marks the document (`headerLate`).
    static func documentMembers(
        of source: @escaping @Sendable (World) -> WorldHeader
    ) -> [StateMember<World, World.Document>] {
        fields.map { f in
            StateMember(
                key: f.key, required: f.required, isDefault: nil,
                write: { s, j, e in f.write(source(s), &j, e) },
                read: { (c, d) throws(JSONPathError) in
                    if d.headerSent { d.headerLate = true }
                    try f.read(&c, &d.header)
                })
        }
    }
}

struct ClockForm: StateForm {
    var mode: SandboxClock.Mode
    var now: Int64
    var scale: Double
    static let blank = ClockForm(mode: .manual, now: 0, scale: 1)
    static let fields: [StateField<ClockForm>] = [
        .enumeration("mode", \.mode) { _ in "expected manual or real" },
        .timestamp("now", \.now),
        // The bounds of PUT /__emulator/clock.
        .double(
            "scale", \.scale, default: 1,
            check: { $0 >= 0.000001 && $0 <= 1e9 ? nil : "must be between 0.000001 and 1000000000" }),
    ]
}

/// The random generators' states and the counters.
struct GeneratorsForm: StateForm {
    var ids, faults, eventIdBase, nextToken, schedulerSequence: UInt64
    var nextEventNumber, nextSeq: Int
    static let blank = GeneratorsForm(
        ids: 0, faults: 0, eventIdBase: 0, nextToken: 0, schedulerSequence: 0, nextEventNumber: 0, nextSeq: 0)
    static let fields: [StateField<GeneratorsForm>] = [
        .hex("ids", \.ids),
        .hex("faults", \.faults),
        .hex("eventIdBase", \.eventIdBase),
        .int("nextEventNumber", \.nextEventNumber, check: sequenceCheck),
        .int("nextSeq", \.nextSeq, check: sequenceCheck),
        .hex("nextToken", \.nextToken),
        .hex("schedulerSequence", \.schedulerSequence),
    ]
}
