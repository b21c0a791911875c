import JSON

/// What a client asks for when it creates or replaces an artifact.
public struct ArtifactInput: Sendable {
    public var name: String
    public var description: String?
    public var type: String
    public var spec: JSONValue
    public var repositoryId: String?
    public var status: ArtifactStatus
    public init(
        name: String, description: String? = nil, type: String = "service", spec: JSONValue = JSONValue.emptyRuntime,
        repositoryId: String? = nil, status: ArtifactStatus = .draft
    ) {
        self.name = name
        self.description = description
        self.type = type
        self.spec = spec
        self.repositoryId = repositoryId
        self.status = status
    }
}
