import JSON

public struct Workload: Sendable {
    public var id: String
    /// Creation order inside the sandbox; the insertion-ordered indexes sort by it.
    public var seq: Int
    public var name: String
    public var description: String?
    public var importance: Importance
    public var status: WorkloadStatus
    public var artifactId: String
    public var runtime: JSONValue
    /// The active proton, if any.
    public var protonId: String?
    public var protonIds: [String]
    public var creatorId: String
    /// Grants in the order given; the creator is the first OWNER.
    public var roles: [(userId: String, role: Role)]
    public var createdAt: Int64
    public var updatedAt: Int64
    /// Creation and every start reset the draft TTL from here.
    public var lastStartAt: Int64
    /// Draft workloads only.
    public var expiresAt: Int64?
    /// The scheduled next transition, mirrored from the scheduler for the emulator view.
    public var pending: (at: Int64, to: WorkloadStatus)?
    public var transitionToken: UInt64
    public var expiryToken: UInt64
    /// Parked by a `hold` fault rule.
    public var heldBy: String?
    public var failureMessage: String?
    public var promotedAt: Int64?
    /// Oldest first. Kept with the workload: one dictionary fewer, and they go with it.
    public var events: [WorkloadEvent] = []
    /// The replacement in flight, or the last one if it errored (kept until cancelled or replaced).
    public var replacement: Replacement? {
        get { replacementStorage.first }
        set { replacementStorage = newValue.map { [$0] } ?? [] }
    }
    /// Zero or one element: a reference inline instead of a few hundred bytes, since most
    /// of 100,000 workloads never have a replacement.
    var replacementStorage: [Replacement] = []
    /// Finished replacements and promotions, oldest first.
    public var history: [HistoryEntry] = []
    /// Where invoke forwards to (`PUT /__emulator/workloads/{id}/upstream`); nil: the echo.
    public var upstream: String?
    public var invocations = InvocationLog()
    /// The emulated containers' output (`/otel/workload/{id}/logs/`); not persisted.
    public var logs = WorkloadLog()
}
