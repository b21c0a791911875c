import JSON

public enum ArtifactStatus: String, Sendable, CaseIterable {
    case draft, locked
}

public struct Artifact: Sendable {
    public var id: String
    public var name: String
    public var description: String?
    public var type: String
    public var status: ArtifactStatus
    public var version: Int?
    public var repositoryId: String
    /// `{"containerGroups": [...]}` as the client sent it.
    public var spec: JSONValue
    public var creatorId: String
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The workloads it backs, in creation order (a draft: at most one).
    public var workloadIds: [String] = []
    /// Grants in the order given; the creator is the first OWNER.
    public var roles: [(userId: String, role: Role)] = []
    /// Builds requested, oldest first. None: the artifact's images count as built.
    public var buildIds: [String] = []
}
