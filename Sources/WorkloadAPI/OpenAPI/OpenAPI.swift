import JSON
import WorkloadEmulator

/// Small constructors for the OpenAPI document, so that each resource's paths read
/// as a table (see `OpenAPIDocument`).
enum OpenAPI {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/" + name)] }
    static func responseRef(_ name: String) -> JSONValue { ["$ref": .string("#/components/responses/" + name)] }

    /// 3.1 has no `nullable`: a null is one more alternative.
    static func nullable(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }

    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let number: JSONValue = ["type": "number"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let timestamp: JSONValue = ["type": "string", "format": "date-time"]
    static let anyObject: JSONValue = ["type": "object"]

    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func enumeration(_ values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map { .string($0) })]
    }
    static func map(_ values: JSONValue) -> JSONValue { ["type": "object", "additionalProperties": values] }

    /// A response object: extra properties allowed (clients must ignore new fields).
    static func object(_ properties: [(String, JSONValue)], required: [String]? = nil) -> JSONValue {
        var o = JSONObject([("type", "object"), ("properties", .object(JSONObject(properties)))])
        let req = required ?? properties.map(\.0)
        if !req.isEmpty { o.append("required", .array(req.map { .string($0) })) }
        return .object(o)
    }

    /// The list envelope.
    static func list(_ item: JSONValue) -> JSONValue {
        object([
            ("count", ["type": "integer", "minimum": 0]), ("totalCount", ["type": "integer", "minimum": 0]),
            ("next", nullable(string)), ("previous", nullable(string)), ("data", array(item)),
        ])
    }

    static func json(_ description: String, _ schema: JSONValue) -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    static func content(_ description: String, _ type: String, _ schema: JSONValue) -> JSONValue {
        ["description": .string(description), "content": .object(JSONObject([(type, ["schema": schema])]))]
    }

    static func empty(_ description: String) -> JSONValue { ["description": .string(description)] }

    static func pathParameter(_ name: String, _ description: String) -> JSONValue {
        [
            "name": .string(name), "in": "path", "required": true, "description": .string(description),
            "schema": string,
        ]
    }

    static func query(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        [
            "name": .string(name), "in": "query", "required": false, "description": .string(description),
            "schema": schema,
        ]
    }

    /// `{id}` → "id"; `{path...}` (the router's catch-all) → "path".
    static func parameterNames(in path: String) -> [String] {
        path.split(separator: "/").compactMap { seg in
            guard seg.hasPrefix("{"), seg.hasSuffix("}") else { return nil }
            var name = seg.dropFirst().dropLast()
            if name.hasSuffix("...") { name = name.dropLast(3) }
            return String(name)
        }
    }
}
