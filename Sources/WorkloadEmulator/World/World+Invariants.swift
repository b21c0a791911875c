/// What must hold between a workload, its protons, its replacement and its events,
/// whatever sequence of requests and clock steps led here. Returns one sentence per
/// violation (empty: consistent). Used by the concurrency tests; cheap enough to run
/// after every step of a test.
extension World {
    public func invariantViolations() -> [String] { invariantViolations(part: 0, of: 1) }

    /// The violations among one of `parts` equal shares of the workloads and artifacts:
    /// start-up checks the shares on several threads (read-only, so they can share the
    /// world). The parts' answers in order are `invariantViolations()`'s.
    public func invariantViolations(part: Int, of parts: Int) -> [String] {
        var out: [String] = []
        func mine(_ count: Int) -> Range<Int> {
            let size = (count + parts - 1) / max(1, parts)
            return min(count, part * size)..<min(count, (part + 1) * size)
        }
        // Slot by slot, with no lookup of each object's own id: start-up runs this over
        // 100,000 workloads, and each lookup is a cache miss.
        workloads.forEachSlot(mine(workloads.count)) { _, w in out += violations(of: w) }
        artifacts.forEachSlot(mine(artifacts.count)) { id, a in
            if a.status == .draft && a.workloadIds.count > 1 {
                out.append("draft artifact \(id) backs \(a.workloadIds.count) workloads")
            }
            for wid in a.workloadIds where !workloads.contains(wid) {
                out.append("artifact \(id) lists missing workload \(wid)")
            }
        }
        return out
    }

    /// What the check reads of a proton (no copy of its strings).
    private struct ProtonFacts {
        var belongs: Bool
        var role: Proton.Role
        var status: WorkloadStatus
    }

    func violations(of w: borrowing Workload) -> [String] {
        var out: [String] = []
        let id = w.id
        func fail(_ s: String) { out.append("workload \(id): \(s)") }

        // Each listed proton looked up once (start-up checks 100,000 workloads).
        func facts(_ pid: String) -> ProtonFacts? {
            protons.read(pid) { ProtonFacts(belongs: $0.workloadId == id, role: $0.role, status: $0.status) }
        }
        let listed = w.protonIds.map(facts)
        func proton(_ pid: String) -> ProtonFacts? {
            if let i = w.protonIds.firstIndex(of: pid) { return listed[i] }
            return facts(pid)
        }
        // Protons belong to it, and the active one mirrors the workload's status.
        for (pid, found) in zip(w.protonIds, listed) {
            guard let p = found else {
                fail("proton \(pid) listed but missing")
                continue
            }
            if !p.belongs { fail("proton \(pid) belongs to \(protons[pid]?.workloadId ?? "")") }
        }
        if let pid = w.protonId {
            if !w.protonIds.contains(pid) { fail("active proton \(pid) not in protonIds") }
            if let p = proton(pid) {
                if p.role != .active { fail("active proton \(pid) has role \(p.role.rawValue)") }
                if p.status != w.status {
                    fail("active proton \(pid) is \(p.status.rawValue) but the workload is \(w.status.rawValue)")
                }
            }
        }
        if artifacts.read(w.artifactId, { $0.workloadIds.contains(id) }) != true {
            fail("artifact \(w.artifactId) does not list it")
        }

        // Candidates: exactly the replacement's, while it is in flight (before the
        // switch) or errored.
        let liveCandidates = w.protonIds.filter { pid in
            guard let p = proton(pid) else { return false }
            return p.role == .candidate && ![.stopped, .terminated].contains(p.status)
        }
        var expected: [String] = []
        if let r = w.replacement, r.status == .errored || (r.status.inFlight && r.status != .cleaningUp),
            let c = r.candidateProtonId
        {
            expected = [c]
        }
        if liveCandidates != expected {
            fail("live candidates \(liveCandidates) but the replacement expects \(expected)")
        }
        if let r = w.replacement {
            if !(r.status.inFlight || r.status == .errored) {
                fail("kept replacement \(r.id) is \(r.status.rawValue)")
            }
            if r.status.inFlight {
                if w.status != .running { fail("replacement \(r.id) in flight while \(w.status.rawValue)") }
                if r.pendingAt == nil { fail("replacement \(r.id) in flight with nothing scheduled") }
            }
            if r.status == .errored, let c = r.candidateProtonId, protons[c]?.status != .errored {
                fail("errored replacement's candidate \(c) is \(protons[c]?.status.rawValue ?? "missing")")
            }
            if r.status == .cleaningUp {
                if w.protonId != r.candidateProtonId { fail("cleaning up, but traffic is not on the candidate") }
                if let old = r.oldProtonId, protons[old]?.status != .draining {
                    fail("cleaning up, but old proton \(old) is \(protons[old]?.status.rawValue ?? "missing")")
                }
            } else if r.status.inFlight {
                if let c = r.candidateProtonId, protons[c]?.role != .candidate {
                    fail("candidate \(c) switched before the replacement did")
                }
                if r.toArtifactId != w.artifactId, artifacts[r.toArtifactId]?.workloadIds.contains(id) != true {
                    fail("target artifact \(r.toArtifactId) not reserved")
                }
            }
        }
        // Only the active proton, an in-flight candidate and a draining predecessor run.
        for pid in w.protonIds where pid != w.protonId && !expected.contains(pid) {
            guard let p = proton(pid) else { continue }
            let draining = w.replacement?.status == .cleaningUp && w.replacement?.oldProtonId == pid
            if draining { continue }
            if ![.stopped, .terminated, .errored].contains(p.status) {
                fail("retired proton \(pid) is still \(p.status.rawValue)")
            }
        }

        // Events: in time order, and the status changes chain up to the current status.
        var last: Int64 = .min
        var status: WorkloadStatus?
        var replacementStatus: Replacement.Status?
        for e in w.events {
            if e.at < last { fail("event \(e.number) goes back in time") }
            last = e.at
            if e.kind == .statusChanged || e.kind == .created {
                if let status, let from = e.from, from != status {
                    fail("status event \(e.number) from \(from.rawValue) but the workload was \(status.rawValue)")
                }
                status = e.to
            }
            if let rs = e.replacementStatus { replacementStatus = rs }
        }
        if let status, status != w.status {
            fail("events end in \(status.rawValue) but the workload is \(w.status.rawValue)")
        }
        if let r = w.replacement, r.status.inFlight || r.status == .errored, replacementStatus != r.status {
            fail(
                "events end with replacement \(replacementStatus?.rawValue ?? "none") but it is \(r.status.rawValue)")
        }
        if w.replacement == nil, let rs = replacementStatus, rs.inFlight {
            fail("events end with replacement \(rs.rawValue) but there is none")
        }
        if w.invocations.inFlight < 0 { fail("negative requests in flight") }
        return out
    }
}
