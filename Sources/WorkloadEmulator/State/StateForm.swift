import JSON

/// How a state document is written. `full`: every member (`GET /__emulator/state` and
/// `snapshot()`: what a user reads and edits). `compact`: without the members whose
/// value is the one the reader fills in when they are absent (the state file and its
/// log records, read back at every start).
public enum StateEncoding: Sendable {
    case full, compact
}

/// One member of a state document: its key, how it is written, how it is read with its
/// checks, and whether it may be absent. `Source` is what it is written from, `Target`
/// what it is read into (the same type for a model; the world and its decoded document
/// for the sandbox's).
struct StateMember<Source, Target>: Sendable {
    let key: StaticString
    /// An absent (or null) required member is refused; any other reads as the target's
    /// blank value.
    let required: Bool
    /// Whether the source's value is the blank one (`compact` then leaves it out).
    let isDefault: (@Sendable (Source) -> Bool)?
    /// Writes the key and the value, or nothing (members that are left out when empty
    /// in every encoding, and the parts of a log record that did not change).
    let write: @Sendable (Source, inout JSONWriter, StateEncoding) -> Void
    /// Reads the value (the cursor at it, never at a null) into the target.
    let read: @Sendable (inout JSONCursor, inout Target) throws(JSONPathError) -> Void
}

typealias StateField<Model> = StateMember<Model, Model>

/// A model type's state form, described once: the writer, the reader (the state file,
/// its log records, `GET` and `PUT /__emulator/state`) and the checks of each field
/// all come from `fields`. Checks between objects (references, duplicate ids, counters)
/// are `World.restore`'s. The tables' `@Sendable` closures name the model's type, so the
/// type itself must be shareable across threads (`SendableMetatype`).
protocol StateForm: SendableMetatype {
    /// What a member that is absent reads as.
    static var blank: Self { get }
    static var fields: [StateField<Self>] { get }
    /// Checks and fills in across members once the object is read (the cursor just
    /// past it, at its path); `present`: which of `fields` it held.
    static func finish(_ value: inout Self, present: StatePresence, at c: inout JSONCursor) throws(JSONPathError)
}

extension StateForm {
    static func finish(_ value: inout Self, present: StatePresence, at c: inout JSONCursor) throws(JSONPathError) {}

    func writeState(_ j: inout JSONWriter, _ e: StateEncoding) {
        StateTable.write(Self.fields, self, &j, e)
    }

    static func readState(_ c: inout JSONCursor) throws(JSONPathError) -> Self {
        var v = blank
        let present = try StateTable.read(fields, into: &v, &c)
        try finish(&v, present: present, at: &c)
        return v
    }
}

/// Which members of a table an object held (a table has fewer than 64).
struct StatePresence {
    var mask: UInt64 = 0
    func contains(_ index: Int) -> Bool { mask & (1 << UInt64(index)) != 0 }
}

enum StateTable {
    static func write<S, T>(_ members: [StateMember<S, T>], _ s: S, _ j: inout JSONWriter, _ e: StateEncoding) {
        j.object { j in writeMembers(members, s, &j, e) }
    }

    /// The members inside an object the caller opened.
    static func writeMembers<S, T>(
        _ members: [StateMember<S, T>], _ s: S, _ j: inout JSONWriter, _ e: StateEncoding
    ) {
        for m in members {
            if e == .compact, let isDefault = m.isDefault, isDefault(s) { continue }
            m.write(s, &j, e)
        }
    }

    /// Reads an object into `t`. Members usually come in the table's order, so the one
    /// after the last is tried first; unknown keys are passed over (a newer writer's).
    static func read<S, T>(
        _ members: [StateMember<S, T>], into t: inout T, _ c: inout JSONCursor
    ) throws(JSONPathError) -> StatePresence {
        try c.beginObject()
        var present = StatePresence()
        var next = 0
        // Borrowed in place: no copy (and retain) of each member's closures per field.
        try members.withUnsafeBufferPointer { (members) throws(JSONPathError) in
            while let key = try c.nextMember() {
                var i = next
                if i >= members.count || !c.matches(key, members[i].key) {
                    i = -1
                    for k in members.indices where c.matches(key, members[k].key) {
                        i = k
                        break
                    }
                }
                guard i >= 0 else {
                    try c.skip()
                    continue
                }
                next = i + 1
                if c.null() {
                    present.mask &= ~(1 << UInt64(i))
                    continue
                }
                try members[i].read(&c, &t)
                present.mask |= 1 << UInt64(i)
            }
            for i in members.indices where members[i].required && !present.contains(i) {
                throw c.missing(members[i].key)
            }
        }
        return present
    }

