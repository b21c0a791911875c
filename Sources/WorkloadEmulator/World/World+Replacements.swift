import JSON

/// Rolling replacement and settings changes.
///
/// The candidate proton goes submitted → provisioning → launching → warming → running
/// on the clock; the replacement goes submitted → initializing → switching →
/// cleaning_up → completed. Each step is one scheduler entry carrying the
/// replacement's token, so a cancel or a newer replacement makes older entries stale.
extension World {
    /// What a client asks for: a new artifact (POST /replacement) or only a new runtime
    /// (PATCH /settings, on the current artifact).
    public struct ReplacementRequest: Sendable {
        public var artifactId: String?
        public var runtime: JSONValue?
        public var warmupMinutes: Int
        public var keepMinutes: Int
        public init(artifactId: String?, runtime: JSONValue?, warmupMinutes: Int = 0, keepMinutes: Int = 0) {
            self.artifactId = artifactId
            self.runtime = runtime
            self.warmupMinutes = warmupMinutes
            self.keepMinutes = keepMinutes
        }
    }

    /// The active or errored replacement (404 when there is none).
    public func replacement(of id: String, for user: User) throws(DomainError) -> Replacement {
        let w = try workload(id, for: user)
        guard let r = w.replacement else { throw .notFound("There is no active replacement for this workload.") }
        return r
    }

    public mutating func startReplacement(
        _ id: String, _ request: ReplacementRequest, by user: User
    ) throws(DomainError) -> Replacement {
        var w = try workload(id, for: user, .manage)
        if let r = w.replacement, r.status.inFlight {
            throw .conflict("A replacement is already in progress for this workload.")
        }
        let targetId = request.artifactId ?? w.artifactId
        if let requested = request.artifactId {
            let target = try artifact(requested, for: user)
            let current = artifacts[w.artifactId]?.status ?? .draft
            if target.status != current {
                throw .badRequest(
                    "Cannot replace a \(current.rawValue) artifact with a \(target.status.rawValue) one: "
                        + "a replacement goes from draft to draft or from locked to locked.")
            }
            if target.id == w.artifactId && target.status == .locked {
                throw .unprocessable("The workload already runs locked artifact \(target.id).")
            }
            try requireDeployable(target)
            if target.status == .draft, target.id != w.artifactId, let other = target.workloadIds.first {
                throw .conflict(
                    "Draft artifact \(target.id) already backs workload \(other); a draft artifact can back only one workload."
                )
            }
        }
        let runtime = request.runtime ?? w.runtime
        try checkReplicas(runtime)
        let trigger = request.artifactId == nil ? "settings" : "artifact"
        guard [.running, .stopped, .errored].contains(w.status) else {
            throw .conflict(
                "Workload is \(w.status.rawValue); a replacement can start once it is running or stopped.")
        }
        w = checkOut(id)
        var r = Replacement(
            id: ids.next(), status: .submitted, trigger: trigger, fromArtifactId: w.artifactId, toArtifactId: targetId,
            fromRuntime: w.runtime, toRuntime: runtime, warmupMinutes: request.warmupMinutes,
            keepMinutes: request.keepMinutes, oldProtonId: w.protonId, candidateProtonId: nil, actorId: user.id,
            createdAt: now, updatedAt: now)
        switch w.status {
        case .running: break
        case .stopped, .errored:
            // Nothing is serving: the new version is simply what the next start runs.
            retireErroredReplacement(&w)
            r.status = .completed
            r.completedAt = now
            r.oldProtonId = nil
            moveBacking(&w, to: targetId)
            w.runtime = runtime
            w.updatedAt = now
            w.history.append(historyEntry(r, message: "Applied at once: the workload was \(w.status.rawValue)."))
            if trigger == "settings" { note(&w, .settingsChanged, actor: user.id) }
            note(
                &w, .replacementCompleted, actor: user.id,
                message: "Replacement \(r.id) applied at once (workload \(w.status.rawValue))",
                replacementStatus: .completed)
            workloads.update(id) { [w] in $0 = w }
            touch()
            return r
        default: break
        }
        retireErroredReplacement(&w)
        let candidate = ids.next()
        protons[candidate] = Proton(
            id: candidate, workloadId: id, status: .submitted, role: .candidate, artifactId: targetId, createdAt: now,
            updatedAt: now, replicas: RuntimeShape.replicas(runtime))
        w.protonIds.append(candidate)
        r.candidateProtonId = candidate
        if targetId != w.artifactId { artifacts.update(targetId) { $0.workloadIds.append(id) } }
        r.token = newToken()
        r.pendingAt = TimeBounds.adding(profile.submitted, to: now)
        scheduler.schedule(
            ScheduledAction(kind: .replacement, workloadId: id, token: r.token),
            at: TimeBounds.adding(profile.submitted, to: now))
        w.replacement = r
        w.updatedAt = now
        if trigger == "settings" { note(&w, .settingsChanged, actor: user.id) }
        note(
            &w, .replacementStarted, actor: user.id,
            message: "Replacement \(r.id) started: candidate proton \(candidate) on artifact \(targetId)",
            replacementStatus: .submitted)
        workloads.update(id) { [w] in $0 = w }
        appendLog(EmulatorLogEntry(at: now, kind: "replacementStarted", workloadId: id, detail: r.id))
        touch()
        return r
    }

