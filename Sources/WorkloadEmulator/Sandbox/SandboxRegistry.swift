import Synchronization

/// All sandboxes by name, created on first use.
///
/// A request reaches a sandbox through `acquire`, which makes a new one provisional:
/// it is not listed, saved or journaled until a request that used it succeeds
/// (`release(succeeded: true)`); when the last request using a provisional sandbox
/// fails, it is gone again. So 401s and 404s for made-up names leave nothing behind.
/// Provisional ones count towards `settings.maxSandboxes`, which bounds memory.
public final class SandboxRegistry: Sendable {
    public let settings: SandboxSettings

    private struct Entry: Sendable {
        let sandbox: Sandbox
        var established: Bool
        /// Requests holding it (acquired, not yet released).
        var users: Int
    }

    private let entries: Mutex<[String: Entry]> = Mutex([:])
    private let onChange: (@Sendable (Sandbox, UInt64) -> Void)?
    private let recorder: (any ChangeRecorder)?

    public init(
        settings: SandboxSettings, onChange: (@Sendable (Sandbox, UInt64) -> Void)? = nil,
        recorder: (any ChangeRecorder)? = nil
    ) {
        self.settings = settings
        self.onChange = onChange
        self.recorder = recorder
    }

    /// 1..64 of `[A-Za-z0-9._-]`, but not `.` or `..`: those would turn
    /// into `/sandboxes/../` in the URLs the emulator writes.
    public static func isValidName<S: StringProtocol>(_ name: S) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64, name != ".", name != ".." else { return false }
        for c in name.utf8 {
            switch c {
            case 48...57, 65...90, 97...122, 46, 95, 45: continue
            default: return false
            }
        }
        return true
    }

    /// The sandbox, made (and established) if missing: for start-up (state file,
    /// fixtures), which the cap does not apply to.
    public func sandbox(named name: String) -> Sandbox {
        entries.withLock { all in
            if let e = all[name] {
                all[name]?.established = true
                return e.sandbox
            }
            let s = Sandbox(name: name, settings: settings, onChange: onChange, recorder: recorder)
            all[name] = Entry(sandbox: s, established: true, users: 0)
            return s
        }
    }

    /// The sandbox for one request, made provisional if missing; nil when it is missing
    /// and the registry already holds `settings.maxSandboxes`. Pair with `release`.
    public func acquire(named name: String) -> Sandbox? {
        entries.withLock { all in
            if all[name] != nil {
                all[name]!.users += 1
                return all[name]!.sandbox
            }
            guard all.count < settings.maxSandboxes else { return nil }
            let s = Sandbox(name: name, settings: settings, onChange: onChange, recorder: recorder)
            all[name] = Entry(sandbox: s, established: false, users: 1)
            return s
        }
    }

    /// The end of a request that `acquire`d `sandbox`.
    public func release(_ sandbox: Sandbox, succeeded: Bool) {
        enum Outcome { case none, established, discarded }
        let outcome: Outcome = entries.withLock { all in
            // Deleted (or deleted and made again) meanwhile: not ours to change.
            guard let e = all[sandbox.name], e.sandbox === sandbox else { return .none }
            all[sandbox.name]!.users -= 1
            if e.established { return .none }
            if succeeded {
                all[sandbox.name]!.established = true
                return .established
            }
            if e.users == 1 {
                all.removeValue(forKey: sandbox.name)
                return .discarded
            }
            return .none
        }
        switch outcome {
        case .none: break
        // Changes made while provisional were not saved (it was not listed): now they are.
        case .established: onChange?(sandbox, sandbox.inspect { $0.revision })
        case .discarded:
            sandbox.journal.clear()
            // What it recorded while provisional must not come back at the next start.
            sandbox.markRemoved()
        }
    }

    /// An established sandbox, never a provisional one.
    public func existing(named name: String) -> Sandbox? {
        entries.withLock { all in all[name].flatMap { $0.established ? $0.sandbox : nil } }
    }

    @discardableResult
    public func remove(named name: String) -> Bool {
        let removed: Sandbox? = entries.withLock { all in
            guard let e = all[name], e.established else { return nil }
            all.removeValue(forKey: name)
            return e.sandbox
        }
        guard let removed else { return false }
        removed.journal.clear()
        removed.markRemoved()
        // A removal is a change too (persistence must drop the sandbox); outside the lock.
        onChange?(removed, removed.inspect { $0.revision })
        return true
    }

    /// Established sandboxes, in name order.
    public func all() -> [Sandbox] {
        entries.withLock { $0.values.filter(\.established).map(\.sandbox) }.sorted { $0.name < $1.name }
    }

    /// Sandboxes held, provisional ones included (what the cap counts).
    public var count: Int { entries.withLock { $0.count } }

    /// Fires due transitions of real-clock sandboxes, so events happen without reads.
    public func tick() {
        for s in entries.withLock({ $0.values.map(\.sandbox) }) { s.tick() }
    }
}
