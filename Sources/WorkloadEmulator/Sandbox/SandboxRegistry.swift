import Synchronization

/// All sandboxes by name, created on first use.
public final class SandboxRegistry: Sendable {
    public let settings: SandboxSettings
    private let sandboxes: Mutex<[String: Sandbox]> = Mutex([:])
    private let onChange: (@Sendable (Sandbox, UInt64) -> Void)?

    public init(settings: SandboxSettings, onChange: (@Sendable (Sandbox, UInt64) -> Void)? = nil) {
        self.settings = settings
        self.onChange = onChange
    }

    /// 1..64 of `[A-Za-z0-9._-]`.
    public static func isValidName<S: StringProtocol>(_ name: S) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64 else { return false }
        for c in name.utf8 {
            switch c {
            case 48...57, 65...90, 97...122, 46, 95, 45: continue
            default: return false
            }
        }
        return true
    }

    public func sandbox(named name: String) -> Sandbox {
        sandboxes.withLock { all in
            if let s = all[name] { return s }
            let s = Sandbox(name: name, settings: settings, onChange: onChange)
            all[name] = s
            return s
        }
    }

    public func existing(named name: String) -> Sandbox? {
        sandboxes.withLock { $0[name] }
    }

    @discardableResult
    public func remove(named name: String) -> Bool {
        guard let removed = sandboxes.withLock({ $0.removeValue(forKey: name) }) else { return false }
        // A removal is a change too (persistence must drop the sandbox); outside the lock.
        onChange?(removed, removed.inspect { $0.revision })
        return true
    }

    /// In name order.
    public func all() -> [Sandbox] {
        sandboxes.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    /// Fires due transitions of real-clock sandboxes, so events happen without reads.
    public func tick() {
        for s in sandboxes.withLock({ Array($0.values) }) { s.tick() }
    }
}
