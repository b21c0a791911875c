/// One request through the invoke route, what the stats are computed from.
public struct InvocationRecord: Sendable {
    /// Sandbox time the request arrived.
    public var at: Int64
    /// Measured on the monotonic wall clock: the upstream's real latency.
    public var latencyMs: Double
    public var status: Int
    public var protonId: String
    /// Requests in flight when it arrived, itself included.
    public var concurrency: Int
}

/// A workload's request statistics: records in arrival order (capped), plus the
/// requests in flight.
public struct InvocationLog: Sendable {
    public static let capacity = 100_000
    public var records: [InvocationRecord] = []
    public var inFlight = 0
    /// The last reset (DELETE /stats without a window, or a promotion): the default
    /// start of the stats window.
    public var since: Int64?
    public init() {}

    mutating func append(_ r: InvocationRecord) {
        if records.count >= InvocationLog.capacity { records.removeFirst(records.count / 2) }
        records.append(r)
    }
}
