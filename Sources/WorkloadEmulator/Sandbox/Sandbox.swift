import Synchronization

/// One isolated world behind one lock. Every read and every change goes through
/// `execute`, which first brings the world to its clock's time (firing what is due),
/// so a GET, a list and the events always agree, and observers see every change.
public final class Sandbox: Sendable {
    public let name: String
    /// The requests of this sandbox (outside the world: recording one is not a change).
    public let journal: RequestJournal
    private let world: Mutex<World>
    private let onChange: (@Sendable (Sandbox, UInt64) -> Void)?
    /// Mirrors "has a live respond/delay/drop rule" so that the request path can skip
    /// the lock when there is none (the common case).
    private let requestFaults = Atomic<Bool>(false)

    public init(name: String, settings: SandboxSettings, onChange: (@Sendable (Sandbox, UInt64) -> Void)? = nil) {
        self.name = name
        self.world = Mutex(World(name: name, settings: settings))
        self.journal = RequestJournal(capacity: settings.journalCapacity, budget: settings.journalBudget)
        self.onChange = onChange
    }

    /// The one entry point: catches up with the clock, runs `body`, and reports the
    /// new revision to the observer (outside the lock) when anything changed.
    public func execute<R: Sendable>(_ body: (inout World) throws(DomainError) -> R) throws(DomainError) -> R {
        let (result, before, after): (Result<R, DomainError>, UInt64, UInt64) = world.withLock { w in
            let before = w.revision
            w.syncToClock()
            let r: Result<R, DomainError>
            do throws(DomainError) { r = .success(try body(&w)) } catch { r = .failure(error) }
            if w.revision != before { requestFaults.store(w.hasLiveRequestFaults, ordering: .relaxed) }
            return (r, before, w.revision)
        }
        if after != before, let onChange { onChange(self, after) }
        return try result.get()
    }

    /// False when no request-level fault rule can fire: the API layer then skips the check.
    public var mayInjectRequestFaults: Bool { requestFaults.load(ordering: .relaxed) }

    /// `execute` for bodies that cannot fail.
    public func read<R: Sendable>(_ body: (inout World) -> R) -> R {
        // The closure never throws, so neither does this.
        do throws(DomainError) { return try execute { (w) throws(DomainError) -> R in body(&w) } } catch {
            fatalError("unreachable")
        }
    }

    /// Looks at the world as it is, without catching up with the clock: for tests that
    /// prove the ticker did the work, and for metrics that must not change anything.
    public func inspect<R: Sendable>(_ body: (World) -> R) -> R {
        world.withLock { body($0) }
    }

    /// Empties the sandbox: objects, clock, faults, profile, ids (same seed, same ids again).
    public func reset() {
        _ = read { w in
            // The revision keeps counting up: observers key on it.
            let revision = w.revision
            w = World(name: w.name, settings: w.settings)
            w.revision = revision &+ 1
            return 0
        }
        journal.clear()
    }

    /// Replaces the whole world (state import): `make` builds it from the old one's
    /// name and settings; on a refusal nothing changes.
    public func replaceWorld(_ make: (String, SandboxSettings) throws(DomainError) -> World) throws(DomainError) {
        _ = try execute { (w) throws(DomainError) -> Int in
            var fresh = try make(w.name, w.settings)
            fresh.revision = w.revision &+ 1
            w = fresh
            return 0
        }
    }

    /// For the real-clock ticker: fires what is due without a request. Cheap when
    /// nothing is due (one lock, one comparison); when something is, the firing goes
    /// through `execute` like every other change.
    public func tick() {
        let due = world.withLock { w in
            w.clock.mode == .real && (w.nextDue.map { $0 <= w.clock.now() } ?? false)
        }
        if due { _ = read { _ in 0 } }
    }
}
