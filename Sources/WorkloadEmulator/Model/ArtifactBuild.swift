/// An image build of an artifact: `PENDING → IN_PROGRESS → BUILT → COMPLETED` on the clock.
public struct ArtifactBuild: Sendable {
    public enum Status: String, Sendable, CaseIterable {
        case pending = "PENDING", inProgress = "IN_PROGRESS", built = "BUILT", completed = "COMPLETED"

        var next: Status? {
            switch self {
            case .pending: return .inProgress
            case .inProgress: return .built
            case .built: return .completed
            case .completed: return nil
            }
        }
    }
    public var id: String
    public var artifactId: String
    public var status: Status
    public var createdAt: Int64
    public var updatedAt: Int64
    public var creatorId: String
    /// Filled when the build completes.
    public var imageUri: String?
    /// When each status was reached, in order: the NDJSON log is rendered from it.
    public var transitions: [(status: Status, at: Int64)]
}
