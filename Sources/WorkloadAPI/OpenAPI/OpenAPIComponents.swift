import JSON
import WorkloadEmulator

/// `components`: the response documents (as `Documents` writes them), the error
/// shapes, the shared responses and the two security schemes.
enum OpenAPIComponents {
    typealias O = OpenAPI

    static let workloadStatuses = [
        "unknown", "submitted", "provisioning", "launching", "running", "stopping", "stopped", "errored", "terminated",
    ]
    static let protonStatuses = workloadStatuses + ["initializing", "warming", "draining"]
    static let importance = O.enumeration(Importance.allCases.map(\.rawValue))

    static var schemas: JSONValue {
        let user = O.object([("id", O.string), ("username", O.nullable(O.string))])
        let s: [(String, JSONValue)] = [
            // Errors.
            ("Error", O.object([("detail", O.string)])),
            (
                "ValidationIssue",
                O.object([
                    ("loc", O.array(["anyOf": [O.string, O.integer]])), ("msg", O.string), ("type", O.string),
                ])
            ),
            (
                "ValidationError",
                O.object([("detail", ["anyOf": [O.array(O.ref("ValidationIssue")), O.string]])])
            ),
            ("AuthError", O.object([("message", O.string)])),
            // Identity.
            ("User", user),
            (
                "Version",
                O.object(
                    [
                        ("major", O.integer), ("minor", O.integer), ("versionString", O.string),
                        ("releasedVersion", O.string),
                    ], required: ["major", "minor", "versionString"])
            ),
            (
                "AccountInfo",
                O.object(
                    [
                        ("id", O.string), ("uid", O.string), ("username", O.string), ("email", O.string),
                        (
                            "limits",
                            O.object([
                                ("maxConcurrentWorkloads", O.nullable(O.integer)),
                                ("maxWorkloadReplicas", O.nullable(O.integer)),
                            ])
                        ),
                    ], required: ["id", "username", "limits"])
            ),
            // Workloads.
            (
                "Workload",
                O.object([
                    ("id", O.string), ("name", O.string), ("description", O.nullable(O.string)),
                    ("importance", importance), ("status", O.enumeration(workloadStatuses)), ("artifactId", O.string),
                    (
                        "artifact",
                        O.nullable(
                            O.object(
                                [
                                    ("id", O.string), ("name", O.string), ("status", O.string), ("type", O.string),
                                    ("version", O.nullable(O.integer)), ("artifactRepositoryId", O.string),
                                ], required: ["id", "name", "status"]))
                    ),
                    ("runtime", O.anyObject), ("endpoint", O.string), ("protonId", O.nullable(O.string)),
                    (
                        "replacement",
                        O.nullable(
                            O.object([
                                ("candidateProtonIds", O.array(O.string)), ("status", O.string), ("strategy", O.string),
                            ]))
                    ), ("creator", O.ref("User")),
                    ("owners", O.array(O.ref("User"))), ("permissions", O.array(O.string)), ("tags", O.array([:])),
                    ("type", O.string), ("createdAt", O.timestamp), ("updatedAt", O.timestamp), ("lastResponse", [:]),
                    ("statusDetails", O.nullable(O.anyObject)),
                ])
            ),
            ("WorkloadList", O.list(O.ref("Workload"))),
            (
                "WorkloadOperation",
                O.object([
                    ("status", O.enumeration(workloadStatuses)), ("workloadId", O.string), ("trackVia", O.string),
                ])
            ),
            (
                "WorkloadAggregateStats",
                O.object(
                    [
                        ("totalCount", O.integer), ("statusCounts", O.map(O.integer)),
                        ("importanceCounts", O.map(O.integer)),
                    ],
                    required: [])
            ),
            (
                "Proton",
                O.object(
                    [
                        ("id", O.string), ("workloadId", O.string), ("status", O.enumeration(protonStatuses)),
                        ("role", O.enumeration(["active", "candidate"])), ("artifactId", O.string),
                        ("createdAt", O.timestamp), ("updatedAt", O.timestamp),
                    ], required: ["id", "workloadId", "status", "role"])
            ),
            ("ProtonList", O.list(O.ref("Proton"))),
            ("ProtonStatusDetails", O.anyObject),
            (
                "WorkloadEvent",
                O.object(
                    [
                        ("id", O.string), ("workloadId", O.string), ("eventType", O.string), ("timestamp", O.timestamp),
                        ("actorId", O.nullable(O.string)), ("details", O.anyObject),
                        ("type", O.enumeration(["Normal", "Warning"])), ("reason", O.string), ("message", O.string),
                    ], required: ["id", "workloadId", "eventType", "timestamp", "details", "type", "reason", "message"])
            ),
            ("WorkloadEventList", O.list(O.ref("WorkloadEvent"))),
            ("WorkloadSettings", O.object([("runtime", O.anyObject)])),
            (
                "Replacement",
                O.object(
                    [
                        ("id", O.string), ("workloadId", O.string),
                        (
                            "status",
                            O.enumeration([
                                "submitted", "initializing", "switching", "cleaning_up", "completed", "errored",
                                "cancelled",
                            ])
                        ),
                        ("strategy", O.string), ("artifactId", O.string), ("previousArtifactId", O.string),
                        ("runtime", O.anyObject),
                        (
                            "config",
                            O.object([("warmupDurationMinutes", O.integer), ("keepOldVersionMinutes", O.integer)])
                        ),
                    ], required: ["id", "workloadId", "status", "strategy", "artifactId"])
            ),
            (
                "HistoryEntry",
                O.object(
                    [
                        ("id", O.string), ("workloadId", O.string), ("type", O.string), ("status", O.string),
                        ("fromArtifactId", O.string), ("toArtifactId", O.string),
                        ("replacementId", O.nullable(O.string)), ("trigger", O.nullable(O.string)),
                        ("actorId", O.nullable(O.string)), ("startedAt", O.timestamp), ("finishedAt", O.timestamp),
                        ("message", O.nullable(O.string)),
                    ], required: ["id", "workloadId", "type", "status", "startedAt"])
            ),
            ("HistoryList", O.list(O.ref("HistoryEntry"))),
            (
                "Related",
                O.object([
                    ("count", O.integer), ("data", O.array(O.object([("id", O.string), ("type", O.string)]))),
                ])
            ),
            (
                "WorkloadStats",
                O.object(
                    [
                        ("workloadId", O.string), ("protonId", O.nullable(O.string)), ("startTime", O.timestamp),
                        ("endTime", O.timestamp), ("responseTimeQuantile", O.number),
                        ("slowRequestsThreshold", O.number), ("totalRequests", O.integer),
                        ("requestsPerMinute", O.number), ("concurrentRequests", O.integer),
                        ("responseTime", O.nullable(O.number)), ("slowRequests", O.integer),
                        ("serverErrorCount", O.integer), ("userErrorCount", O.integer), ("serverErrorRate", O.number),
                        ("userErrorRate", O.number), ("totalErrorRate", O.number),
                    ])
            ),
            (
                "StatsSeries",
                O.object([
                    ("workloadId", O.string), ("metric", O.string), ("resolution", O.string),
                    ("startTime", O.timestamp), ("endTime", O.timestamp), ("protonId", O.nullable(O.string)),
                    (
                        "data",
                        O.array(
                            O.object([("timestamp", O.timestamp), ("value", ["type": ["number", "null"]])]))
                    ),
                ])
            ),
            // Sharing.
            (
                "SharedRole",
                O.object(
                    [
                        ("id", O.string), ("name", O.nullable(O.string)), ("username", O.nullable(O.string)),
                        ("role", O.enumeration(["OWNER", "USER", "CONSUMER"])),
                        ("shareRecipientType", O.enumeration(["user"])),
                    ], required: ["id", "role", "shareRecipientType"])
            ),
            ("SharedRoleList", O.list(O.ref("SharedRole"))),
            // Artifacts and repositories.
            (
                "Artifact",
                O.object([
                    ("id", O.string), ("name", O.string), ("description", O.nullable(O.string)), ("type", O.string),
                    ("status", O.enumeration(["draft", "locked"])), ("version", O.nullable(O.integer)),
                    ("artifactRepositoryId", O.string), ("spec", O.anyObject), ("creator", O.ref("User")),
                    ("createdAt", O.timestamp), ("updatedAt", O.timestamp),
                ])
            ),
            ("ArtifactList", O.list(O.ref("Artifact"))),
            (
                "ArtifactRepository",
                O.object([
                    ("id", O.string), ("name", O.string), ("description", O.nullable(O.string)),
                    ("lastVersionNumber", O.integer), ("numArtifacts", O.integer), ("creator", O.ref("User")),
                    ("createdAt", O.timestamp), ("updatedAt", O.timestamp),
                ])
            ),
            ("ArtifactRepositoryList", O.list(O.ref("ArtifactRepository"))),
            ("BuildIds", O.object([("buildIds", O.array(O.string))])),
            (
                "Build",
                O.object(
                    [
                        ("id", O.string), ("artifactId", O.string),
                        ("status", O.enumeration(["PENDING", "IN_PROGRESS", "BUILT", "COMPLETED"])),
                        ("imageUri", O.nullable(O.string)), ("createdAt", O.timestamp), ("updatedAt", O.timestamp),
                        ("completedAt", O.nullable(O.timestamp)),
                    ])
            ),
            ("BuildList", O.list(O.ref("Build"))),
            // Deployments.
            (
                "Deployment",
                O.object([
                    ("id", O.string), ("name", O.string), ("description", O.nullable(O.string)),
                    ("importance", importance), ("workloadId", O.string), ("status", O.enumeration(workloadStatuses)),
                    ("endpoint", O.string), ("creator", O.ref("User")), ("createdAt", O.timestamp),
                    ("updatedAt", O.timestamp),
                ])
            ),
            ("DeploymentList", O.list(O.ref("Deployment"))),
            ("DeploymentStats", O.object([("deploymentId", O.string)], required: [])),
            // Invoke.
            (
                "InvokeEcho",
                O.object(
                    [
                        ("method", O.string), ("path", O.string), ("query", O.anyObject),
                        ("headers", O.map(O.string)), ("body", O.string), ("workloadId", O.string),
                        ("protonId", O.string),
                    ])
            ),
            // The emulator's own API.
            ("Health", O.object([("status", O.enumeration(["ok"])), ("version", O.string)])),
            (
                "Clock",
                O.object([
                    ("now", O.timestamp), ("mode", O.enumeration(["manual", "real"])), ("scale", O.number),
                ])
            ),
            (
                "ClockAdvanced",
                O.object([
                    ("now", O.timestamp), ("mode", O.enumeration(["manual", "real"])), ("firedCount", O.integer),
                    (
                        "fired",
                        O.array(
                            O.object(
                                [
                                    ("at", O.timestamp), ("kind", O.string), ("workloadId", O.string),
                                    ("from", O.string), ("to", O.string),
                                ], required: ["at", "kind", "workloadId"]))
                    ),
                ])
            ),
            (
                "SandboxList",
                O.object([
                    ("count", O.integer),
                    (
                        "data",
                        O.array(
                            O.object(
                                [
                                    ("name", O.string), ("workloads", O.integer), ("artifacts", O.integer),
                                    ("artifactRepositories", O.integer), ("deployments", O.integer),
                                    ("clock", O.ref("Clock")),
                                ], required: ["name"]))
                    ),
                ])
            ),
            ("ResetResult", O.object([("sandbox", O.string), ("clock", O.ref("Clock"))])),
            (
                "LifecycleProfile",
                O.object(
                    [("name", O.string)]
                        + LifecycleProfile.keys.map { ($0, ["type": "number", "minimum": 0] as JSONValue) })
            ),
            (
                "EmulatorLogEntry",
                O.object(
                    [
                        ("timestamp", O.timestamp), ("kind", O.string), ("workloadId", O.nullable(O.string)),
                        ("from", O.string), ("to", O.string), ("detail", O.string),
                    ], required: ["timestamp", "kind"])
            ),
            ("EmulatorLogList", O.list(O.ref("EmulatorLogEntry"))),
            (
                "EmulatorWorkloadView",
                O.object(
                    [
                        ("id", O.string), ("status", O.enumeration(workloadStatuses)), ("now", O.timestamp),
                        ("scheduled", O.array(O.object([("at", O.timestamp), ("to", O.string)]))),
                        ("expiresAt", O.nullable(O.timestamp)), ("lastStartAt", O.timestamp),
                        ("heldBy", O.nullable(O.string)), ("protons", O.array(O.ref("Proton"))),
                    ], required: ["id", "status"])
            ),
            (
                "FaultRule",
                O.object(
                    [
                        ("id", O.string),
                        (
                            "match",
                            O.object(
                                [("method", O.string), ("path", O.string), ("workloadId", O.string)], required: [])
                        ),
                        ("action", O.enumeration(FaultRule.Action.allCases.map(\.rawValue))), ("status", O.integer),
                        ("body", [:]), ("headers", O.map(O.string)), ("delayMs", O.integer), ("state", O.string),
                        ("message", O.string), ("times", O.nullable(O.integer)), ("probability", O.nullable(O.number)),
                        ("fired", O.integer), ("createdAt", O.timestamp),
                    ], required: ["id", "match", "action", "fired"])
            ),
            ("FaultRuleList", O.object([("count", O.integer), ("data", O.array(O.ref("FaultRule")))])),
            ("JournalEntry", O.anyObject),
            ("JournalList", O.list(O.ref("JournalEntry"))),
            ("SandboxState", O.anyObject),
            (
                "StateImported",
                O.object(
                    [
                        ("sandbox", O.string), ("workloads", O.integer), ("artifacts", O.integer),
                        ("artifactRepositories", O.integer), ("deployments", O.integer), ("faults", O.integer),
                        ("clock", O.ref("Clock")),
                    ], required: ["sandbox"])
            ),
        ]
        return .object(JSONObject(s))
    }

