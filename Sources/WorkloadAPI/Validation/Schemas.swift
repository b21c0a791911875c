import JSON
import WorkloadEmulator

/// The request bodies the API accepts. Fields come from the Workload API and the v2.41
/// reference; anything else is a 422 `extra_forbidden`.
enum Schemas {
    typealias F = Schema.Field

    /// Replica counts past Kubernetes' int32 cannot be honoured (README, differences).
    static let maxReplicaCount: Int64 = 2_147_483_647

    static let importance = Schema.enumeration(Importance.allCases.map(\.rawValue))

    /// `ResourceAllocation`: memory and GPU memory as bytes or a string with a unit.
    static let resourceAllocation = Schema.object([
        F("cpu", .number(min: 0), nullable: true), F("gpu", .number(min: 0), nullable: true),
        F("memory", .quantity, nullable: true), F("gpuMemory", .quantity, nullable: true),
    ])

    /// The v2.41 reference's container `resourceRequest` (DataRobot's drtools still sends it).
    static let resourceRequest = Schema.object([
        F("cpu", .number(min: 0), nullable: true), F("gpu", .number(min: 0), nullable: true),
        F("memory", .quantity, nullable: true), F("gpuMemory", .quantity, nullable: true),
        F("gpuType", .string(), nullable: true),
    ])

    /// `ProbeConfig`, plus `successThreshold` that DataRobot's Terraform provider sends.
    static let probe = Schema.object([
        F("path", .string(), required: true), F("port", .integer(min: 1, max: 65535)),
        F("scheme", .enumeration(["HTTP", "HTTPS"])), F("host", .string(), nullable: true),
        F("httpHeaders", .map(.string())), F("initialDelaySeconds", .integer()), F("periodSeconds", .integer()),
        F("timeoutSeconds", .integer()), F("failureThreshold", .integer()), F("successThreshold", .integer()),
    ])

    static let securityContext = Schema.object([
        F("allowPrivilegeEscalation", .boolean, nullable: true),
        F(
            "capabilities",
            .object([F("add", .array(.string()), nullable: true), F("drop", .array(.string()), nullable: true)]),
            nullable: true),
        F("readOnlyRootFilesystem", .boolean, nullable: true),
        F(
            "seccompProfile",
            .object([
                F("type", .enumeration(["RuntimeDefault", "Unconfined", "Localhost"]), required: true),
                F("localhostProfile", .string(), nullable: true),
            ]), nullable: true),
    ])

    static let imageBuildConfig = Schema.object([
        F(
            "codeRef",
            .object([
                F(
                    "datarobot",
                    .object([
                        F("catalogId", .string(), required: true), F("catalogVersionId", .string(), required: true),
                    ]), required: true),
                F("provider", .constant("datarobot")), F("type", .constant("datarobot")),
            ]), nullable: true),
        F(
            "dockerfile",
            .tagged(
                key: "source",
                [
                    ("provided", .object([F("path", .string()), F("source", .constant("provided"))])),
                    (
                        "generated",
                        .object([
                            F("entrypoint", .array(.string(), min: 1), required: true),
                            F("executionEnvironmentId", .string(), required: true),
                            F("executionEnvironmentVersionId", .string(), required: true),
                            F("source", .constant("generated")),
                        ])
                    ),
                ], fallback: nil)),
    ])

    /// `StringEnvironmentVariable` (the default), `CredentialEnvironmentVariable`, and the
    /// `api-key` source of DataRobot's Terraform provider (name optional). The real models
    /// ignore unknown keys here rather than rejecting them.
    static let environmentVariable = Schema.tagged(
        key: "source",
        [
            (
                "string",
                .looseObject([
                    F("name", .string(), required: true), F("value", .string(), required: true),
                    F("source", .constant("string")),
                ])
            ),
            (
                "dr-credential",
                .looseObject([
                    F("source", .constant("dr-credential"), required: true), F("name", .string(), required: true),
                    F("drCredentialId", .string(), required: true), F("key", .string(), required: true),
                ])
            ),
            ("api-key", .looseObject([F("source", .constant("api-key"), required: true), F("name", .string())])),
        ], fallback: "string")

    static let containerBuild = Schema.object([
        F("artifactImageBuildId", .string(), required: true), F("status", .string(), required: true),
        F("createdAt", .dateTime, required: true),
    ])

    /// `Container` of an artifact spec. `resourceRequest` (drtools, v2.41) and
    /// `resourceAllocation` (v2.41) are accepted beside the contract's fields.
    static func container(legacy: Bool) -> Schema {
        .object([
            F("name", .string(min: 1, max: 255), nullable: true),
            F("description", .string(), nullable: legacy),
            F("imageUri", .string(min: 1), nullable: true),
            F("port", .integer(min: 1024, max: 65535), nullable: true),
            F("primary", .boolean, nullable: true),
            F("entrypoint", .array(.string()), nullable: true),
            F("environmentVars", .array(environmentVariable), nullable: legacy),
            F("imageBuildConfig", imageBuildConfig, nullable: true), F("build", containerBuild, nullable: true),
            F("securityContext", securityContext, nullable: true),
            F("readinessProbe", probe, nullable: true), F("livenessProbe", probe, nullable: true),
            F("startupProbe", probe, nullable: true),
            F("resourceAllocation", resourceRequest), F("resourceRequest", resourceRequest),
        ])
    }

