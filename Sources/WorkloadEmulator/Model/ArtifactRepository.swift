public struct ArtifactRepository: Sendable {
    public var id: String
    public var name: String
    public var description: String?
    public var lastVersionNumber: Int
    public var creatorId: String
    public var createdAt: Int64
    public var updatedAt: Int64
    /// Artifact ids in creation order.
    public var artifactIds: [String]
}
