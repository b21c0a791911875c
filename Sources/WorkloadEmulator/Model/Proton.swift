public struct Proton: Sendable {
    public enum Role: String, Sendable { case active, candidate }
    public var id: String
    public var workloadId: String
    public var status: WorkloadStatus
    public var role: Role
    public var artifactId: String
    public var createdAt: Int64
    public var updatedAt: Int64
    public var failureMessage: String?
    /// Replicas of the runtime it was started with (statusDetails shows one per replica).
    public var replicas: Int = 1
    /// When it left `submitted`: statusDetails is 204 before.
    public var scheduledAt: Int64?

    /// One mutation, so the world changes a proton with a single dictionary lookup.
    mutating func moved(to status: WorkloadStatus, at time: Int64, failure: String?) {
        self.status = status
        updatedAt = time
        if scheduledAt == nil, [.provisioning, .launching, .running, .warming].contains(status) { scheduledAt = time }
        if let failure { failureMessage = failure }
    }
}