    static let scalingMetrics = [
        "cpuAverageUtilization", "httpRequestsConcurrency", "gpuCacheUtilization", "gpuRequestQueueDepth",
    ]

    /// The v2.41 name of `httpRequestsConcurrency`, still accepted under the legacy prefixes
    /// (and stored under the current name).
    static let legacyScalingMetrics = scalingMetrics + ["httpRequestsInFlight"]

    /// `AutoscalingProperties`, plus `minReplicaCount`/`maxReplicaCount` of DataRobot's
    /// Terraform provider, whose policies then carry no counts of their own.
    static func autoscaling(legacy: Bool) -> Schema {
        .object([
            F("enabled", .boolean),
            F(
                "policies",
                .array(
                    .object([
                        F(
                            "scalingMetric", .enumeration(legacy ? legacyScalingMetrics : scalingMetrics),
                            required: true),
                        F("target", .number(min: 0), required: true),
                        F("minCount", .integer(min: 0, max: maxReplicaCount)),
                        F("maxCount", .integer(min: 0, max: maxReplicaCount)),
                        F("priority", .integer(), nullable: true),
                    ])), required: true),
            F("minReplicaCount", .integer(min: 0, max: maxReplicaCount)),
            F("maxReplicaCount", .integer(min: 0, max: maxReplicaCount)),
        ])
    }

    static let resolvedBundle = Schema.looseObject([
        F("id", .string(), required: true), F("cpuCount", .number(), required: true),
        F("memoryBytes", .integer(), required: true), F("gpuCount", .integer()),
        F("gpuMaker", .string(), nullable: true), F("gpuTypeLabel", .string(), nullable: true),
    ])

    /// `GroupRuntime`.
    static func groupRuntime(legacy: Bool) -> Schema {
        .object([
            F("name", .string(min: 1, max: 255)),
            F("replicaCount", .integer(min: 1, max: maxReplicaCount), nullable: true),
            F("autoscaling", autoscaling(legacy: legacy), nullable: true),
            F("bundleSelectionPolicy", .enumeration(["availability"])),
            F("resourceBundles", .array(.string()), nullable: legacy),
            F("resolvedBundle", resolvedBundle, nullable: true),
            F(
                "containers",
                .array(
                    .object([
                        F("name", .string(), required: true),
                        F("resourceAllocation", resourceAllocation, nullable: true),
                    ]))),
        ])
    }

    static let runtime = runtime(legacy: false)

    /// `WorkloadRuntime`; under the legacy prefixes also the v2.41 flat form
    /// (`replicaCount`, `autoscaling`, `resourceBundles` beside `containerGroups`),
    /// which `normalizedRuntime` folds into one group.
    static func runtime(legacy: Bool) -> Schema {
        var fields = [F("containerGroups", .array(groupRuntime(legacy: legacy)))]
        if legacy {
            fields += [
                F("replicaCount", .integer(min: 1, max: maxReplicaCount), nullable: true),
                F("autoscaling", autoscaling(legacy: true), nullable: true),
                F("resourceBundles", .array(.string()), nullable: true),
            ]
        }
        return .object(fields)
    }

    /// The v2.41 flat runtime as the current one: its fields become the first group's
    /// (a group named `default` when there is none). Other runtimes are returned as they are.
    static func normalizedRuntime(_ runtime: JSONValue?) -> JSONValue? {
        guard let runtime, var o = renamedMetrics(runtime).objectValue else { return runtime }
        let flat = ["replicaCount", "autoscaling", "resourceBundles"].filter { o[$0] != nil }
        if flat.isEmpty { return .object(o) }
        var groups = o["containerGroups"]?.arrayValue ?? []
        var first = groups.first?.objectValue ?? JSONObject([("name", "default")])
        for key in flat {
            if first[key] == nil, let v = o[key] { first[key] = v }
            o[key] = nil
        }
        if groups.isEmpty { groups = [.object(first)] } else { groups[0] = .object(first) }
        o["containerGroups"] = .array(groups)
        return .object(o)
    }

