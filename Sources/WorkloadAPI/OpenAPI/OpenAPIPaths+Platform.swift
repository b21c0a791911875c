import JSON
import WorkloadEmulator

/// The platform routes DataRobot's clients call: compute bundles, the workload's OpenTelemetry logs,
/// traces and metrics, credentials and execution environments.
extension OpenAPIDocument {
    typealias O = OpenAPI

    static func platformPaths(_ b: inout OpenAPIBuilder) {
        let bundles = ComputeBundleRoutes.root
        b.add(
            APIOperation(
                method: "GET", path: bundles, id: "listComputeBundles", summary: "List compute resource bundles",
                tag: "Platform",
                parameters: R.window(maxLimit: 1000, defaultLimit: 100) + [
                    O.query("useCases", O.string, "Comma-separated use cases; a bundle matches any of them."),
                    O.query("hasGpu", O.enumeration(["true", "false"]), "Only GPU (or only CPU) bundles."),
                ],
                responses: [R.ok("ComputeBundleList"), R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: bundles + "/{id}", id: "getComputeBundle", summary: "Get a compute bundle",
                tag: "Platform", responses: [R.ok("ComputeBundle"), R.notFound]))

        let otel = OtelRoutes.root
        let window = [
            O.query("startTime", O.timestamp, "Only what happened at or after this time (RFC 3339)."),
            O.query("endTime", O.timestamp, "Only what happened at or before this time (RFC 3339)."),
        ]
        let repeated = O.array(O.string)
        b.add(
            APIOperation(
                method: "GET", path: otel + "/logs", id: "listWorkloadLogs",
                summary: "The workload's container log lines, newest first", tag: "Platform",
                parameters: R.window(maxLimit: OtelRoutes.maxLogLimit, defaultLimit: 100) + [
                    O.query(
                        "level", O.enumeration(["debug", "info", "warn", "warning", "error", "critical"]),
                        "Minimum level.")
                ] + window + [
                    O.query("includes", repeated, "Substrings the message must all contain (case-sensitive)."),
                    O.query("excludes", repeated, "Substrings the message must not contain."),
                    O.query("searchKeys", repeated, "Attribute names, paired in order with searchValues."),
                    O.query("searchValues", repeated, "Attribute values, paired in order with searchKeys."),
                    O.query("spanId", O.string, "Only the lines of this span."),
                    O.query("traceId", O.string, "Only the lines of this trace."),
                ],
                responses: [R.ok("WorkloadLogList"), R.forbidden, R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: otel + "/traces", id: "listWorkloadTraces",
                summary: "Traces of the workload's invokes, newest first", tag: "Platform",
                parameters: R.window(maxLimit: OtelRoutes.maxLogLimit, defaultLimit: 100) + window,
                responses: [R.ok("OtelTraceList"), R.forbidden, R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: otel + "/traces/{traceId}", id: "getWorkloadTrace",
                summary: "A trace with its spans",
                tag: "Platform", responses: [R.ok("OtelTrace"), R.forbidden, R.notFound]))
        b.add(
            APIOperation(
                method: "GET", path: otel + "/metrics/autocollectedValues", id: "getWorkloadAutocollectedMetrics",
                summary: "Resource and request metrics derived from the workload's invokes", tag: "Platform",
                parameters: window,
                responses: [R.ok("AutocollectedMetricList"), R.forbidden, R.notFound, R.unprocessable]))

        let creds = CredentialRoutes.root
        b.add(
            APIOperation(
                method: "GET", path: creds, id: "listCredentials", summary: "List credentials (never their secrets)",
                tag: "Platform",
                parameters: R.window(maxLimit: 1000, defaultLimit: 100) + [
                    O.query("types", O.string, "Comma-separated credential types.")
                ],
                responses: [R.ok("CredentialList"), R.unprocessable]))
        b.add(
            APIOperation(
                method: "POST", path: creds, id: "createCredential", summary: "Store a credential", tag: "Platform",
                body: CredentialRoutes.createSchema.jsonSchema,
                responses: [R.status(201, "Credential", "Created."), R.conflict]))
        b.add(
            APIOperation(
                method: "GET", path: creds + "/{id}", id: "getCredential", summary: "Get a credential", tag: "Platform",
                responses: [R.ok("Credential"), R.notFound]))
        b.add(
            APIOperation(
                method: "DELETE", path: creds + "/{id}", id: "deleteCredential", summary: "Delete a credential",
                tag: "Platform", responses: [R.noContent, R.notFound]))

        let envs = ExecutionEnvironmentRoutes.root
        b.add(
            APIOperation(
                method: "GET", path: envs, id: "listExecutionEnvironments", summary: "List execution environments",
                tag: "Platform",
                parameters: R.window(maxLimit: 1000, defaultLimit: 100) + [
                    O.query("searchFor", O.string, "Name substring, case-insensitive."),
                    O.query("useCases", O.string, "Comma-separated use cases."),
                    O.query("programmingLanguage", O.string, "Comma-separated languages."),
                ],
                responses: [R.ok("ExecutionEnvironmentList"), R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: envs + "/{id}", id: "getExecutionEnvironment",
                summary: "Get an execution environment", tag: "Platform",
                responses: [R.ok("ExecutionEnvironment"), R.notFound]))
        b.add(
            APIOperation(
                method: "GET", path: envs + "/{id}/versions", id: "listExecutionEnvironmentVersions",
                summary: "An environment's versions, newest first", tag: "Platform",
                parameters: R.window(maxLimit: 1000, defaultLimit: 100),
                responses: [R.ok("ExecutionEnvironmentVersionList"), R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: envs + "/{id}/versions/{versionId}", id: "getExecutionEnvironmentVersion",
                summary: "Get an execution environment version", tag: "Platform",
                responses: [R.ok("ExecutionEnvironmentVersion"), R.notFound]))
    }

    /// The response schemas of the platform routes.
    static var platformSchemas: [(String, JSONValue)] {
        let nullableString = O.nullable(O.string)
        let strings = O.array(O.string)
        let bundle = O.object([
            ("id", O.string), ("name", O.string), ("description", O.string), ("cpuCount", O.number),
            ("memoryBytes", O.integer), ("gpuCount", O.integer), ("gpuMaker", nullableString),
            ("gpuTypeLabel", nullableString), ("gpuMemoryBytes", O.nullable(O.integer)), ("hasGpu", O.boolean),
            ("useCases", strings),
        ])
        let log = O.object([
            ("timestamp", O.string), ("level", O.string), ("message", O.string), ("spanId", nullableString),
            ("traceId", nullableString), ("stacktrace", nullableString), ("protonId", nullableString),
            ("attributes", O.anyObject),
        ])
        let summaryFields: [(String, JSONValue)] = [
            ("traceId", O.string), ("rootSpanName", O.string), ("rootServiceName", O.string),
            ("timestamp", O.timestamp), ("startTime", O.timestamp), ("duration", O.integer), ("spansCount", O.integer),
            ("errorSpansCount", O.integer), ("statusCode", O.integer),
        ]
        let span = O.object([
            ("spanId", O.string), ("parentSpanId", nullableString), ("traceId", O.string), ("name", O.string),
            ("serviceName", O.string), ("kind", O.string), ("startTime", O.timestamp), ("duration", O.integer),
            ("statusCode", O.enumeration(["OK", "ERROR"])), ("statusMessage", nullableString),
            ("attributes", O.anyObject),
        ])
        let metric = O.object([
            ("otelName", O.string), ("displayName", O.string), ("currentValue", O.nullable(O.number)),
            ("unit", O.string), ("level", O.string),
        ])
        var metricList = O.list(O.ref("AutocollectedMetric")).objectValue ?? JSONObject()
        if var props = metricList["properties"]?.objectValue {
            props.append("startTime", O.timestamp)
            props.append("endTime", O.timestamp)
            metricList["properties"] = .object(props)
        }
        let credential = O.object([
            ("credentialId", O.string), ("name", O.string), ("description", nullableString),
            ("credentialType", O.string), ("creationDate", O.timestamp), ("configId", nullableString),
        ])
        let version = O.object([
            ("id", O.string), ("environmentId", O.string), ("label", O.string), ("description", O.string),
            ("buildStatus", O.string), ("sourceDockerImageUri", O.string), ("dockerImageUri", O.string),
            ("imageId", O.string), ("created", O.timestamp),
        ])
        let environment = O.object([
            ("id", O.string), ("name", O.string), ("description", O.string), ("programmingLanguage", O.string),
            ("useCases", strings), ("isPublic", O.boolean), ("created", O.timestamp),
            ("latestVersion", O.nullable(O.ref("ExecutionEnvironmentVersion"))),
            ("latestSuccessfulVersion", O.nullable(O.ref("ExecutionEnvironmentVersion"))),
        ])
        return [
            ("ComputeBundle", bundle), ("ComputeBundleList", O.list(O.ref("ComputeBundle"))),
            ("WorkloadLogEntry", log), ("WorkloadLogList", O.list(O.ref("WorkloadLogEntry"))),
            ("OtelTraceSummary", O.object(summaryFields)), ("OtelTraceList", O.list(O.ref("OtelTraceSummary"))),
            ("OtelSpan", span), ("OtelTrace", O.object(summaryFields + [("spans", O.array(O.ref("OtelSpan")))])),
            ("AutocollectedMetric", metric), ("AutocollectedMetricList", .object(metricList)),
            ("Credential", credential), ("CredentialList", O.list(O.ref("Credential"))),
            ("ExecutionEnvironmentVersion", version),
            ("ExecutionEnvironmentVersionList", O.list(O.ref("ExecutionEnvironmentVersion"))),
            ("ExecutionEnvironment", environment),
            ("ExecutionEnvironmentList", O.list(O.ref("ExecutionEnvironment"))),
        ]
    }
}
