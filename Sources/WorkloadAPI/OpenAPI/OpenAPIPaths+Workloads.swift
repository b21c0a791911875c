import JSON
import WorkloadEmulator

/// `/api/v2/workloads` and its `/api/v2/console/workloads` alias.
extension OpenAPIDocument {
    static func workloadPaths(_ b: inout OpenAPIBuilder, root: String, legacy: Bool) {
        let p = legacy ? "console" : ""
        func id(_ s: String) -> String { legacy ? p + s.prefix(1).uppercased() + s.dropFirst() : s }
        let tag = legacy ? "Workloads (v2.41 alias)" : "Workloads"
        let listFilters = R.filters(["search", "ids", "status", "importance", "artifactId", "createdBy"])
        let order = R.orderBy(["name", "createdAt", "updatedAt", "status", "importance"])
        let item = root + "/{id}"
        let action = Schemas.action.jsonSchema

        b.add(
            APIOperation(
                method: "POST", path: root, id: id("createWorkload"), summary: "Create a workload", tag: tag,
                body: OpenAPIBodyRules.workloadCreate(legacy: legacy), bodyName: legacy ? nil : "CreateWorkloadRequest",
                responses: [
                    R.status(201, "WorkloadFormatted", "Created; status `submitted`."), R.forbidden, R.notFound,
                    R.conflict,
                ],
                description: "Exactly one of `artifactId` or `artifact`; `replicaCount` and enabled `autoscaling` "
                    + "never together (422)." + (legacy ? " Under the alias `name` is optional." : "")))
        b.add(
            APIOperation(
                method: "GET", path: root, id: id("listWorkloads"), summary: "List workloads", tag: tag,
                parameters: R.window(defaultLimit: legacy ? 100 : 10) + listFilters + [order],
                responses: [R.ok("WorkloadListResponse"), R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: root + "/stats", id: id("listWorkloadsStats"),
                summary: "Aggregate over the caller's workloads", tag: tag, parameters: listFilters,
                responses: [R.ok("WorkloadStatsResponse"), R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item, id: id("getWorkload"), summary: "Get a workload", tag: tag,
                responses: [R.ok("WorkloadFormatted"), R.notFound]))
        b.add(
            APIOperation(
                method: "PATCH", path: item, id: id("updateWorkload"), summary: "Rename, describe or re-rank",
                tag: tag, body: Schemas.workloadPatch.jsonSchema, bodyName: legacy ? nil : "UpdateWorkloadRequest",
                responses: [R.ok("WorkloadFormatted"), R.forbidden, R.notFound]))
        b.add(
            APIOperation(
                method: "DELETE", path: item, id: id("deleteWorkload"), summary: "Delete a workload", tag: tag,
                responses: [
                    R.noContent,
                    // The contract's own inline shape for this 200.
                    (
                        "200",
                        OpenAPI.json(
                            "Deleted, but a proton could not be stopped (`--partial-delete-status 200`).",
                            ["properties": ["detail": ["type": "string"]], "type": "object"])
                    ),
                    R.status(502, "Error", "Deleted, but a proton could not be stopped."), R.forbidden, R.notFound,
                    R.conflict,
                ]))
        for (verb, text) in [("start", "Start"), ("stop", "Stop")] {
            b.add(
                APIOperation(
                    method: "POST", path: item + "/" + verb, id: id(verb + "Workload"), summary: "\(text) a workload",
                    tag: tag, body: action, bodyOptional: true,
                    responses: [
                        R.status(202, "WorkloadOperationResponse", "Accepted; poll the workload."),
                        R.status(200, "WorkloadOperationResponse", "Nothing to do: already there or on the way."),
                        R.forbidden, R.notFound, R.conflict,
                    ]))
        }
        b.add(
            APIOperation(
                method: "POST", path: item + "/promote", id: id("promoteWorkloadArtifact"),
                summary: "Lock the artifact in place and drop the TTL", tag: tag, body: action, bodyOptional: true,
                responses: [R.status(202, "WorkloadFormatted", "Promoted."), R.forbidden, R.notFound, R.conflict]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/settings", id: id("getWorkloadSettings"), summary: "The runtime settings",
                tag: tag, responses: [R.ok("WorkloadSettingsResponse"), R.forbidden, R.notFound]))
        b.add(
            APIOperation(
                method: "PATCH", path: item + "/settings", id: id("updateWorkloadSettings"),
                summary: "Change the runtime (starts a replacement)", tag: tag,
                body: Schemas.settings(legacy: legacy).jsonSchema, bodyName: legacy ? nil : "UpdateSettingsRequest",
                responses: [
                    R.status(202, "Replacement", "Replacement started."), R.forbidden, R.notFound, R.conflict,
                ]))
        b.add(
            APIOperation(
                method: "POST", path: item + "/replacement", id: id("createWorkloadReplacement"),
                summary: "Start a rolling replacement", tag: tag, body: Schemas.replacement(legacy: legacy).jsonSchema,
                responses: [
                    R.status(202, "Replacement", "Replacement started."), R.forbidden, R.notFound, R.conflict,
                ]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/replacement", id: id("getWorkloadReplacement"),
                summary: "The active or errored replacement", tag: tag,
                responses: [R.ok("Replacement"), R.forbidden, R.notFound]))
        b.add(
            APIOperation(
                method: "DELETE", path: item + "/replacement", id: id("cancelWorkloadReplacement"),
                summary: "Cancel the replacement", tag: tag,
                responses: [
                    R.status(202, "Replacement", "Cancelling."), R.forbidden, R.notFound, R.conflict,
                ]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/history", id: id("listWorkloadArtifactHistory"),
                summary: "Replacements and promotions", tag: tag, parameters: R.window(defaultLimit: 10),
                responses: [R.ok("ReplacementHistoryListResponse"), R.forbidden, R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/events", id: id("listWorkloadEvents"), summary: "Events, oldest first",
                tag: tag, parameters: R.window(maxLimit: 1000, defaultLimit: 100),
                responses: [R.ok("WorkloadEventsResponse"), R.forbidden, R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/related", id: id("getWorkloadRelatedEntities"),
                summary: "Objects related to the workload", tag: tag,
                responses: [R.ok("RelatedEntitiesResponse"), R.forbidden, R.notFound]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/protons", id: id("listWorkloadProtons"),
                summary: "Active and candidate protons", tag: tag, parameters: R.window(defaultLimit: 100),
                responses: [R.ok("ProtonListResponse"), R.forbidden, R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/protons/{protonId}", id: id("getWorkloadProton"), summary: "A proton",
                tag: tag, responses: [R.ok("ProtonFormatted"), R.forbidden, R.notFound]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/protons/{protonId}/statusDetails",
                id: id("getWorkloadProtonStatusDetails"),
                summary: "Replica snapshot", tag: tag,
                responses: [
                    R.ok("ReplicaStatusesSnapshot"), ("204", OpenAPI.empty("The proton is not scheduled yet.")),
                    R.forbidden, R.notFound,
                ]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/stats", id: id("getWorkloadStats"), summary: "Request statistics",
                tag: tag, parameters: statsQuery(),
                responses: [R.ok("ProtonRequestStats"), R.forbidden, R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "GET", path: item + "/stats/{metric}", id: id("getWorkloadMetricTimeSeries"),
                summary: "One metric as a time series", tag: tag,
                parameters: statsQuery() + [
                    OpenAPI.query(
                        "resolution", OpenAPI.enumeration(["PT1M", "PT5M", "PT1H", "P1D", "P7D", "P1M"]),
                        "Bucket size (default P1D).")
                ],
                responses: [R.ok("ProtonRequestMetricOverTime"), R.forbidden, R.notFound, R.unprocessable],
                description: "Metrics: " + statsMetrics.joined(separator: ", ") + "; another name is a 404."))
        b.add(
            APIOperation(
                method: "DELETE", path: item + "/stats", id: id("resetWorkloadStats"), summary: "Reset statistics",
                tag: tag, parameters: Array(statsQuery().prefix(3)),
                responses: [R.noContent, R.badRequest, R.forbidden, R.notFound, R.unprocessable]))
        sharingPaths(&b, item: item, id: id("workload"), tag: tag)
    }

    static let statsMetrics = [
        "totalRequests", "requestsOverN", "requestsPerMinute", "concurrentRequests", "responseTime", "totalErrorRate",
        "serverErrorRate", "userErrorRate",
    ]

    /// The stats routes' query (`start`/`end` are accepted as synonyms of the times).
    static func statsQuery() -> [JSONValue] {
        [
            OpenAPI.query("protonId", OpenAPI.string, "Only this proton's requests."),
            OpenAPI.query("startTime", OpenAPI.timestamp, "Start of the range (RFC 3339)."),
            OpenAPI.query("endTime", OpenAPI.timestamp, "End of the range (RFC 3339), not before startTime."),
            OpenAPI.query(
                "responseTimeQuantile", ["type": "number", "minimum": 0, "maximum": 1, "default": 0.5],
                "Quantile of `responseTime`."),
            OpenAPI.query(
                "slowRequestsThreshold", ["type": "number", "minimum": 0, "default": 2000],
                "Milliseconds over which a request is slow."),
        ]
    }

    /// `GET|PATCH …/{id}/sharedRoles`, on workloads, artifacts and repositories.
    static func sharingPaths(_ b: inout OpenAPIBuilder, item: String, id noun: String, tag: String) {
        let cap = noun.prefix(1).uppercased() + noun.dropFirst()
        b.add(
            APIOperation(
                method: "GET", path: item + "/sharedRoles", id: "list\(cap)SharedRoles", summary: "Who has which role",
                tag: tag, parameters: R.window(defaultLimit: 100),
                responses: [R.ok("SharedRoleListResponse"), R.forbidden, R.notFound, R.unprocessable]))
        b.add(
            APIOperation(
                method: "PATCH", path: item + "/sharedRoles", id: "update\(cap)SharedRoles",
                summary: "Grant, change or remove roles", tag: tag, body: OpenAPIBodyRules.sharedRoles,
                bodyName: item.contains("/registry/") || item.contains("/console/") ? nil : "SharedRolesUpdateRequest",
                responses: [R.noContent, R.forbidden, R.notFound]))
    }
}
