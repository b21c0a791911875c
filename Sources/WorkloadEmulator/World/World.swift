import JSON

/// One sandbox's whole state: objects, clock, scheduler, profile, ids and fault rules.
/// A plain value, mutated only inside its `Sandbox`'s lock. Commands live in the
/// `World+…` extensions; each one that changes anything calls `touch()`.
public struct World: Sendable {
    public let name: String
    public let settings: SandboxSettings
    public internal(set) var clock: SandboxClock
    public internal(set) var profile: LifecycleProfile
    var scheduler = LifecycleScheduler()
    var ids: IdGenerator
    var eventIdBase: UInt64
    var nextEventNumber: UInt64 = 0
    var faultRandom: SplitMix64

    public internal(set) var workloads = OrderedStore<Workload>()
    public internal(set) var protons = KeyedStore<Proton>()
    public internal(set) var artifacts = OrderedStore<Artifact>()
    public internal(set) var repositories = OrderedStore<ArtifactRepository>()
    public internal(set) var deployments = OrderedStore<Deployment>()
    /// Artifact builds by id (each artifact lists its own in `buildIds`).
    public internal(set) var builds = KeyedStore<ArtifactBuild>()
    /// Compute bundles, credentials and execution environments (`World+Platform`).
    public internal(set) var platform: PlatformCatalogue
    /// Per user: the workloads they hold a role on, in creation order (lists slice it).
    var visible: [String: OrderedIndex] = [:]
    public internal(set) var log: [EmulatorLogEntry] = []
    public internal(set) var faults: [FaultRule] = []
    var usersByToken: [String: User] = [:]
    public internal(set) var usersById: [String: User] = [:]
    /// Emulator log entries by kind since the sandbox started (the log itself is capped): for metrics.
    public internal(set) var logCounts: [String: UInt64] = [:]
    /// The last domain fault rule that fired: read under the same lock right after a
    /// command, so the route can mark its answer with `X-Emulator-Injected`.
    public internal(set) var lastDomainFault: String?

    var nextSeq = 0
    var nextToken: UInt64 = 0
    /// The time the world has been brought to. Actions fired by the scheduler see the
    /// time they were due, not the time of the request that caught up with them.
    public internal(set) var now: Int64
    /// Bumped by every change: what persistence and observers key on.
    public internal(set) var revision: UInt64 = 0
    /// What changed since the state log last took a record (World+ChangeRecord). A new
    /// world is a whole one: its first record replaces whatever the log held.
    var changes = WorldChanges(whole: true)

    public init(name: String, settings: SandboxSettings) {
        self.name = name
        self.settings = settings
        clock = SandboxClock(mode: settings.clockMode, scale: settings.timeScale, wall: settings.wall)
        profile = settings.profile
        platform = settings.platform(for: name)
        ids = IdGenerator(seed: settings.seed, sandbox: name, stream: 0)
        eventIdBase = settings.seed ^ IdGenerator.fnv1a(name) ^ 0xE7E7_0000_0000_0001
        faultRandom = SplitMix64(seed: settings.seed ^ IdGenerator.fnv1a(name) ^ 0x5EED)
        now = clock.now()
        for u in settings.users {
            usersByToken[u.token] = u
            usersById[u.id] = u
        }
    }

    mutating func touch() { revision &+= 1 }

    mutating func newSeq() -> Int {
        nextSeq += 1
        return nextSeq
    }

    mutating func newToken() -> UInt64 {
        nextToken &+= 1
        return nextToken
    }

    /// Fires, in time order, everything due up to `target`, and moves `now` there.
    /// `pause` runs after every `World.pauseEvery` due actions: a long catch-up's caller
    /// can let other threads have the core there (the world is not to be touched in it).
    @discardableResult
    public mutating func sync(to target: Int64, pause: () -> Void = {}) -> [FiredAction] {
        var fired: [FiredAction] = []
        var popped = 0
        while let entry = scheduler.popDue(atOrBefore: target) {
            if entry.at > now { now = entry.at }
            if let f = fire(entry.action) { fired.append(f) }
            popped &+= 1
            if popped % World.pauseEvery == 0 { pause() }
        }
        if target > now { now = target }
        if !fired.isEmpty { touch() }
        return fired
    }

    /// Due actions between two `pause` calls of `sync`: under a millisecond of firing.
    public static let pauseEvery = 64

    /// Brings the world to the clock's time.
    @discardableResult
    public mutating func syncToClock() -> [FiredAction] { sync(to: clock.now()) }

    /// Fires at most `limit` of the actions due by `target` (at most the clock's time);
    /// the world's time moves only as far as the last one fired while others remain.
    /// Returns whether any remain, so a caller can fire a long backlog in slices between
    /// other requests.
    public mutating func sync(to requested: Int64, atMost limit: Int) -> Bool {
        let target = min(requested, clock.now())
        var count = 0
        var changed = false
        while count < limit, let entry = scheduler.popDue(atOrBefore: target) {
            count += 1
            if entry.at > now { now = entry.at }
            if fire(entry.action) != nil { changed = true }
        }
        let more = scheduler.nextDue.map { $0 <= target } ?? false
        if !more, target > now { now = target }
        if changed { touch() }
        return more
    }

    /// When the scheduler next has something due (for the real-clock ticker).
    public var nextDue: Int64? { scheduler.nextDue }