    static func index<S, T>(of key: StaticString, in members: [StateMember<S, T>]) -> Int {
        members.firstIndex { $0.key.description == key.description } ?? -1
    }
}

// MARK: - Members of the common kinds

private let readString: @Sendable (inout JSONCursor) throws(JSONPathError) -> String = { (c) throws(JSONPathError) in
    try c.string()
}
private let readTimestamp: @Sendable (inout JSONCursor) throws(JSONPathError) -> Int64 = {
    (c) throws(JSONPathError) in try c.timestamp()
}

/// An `Int` from a JSON integer (refused past its range).
func readInt(_ v: Int64, _ c: inout JSONCursor) throws(JSONPathError) -> Int {
    guard let i = Int(exactly: v) else { throw c.fail("out of range") }
    return i
}

extension StateMember where Source == Target {
    static func defaultTest<V: Equatable & Sendable>(
        _ kp: any KeyPath<Source, V> & Sendable, _ value: V
    ) -> @Sendable (Source) -> Bool {
        { $0[keyPath: kp] == value }
    }

    static func emptyTest<C: Collection & SendableMetatype>(_ kp: any KeyPath<Source, C> & Sendable) -> @Sendable (Source) -> Bool {
        { $0[keyPath: kp].isEmpty }
    }

    static func custom(
        _ key: StaticString, required: Bool = true, isDefault: (@Sendable (Source) -> Bool)? = nil,
        write: @escaping @Sendable (Source, inout JSONWriter, StateEncoding) -> Void,
        read: @escaping @Sendable (inout JSONCursor, inout Target) throws(JSONPathError) -> Void
    ) -> Self {
        Self(key: key, required: required, isDefault: isDefault, write: write, read: read)
    }

