import JSON

/// Workload commands.
extension World {
    /// 404 without a role (the workload does not exist for that user); 403 when the
    /// role does not allow `access`.
    public func workload(_ id: String, for user: User, _ access: Access = .view) throws(DomainError) -> Workload {
        guard let w = workloads[id], let role = w.roles.first(where: { $0.userId == user.id })?.role else {
            throw .notFound("Workload not found.")
        }
        guard role.allows(access) else {
            throw .forbidden("You do not have permission to perform this action on the workload.")
        }
        return w
    }

    public func role(of user: User, on w: Workload) -> Role? {
        w.roles.first { $0.userId == user.id }?.role
    }

    func activeWorkloadCount(of user: User) -> Int {
        guard let index = visible[user.id] else { return 0 }
        var n = 0
        for id in index.ids where workloads[id]?.creatorId == user.id && workloads[id]?.status.isActive == true {
            n += 1
        }
        return n
    }

    func checkConcurrency(_ user: User) throws(DomainError) {
        let max = settings.maxConcurrentWorkloads
        guard max > 0 else { return }
        if activeWorkloadCount(of: user) >= max {
            throw .forbidden("Maximum number of concurrent workloads (\(max)) reached.")
        }
    }

    func checkReplicas(_ runtime: JSONValue) throws(DomainError) {
        try checkBundles(runtime)
        let max = settings.maxReplicas
        guard max > 0 else { return }
        let requested = RuntimeShape.requestedReplicas(runtime)
        if requested > max {
            throw .forbidden("Requested replicas (\(requested)) exceeds the maximum allowed (\(max)).")
        }
    }

    public mutating func createWorkload(_ input: WorkloadInput, by user: User) throws(DomainError) -> Workload {
        try checkReplicas(input.runtime)
        try checkConcurrency(user)
        let artifactId: String
        if let id = input.artifactId {
            let a = try artifact(id, for: user)
            try requireDeployable(a)
            // 400: the contract documents no 409 for a create.
            if a.status == .draft, let other = a.workloadIds.first {
                throw .badRequest(
                    "Draft artifact \(id) already backs workload \(other); a draft artifact can back only one workload."
                )
            }
            artifactId = id
        } else if let inline = input.artifact {
            artifactId = try createArtifact(inline, by: user).id
        } else {
            throw .unprocessable("Exactly one of artifactId or artifact is required.")
        }
        let id = ids.next()
        let seq = newSeq()
        let protonId = ids.next()
        let isDraft = artifacts[artifactId]?.status == .draft
        var w = Workload(
            id: id, seq: seq, name: input.name ?? "workload-\(id.suffix(8))", description: input.description,
            importance: input.importance, status: .submitted, artifactId: artifactId, runtime: input.runtime,
            protonId: protonId, protonIds: [protonId], creatorId: user.id, roles: [(user.id, .owner)],
            createdAt: now, updatedAt: now, lastStartAt: now,
            expiresAt: isDraft ? TimeBounds.adding(settings.draftTTL, to: now) : nil,
            pending: nil, transitionToken: 0, expiryToken: 0, heldBy: nil, failureMessage: nil, promotedAt: nil)
        protons[protonId] = Proton(
            id: protonId, workloadId: id, status: .submitted, role: .active, artifactId: artifactId, createdAt: now,
            updatedAt: now, replicas: RuntimeShape.replicas(input.runtime))
        // Created in `submitted`: only the next step is scheduled.
        w.transitionToken = newToken()
        if let (next, after) = WorkloadStatus.submitted.successor(in: profile) {
            w.pending = (TimeBounds.adding(after, to: now), next)
            scheduler.schedule(
                ScheduledAction(kind: .transition, workloadId: id, token: w.transitionToken),
                at: TimeBounds.adding(after, to: now))
        }
        nextEventNumber += 1
        w.events.append(
            WorkloadEvent(
                number: nextEventNumber, workloadId: id, kind: .created, at: now, actorId: user.id, to: .submitted))
        workloads.insert(w, id: id, seq: seq)
        appendLog(EmulatorLogEntry(at: now, kind: "created", workloadId: id, to: .submitted))
        logTransition(id, from: .unknown, to: .submitted, protonId: protonId, failure: nil)
        scheduleExpiry(id)
        visible[user.id, default: OrderedIndex()].append(id, seq: seq)
        artifacts.update(artifactId) { $0.workloadIds.append(id) }
        touch()
        return workloads[id]!
    }