    static var responses: JSONValue {
        .object(
            JSONObject([
                ("BadRequest", O.json("The body is not JSON, or a value is refused.", O.ref("Error"))),
                ("Unauthorized", O.json("Missing, empty or unknown token.", O.ref("AuthError"))),
                ("Forbidden", O.json("The caller's role or a limit does not allow it.", O.ref("Error"))),
                ("NotFound", O.json("No such object (or the caller has no role on it).", O.ref("Error"))),
                ("Conflict", O.json("The object's state does not allow it now.", O.ref("Error"))),
                (
                    "Unprocessable",
                    O.json(
                        "Validation errors (one entry per problem), or a refusal in a sentence.",
                        O.ref("ValidationError"))
                ),
                (
                    "MethodNotAllowed",
                    [
                        "description": "Known path, method not served; the `Allow` header lists the methods.",
                        "headers": ["Allow": ["schema": O.string]],
                        "content": ["application/json": ["schema": O.ref("Error")]],
                    ]
                ),
                ("NoContent", O.empty("Done; no body.")),
                ("URITooLong", O.json("The request line is over 8 KiB.", O.ref("Error"))),
                ("ContentTooLarge", O.json("The body is over `--max-body-bytes`.", O.ref("Error"))),
            ]))
    }

    static var securitySchemes: JSONValue {
        [
            "bearerAuth": ["type": "http", "scheme": "bearer", "description": "`Authorization: Bearer TOKEN`."],
            "tokenAuth": [
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Authorization: Token TOKEN` (the header's whole value, scheme included).",
            ],
        ]
    }
}
