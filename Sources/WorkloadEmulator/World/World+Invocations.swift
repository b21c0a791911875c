/// Invoke bookkeeping and request statistics.
extension World {
    /// Where an invocation goes, decided under the lock before any I/O.
    public struct InvokeTarget: Sendable {
        public var workloadId: String
        public var protonId: String
        public var upstream: String?
        /// Sandbox time it arrived.
        public var at: Int64
    }

    public enum InvokeDecision: Sendable {
        case ready(InvokeTarget)
        /// 503: the workload is not running.
        case notRunning(WorkloadStatus)
    }

    /// Checks the caller may invoke (any role) and that the workload runs, and counts
    /// the request in flight. `deploymentId`: reached through a deployment the caller holds.
    public mutating func beginInvocation(
        workloadId: String?, deploymentId: String? = nil, by user: User
    ) throws(DomainError) -> InvokeDecision {
        let w: Workload
        if let deploymentId {
            let d = try deployment(deploymentId, for: user)
            guard let found = workloads[d.workloadId] else { return .notRunning(.terminated) }
            w = found
        } else {
            w = try workload(workloadId ?? "", for: user, .invoke)
        }
        guard w.status == .running, let pid = w.protonId else { return .notRunning(w.status) }
        workloads.update(w.id) { $0.invocations.inFlight += 1 }
        return .ready(InvokeTarget(workloadId: w.id, protonId: pid, upstream: w.upstream, at: now))
    }

    /// Records the answer of an invocation begun with `beginInvocation`.
    public mutating func finishInvocation(
        _ target: InvokeTarget, status: Int, latencyMs: Double, method: String = "", path: String = ""
    ) {
        workloads.update(target.workloadId) {
            let concurrency = $0.invocations.inFlight
            $0.invocations.inFlight = max(0, $0.invocations.inFlight - 1)
            $0.invocations.append(
                InvocationRecord(
                    at: target.at, latencyMs: latencyMs, status: status, protonId: target.protonId,
                    concurrency: max(1, concurrency)))
        }
        changes.invocationsAppended[target.workloadId, default: 0] += 1
        if !method.isEmpty { logAccess(target, status: status, latencyMs: latencyMs, method: method, path: path) }
        touch()
    }

    /// `PUT /__emulator/workloads/{id}/upstream`; nil restores the echo.
    public mutating func setUpstream(_ workloadId: String, url: String?) throws(DomainError) {
        guard workloads[workloadId] != nil else { throw .notFound("Workload not found.") }
        workloads.update(workloadId) { $0.upstream = url }
        touch()
    }

    /// The records of a workload in a window, for the stats routes.
    public func invocationRecords(
        _ w: Workload, protonId: String?, from: Int64?, to: Int64?
    ) -> [InvocationRecord] {
        w.invocations.records.filter { r in
            (protonId == nil || r.protonId == protonId) && (from.map { r.at >= $0 } ?? true)
                && (to.map { r.at <= $0 } ?? true)
        }
    }

    /// DELETE /stats: drops the records in the window (all without one).
    public mutating func resetStats(
        _ id: String, protonId: String?, from: Int64?, to: Int64?, by user: User
    ) throws(DomainError) {
        _ = try workload(id, for: user, .manage)
        workloads.update(id) { w in
            w.invocations.records.removeAll { r in
                (protonId == nil || r.protonId == protonId) && (from.map { r.at >= $0 } ?? true)
                    && (to.map { r.at <= $0 } ?? true)
            }
            if protonId == nil && from == nil && to == nil { w.invocations.since = now }
        }
        changes.invocationsReset.insert(id)
        addEvent(id, .statsReset, actor: user.id)
        touch()
    }
}

/// Request statistics over a set of invocation records.
public struct RequestStats: Sendable, Equatable {
    public var totalRequests = 0
    public var requestsPerMinute = 0.0
    public var concurrentRequests = 0
    /// Milliseconds at the asked quantile; nil without requests.
    public var responseTime: Double?
    public var slowRequests = 0
    public var serverErrorCount = 0
    public var userErrorCount = 0

    public var serverErrorRate: Double { totalRequests == 0 ? 0 : Double(serverErrorCount) / Double(totalRequests) }
    public var userErrorRate: Double { totalRequests == 0 ? 0 : Double(userErrorCount) / Double(totalRequests) }
    public var totalErrorRate: Double {
        totalRequests == 0 ? 0 : Double(serverErrorCount + userErrorCount) / Double(totalRequests)
    }

    public init() {}

    /// `windowMs`: the span requests per minute are spread over (at least a minute).
    public init(
        _ records: [InvocationRecord], quantile: Double, slowThresholdMs: Double, windowMs: Int64, inFlight: Int
    ) {
        totalRequests = records.count
        requestsPerMinute = Double(records.count) / (Double(max(windowMs, 60_000)) / 60_000)
        concurrentRequests = inFlight
        responseTime = RequestStats.quantile(records.map(\.latencyMs), quantile)
        slowRequests = records.filter { $0.latencyMs > slowThresholdMs }.count
        serverErrorCount = records.filter { $0.status >= 500 }.count
        userErrorCount = records.filter { $0.status >= 400 && $0.status < 500 }.count
    }

    /// Nearest-rank quantile (q in 0...1); nil for no values.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
