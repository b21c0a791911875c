import JSON
import WorkloadEmulator

/// Request bodies that no `Schema` value describes (their handlers parse them by hand).
enum OpenAPIRequestBodies {
    typealias O = OpenAPI

    static func closed(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var o = JSONObject([("type", "object"), ("properties", .object(JSONObject(properties)))])
        if !required.isEmpty { o.append("required", .array(required.map { .string($0) })) }
        o.append("additionalProperties", false)
        return .object(o)
    }

    static var lifecycle: JSONValue {
        closed(
            [("name", [:] as JSONValue)]
                + (LifecycleProfile.keys + ["warmup"]).map {
                    ($0, ["type": "number", "minimum": 0, "maximum": 1e9] as JSONValue)
                })
    }
}
