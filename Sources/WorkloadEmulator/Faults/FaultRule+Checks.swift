/// What a fault rule may hold, whoever sends it (the fault API or a state file): a
/// rule that writes a response must write one every HTTP client can read. Header
/// names are RFC 9110 tokens, values carry no control characters (a CR or LF would
/// split the header, a NUL is refused by most clients), and a status is a final one
/// (a 1xx sent as the answer leaves the client waiting for the real one).
extension FaultRule {
    public static let statusRange = 200...599
    public static let maxDelayMs = 600_000
    /// Header fields a `respond` rule may add: more is no test's need, and every client
    /// has a limit of its own (Python's http.client: 100).
    public static let maxHeaders = 64

    /// RFC 9110 §5.6.2: `token = 1*tchar`.
    public static func isToken(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { c in
                switch c {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(c)
                }
            }
    }

    /// RFC 9110 §5.5 field values: visible characters, spaces and tabs, and bytes past
    /// ASCII; no other control character.
    public static func isFieldValue(_ s: String) -> Bool {
        s.utf8.allSatisfy { c in c == 0x09 || (c >= 0x20 && c != 0x7F) }
    }

    /// The first thing wrong with this rule, as a path under the rule and a reason;
    /// nil when the rule can be honoured.
    public var problem: (path: [String], reason: String)? {
        if let status, !Self.statusRange.contains(status) {
            return (["status"], "must be between 200 and 599")
        }
        if headers.count > Self.maxHeaders { return (["headers"], "at most \(Self.maxHeaders) headers") }
        for h in headers {
            if !Self.isToken(h.name) { return (["headers", h.name], "header name must be an RFC 9110 token") }
            if !Self.isFieldValue(h.value) {
                return (["headers", h.name], "header value must not contain control characters")
            }
        }
        if let delayMs, delayMs < 0 || delayMs > Self.maxDelayMs {
            return (["delayMs"], "must be between 0 and \(Self.maxDelayMs)")
        }
        if let times, times < 1 { return (["times"], "must be at least 1") }
        if let probability, !(probability >= 0 && probability <= 1) {
            return (["probability"], "must be between 0 and 1")
        }
        if fired < 0 || fired > 1 << 53 { return (["fired"], "must be between 0 and 2^53") }
        // What the fault API requires of each action (a saved rule must be one it could make).
        switch action {
        case .respond where status == nil: return (["status"], "required for respond")
        case .delay where delayMs == nil: return (["delayMs"], "required for delay")
        case .hold:
            guard let state else { return (["state"], "required for hold") }
            if !FaultRule.holdStates.contains(state) {
                return (
                    ["state"],
                    "a workload is never held in \(state.rawValue); use one of "
                        + FaultRule.holdStates.map(\.rawValue).joined(separator: ", ")
                )
            }
        default: break
        }
        return nil
    }
}
