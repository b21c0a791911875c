import JSON

/// The emulator's only deliberate differences from the contract: D1–D5 of the README's table. A
/// response that differs from the document passes only through a row of this table;
/// the README's "Differences from the real service" lists the same rows.
public struct Difference: Sendable {
    public enum Kind: Sendable {
        /// Fields that a schema's objects may carry beyond the document.
        case extraFields(schema: String, fields: [String: JSONValue])
        /// A status the document does not list for an operation, with its body's schema.
        case extraStatus(operationId: String, status: Int, schema: JSONValue)
        /// Operations the document omits (their bodies still use its schemas).
        case extraOperations([Contract.Operation])
    }

    /// `D1` … `D5`, the README's row.
    public let row: String
    public let summary: String
    public let kind: Kind
}

extension Difference {
    static let nullableString: JSONValue = ["anyOf": [["type": "string"], ["type": "null"]]]
    static let replacement: JSONValue = ["$ref": "#/components/schemas/Replacement"]
    static let operationBody: JSONValue = ["$ref": "#/components/schemas/WorkloadOperationResponse"]
    static let validationError: JSONValue = ["$ref": "#/components/schemas/HTTPValidationError"]
    static let detail: JSONValue = [
        "type": "object", "properties": ["detail": ["type": "string"]], "required": ["detail"],
        "additionalProperties": false,
    ]

    public static let table: [Difference] = [
        Difference(
            row: "D1", summary: "workload documents carry statusDetails {logTail, conditions} or null",
            kind: .extraFields(
                schema: "WorkloadFormatted",
                fields: [
                    "statusDetails": [
                        "anyOf": [
                            [
                                "type": "object",
                                "properties": [
                                    "logTail": ["type": "array", "items": ["type": "string"]],
                                    "conditions": [
                                        "type": "array", "items": ["type": "object", "additionalProperties": true],
                                    ],
                                ],
                                "additionalProperties": false,
                            ],
                            ["type": "null"],
                        ]
                    ]
                ])),
        Difference(
            row: "D2", summary: "events carry Kubernetes-style type, reason and message",
            kind: .extraFields(
                schema: "WorkloadEvent",
                fields: ["type": nullableString, "reason": nullableString, "message": nullableString])),
        Difference(
            row: "D3", summary: "start of a running or starting workload answers 200 with the operation body",
            kind: .extraStatus(operationId: "startWorkload", status: 200, schema: operationBody)),
        Difference(
            row: "D3", summary: "stop of a stopped or stopping workload answers 200 with the operation body",
            kind: .extraStatus(operationId: "stopWorkload", status: 200, schema: operationBody)),
        Difference(
            row: "D4", summary: "a delete whose protons cannot all be stopped answers 502 by default",
            kind: .extraStatus(operationId: "deleteWorkload", status: 502, schema: detail)),
        Difference(
            row: "D5", summary: "/workloads/{id}/replacement exists and answers Replacement documents",
            kind: .extraOperations([
                replacementRoute("getWorkloadReplacement", "GET", success: 200),
                replacementRoute("createWorkloadReplacement", "POST", success: 202),
                replacementRoute("cancelWorkloadReplacement", "DELETE", success: 202),
            ])),
        // D5 also names /version/, /account/info/, /openapi.* and the platform routes: the
        // document has no schema for them, so there is nothing here to check them against.
    ]

    private static func replacementRoute(_ id: String, _ method: String, success: Int) -> Contract.Operation {
        var responses: [Int: [String: JSONValue]] = [success: ["application/json": replacement]]
        for status in [400, 401, 403, 404, 409] { responses[status] = [:] }
        responses[422] = ["application/json": validationError]
        return Contract.Operation(
            id: id, method: method, path: "/workloads/{workload_id}/replacement", responses: responses)
    }
}
