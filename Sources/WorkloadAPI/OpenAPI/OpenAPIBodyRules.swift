import JSON
import WorkloadEmulator

/// The request rules the handlers check after the `Schema` (their `extra` closures),
/// added to the derived JSON Schemas so that generators produce bodies the server
/// accepts, and negative tests expect the refusals it gives.
enum OpenAPIBodyRules {
    /// `Schemas.workloadRules`: exactly one of a non-null `artifactId` or `artifact`.
    static func workloadCreate(legacy: Bool) -> JSONValue {
        adding(
            "oneOf",
            [
                ["required": ["artifactId"], "properties": ["artifactId": ["type": "string"]]],
                ["required": ["artifact"], "properties": ["artifact": ["type": "object"]]],
            ], to: Schemas.workloadCreate(legacy: legacy).jsonSchema)
    }

    /// `Schemas.sharingRules`: a role name in any case, and exactly one of username or id.
    static var sharedRoles: JSONValue {
        let roles = Schemas.roleNames
        // ECMA-262 patterns have no case-insensitive flag inside the pattern.
        let anyCase = roles.map { name in
            name.map { c -> String in
                let s = String(c)
                return s.lowercased() == s.uppercased() ? s : "[\(s.uppercased())\(s.lowercased())]"
            }.joined()
        }
        var schema = Schemas.sharedRoles.jsonSchema
        schema = updating(schema, at: ["properties", "roles", "items"]) { item in
            var item = adding(
                "oneOf", [["required": ["username"]], ["required": ["id"]]], to: item)
            item = updating(item, at: ["properties", "role"]) { _ in
                ["type": "string", "pattern": .string("^(" + anyCase.joined(separator: "|") + ")$")]
            }
            return item
        }
        return schema
    }

    static func adding(_ key: String, _ value: JSONValue, to schema: JSONValue) -> JSONValue {
        guard var o = schema.objectValue else { return schema }
        o[key] = value
        return .object(o)
    }

    /// The value at `path` (object keys) replaced by `change` of it.
    static func updating(_ value: JSONValue, at path: [String], _ change: (JSONValue) -> JSONValue) -> JSONValue {
        guard let key = path.first else { return change(value) }
        guard var o = value.objectValue, let inner = o[key] else { return value }
        o[key] = updating(inner, at: Array(path.dropFirst()), change)
        return .object(o)
    }
}
