/// One entry of `GET /workloads/{id}/history`: a finished replacement or a promotion.
public struct HistoryEntry: Sendable {
    public enum Kind: String, Sendable { case replacement, promotion }
    public var id: String
    public var kind: Kind
    /// A replacement's final status (`completed`, `errored`, `cancelled`); `completed` for a promotion.
    public var status: String
    public var fromArtifactId: String
    public var toArtifactId: String
    public var replacementId: String?
    public var trigger: String?
    public var actorId: String?
    public var startedAt: Int64
    public var finishedAt: Int64
    public var message: String?
}
