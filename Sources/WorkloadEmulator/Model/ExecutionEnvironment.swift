/// An entry of `GET /api/v2/executionEnvironments/`: a base image a generated-Dockerfile
/// artifact builds from. DataRobot's CLI picks `latestSuccessfulVersion.id` as the
/// `executionEnvironmentVersionId` of the artifact it writes.
public struct ExecutionEnvironment: Sendable, Equatable {
    public struct Version: Sendable, Equatable {
        public var id: String
        public var label: String
        public var description: String
        public var dockerImageUri: String
        /// `success`, `failed`, `processing`, …: only a `success` version can be built from.
        public var buildStatus: String
        public var createdAt: Int64

        public init(
            id: String, label: String, description: String = "", dockerImageUri: String,
            buildStatus: String = "success", createdAt: Int64 = ExecutionEnvironment.catalogueDate
        ) {
            self.id = id
            self.label = label
            self.description = description
            self.dockerImageUri = dockerImageUri
            self.buildStatus = buildStatus
            self.createdAt = createdAt
        }
    }

    public var id: String
    public var name: String
    public var description: String
    public var programmingLanguage: String
    public var useCases: [String]
    public var isPublic: Bool
    /// Oldest first.
    public var versions: [Version]
    public var createdAt: Int64

    public init(
        id: String, name: String, description: String = "", programmingLanguage: String = "python",
        useCases: [String] = ["customApplication"], isPublic: Bool = true, versions: [Version],
        createdAt: Int64 = ExecutionEnvironment.catalogueDate
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.programmingLanguage = programmingLanguage
        self.useCases = useCases
        self.isPublic = isPublic
        self.versions = versions
        self.createdAt = createdAt
    }

    /// 2025-01-01T00:00:00Z: when the built-in and fixture entries say they were made.
    public static let catalogueDate: Int64 = 1_735_689_600_000

    public var latestVersion: Version? { versions.last }
    public var latestSuccessfulVersion: Version? { versions.last { $0.buildStatus == "success" } }

    /// A small built-in catalogue with fixed ids, so that a generated-Dockerfile build
    /// can name one without fixtures.
    public static let builtIn: [ExecutionEnvironment] = [
        ExecutionEnvironment(
            id: "65f9b27eab986d30d4c64268", name: "[DataRobot] Python 3.11 Applications Base",
            description: "Python 3.11 base image for custom applications", useCases: ["customApplication"],
            versions: [
                Version(
                    id: "65f9b27eab986d30d4c64269", label: "v1", dockerImageUri: "datarobot/python311-apps:v1"),
                Version(
                    id: "680fa9f0e1b2c3d4e5f60718", label: "v2", dockerImageUri: "datarobot/python311-apps:v2"),
            ]),
        ExecutionEnvironment(
            id: "65f9b27eab986d30d4c6426a", name: "[DataRobot] Python 3.12 Applications Base",
            description: "Python 3.12 base image for custom applications", useCases: ["customApplication"],
            versions: [
                Version(
                    id: "65f9b27eab986d30d4c6426b", label: "v1", dockerImageUri: "datarobot/python312-apps:v1")
            ]),
        ExecutionEnvironment(
            id: "65f9b27eab986d30d4c6426c", name: "[DataRobot] Node.js 20 Applications Base",
            description: "Node.js 20 base image for custom applications", programmingLanguage: "other",
            useCases: ["customApplication"],
            versions: [
                Version(
                    id: "65f9b27eab986d30d4c6426d", label: "v1", dockerImageUri: "datarobot/node20-apps:v1",
                    buildStatus: "failed")
            ]),
    ]
}