    /// DELETE /replacement: cancels one in flight (before traffic switched) or drops an
    /// errored one. Returns it as it ends.
    public mutating func cancelReplacement(_ id: String, by user: User) throws(DomainError) -> Replacement {
        var w = try workload(id, for: user, .manage)
        guard var r = w.replacement else { throw .notFound("There is no active replacement for this workload.") }
        switch r.status {
        case .errored:
            w = checkOut(id)
            retireErroredReplacement(&w)
            note(
                &w, .replacementCancelled, actor: user.id, message: "Errored replacement \(r.id) dismissed",
                replacementStatus: .errored)
            workloads.update(id) { [w] in $0 = w }
            touch()
            return r
        case .cleaningUp:
            throw .conflict("Replacement \(r.id) has already switched traffic; it can no longer be cancelled.")
        default:
            w = checkOut(id)
            r = abortReplacement(&w, actor: user.id, reason: "cancelled by the user")
            workloads.update(id) { [w] in $0 = w }
            touch()
            return r
        }
    }

    /// A stop or a delete during a replacement: before the switch it is cancelled,
    /// after it the old proton stops at once and the replacement completes.
    mutating func settleReplacement(_ id: String, actor: String?) {
        guard var w = workloads[id], let r = w.replacement, r.status.inFlight else { return }
        w = checkOut(id)
        if r.status == .cleaningUp {
            finishReplacement(&w)
            note(
                &w, .replacementCompleted, actor: actor,
                message: "Replacement \(r.id) completed early: the old proton was stopped",
                replacementStatus: .completed)
            workloads.update(id) { [w] in $0 = w }
        } else {
            _ = abortReplacement(&w, actor: actor, reason: "the workload was stopped")
            workloads.update(id) { [w] in $0 = w }
        }
    }

    /// Cancels the in-flight replacement of `w` (not stored back; the caller does).
    private mutating func abortReplacement(_ w: inout Workload, actor: String?, reason: String) -> Replacement {
        guard var r = w.replacement else { fatalError("no replacement") }
        if let c = r.candidateProtonId { protons[c]?.moved(to: .stopped, at: now, failure: nil) }
        releaseReservation(w, r)
        r.status = .cancelled
        r.updatedAt = now
        r.completedAt = now
        r.token = newToken()
        r.pendingAt = nil
        w.history.append(historyEntry(r, message: "Cancelled: \(reason)."))
        w.replacement = nil
        w.updatedAt = now
        let wid = w.id
        let entry = WorkloadEvent(
            number: nextEventNumberBump(), workloadId: wid, kind: .replacementCancelled, at: now, actorId: actor,
            message: "Replacement \(r.id) cancelled: \(reason)", replacementStatus: .cancelled)
        w.events.append(entry)
        World.logReplacement(&w, kind: .replacementCancelled, message: entry.message, at: now)
        changes.logsAppended[w.id, default: 0] += 1
        return r
    }

    /// Appends an event to a workload being changed (before it is stored back), so the
    /// events array is not copied because the store and the local copy share it.
    private mutating func note(
        _ w: inout Workload, _ kind: WorkloadEvent.Kind, actor: String? = nil, from: WorkloadStatus? = nil,
        to: WorkloadStatus? = nil, message: String? = nil, replacementStatus: Replacement.Status? = nil
    ) {
        w.events.append(
            WorkloadEvent(
                number: nextEventNumberBump(), workloadId: w.id, kind: kind, at: now, actorId: actor, from: from,
                to: to, message: message, replacementStatus: replacementStatus))
        World.logReplacement(&w, kind: kind, message: message, at: now)
        changes.logsAppended[w.id, default: 0] += 1
    }