    public func listWorkloads(_ q: ListQuery, for user: User) -> Page<Workload> {
        guard let index = visible[user.id] else { return Page(items: [], totalCount: 0) }
        if !q.filters && q.orderBy == nil {
            // The common case: a slice of the creation-ordered index.
            return Page(
                items: index.page(offset: q.offset, limit: q.limit).compactMap { workloads[$0] },
                totalCount: index.count)
        }
        var matched: [Workload] = []
        let idSet = q.ids.map(Set.init)
        let needle = q.search.map(CaseInsensitiveNeedle.init)
        for id in index.ids {
            if let idSet, !idSet.contains(id) { continue }
            if let needle, workloads.read(id, { needle.found(in: $0.name) }) != true { continue }
            guard let w = workloads[id] else { continue }
            if let s = q.statuses, !s.contains(w.status) { continue }
            if let s = q.importance, !s.contains(w.importance) { continue }
            if let s = q.artifactIds, !s.contains(w.artifactId) { continue }
            if q.artifactStatus != nil || q.repositoryIds != nil {
                guard let a = artifacts[w.artifactId] else { continue }
                if let s = q.artifactStatus, !s.contains(a.status) { continue }
                if let s = q.repositoryIds, !s.contains(a.repositoryId) { continue }
            }
            if let s = q.createdBy {
                let username = usersById[w.creatorId]?.username
                if !s.contains(w.creatorId) && !(username.map(s.contains) ?? false) { continue }
            }
            matched.append(w)
        }
        if let (field, descending) = q.orderBy {
            // Stable: equal keys keep creation order, in both directions.
            matched = matched.enumerated().sorted { a, b in
                let c = World.compare(a.element, b.element, by: field)
                if c != 0 { return descending ? c > 0 : c < 0 }
                return a.offset < b.offset
            }.map(\.element)
        }
        let start = min(q.offset, matched.count)
        let end = min(start + q.limit, matched.count)
        return Page(items: Array(matched[start..<end]), totalCount: matched.count)
    }

    static func compare(_ a: Workload, _ b: Workload, by field: ListQuery.OrderField) -> Int {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch field {
        case .name: return cmp(a.name, b.name)
        case .createdAt: return cmp(a.createdAt, b.createdAt)
        case .updatedAt: return cmp(a.updatedAt, b.updatedAt)
        case .status: return cmp(a.status.rawValue, b.status.rawValue)
        case .importance: return cmp(a.importance.rank, b.importance.rank)
        }
    }

    public mutating func updateWorkload(
        _ id: String, name: String?, description: String??, importance: Importance?, by user: User
    ) throws(DomainError) -> Workload {
        var w = try workload(id, for: user)
        try requireOwner(user, w)
        if let name { w.name = name }
        if let description { w.description = description }
        if let importance { w.importance = importance }
        w.updatedAt = now
        workloads.update(id) { [w] in $0 = w }
        addEvent(id, .updated, actor: user.id)
        touch()
        return w
    }

    func requireOwner(_ user: User, _ w: Workload) throws(DomainError) {
        guard role(of: user, on: w) == .owner else {
            throw .forbidden("You do not have permission to perform this action on the workload.")
        }
    }

    /// Deletes the workload. Returns the protons that could not be stopped (a
    /// `protonStopFailure` fault): the workload is deleted all the same.
    public mutating func deleteWorkload(
        _ id: String, by user: User, request: (method: String, path: String)? = nil
    ) throws(DomainError) -> [String] {
        let w = try workload(id, for: user)
        try requireOwner(user, w)
        var unstoppable: [String] = []
        if let rule = consumeFault(.protonStopFailure, workloadId: id, state: nil, request: request) {
            let live = w.protonIds.filter { protons[$0].map { ![.stopped, .terminated].contains($0.status) } ?? false }
            unstoppable = live.isEmpty ? [w.protonId ?? w.protonIds.last ?? id] : live
            appendLog(
                EmulatorLogEntry(at: now, kind: "faultInjected", workloadId: id, detail: "protonStopFailure \(rule.id)")
            )
        }
        appendLog(EmulatorLogEntry(at: now, kind: "deleted", workloadId: id))
        removeWorkload(id)
        return unstoppable
    }

