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
    /// Grants in the order given; the creator is the first OWNER.
    public var roles: [(userId: String, role: Role)] = []
}
