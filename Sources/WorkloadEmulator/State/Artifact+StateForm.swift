import JSON

extension ArtifactRepository: StateForm {
    static let blank = ArtifactRepository(
        id: "", name: "", description: nil, lastVersionNumber: 0, creatorId: "", createdAt: 0, updatedAt: 0,
        artifactIds: [])
    static let fields: [StateField<ArtifactRepository>] = [
        .string("id", \.id), .string("name", \.name),
        .optionalString("description", \.description),
        .int("lastVersionNumber", \.lastVersionNumber, check: sequenceCheck),
        .string("creatorId", \.creatorId),
        .timestamp("createdAt", \.createdAt), .timestamp("updatedAt", \.updatedAt),
        .strings("artifactIds", \.artifactIds),
        GrantForm.field("roles", \.roles, required: false),
    ]
}

extension Artifact: StateForm {
    static let blank = Artifact(
        id: "", name: "", description: nil, type: "", status: .draft, version: nil, repositoryId: "", spec: .null,
        creatorId: "", createdAt: 0, updatedAt: 0)
    static let fields: [StateField<Artifact>] = [
        .string("id", \.id), .string("name", \.name),
        .optionalString("description", \.description),
        .string("type", \.type), .enumeration("status", \.status),
        .optionalInt("version", \.version),
        .string("repositoryId", \.repositoryId), .value("spec", \.spec),
        .string("creatorId", \.creatorId),
        .timestamp("createdAt", \.createdAt), .timestamp("updatedAt", \.updatedAt),
        .strings("workloadIds", \.workloadIds),
        GrantForm.field("roles", \.roles, required: false),
        .strings("buildIds", \.buildIds, required: false),
    ]
}

extension ArtifactBuild: StateForm {
    static let blank = ArtifactBuild(
        id: "", artifactId: "", status: .pending, createdAt: 0, updatedAt: 0, creatorId: "", imageUri: nil,
        transitions: [])
    static let fields: [StateField<ArtifactBuild>] = [
        .string("id", \.id),
        .string("artifactId", \.artifactId),
        .enumeration("status", \.status),
        .timestamp("createdAt", \.createdAt), .timestamp("updatedAt", \.updatedAt),
        .string("creatorId", \.creatorId),
        .optionalString("imageUri", \.imageUri),
        .custom(
            "transitions",
            write: { b, j, e in
                j.array("transitions") { j in
                    for t in b.transitions { TransitionForm(status: t.status, at: t.at).writeState(&j, e) }
                }
            },
            read: { (c, b) throws(JSONPathError) in
                b.transitions = try c.list(TransitionForm.self).map { ($0.status, $0.at) }
            }),
    ]

    /// One of `transitions`.
    struct TransitionForm: StateForm {
        var status: Status
        var at: Int64
        static let blank = TransitionForm(status: .pending, at: 0)
        static let fields: [StateField<TransitionForm>] = [.enumeration("status", \.status), .timestamp("at", \.at)]
    }
}

extension Proton: StateForm {
    static let blank = Proton(
        id: "", workloadId: "", status: .submitted, role: .active, artifactId: "", createdAt: 0, updatedAt: 0,
        failureMessage: nil)
    static let fields: [StateField<Proton>] = [
        .string("id", \.id),
        .string("workloadId", \.workloadId),
        .enumeration("status", \.status),
        .enumeration("role", \.role) { _ in "expected active or candidate" },
        .string("artifactId", \.artifactId),
        .timestamp("createdAt", \.createdAt), .timestamp("updatedAt", \.updatedAt),
        .optionalString("failureMessage", \.failureMessage),
        .int("replicas", \.replicas, default: 1),
        .optionalTimestamp("scheduledAt", \.scheduledAt),
    ]
}

extension Deployment: StateForm {
    static let blank = Deployment(
        id: "", seq: 0, name: "", description: nil, importance: .low, workloadId: "", creatorId: "", createdAt: 0,
        updatedAt: 0)
    static let fields: [StateField<Deployment>] = [
        .string("id", \.id),
        .int("seq", \.seq, check: sequenceCheck),
        .string("name", \.name),
        .optionalString("description", \.description),
        .enumeration("importance", \.importance),
        .string("workloadId", \.workloadId), .string("creatorId", \.creatorId),
        .timestamp("createdAt", \.createdAt), .timestamp("updatedAt", \.updatedAt),
    ]
}