    mutating func fire(_ action: ScheduledAction) -> FiredAction? {
        let id = action.workloadId
        // Stale entries (cancelled by a newer token) cost a lookup and nothing else.
        switch action.kind {
        case .expiry:
            guard workloads.read(id, { $0.expiryToken == action.token && $0.expiresAt != nil }) == true else {
                return nil
            }
            appendLog(EmulatorLogEntry(at: now, kind: "expired", workloadId: id, detail: "draft TTL elapsed"))
            removeWorkload(id)
            return FiredAction(at: now, kind: "expiry", workloadId: id)
        case .transition:
            guard
                let (pending, from) = workloads.read(
                    id, { w in w.transitionToken == action.token ? w.pending.map { ($0, w.status) } : nil }) ?? nil
            else { return nil }
            if let rule = consumeFault(.hold, workloadId: id, state: from) {
                let token = newToken()
                workloads.update(id) {
                    $0.pending = nil
                    $0.transitionToken = token
                    $0.heldBy = rule.id
                }
                addEvent(id, .held, from: from, to: from, message: "Held in \(from.rawValue) by fault rule \(rule.id)")
                appendLog(EmulatorLogEntry(at: now, kind: "faultInjected", workloadId: id, detail: "hold \(rule.id)"))
                return FiredAction(at: now, kind: "held", workloadId: id, from: from, to: from)
            }
            var to = pending.to
            if from == .launching, let rule = consumeFault(.launchFailure, workloadId: id, state: nil) {
                to = .errored
                let message = rule.message ?? "ImagePullBackOff"
                workloads.update(id) { $0.failureMessage = message }
                addEvent(id, .launchFailed, message: message)
                appendLog(
                    EmulatorLogEntry(at: now, kind: "faultInjected", workloadId: id, detail: "launchFailure \(rule.id)")
                )
            }
            enter(id, to)
            return FiredAction(at: now, kind: "transition", workloadId: id, from: from, to: to)
        case .replacement:
            return advanceReplacement(id, token: action.token)
        case .build:
            return advanceBuild(id, token: action.token)
        }
    }

    /// Moves a stored workload (and its active proton) to `to`, in place, records the
    /// event and schedules what comes next.
    mutating func enter(_ id: String, _ to: WorkloadStatus, actor: String? = nil) {
        let token = newToken()
        var pending: (at: Int64, to: WorkloadStatus)?
        if let (next, after) = to.successor(in: profile) {
            pending = (TimeBounds.adding(after, to: now), next)
            scheduler.schedule(
                ScheduledAction(kind: .transition, workloadId: id, token: token), at: TimeBounds.adding(after, to: now))
        }
        var from = WorkloadStatus.unknown
        var protonId: String?
        var failure: String?
        let now = self.now
        nextEventNumber += 1
        let number = nextEventNumber
        workloads.update(id) { w in
            from = w.status
            w.status = to
            w.updatedAt = now
            w.pending = pending
            w.transitionToken = token
            protonId = w.protonId
            failure = w.failureMessage
            w.events.append(
                WorkloadEvent(
                    number: number, workloadId: id, kind: .statusChanged, at: now, actorId: actor, from: from, to: to))
        }
        if let protonId {
            protons[protonId]?.moved(to: to, at: now, failure: to == .errored ? failure : nil)
        }
        appendLog(EmulatorLogEntry(at: now, kind: "transition", workloadId: id, from: from, to: to))
        logTransition(id, from: from, to: to, protonId: protonId, failure: failure)
    }

    /// Schedules the draft expiry of a stored workload at its `expiresAt` (or cancels it).
    mutating func scheduleExpiry(_ id: String) {
        let token = newToken()
        var at: Int64?
        workloads.update(id) {
            $0.expiryToken = token
            at = $0.expiresAt
        }
        guard let at else { return }
        scheduler.schedule(ScheduledAction(kind: .expiry, workloadId: id, token: token), at: at)
    }

    mutating func addEvent(
        _ id: String, _ kind: WorkloadEvent.Kind, actor: String? = nil, from: WorkloadStatus? = nil,
        to: WorkloadStatus? = nil, message: String? = nil, replacementStatus: Replacement.Status? = nil
    ) {
        nextEventNumber += 1
        let e = WorkloadEvent(
            number: nextEventNumber, workloadId: id, kind: kind, at: now, actorId: actor, from: from, to: to,
            message: message, replacementStatus: replacementStatus)
        workloads.update(id) { $0.events.append(e) }
    }

    /// The event's id: deterministic from the seed, the sandbox and the event number.
    public func eventId(_ number: UInt64) -> String {
        var r = SplitMix64(seed: eventIdBase &+ number &* 0x9E37_79B9_7F4A_7C15)
        return IdGenerator.hex(r.next(), digits: 16) + IdGenerator.hex(r.next() >> 32, digits: 8)
    }

    public func eventJSON(_ e: WorkloadEvent) -> JSONValue { e.json(id: eventId(e.number)) }

    mutating func appendLog(_ entry: EmulatorLogEntry) {
        logCounts[entry.kind, default: 0] &+= 1
        if log.count >= settings.logCapacity {
            log.removeFirst(log.count / 2)
            changes.logTruncated = true
        }
        log.append(entry)
        changes.logAppended += 1
    }

    /// Removes a workload and everything hanging off it: protons, routing, indexes,
    /// events (kept inside it). Scheduled entries for it are left in the heap and ignored when due.
    mutating func removeWorkload(_ id: String) {
        guard let w = workloads.remove(id) else { return }
        for (userId, _) in w.roles { visible[userId]?.remove(seq: w.seq) }
        artifacts.update(w.artifactId) { $0.workloadIds.removeAll { $0 == id } }
        // A replacement in flight reserved its target artifact.
        if let r = w.replacement, r.status.inFlight, r.toArtifactId != w.artifactId {
            artifacts.update(r.toArtifactId) { $0.workloadIds.removeAll { $0 == id } }
        }
        for pid in w.protonIds { protons[pid] = nil }
        touch()
    }
}
