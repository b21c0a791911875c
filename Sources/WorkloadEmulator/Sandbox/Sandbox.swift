import Synchronization

/// Receives the record of every change (`World.takeChangeRecord`), under the sandbox's
/// lock, so each sandbox's records arrive in the order of its changes: the state log.
public protocol ChangeRecorder: AnyObject, Sendable {
    /// False until the saved state is installed: installing it is not a change to record.
    var isRecording: Bool { get }
    func record(sandbox: String, change: [UInt8])
    /// The sandbox was removed; called under its lock, after its last record.
    func dropped(sandbox: String)
}

/// One isolated world behind one lock. Every read and every change goes through
/// `execute`, which first brings the world to its clock's time (firing what is due),
/// so a GET, a list and the events always agree, and observers see every change.
public final class Sandbox: Sendable {
    public let name: String
    /// The requests of this sandbox (outside the world: recording one is not a change).
    public let journal: RequestJournal
    private let world: Mutex<World>
    private let onChange: (@Sendable (Sandbox, UInt64) -> Void)?
    private let recorder: (any ChangeRecorder)?
    /// Set, under the lock, when the registry removed it: a request still holding it
    /// must not bring it back in the state log.
    private let isRemoved = Atomic<Bool>(false)
    /// Mirrors "has a live respond/delay/drop rule" so that the request path can skip
    /// the lock when there is none (the common case).
    private let requestFaults = Atomic<Bool>(false)

    public init(
        name: String, settings: SandboxSettings, onChange: (@Sendable (Sandbox, UInt64) -> Void)? = nil,
        recorder: (any ChangeRecorder)? = nil
    ) {
        self.name = name
        self.recorder = recorder
        self.world = Mutex(World(name: name, settings: settings))
        self.journal = RequestJournal(capacity: settings.journalCapacity, budget: settings.journalBudget)
        self.onChange = onChange
    }

    /// The one entry point: catches up with the clock, runs `body`, and reports the
    /// new revision to the observer (outside the lock) when anything changed.
    public func execute<R: Sendable>(_ body: (inout World) throws(DomainError) -> R) throws(DomainError) -> R {
        try execute(catchUp: nil, pause: nil, body)
    }

    /// `execute` for a command that changes 100,000s of objects (a long advance): the
    /// ids it changed are freed after the lock is released, a piece at a time with
    /// `pause` between pieces, instead of all at once in the lock. With a state log
    /// they are written and freed in the lock as for every change.
    public func execute<R: Sendable>(
        pausing pause: @escaping @Sendable () -> Void, _ body: (inout World) throws(DomainError) -> R
    ) throws(DomainError) -> R {
        try execute(catchUp: nil, pause: pause, body)
    }

    /// `catchUp`: fire at most `limit` actions due by `to` before `body` (the ticker's
    /// slices); `body` then sees a world that may still be behind its clock.
    private func execute<R: Sendable>(
        catchUp: (to: Int64, limit: Int)?, pause: (@Sendable () -> Void)?,
        _ body: (inout World) throws(DomainError) -> R
    ) throws(DomainError) -> R {
        let (result, before, after, leftover): (Result<R, DomainError>, UInt64, UInt64, ChangedIds) = world.withLock {
            w in
            let before = w.revision
            if let catchUp { _ = w.sync(to: catchUp.to, atMost: catchUp.limit) } else { w.syncToClock() }
            let r: Result<R, DomainError>
            do throws(DomainError) { r = .success(try body(&w)) } catch { r = .failure(error) }
            var leftover = ChangedIds()
            if w.revision != before {
                requestFaults.store(w.hasLiveRequestFaults, ordering: .relaxed)
                if let recorder, recorder.isRecording, !isRemoved.load(ordering: .relaxed) {
                    recorder.record(sandbox: name, change: w.takeChangeRecord())
                } else if pause != nil {
                    leftover = w.discardChangesKeepingIds()
                } else {
                    w.discardChanges()
                }
            }
            return (r, before, w.revision, leftover)
        }
        if after != before, let onChange { onChange(self, after) }
        if let pause {
            // Consumed, not copied: a copy would free every id at once when the tuple's
            // binding ends, after the last pause.
            var leftover = consume leftover
            leftover.release(pause: pause)
        }
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

    /// Called by the registry when it lets the sandbox go.
    func markRemoved() {
        world.withLock { _ in
            isRemoved.store(true, ordering: .relaxed)
            recorder?.dropped(sandbox: name)
        }
    }

    /// Due actions the ticker fires per hold of the lock: a backlog (thousands of
    /// transitions due in the same tick) is fired in slices, and requests waiting for
    /// the lock get it between two slices instead of after the whole batch.
    public static let tickSlice = 256

    /// For the real-clock ticker: fires what is due without a request. Cheap when
    /// nothing is due (one lock, one comparison); when something is, the firing goes
    /// through `execute` like every other change, `tickSlice` actions at a time. Only
    /// what was due when the tick began: under a steady stream of creates something is
    /// always due, and the ticker must not chase it.
    public func tick() {
        let target: Int64? = world.withLock { w in
            let now = w.clock.now()
            return w.clock.mode == .real && (w.nextDue.map { $0 <= now } ?? false) ? now : nil
        }
        guard let target else { return }
        while world.withLock({ w in w.nextDue.map { $0 <= target } ?? false }) {
            do throws(DomainError) {
                _ = try execute(catchUp: (target, Sandbox.tickSlice), pause: nil) { (_) throws(DomainError) in 0 }
            } catch {
                return  // the body cannot throw
            }
        }
    }
}
