/// Fault rules: stored here so that the domain actions can consult them
/// while the clock fires transitions.
extension World {
    public mutating func addFault(_ rule: FaultRule) -> FaultRule {
        var r = rule
        r.id = ids.next()
        r.createdAt = now
        r.fired = 0
        faults.append(r)
        touch()
        return r
    }

    /// Removes one rule (nil: all). Workloads it held resume at once.
    public mutating func removeFaults(id: String?) throws(DomainError) {
        let removed: [FaultRule]
        if let id {
            guard let i = faults.firstIndex(where: { $0.id == id }) else { throw .notFound("Fault rule not found.") }
            removed = [faults.remove(at: i)]
        } else {
            removed = faults
            faults = []
        }
        let heldBy = Set(removed.filter { $0.action == .hold }.map(\.id))
        if !heldBy.isEmpty {
            for wid in workloads.order.ids {
                guard var w = workloads[wid], let h = w.heldBy, heldBy.contains(h) else { continue }
                w.heldBy = nil
                // It already waited: the next step comes now.
                w.transitionToken = newToken()
                if let (next, _) = w.status.successor(in: profile) {
                    w.pending = (now, next)
                    scheduler.schedule(
                        ScheduledAction(kind: .transition, workloadId: w.id, token: w.transitionToken), at: now)
                }
                workloads.update(wid) { [w] in $0 = w }
                addEvent(wid, .released, message: "Released from \(w.status.rawValue): fault rule \(h) removed")
            }
        }
        touch()
    }

    /// The first live domain rule of that action matching the workload (and, for
    /// `hold`, the state it is leaving); counts the firing. `probability` draws from
    /// the sandbox's seeded generator. A rule's `method` and `path` are matched against
    /// the request that caused the action when there is one (a DELETE for
    /// `protonStopFailure`); actions of the clock have no request and ignore them.
    mutating func consumeFault(
        _ action: FaultRule.Action, workloadId: String, state: WorkloadStatus?,
        request: (method: String, path: String)? = nil
    ) -> FaultRule? {
        for i in faults.indices {
            let r = faults[i]
            guard r.action == action, !r.exhausted else { continue }
            guard r.match.workloadId == nil || r.match.workloadId == workloadId else { continue }
            if let request {
                if let m = r.match.method, m.uppercased() != request.method.uppercased() { continue }
                if let p = r.match.path, !Glob.matches(pattern: p, request.path) { continue }
            }
            if action == .hold, let state, r.state != state { continue }
            if let p = r.probability, faultRandom.nextUnit() >= p { continue }
            faults[i].fired += 1
            lastDomainFault = r.id
            return faults[i]
        }
        return nil
    }

    var hasLiveRequestFaults: Bool { faults.contains { !$0.action.isDomainAction && !$0.exhausted } }

    /// Request-level rules (respond, delay, drop) for the API layer.
    public mutating func consumeRequestFault(method: String, path: String) -> FaultRule? {
        for i in faults.indices {
            let r = faults[i]
            guard !r.action.isDomainAction, !r.exhausted else { continue }
            if let m = r.match.method, m.uppercased() != method.uppercased() { continue }
            if let p = r.match.path, !Glob.matches(pattern: p, path) { continue }
            if let w = r.match.workloadId, !path.contains(w) { continue }
            if let p = r.probability, faultRandom.nextUnit() >= p { continue }
            faults[i].fired += 1
            appendLog(
                EmulatorLogEntry(
                    at: now, kind: "faultInjected", workloadId: nil,
                    detail: "\(r.action.rawValue) \(r.id) \(method) \(path)"))
            touch()
            return faults[i]
        }
        return nil
    }
}