    /// `httpRequestsInFlight` (v2.41) as `httpRequestsConcurrency`, at any depth of a runtime.
    static func renamedMetrics(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .object(o):
            var out = JSONObject()
            for (k, v) in o {
                out.append(
                    k,
                    k == "scalingMetric" && v == "httpRequestsInFlight" ? "httpRequestsConcurrency" : renamedMetrics(v))
            }
            return .object(out)
        case let .array(a): return .array(a.map(renamedMetrics))
        default: return value
        }
    }

    /// An artifact spec's `ContainerGroup`; under the legacy prefixes the v2.41 groups
    /// that also carried the runtime's fields.
    static func containerGroup(legacy: Bool) -> Schema {
        var fields = [F("name", .string(min: 1, max: 255)), F("containers", .array(container(legacy: legacy)))]
        if legacy {
            fields += [
                F("replicaCount", .integer(min: 1, max: maxReplicaCount), nullable: true),
                F("autoscaling", autoscaling(legacy: true), nullable: true),
                F("resourceBundles", .array(.string()), nullable: true),
            ]
        }
        return .object(fields)
    }

    /// `ServiceArtifactSpec` / `NimArtifactSpec` chosen by `type` (default `service`),
    /// and `agent` with `a2aEnabled`/`templateId` as DataRobot's Terraform provider sends them.
    static func spec(legacy: Bool) -> Schema {
        func variant(_ type: String, _ extra: [F] = []) -> (String, Schema) {
            (
                type,
                .object(
                    [
                        F("type", .constant(type)), F("containerGroups", .array(containerGroup(legacy: legacy))),
                        F("a2aEnabled", .boolean, nullable: true), F("templateId", .string(), nullable: true),
                    ] + extra)
            )
        }
        let storage = Schema.object([
            F("mode", .enumeration(["dedicatedPvc", "nimCache"])), F("pvcSize", .string(), nullable: true),
        ])
        return .tagged(
            key: "type",
            [variant("service"), variant("nim", [F("storage", storage, nullable: true)]), variant("agent")],
            fallback: "service")
    }

    /// `MultiContainerArtifactSpec` (PATCH): containerGroups only.
    static func patchSpec(legacy: Bool) -> Schema {
        if legacy { return spec(legacy: true) }
        return .object([F("containerGroups", .array(containerGroup(legacy: false)))])
    }

    static let artifactTypes = ["service", "nim", "agent"]
    static let artifactType = Schema.enumeration(artifactTypes)

    static func artifactStatus(legacy: Bool) -> Schema {
        .enumeration(legacy ? ["draft", "locked", "registered"] : ["draft", "locked"])
    }

    /// `InputArtifact` (POST, PUT, and inline in a workload create). The v2.41 forms
    /// under the legacy prefixes may leave out the spec; so may an inline artifact
    /// (it gets an empty one: a README difference).
    static func artifact(nameRequired: Bool, legacy: Bool, specRequired: Bool = true) -> Schema {
        .object([
            F("name", .string(min: 1, max: 5000), required: nameRequired),
            F("description", .string(max: 10000), nullable: legacy),
            F("type", artifactType), F("spec", spec(legacy: legacy), required: specRequired && !legacy),
            F("artifactRepositoryId", .string(min: 1), nullable: true),
            F("status", artifactStatus(legacy: legacy)),
        ])
    }

    /// `UpdateArtifactRequest`.
    static func artifactPatch(legacy: Bool) -> Schema {
        .object([
            F("name", .string(min: 1, max: 5000), nullable: true),
            F("description", .string(max: 10000), nullable: true),
            F("spec", patchSpec(legacy: legacy), nullable: true),
            F("status", artifactStatus(legacy: legacy), nullable: true),
        ])
    }

    /// `ArtifactCloneRequest`.
    static func clone(legacy: Bool) -> Schema {
        .object([F("name", .string(min: 1, max: 5000), required: !legacy)])
    }

    /// `CreateWorkloadRequest`.
    static func workloadCreate(legacy: Bool) -> Schema {
        .object([
            F("name", .string(min: 1, max: 5000), required: !legacy),
            F("description", .string(max: 10000), nullable: true),
            F("importance", importance), F("artifactId", .string(min: 1), nullable: true),
            F("artifact", artifact(nameRequired: !legacy, legacy: legacy, specRequired: false), nullable: true),
            F("runtime", runtime(legacy: legacy)),
        ])
    }

    /// `UpdateWorkloadRequest`: a null name or importance changes nothing.
    static let workloadPatch = Schema.object([
        F("name", .string(min: 1, max: 5000), nullable: true), F("description", .string(max: 10000), nullable: true),
        F("importance", importance, nullable: true),
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
        for (i, g) in (normalizedRuntime(runtime)?["containerGroups"]?.arrayValue ?? []).enumerated() {
            let groupLoc = loc + ["containerGroups", .int(Int64(i))]
            let replicas = !(g["replicaCount"]?.isNull ?? true)
            let scaling = g["autoscaling"].flatMap { $0.isNull ? nil : $0 }
            // `enabled` defaults to true in the real model.
            let autoscaling = scaling.map { $0["enabled"]?.boolValue ?? true } ?? false
            if replicas && autoscaling {
                issues.append(
                    ValidationIssue(
                        loc: groupLoc,
                        msg: "Value error, 'replicaCount' and enabled 'autoscaling' cannot be used together",
                        type: "value_error"))
            }
            // v11.5 policies carry their own counts; the newer form puts them on the group.
            guard let scaling, scaling["minReplicaCount"] == nil, scaling["maxReplicaCount"] == nil else { continue }
            for (j, p) in (scaling["policies"]?.arrayValue ?? []).enumerated() {
                for key in ["minCount", "maxCount"] where p[key] == nil {
                    issues.append(
                        ValidationIssue(
                            loc: groupLoc + ["autoscaling", "policies", .int(Int64(j)), .string(key)],
                            msg: "Field required", type: "missing"))
                }
            }
        }
        return issues
    }
}
