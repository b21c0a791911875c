import JSON
import WorkloadEmulator

/// The request bodies the API accepts. Fields come from the Workload API and the v2.41
/// reference; anything else is a 422 `extra_forbidden`.
enum Schemas {
    typealias F = Schema.Field

    /// Replica counts past Kubernetes' int32 cannot be honoured (README, differences).
    static let maxReplicaCount: Int64 = 2_147_483_647

    static let importance = Schema.enumeration(Importance.allCases.map(\.rawValue))

    static let resources = Schema.object([
        F("cpu", .number(min: 0)), F("memory", .integer(min: 0)), F("gpu", .integer(min: 0)),
        F("gpuType", .string(), nullable: true),
    ])

    static let probe = Schema.object([
        F("path", .string(), required: true), F("port", .integer(min: 1, max: 65535)),
        F("scheme", .enumeration(["HTTP", "HTTPS"])), F("initialDelaySeconds", .integer(min: 0)),
        F("periodSeconds", .integer(min: 1)), F("timeoutSeconds", .integer(min: 1)),
        F("failureThreshold", .integer(min: 1)),
    ])

    static let container = Schema.object([
        F("name", .string(min: 1, max: 255)), F("description", .string(), nullable: true),
        F("imageUri", .string(min: 1)), F("port", .integer(min: 1, max: 65535)), F("primary", .boolean),
        F("entrypoint", .array(.string()), nullable: true), F("environmentVars", .any, nullable: true),
        F("resourceAllocation", resources), F("resourceRequest", resources),
        F("readinessProbe", probe, nullable: true), F("livenessProbe", probe, nullable: true),
        F("startupProbe", probe, nullable: true),
    ])

    static let scalingMetrics = [
        "cpuAverageUtilization", "httpRequestsPerHour", "httpRequestsInFlight", "httpRequestsConcurrency",
    ]

    static let containerGroup = Schema.object([
        F("name", .string(min: 1, max: 255)), F("replicaCount", .integer(min: 1, max: Schemas.maxReplicaCount)),
        F(
            "autoscaling",
            .object([
                F("enabled", .boolean, required: true),
                F(
                    "policies",
                    .array(
                        .object([
                            F("scalingMetric", .enumeration(scalingMetrics), required: true),
                            F("target", .number(min: 0), required: true), F("minCount", .integer(min: 0, max: Schemas.maxReplicaCount)),
                            F("maxCount", .integer(min: 1, max: Schemas.maxReplicaCount)),
                        ]))),
            ]), nullable: true),
        F("resourceBundles", .any, nullable: true), F("containers", .array(container)),
        // Platform bundle selection (GroupRuntime): what GET /settings shows can be sent back.
        F("bundleSelectionPolicy", .enumeration(["availability"])), F("resolvedBundle", .any, nullable: true),
    ])

    static let runtime = Schema.object([F("containerGroups", .array(containerGroup))])

    /// `type` inside `spec` is what DataRobot's own payload builder sends
    /// (`workload_create_payload_build`: `"spec": {"type": "service", …}`).
    static let spec = Schema.object([F("type", artifactType), F("containerGroups", .array(containerGroup))])

    static let artifactType = Schema.enumeration(["service"])

    static func artifactStatus(legacy: Bool) -> Schema {
        .enumeration(legacy ? ["draft", "locked", "registered"] : ["draft", "locked"])
    }

    static func artifact(nameRequired: Bool, legacy: Bool) -> Schema {
        .object([
            F("name", .string(min: 1, max: 5000), required: nameRequired),
            F("description", .string(max: 10000), nullable: true),
            F("type", artifactType), F("spec", spec),
            F("artifactRepositoryId", .string(min: 1), nullable: true),
            F("status", artifactStatus(legacy: legacy)),
        ])
    }

    static func artifactPatch(legacy: Bool) -> Schema {
        .object([
            F("name", .string(min: 1, max: 5000)), F("description", .string(max: 10000), nullable: true),
            F("spec", spec),
            F("status", artifactStatus(legacy: legacy)),
        ])
    }

    static let clone = Schema.object([F("name", .string(min: 1, max: 5000))])

    static func workloadCreate(legacy: Bool) -> Schema {
        .object([
            F("name", .string(min: 1, max: 5000), required: !legacy),
            F("description", .string(max: 10000), nullable: true),
            F("importance", importance), F("artifactId", .string(min: 1), nullable: true),
            F("artifact", artifact(nameRequired: false, legacy: legacy), nullable: true), F("runtime", runtime),
        ])
    }

    static let workloadPatch = Schema.object([
        F("name", .string(min: 1, max: 5000)), F("description", .string(max: 10000), nullable: true),
        F("importance", importance),
    ])

    /// start, stop, promote take no fields.
    static let action = Schema.object([])

    static let deploymentCreate = Schema.object([
        F("name", .string(min: 1, max: 5000), required: true), F("workloadId", .string(min: 1), required: true),
        F("description", .string(max: 10000), nullable: true), F("importance", importance),
    ])

    static let deploymentPatch = Schema.object([
        F("name", .string(min: 1, max: 5000)), F("description", .string(max: 10000), nullable: true),
        F("importance", importance),
    ])

    static let holdStates = ["submitted", "provisioning", "launching", "stopping"]

    static let fault = Schema.object([
        F(
            "match",
            .object([F("method", .string(min: 1)), F("path", .string(min: 1)), F("workloadId", .string(min: 1))])),
        F("action", .enumeration(FaultRule.Action.allCases.map(\.rawValue)), required: true),
        F("status", .integer(min: 200, max: 599)), F("body", .any, nullable: true), F("headers", .map(.string())),
        F("delayMs", .integer(min: 0, max: 600_000)), F("state", .enumeration(holdStates)), F("message", .string()),
        F("times", .integer(min: 1), nullable: true), F("probability", .number(min: 0, max: 1), nullable: true),
    ])

    static let clockPut = Schema.object([
        F("mode", .enumeration(["manual", "real"]), required: true), F("scale", .number(min: 0.000001, max: 1e9)),
    ])

    static let clockAdvance = Schema.object([F("seconds", .number(min: 0, max: 3.2e9)), F("to", .string(min: 1))])

    /// Extra rules a schema cannot say: one of artifactId/artifact; replicaCount and
    /// enabled autoscaling never together.
    static func workloadRules(_ body: JSONValue) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let hasId = !(body["artifactId"]?.isNull ?? true)
        let hasInline = !(body["artifact"]?.isNull ?? true)
        if hasId == hasInline {
            issues.append(
                ValidationIssue(
                    loc: ["body"], msg: "Value error, exactly one of 'artifactId' or 'artifact' must be provided",
                    type: "value_error"))
        }
        issues += runtimeRules(body["runtime"], loc: ["body", "runtime"])
        issues += runtimeRules(body["artifact"]?["spec"], loc: ["body", "artifact", "spec"])
        return issues
    }

    static func runtimeRules(_ runtime: JSONValue?, loc: [JSONValue]) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (i, g) in (runtime?["containerGroups"]?.arrayValue ?? []).enumerated() {
            let replicas = !(g["replicaCount"]?.isNull ?? true)
            let autoscaling = g["autoscaling"]?["enabled"]?.boolValue == true
            if replicas && autoscaling {
                issues.append(
                    ValidationIssue(
                        loc: loc + ["containerGroups", .int(Int64(i))],
                        msg: "Value error, 'replicaCount' and enabled 'autoscaling' cannot be used together",
                        type: "value_error"))
            }
        }
        return issues
    }
}
