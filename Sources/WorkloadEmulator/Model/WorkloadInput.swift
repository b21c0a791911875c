import JSON

/// What a client asks for when it creates a workload; validated by the API layer.
public struct WorkloadInput: Sendable {
    public var name: String?
    public var description: String?
    public var importance: Importance
    public var runtime: JSONValue
    public var artifactId: String?
    public var artifact: ArtifactInput?
    public init(
        name: String?, description: String? = nil, importance: Importance = .low,
        runtime: JSONValue = JSONValue.emptyRuntime,
        artifactId: String? = nil, artifact: ArtifactInput? = nil
    ) {
        self.name = name
        self.description = description
        self.importance = importance
        self.runtime = runtime
        self.artifactId = artifactId
        self.artifact = artifact
    }
}
