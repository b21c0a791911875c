import ContractCheck
import JSON
import WorkloadEmulator

/// `components`: the real API's schemas under their real names (the contract's, plus the
/// fields of the README's deliberate differences), the emulator's own documents, the error
/// shapes, the shared responses and the two security schemes.
enum OpenAPIComponents {
    typealias O = OpenAPI

    /// The contract's `components.schemas` (`ContractSchemas`), with its one dangling
    /// reference pointed at the schema it means and the extra fields of D1 and D2 declared.
    static var contractSchemas: JSONObject {
        guard var schemas = (try? JSONParser.parse(ContractSchemas.json))?.objectValue else {
            preconditionFailure("ContractSchemas.json does not parse")
        }
        func redirect(_ v: JSONValue) -> JSONValue {
            switch v {
            case let .object(o):
                var out = JSONObject()
                for (k, x) in o {
                    if k == "$ref", let r = x.stringValue, let meant = Contract.danglingReferences[r] {
                        out.append(k, .string(meant))
                    } else {
                        out.append(k, redirect(x))
                    }
                }
                return .object(out)
            case let .array(a): return .array(a.map(redirect))
            default: return v
            }
        }
        schemas = redirect(.object(schemas)).objectValue!
        for difference in Difference.table {
            guard case let .extraFields(name, fields) = difference.kind,
                var schema = schemas[name]?.objectValue, var properties = schema["properties"]?.objectValue
            else { continue }
            for (field, fieldSchema) in fields.sorted(by: { $0.key < $1.key }) { properties[field] = fieldSchema }
            schema["properties"] = .object(properties)
            schemas[name] = .object(schema)
        }
        return schemas
    }

    static let workloadStatuses = [
        "unknown", "submitted", "provisioning", "launching", "running", "stopping", "stopped", "errored", "terminated",
    ]
    static let protonStatuses = workloadStatuses + ["initializing", "warming", "draining"]
    static let importance = O.enumeration(Importance.allCases.map(\.rawValue))

    static var schemas: JSONValue {
        var all = contractSchemas
        for (name, schema) in ownSchemas {
            precondition(all[name] == nil, "\(name) is a contract schema's name")
            all.append(name, OpenAPIEmulatorDescriptions.describing(schema, owner: name))
        }
        return .object(all)
    }

    /// Documents of the routes the contract does not list (§4a D5, deployments, invoke,
    /// `/__emulator`) and the error bodies.
    static var ownSchemas: [(String, JSONValue)] {
        let user = O.object([("id", O.string), ("username", O.nullable(O.string))])
        let s: [(String, JSONValue)] = [
            // Errors.
            ("Error", O.object([("detail", O.string)])),
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
                    ("nextTransitionAt", O.nullable(O.timestamp)),
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
                        ("heldBy", O.nullable(O.string)), ("protons", O.array(O.ref("ProtonFormatted"))),
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
            (
                "JournalEntry",
                O.object([
                    ("id", O.integer), ("timestamp", O.timestamp), ("method", O.string), ("path", O.string),
                    ("query", O.string), ("headers", O.map(O.string)), ("body", [:]), ("bodySize", O.integer),
                    ("bodyTruncated", O.boolean), ("status", O.nullable(O.integer)), ("dropped", O.boolean),
                    ("injected", O.nullable(O.string)), ("injectedAction", O.nullable(O.string)),
                    ("durationMs", O.number),
                ])
            ),
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
        return s
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
                        ["anyOf": [O.ref("HTTPValidationError"), O.ref("Error")]])
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
                (
                    "ContentTooLarge",
                    O.json("The body is over `--max-body-bytes`, or a JSON object has too many keys.", O.ref("Error"))
                ),
                (
                    "BodyBudget",
                    [
                        "description":
                            "Large bodies held at once would pass `--max-buffered-body-bytes`; retry after `Retry-After` seconds.",
                        "headers": ["Retry-After": ["schema": O.integer]],
                        "content": ["application/json": ["schema": O.ref("Error")]],
                    ]
                ),
                (
                    "ControlTokenMissing",
                    O.json("`--control-token` is set and the `X-Emulator-Token` header is missing.", O.ref("Error"))
                ),
                (
                    "ControlTokenRefused",
                    O.json("The `X-Emulator-Token` header does not match `--control-token`.", O.ref("Error"))
                ),
                (
                    "ControlForbidden",
                    O.json(
                        "The `X-Emulator-Token` header does not match `--control-token`, or a new sandbox would pass `--max-sandboxes`.",
                        O.ref("Error"))
                ),
                ("SandboxLimit", O.json("A new sandbox would pass `--max-sandboxes`.", O.ref("Error"))),
                (
                    "NotSaved",
                    O.json("With `--state-file`: the change could not be written, and was not made.", O.ref("Error"))
                ),
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