    /// The stored workload, with the store's references to its big arrays dropped so
    /// that appending to the returned copy does not copy them. Store it back with
    /// `workloads.update(id) { $0 = w }`; never throw in between.
    private mutating func checkOut(_ id: String) -> Workload {
        let w = workloads[id]!
        workloads.update(id) {
            $0.events = []
            $0.history = []
            $0.invocations = InvocationLog()
            $0.logs = WorkloadLog()
        }
        return w
    }

    private mutating func nextEventNumberBump() -> UInt64 {
        nextEventNumber += 1
        return nextEventNumber
    }

    /// An errored replacement ends when a new one starts or it is dismissed: its
    /// candidate is terminated so that only live protons are listed.
    private mutating func retireErroredReplacement(_ w: inout Workload) {
        guard let r = w.replacement, r.status == .errored else { return }
        if let c = r.candidateProtonId { protons[c]?.moved(to: .terminated, at: now, failure: nil) }
        w.replacement = nil
    }

    private mutating func releaseReservation(_ w: Workload, _ r: Replacement) {
        if r.toArtifactId != w.artifactId {
            let wid = w.id
            artifacts.update(r.toArtifactId) { $0.workloadIds.removeAll { $0 == wid } }
        }
    }

    /// Moves `w` (not stored) from its artifact to `target`, keeping `workloadIds` right.
    private mutating func moveBacking(_ w: inout Workload, to target: String) {
        guard target != w.artifactId else { return }
        let wid = w.id
        artifacts.update(w.artifactId) { $0.workloadIds.removeAll { $0 == wid } }
        if artifacts[target]?.workloadIds.contains(wid) != true {
            artifacts.update(target) { $0.workloadIds.append(wid) }
        }
        w.artifactId = target
    }

    func historyEntry(_ r: Replacement, message: String? = nil) -> HistoryEntry {
        HistoryEntry(
            id: r.id, kind: .replacement, status: r.status.rawValue, fromArtifactId: r.fromArtifactId,
            toArtifactId: r.toArtifactId, replacementId: r.id, trigger: r.trigger, actorId: r.actorId,
            startedAt: r.createdAt, finishedAt: now, message: message ?? r.failureMessage)
    }

