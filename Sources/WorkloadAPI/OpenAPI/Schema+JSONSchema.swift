import JSON
import WorkloadEmulator

/// The request-body validators, written as JSON Schema (2020-12, as OpenAPI 3.1 uses):
/// the OpenAPI document derives its request bodies from the very `Schema` values the
/// handlers validate with, so the two cannot drift apart.
extension Schema {
    var jsonSchema: JSONValue {
        switch self {
        case .any: return [:]
        case let .string(min, max):
            var o = JSONObject([("type", "string")])
            if min > 0 { o.append("minLength", .int(Int64(min))) }
            if max < Int.max { o.append("maxLength", .int(Int64(max))) }
            return .object(o)
        case let .integer(min, max):
            var o = JSONObject([("type", "integer")])
            if let min { o.append("minimum", .int(min)) }
            if let max { o.append("maximum", .int(max)) }
            return .object(o)
        case let .number(min, max):
            var o = JSONObject([("type", "number")])
            if let min { o.append("minimum", .double(min)) }
            if let max { o.append("maximum", .double(max)) }
            return .object(o)
        case .boolean: return ["type": "boolean"]
        case let .enumeration(options): return ["type": "string", "enum": .array(options.map { .string($0) })]
        case let .array(item, min, max):
            var o = JSONObject([("type", "array"), ("items", item.jsonSchema)])
            if min > 0 { o.append("minItems", .int(Int64(min))) }
            if max < Int.max { o.append("maxItems", .int(Int64(max))) }
            return .object(o)
        case let .map(value): return ["type": "object", "additionalProperties": value.jsonSchema]
        case let .constant(c): return ["type": "string", "const": .string(c)]
        case let .anyOf(options): return ["anyOf": .array(options.map(\.jsonSchema))]
        case let .tagged(_, options, fallback?) where options.contains(where: { $0.0 == fallback }):
            // The tag may be left out (it defaults), so no discriminator: any variant may match.
            return ["anyOf": .array(options.map { $0.1.jsonSchema })]
        case let .tagged(key, options, _):
            return [
                "oneOf": .array(options.map { $0.1.jsonSchema }), "discriminator": ["propertyName": .string(key)],
            ]
        case .dateTime: return ["type": "string", "format": "date-time"]
        case .quantity:
            return [
                "anyOf": [
                    ["type": "string", "pattern": "^\\s*(\\d*\\.?\\d+)\\s*(\\w+)?"], ["type": "integer", "minimum": 0],
                ]
            ]
        case let .object(fields), let .looseObject(fields):
            var properties = JSONObject()
            for f in fields {
                // A null is accepted for nullable fields, and for optional untyped ones
                // (`.any` accepts null anyway).
                let schema = f.schema.jsonSchema
                let acceptsNull = schema.objectValue?.isEmpty ?? false
                properties.append(f.name, f.nullable && !acceptsNull ? OpenAPI.nullable(schema) : schema)
            }
            var o = JSONObject([("type", "object"), ("properties", .object(properties))])
            let required = fields.filter(\.required).map { JSONValue.string($0.name) }
            if !required.isEmpty { o.append("required", .array(required)) }
            // Unknown fields are a 422 `extra_forbidden` (ignored by a loose object).
            if case .object = self { o.append("additionalProperties", false) }
            return .object(o)
        }
    }
}
