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
        .omittedWhenNil("status", \.status, write: writeInt, read: readOptionalInt),
        .omittedWhenNil("body", \.body, write: { $0.value($1) }, read: { (c) throws(JSONPathError) in try c.value() }),
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
        .omittedWhenNil("delayMs", \.delayMs, write: writeInt, read: readOptionalInt),
        .omittedWhenNil("state", \.state, write: writeStatus, read: readStatus),
        .omittedWhenNil(
            "message", \.message, write: { $0.string($1) }, read: { (c) throws(JSONPathError) in try c.string() }),
        .optionalInt("times", \.times),
        .optional(
            "probability", \.probability, write: { $0.double($1) },
            read: { (c) throws(JSONPathError) in
                try c.double()
            }),
        .int("fired", \.fired, default: 0),
        .custom(
            "createdAt", required: false, write: { f, j, _ in j.timestamp("createdAt", f.createdAt) },
            read: { (c, f) throws(JSONPathError) in f.createdAt = try c.timestamp() }),
    ]

    private static let writeInt: @Sendable (inout JSONWriter, Int) -> Void = { $0.int(Int64($1)) }
    private static let readOptionalInt: @Sendable (inout JSONCursor) throws(JSONPathError) -> Int = {
        (c) throws(JSONPathError) in try readInt(c.int(), &c)
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
        private static func given(
            _ key: StaticString, _ kp: any WritableKeyPath<MatchForm, String?> & Sendable
        )
            -> StateField<MatchForm>
        {
            .omittedWhenNil(key, kp, write: { $0.string($1) }, read: { (c) throws(JSONPathError) in try c.string() })
        }
    }
}