    /// The clock's side: one step of the replacement of workload `id`.
    mutating func advanceReplacement(_ id: String, token: UInt64) -> FiredAction? {
        guard var w = workloads[id], var r = w.replacement, r.token == token, r.status.inFlight,
            let cid = r.candidateProtonId, let candidate = protons[cid]
        else { return nil }
        w = checkOut(id)
        let before = r.status
        var next: Int64?
        var failure: String?
        var candidateTo: WorkloadStatus?
        switch (r.status, candidate.status) {
        case (.submitted, _):
            candidateTo = .provisioning
            r.status = .initializing
            next = profile.provisioning
        case (.initializing, .provisioning):
            candidateTo = .launching
            next = profile.launching
        case (.initializing, .launching):
            if let rule = consumeFault(.launchFailure, workloadId: id, state: nil) {
                failure = rule.message ?? "ImagePullBackOff"
                appendLog(
                    EmulatorLogEntry(
                        at: now, kind: "faultInjected", workloadId: id, detail: "launchFailure \(rule.id) candidate"))
            } else {
                candidateTo = .warming
                next = profile.candidateWarmup.addingClamped(TimeBounds.milliseconds(minutes: r.warmupMinutes))
            }
        case (.initializing, .warming):
            if let rule = consumeFault(.replacementFailure, workloadId: id, state: nil) {
                failure = rule.message ?? "Candidate proton failed its readiness checks during warm-up"
                appendLog(
                    EmulatorLogEntry(
                        at: now, kind: "faultInjected", workloadId: id, detail: "replacementFailure \(rule.id)"))
            } else {
                candidateTo = .running
                r.status = .switching
                next = 0
            }
        case (.switching, _):
            // Traffic moves to the candidate; the old proton drains.
            if let old = r.oldProtonId { protons[old]?.moved(to: .draining, at: now, failure: nil) }
            protons[cid]?.role = .active
            w.protonId = cid
            moveBacking(&w, to: r.toArtifactId)
            w.runtime = resolvingBundles(r.toRuntime)
            r.status = .cleaningUp
            next = profile.draining.addingClamped(TimeBounds.milliseconds(minutes: r.keepMinutes))
        case (.cleaningUp, _):
            finishReplacement(&w)
            note(&w, .replacementCompleted, message: "Replacement \(r.id) completed", replacementStatus: .completed)
            workloads.update(id) { [w] in $0 = w }
            appendLog(EmulatorLogEntry(at: now, kind: "replacementCompleted", workloadId: id, detail: r.id))
            return FiredAction(at: now, kind: "replacement", workloadId: id)
        default:
            workloads.update(id) { [w] in $0 = w }
            return nil
        }
        let fromCandidate = candidate.status
        if let failure {
            protons[cid]?.moved(to: .errored, at: now, failure: failure)
            releaseReservation(w, r)
            r.status = .errored
            r.failureMessage = failure
            r.completedAt = now
            r.pendingAt = nil
            r.updatedAt = now
            w.history.append(historyEntry(r))
            w.replacement = r
            note(
                &w, .candidateStatusChanged, from: fromCandidate, to: .errored,
                message: "Candidate proton \(cid): \(failure)")
            note(&w, .replacementFailed, message: "Replacement \(r.id) failed: \(failure)", replacementStatus: .errored)
            workloads.update(id) { [w] in $0 = w }
            appendLog(EmulatorLogEntry(at: now, kind: "replacementFailed", workloadId: id, detail: r.id))
            return FiredAction(at: now, kind: "replacement", workloadId: id)
        }
        if let candidateTo { protons[cid]?.moved(to: candidateTo, at: now, failure: nil) }
        r.updatedAt = now
        if let next {
            r.token = newToken()
            r.pendingAt = TimeBounds.adding(next, to: now)
            scheduler.schedule(
                ScheduledAction(kind: .replacement, workloadId: id, token: r.token),
                at: TimeBounds.adding(next, to: now))
        }
        w.replacement = r
        if let candidateTo {
            note(
                &w, .candidateStatusChanged, from: fromCandidate, to: candidateTo,
                message: "Candidate proton \(cid) is \(candidateTo.rawValue)")
        }
        if before == .switching {
            note(
                &w, .trafficSwitched,
                message: "Traffic switched to proton \(cid); proton \(r.oldProtonId ?? "none") is draining",
                replacementStatus: .cleaningUp)
        }
        if r.status != before {
            note(
                &w, .replacementStatusChanged, message: "Replacement \(r.id) is \(r.status.rawValue)",
                replacementStatus: r.status)
        }
        workloads.update(id) { [w] in $0 = w }
        return FiredAction(at: now, kind: "replacement", workloadId: id)
    }

    /// Old proton stopped, replacement completed and moved to the history (not stored back).
    private mutating func finishReplacement(_ w: inout Workload) {
        guard var r = w.replacement else { return }
        if r.status != .cleaningUp {
            // Not switched yet (only by a direct call): nothing to finish.
            return
        }
        if let old = r.oldProtonId { protons[old]?.moved(to: .stopped, at: now, failure: nil) }
        r.status = .completed
        r.completedAt = now
        r.updatedAt = now
        r.token = newToken()
        r.pendingAt = nil
        w.history.append(historyEntry(r))
        w.replacement = nil
        w.updatedAt = now
    }

    /// PATCH /settings is a replacement onto the current artifact.
    public mutating func updateSettings(
        _ id: String, runtime: JSONValue, by user: User
    ) throws(DomainError)
        -> Replacement
    {
        try startReplacement(id, ReplacementRequest(artifactId: nil, runtime: runtime), by: user)
    }
}

extension RuntimeShape {
    /// Replicas a runtime starts with: the sum over its container groups of
    /// `replicaCount` (or the autoscaling `minCount`, at least 1); 1 without groups.
    public static func replicas(_ runtime: JSONValue) -> Int {
        let groups = runtime["containerGroups"]?.arrayValue ?? []
        if groups.isEmpty { return 1 }
        // Each addend and the running total stay at or under the cap: no overflow,
        // whatever counts the runtime holds.
        let cap = 1000
        var total = 0
        for g in groups {
            if let n = g["replicaCount"]?.exactInt {
                total = min(total + min(max(1, n), cap), cap)
            } else {
                let mins = (g["autoscaling"]?["policies"]?.arrayValue ?? []).compactMap { $0["minCount"]?.exactInt }
                total = min(total + min(max(1, mins.max() ?? 1), cap), cap)
            }
        }
        return total
    }
}
