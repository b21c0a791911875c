/// A documented 4xx of an operation that the emulator cannot produce, and why; the
/// coverage rule does not ask for it.
public struct Unreachable: Sendable {
    /// An operationId, or `*` for every operation.
    public let operation: String
    public let status: Int
    public let reason: String

    public init(_ operation: String, _ status: Int, _ reason: String) {
        self.operation = operation
        self.status = status
        self.reason = reason
    }

    func applies(to id: String, status: Int) -> Bool {
        self.status == status && (operation == "*" || operation == id)
    }

    /// Why: the emulator answers 400 only for a body that is not JSON and for a bad
    /// statistics window on `DELETE …/stats` (and, before any route, for an invalid
    /// sandbox name); 422 comes from a body or a query parameter; 403 from a role that
    /// may read but not act, or from a limit.
    public static let table: [Unreachable] = {
        let noBodyNoWindow = "no request body and no statistics window: nothing the emulator answers 400 for"
        let noInput = "no request body and no query parameters in the contract: every id is valid input (an unknown one is 404)"
        let list = "a list shows what the caller may see and never refuses a role; no limit applies"
        let anyRole = "any role on an artifact or repository may read and use it (README); no role is 404"
        var rows: [Unreachable] = []
        for id in [
            "listArtifacts", "deleteArtifact", "getArtifact", "getArtifactBuildList", "getArtifactBuild",
            "getArtifactBuildLogs", "listArtifactSharedRoles", "listWorkloads", "listWorkloadsStats", "deleteWorkload",
            "getWorkload", "listWorkloadEvents", "listWorkloadArtifactHistory", "listWorkloadProtons",
            "getWorkloadProton", "getWorkloadProtonStatusDetails", "getWorkloadRelatedEntities", "getWorkloadSettings",
            "listWorkloadSharedRoles", "getWorkloadMetricTimeSeries",
        ] {
            rows.append(Unreachable(id, 400, noBodyNoWindow))
        }
        rows.append(Unreachable("getWorkloadStats", 400, "a bad window on GET …/stats is a 422; 400 is DELETE's"))
        for id in [
            "deleteArtifactRepository", "getArtifactRepository", "deleteArtifact", "getArtifact", "getArtifactBuild",
            "getArtifactBuildLogs", "deleteWorkload", "getWorkload", "getWorkloadProton", "getWorkloadProtonStatusDetails",
            "getWorkloadRelatedEntities", "getWorkloadSettings",
        ] {
            rows.append(Unreachable(id, 422, noInput))
        }
        for id in ["listArtifactRepositories", "listArtifacts", "listWorkloads", "listWorkloadsStats"] {
            rows.append(Unreachable(id, 403, list))
        }
        for id in [
            "getArtifactRepository", "listArtifactRepositorySharedRoles", "getArtifact", "getArtifactBuildList",
            "getArtifactBuild", "getArtifactBuildLogs", "cloneArtifact", "listArtifactSharedRoles",
        ] {
            rows.append(Unreachable(id, 403, anyRole))
        }
        rows.append(Unreachable("createArtifact", 403, "no role or limit applies to creating an artifact"))
        return rows
    }()
}