    /// A member held in one property: `write` writes its value (after the key), `read`
    /// reads one with its checks.
    static func scalar<V>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, V> & Sendable, required: Bool,
        isDefault: (@Sendable (Source) -> Bool)?, write: @escaping @Sendable (inout JSONWriter, V) -> Void,
        read: @escaping @Sendable (inout JSONCursor) throws(JSONPathError) -> V
    ) -> Self {
        let slot = FieldSlot(kp)
        return Self(
            key: key, required: required, isDefault: isDefault,
            write: { s, j, _ in
                j.key(key)
                write(&j, s[keyPath: kp])
            }, read: { (c, t) throws(JSONPathError) in slot.set(&t, try read(&c)) })
    }

    /// A value or null (which an absent member reads as).
    static func optional<V>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, V?> & Sendable,
        write: @escaping @Sendable (inout JSONWriter, V) -> Void,
        read: @escaping @Sendable (inout JSONCursor) throws(JSONPathError) -> V
    ) -> Self {
        scalar(
            key, kp, required: false, isDefault: { $0[keyPath: kp] == nil },
            write: { j, v in if let v { write(&j, v) } else { j.null() } },
            read: { (c) throws(JSONPathError) in try read(&c) })
    }

    /// A value left out (not null) when absent.
    static func omittedWhenNil<V>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, V?> & Sendable,
        write: @escaping @Sendable (inout JSONWriter, V) -> Void,
        read: @escaping @Sendable (inout JSONCursor) throws(JSONPathError) -> V
    ) -> Self {
        let slot = FieldSlot(kp)
        let member: @Sendable (Source, inout JSONWriter, StateEncoding) -> Void = { s, j, _ in
            if let v = s[keyPath: kp] {
                j.key(key)
                write(&j, v)
            }
        }
        return custom(key, required: false, write: member) { (c, t) throws(JSONPathError) in slot.set(&t, try read(&c))
        }
    }

    static func string(_ key: StaticString, _ kp: any WritableKeyPath<Source, String> & Sendable) -> Self {
        scalar(key, kp, required: true, isDefault: nil, write: { $0.string($1) }, read: readString)
    }

    static func optionalString(_ key: StaticString, _ kp: any WritableKeyPath<Source, String?> & Sendable) -> Self {
        optional(key, kp, write: { $0.string($1) }, read: readString)
    }

    /// A string with a default other than null (absent in older documents).
    static func string(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, String> & Sendable, default value: String
    ) -> Self {
        scalar(key, kp, required: false, isDefault: defaultTest(kp, value), write: { $0.string($1) }, read: readString)
    }

    static func timestamp(_ key: StaticString, _ kp: any WritableKeyPath<Source, Int64> & Sendable) -> Self {
        scalar(key, kp, required: true, isDefault: nil, write: { $0.timestamp($1) }, read: readTimestamp)
    }

    static func optionalTimestamp(_ key: StaticString, _ kp: any WritableKeyPath<Source, Int64?> & Sendable) -> Self {
        optional(key, kp, write: { $0.timestamp($1) }, read: readTimestamp)
    }

    /// 16 hex digits; `default`: what an absent member reads as (nil: required).
    static func hex(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, UInt64> & Sendable, default value: UInt64? = nil
    ) -> Self {
        scalar(
            key, kp, required: value == nil, isDefault: value.map { defaultTest(kp, $0) },
            write: { $0.hex16($1) }, read: { (c) throws(JSONPathError) in try c.hex64() })
    }

    /// A number read as `R`, refused by `check` with a reason, kept as `V` (`convert`);
    /// `default`: nil when required.
    static func number<V: Equatable & Sendable, R>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, V> & Sendable, default value: V?,
        check: (@Sendable (R) -> String?)?, write: @escaping @Sendable (inout JSONWriter, V) -> Void,
        read: @escaping @Sendable (inout JSONCursor) throws(JSONPathError) -> R,
        convert: @escaping @Sendable (R, inout JSONCursor) throws(JSONPathError) -> V
    ) -> Self {
        scalar(
            key, kp, required: value == nil, isDefault: value.map { defaultTest(kp, $0) }, write: write,
            read: { (c) throws(JSONPathError) in
                let v = try read(&c)
                if let check, let reason = check(v) { throw c.fail(reason) }
                return try convert(v, &c)
            })
    }

    /// An integer (an `Int`, read as an `Int64`).
    static func int(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, Int> & Sendable, default value: Int? = nil,
        check: (@Sendable (Int64) -> String?)? = nil
    ) -> Self {
        number(
            key, kp, default: value, check: check, write: { $0.int(Int64($1)) },
            read: { (c) throws(JSONPathError) in try c.int() }, convert: readInt)
    }

    static func optionalInt(_ key: StaticString, _ kp: any WritableKeyPath<Source, Int?> & Sendable) -> Self {
        optional(key, kp, write: { $0.int(Int64($1)) }, read: { (c) throws(JSONPathError) in try readInt(c.int(), &c) })
    }

    static func double(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, Double> & Sendable, default value: Double? = nil,
        check: (@Sendable (Double) -> String?)? = nil
    ) -> Self {
        number(
            key, kp, default: value, check: check, write: { $0.double($1) },
            read: { (c) throws(JSONPathError) in try c.double() }, convert: { v, _ in v })
    }

    /// A free-form value (a runtime, a spec), kept as the client sent it.
    static func value(_ key: StaticString, _ kp: any WritableKeyPath<Source, JSONValue> & Sendable) -> Self {
        scalar(
            key, kp, required: true, isDefault: nil, write: { $0.value($1) },
            read: { (c) throws(JSONPathError) in try c.value() })
    }

    static func enumeration<E: RawRepresentable & CaseIterable & Sendable>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, E> & Sendable
    ) -> Self where E.RawValue == String {
        scalar(
            key, kp, required: true, isDefault: nil, write: { $0.string($1.rawValue) },
            read: { (c) throws(JSONPathError) in try c.enumeration(E.self) })
    }

    /// One of an enumeration's raw values; `refusal` says why another is not.
    static func enumeration<E: RawRepresentable & Sendable>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, E> & Sendable,
        refusal: @escaping @Sendable (String) -> String
    ) -> Self where E.RawValue == String {
        scalar(
            key, kp, required: true, isDefault: nil, write: { $0.string($1.rawValue) },
            read: { (c) throws(JSONPathError) in
                let s = try c.string()
                guard let e = E(rawValue: s) else { throw c.fail(refusal(s)) }
                return e
            })
    }

    static func optionalEnumeration<E: RawRepresentable & CaseIterable & Sendable>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, E?> & Sendable
    ) -> Self where E.RawValue == String {
        optional(
            key, kp, write: { $0.string($1.rawValue) }, read: { (c) throws(JSONPathError) in try c.enumeration(E.self) }
        )
    }

    static func strings(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, [String]> & Sendable, required: Bool = true
    ) -> Self {
        let slot = FieldSlot(kp)
        return Self(
            key: key, required: required, isDefault: required ? nil : emptyTest(kp),
            write: { s, j, _ in j.strings(key, s[keyPath: kp]) },
            read: { (c, t) throws(JSONPathError) in
                var out: [String] = []
                try c.beginArray()
                while try c.nextElement() { out.append(try c.string()) }
                slot.set(&t, out)
            })
    }

    /// A list of objects that have a state form of their own.
    static func list<E: StateForm>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, [E]> & Sendable, required: Bool = true
    ) -> Self {
        let slot = FieldSlot(kp)
        return Self(
            key: key, required: required, isDefault: required ? nil : emptyTest(kp),
            write: { s, j, e in j.array(key) { j in for x in s[keyPath: kp] { x.writeState(&j, e) } } },
            read: { (c, t) throws(JSONPathError) in slot.set(&t, try c.list(E.self)) })
    }

    /// An object with a state form of its own, or null.
    static func optionalObject<E: StateForm>(
        _ key: StaticString, _ kp: any WritableKeyPath<Source, E?> & Sendable
    )
        -> Self
    {
        let slot = FieldSlot(kp)
        return Self(
            key: key, required: false, isDefault: { $0[keyPath: kp] == nil },
            write: { s, j, e in
                j.key(key)
                if let x = s[keyPath: kp] { x.writeState(&j, e) } else { j.null() }
            },
            read: { (c, t) throws(JSONPathError) in slot.set(&t, try E.readState(&c)) })
    }

    /// A required object with a state form of its own.
    static func object<E: StateForm>(_ key: StaticString, _ kp: any WritableKeyPath<Source, E> & Sendable) -> Self {
        let slot = FieldSlot(kp)
        return Self(
            key: key, required: true, isDefault: nil,
            write: { s, j, e in
                j.key(key)
                s[keyPath: kp].writeState(&j, e)
            },
            read: { (c, t) throws(JSONPathError) in slot.set(&t, try E.readState(&c)) })
    }
}