    /// `accepted` is false when it was already starting or running (200, not 202).
    public mutating func startWorkload(
        _ id: String, by user: User
    ) throws(DomainError) -> (workload: Workload, accepted: Bool) {
        var w = try workload(id, for: user)
        try requireOwner(user, w)
        if w.status.isStartingOrRunning { return (w, false) }
        if w.status == .stopping {
            throw .conflict("Workload is stopping; start it again once it has stopped.")
        }
        try checkConcurrency(user)
        let protonId = ids.next()
        if let old = w.protonId, protons[old] != nil, protons[old]!.status != .errored {
            protons[old]!.status = .stopped
        }
        protons[protonId] = Proton(
            id: protonId, workloadId: id, status: .submitted, role: .active, artifactId: w.artifactId, createdAt: now,
            updatedAt: now, replicas: RuntimeShape.replicas(w.runtime))
        w.protonId = protonId
        w.protonIds.append(protonId)
        w.failureMessage = nil
        w.heldBy = nil
        w.lastStartAt = now
        if artifacts[w.artifactId]?.status == .draft { w.expiresAt = TimeBounds.adding(settings.draftTTL, to: now) }
        workloads.update(id) { [w] in $0 = w }
        scheduleExpiry(id)
        addEvent(id, .started, actor: user.id)
        enter(id, .submitted, actor: user.id)
        touch()
        return (workloads[id]!, true)
    }

    /// `accepted` is false when it was already stopped or stopping (200, not 202).
    public mutating func stopWorkload(
        _ id: String, by user: User
    ) throws(DomainError) -> (workload: Workload, accepted: Bool) {
        var w = try workload(id, for: user)
        try requireOwner(user, w)
        if w.status == .stopped || w.status == .stopping { return (w, false) }
        settleReplacement(id, actor: user.id)
        w = workloads[id]!
        w.heldBy = nil
        workloads.update(id) { [w] in $0 = w }
        addEvent(id, .stopped, actor: user.id)
        enter(id, .stopping, actor: user.id)
        touch()
        return (workloads[id]!, true)
    }

    /// Locks the artifact in place, removes the TTL; restarts nothing.
    public mutating func promoteWorkload(_ id: String, by user: User) throws(DomainError) -> Workload {
        let w0 = try workload(id, for: user)
        try requireOwner(user, w0)
        guard let a = artifacts[w0.artifactId], a.status == .draft else {
            throw .unprocessable("Only a workload on a draft artifact can be promoted.")
        }
        guard w0.status == .running else {
            throw .unprocessable("Only a running workload can be promoted (status is \(w0.status.rawValue)).")
        }
        if let r = w0.replacement, r.status.inFlight {
            throw .unprocessable("A replacement is in progress; promote the workload once it has finished.")
        }
        lockArtifact(a.id)
        var w = workloads[id]!
        w.promotedAt = now
        w.updatedAt = now
        w.history.append(
            HistoryEntry(
                id: ids.next(), kind: .promotion, status: "completed", fromArtifactId: a.id, toArtifactId: a.id,
                actorId: user.id, startedAt: now, finishedAt: now,
                message: "Artifact \(a.id) locked as version \(artifacts[a.id]?.version ?? 0); TTL removed"))
        // A promoted workload starts its production statistics afresh.
        w.invocations.records.removeAll()
        changes.invocationsReset.insert(id)
        workloads.update(id) { [w] in $0 = w }
        addEvent(id, .promoted, actor: user.id)
        touch()
        return w
    }

    /// The emulator's own view: what is scheduled and when the TTL ends.
    public func schedule(of w: Workload) -> [(at: Int64, to: WorkloadStatus)] {
        guard let p = w.pending else { return [] }
        var out = [p]
        var status = p.to
        var at = p.at
        while let (next, after) = status.successor(in: profile) {
            at += after
            out.append((at, next))
            status = next
        }
        return out
    }

    public func workloadEvents(_ id: String) -> [WorkloadEvent] { workloads[id]?.events ?? [] }

    public func protonsOf(_ w: Workload) -> [Proton] { w.protonIds.compactMap { protons[$0] } }
}

/// Reading the shape of a runtime document (validated by the API layer).
public enum RuntimeShape {
    /// The largest replica count any container group asks for: `replicaCount`, or the
    /// largest `maxCount` of its autoscaling policies.
    public static func requestedReplicas(_ runtime: JSONValue) -> Int {
        var most = 0
        for group in runtime["containerGroups"]?.arrayValue ?? [] {
            if let n = group["replicaCount"]?.exactInt { most = max(most, n) }
            for p in group["autoscaling"]?["policies"]?.arrayValue ?? [] {
                if let n = p["maxCount"]?.exactInt { most = max(most, n) }
            }
        }
        return most
    }
}
