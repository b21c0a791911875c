public struct Deployment: Sendable {
    public var id: String
    public var seq: Int
    public var name: String
    public var description: String?
    public var importance: Importance
    public var workloadId: String
    public var creatorId: String
    public var createdAt: Int64
    public var updatedAt: Int64
}
