import JSON

/// A rule's state form is also its document in the fault API (`json`); reading it
/// applies the API's checks (`problem`).
extension FaultRule: StateForm {
    static let blank = FaultRule(action: .respond)

    static let fields: [StateField<FaultRule>] = [
        .string("id", \.id),
        .custom(
            "match", required: false,
            write: { f, j, e in
                j.key("match")
                MatchForm(f.match).writeState(&j, e)
            }, read: { (c, f) throws(JSONPathError) in f.match = try MatchForm.readState(&c).match }),
        .enumeration("action", \.action),
        omitted("status", \.status) { $0.int(Int64($1)) } read: { (c) throws(JSONPathError) in try c.int() },
        .custom(
            "body", required: false, write: { f, j, _ in if let b = f.body { j.value("body", b) } },
            read: { (c, f) throws(JSONPathError) in f.body = try c.value() }),
        .custom(
            "headers", required: false,
            write: { f, j, _ in
                guard !f.headers.isEmpty else { return }
                j.value("headers", .object(JSONObject(f.headers.map { ($0.name, .string($0.value)) })))
            },
            read: { (c, f) throws(JSONPathError) in
                let v = try c.value()
                guard let o = v.objectValue else { throw c.fail("expected an object, found \(v.typeName)") }
                f.headers = o.map { (name: $0.key, value: $0.value.stringValue ?? "") }
            }),
        omitted("delayMs", \.delayMs) { $0.int(Int64($1)) } read: { (c) throws(JSONPathError) in try c.int() },
        .custom(
            "state", required: false, write: { f, j, _ in if let s = f.state { j.string("state", s.rawValue) } },
            read: { (c, f) throws(JSONPathError) in f.state = try c.enumeration(WorkloadStatus.self) }),
        .custom(
            "message", required: false, write: { f, j, _ in if let m = f.message { j.string("message", m) } },
            read: { (c, f) throws(JSONPathError) in f.message = try c.string() }),
        .optionalInt("times", \.times),
        .optional("probability", \.probability, write: { $0.double($1) }, read: { (c) throws(JSONPathError) in
            try c.double()
        }),
        .int("fired", \.fired, default: 0),
        .custom(
            "createdAt", required: false, write: { f, j, _ in j.timestamp("createdAt", f.createdAt) },
            read: { (c, f) throws(JSONPathError) in f.createdAt = try c.timestamp() }),
    ]

    /// An integer member left out (not null) when absent.
    private static func omitted(
        _ key: StaticString, _ kp: any WritableKeyPath<FaultRule, Int?> & Sendable,
        write: @escaping @Sendable (inout JSONWriter, Int) -> Void,
        read: @escaping @Sendable (inout JSONCursor) throws(JSONPathError) -> Int64
    ) -> StateField<FaultRule> {
        .custom(
            key, required: false,
            write: { f, j, _ in
                guard let v = f[keyPath: kp] else { return }
                j.key(key)
                write(&j, v)
            },
            read: { (c, f) throws(JSONPathError) in
                guard let i = Int(exactly: try read(&c)) else { throw c.fail("out of range") }
                f[keyPath: kp] = i
            })
    }

    static func finish(_ f: inout FaultRule, present: StatePresence, at c: inout JSONCursor) throws(JSONPathError) {
        if let p = f.problem { throw JSONPathError(path: ([c.path] + p.path).joined(separator: "."), reason: p.reason) }
    }

    /// The rule's document in the fault API: its state form, every member.
    public var json: JSONValue {
        var j = JSONWriter(capacity: 256)
        writeState(&j, .full)
        // The writer's output is JSON by construction; a failure here is a bug in it.
        do { return try JSONParser.parse(j.bytes) } catch { fatalError("FaultRule.json: \(error)") }
    }

    /// `match`: the members that are set.
    struct MatchForm: StateForm {
        var match: Match
        init(_ match: Match) { self.match = match }
        static let blank = MatchForm(Match())
        static let fields: [StateField<MatchForm>] = [
            given("method", \.match.method), given("path", \.match.path), given("workloadId", \.match.workloadId),
        ]

        /// A string member left out when absent.
        private static func given(_ key: StaticString, _ kp: any WritableKeyPath<MatchForm, String?> & Sendable)
            -> StateField<MatchForm>
        {
            .custom(
                key, required: false, write: { m, j, _ in if let v = m[keyPath: kp] { j.string(key, v) } },
                read: { (c, m) throws(JSONPathError) in m[keyPath: kp] = try c.string() })
        }
    }
}