extension JSONCursor {
    mutating func list<E: StateForm>(_: E.Type) throws(JSONPathError) -> [E] {
        var out: [E] = []
        try beginArray()
        while try nextElement() { out.append(try E.readState(&self)) }
        return out
    }

    /// One of an enumeration's raw values.
    mutating func enumeration<E: RawRepresentable & CaseIterable>(_: E.Type) throws(JSONPathError) -> E
    where E.RawValue == String {
        let s = try string()
        if let e = E(rawValue: s) { return e }
        throw fail(JSONPathError.notOneOf(s, E.self))
    }

    /// Sequence numbers and counters: not negative, at most `World.maxSequence`.
    mutating func sequence() throws(JSONPathError) -> Int64 {
        let v = try int()
        guard v >= 0 else { throw fail("must not be negative") }
        guard v <= World.maxSequence else { throw fail("must be at most \(World.maxSequence)") }
        return v
    }
}

/// The check of sequence numbers and counters, for `StateMember.int`.
@Sendable func sequenceCheck(_ v: Int64) -> String? {
    v < 0 ? "must not be negative" : v > World.maxSequence ? "must be at most \(World.maxSequence)" : nil
}

/// Where a member's value lives in its model: the byte offset of a stored property
/// (`MemoryLayout.offset(of:)`), so that the reader stores a value in place, without
/// applying a key path per field (a 100,000-workload state file has millions of them).
/// A computed property (`Workload.replacement`) goes through the key path.
struct FieldSlot<Root, Value>: Sendable {
    let kp: any WritableKeyPath<Root, Value> & Sendable
    let offset: Int?

    init(_ kp: any WritableKeyPath<Root, Value> & Sendable) {
        self.kp = kp
        offset = MemoryLayout<Root>.offset(of: kp)
    }

    @inline(__always)
    func set(_ root: inout Root, _ value: Value) {
        guard let offset else {
            root[keyPath: kp] = value
            return
        }
        // A stored property's storage, of type `Value`, at that offset in `root`.
        withUnsafeMutableBytes(of: &root) { raw in
            raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Value.self).pointee = value
        }
    }
}
