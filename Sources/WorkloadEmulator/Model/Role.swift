public enum Role: String, Sendable, CaseIterable {
    case owner = "OWNER", user = "USER", consumer = "CONSUMER"

    /// `OWNER`, `USER`, `CONSUMER` in any case; `NO_ROLE` is `.some(nil)` (removes a grant).
    public static func parse(_ text: String) -> Role?? {
        let upper = text.uppercased()
        if upper == "NO_ROLE" { return .some(nil) }
        return Role(rawValue: upper).map { .some($0) }
    }

    /// OWNER everything; USER reads and invokes; CONSUMER only invokes.
    public func allows(_ access: Access) -> Bool {
        switch (self, access) {
        case (.owner, _): return true
        case (.user, .view), (.user, .invoke): return true
        case (.consumer, .invoke): return true
        default: return false
        }
    }
}

/// What a request needs from the caller's role on an object.
public enum Access: Sendable {
    /// Read the object and what hangs off it (protons, events, stats).
    case view
    /// Call its endpoint.
    case invoke
    /// Change, delete, share, start, stop, replace.
    case manage
}
