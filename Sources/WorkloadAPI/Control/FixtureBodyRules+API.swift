import JSON
import Persistence
import WorkloadEmulator

/// Fixture entries are checked by the same schemas and rules as the create routes.
extension FixtureBodyRules {
    static let api = FixtureBodyRules(
        artifact: { body in
            firstProblem(Schemas.artifact(nameRequired: true, legacy: false, specRequired: false).validate(body))
        },
        workload: { body in
            var issues = Schemas.workloadCreate(legacy: false).validate(body)
            if issues.isEmpty { issues = Schemas.workloadRules(body) }
            return firstProblem(issues)
        },
        artifactInput: { body, name in ArtifactRoutes.input(body, defaultName: name) })

    /// The issue's location below the body (its first part names the body itself).
    private static func firstProblem(_ issues: [ValidationIssue]) -> (path: String, reason: String)? {
        guard let first = issues.first else { return nil }
        var path = ""
        for part in first.loc.dropFirst() {
            if let s = part.stringValue { path += "." + s } else if let i = part.intValue { path += "[\(i)]" }
        }
        return (path, first.msg)
    }
}
