import JSON

/// Validates a JSON value against the contract's schemas, the subset of JSON Schema
/// 2020-12 the document uses. Every object schema with `properties` is closed unless it
/// says `additionalProperties: true` (the real models forbid extras); only the
/// deliberate differences' extra fields are let through.
public struct SchemaValidator: Sendable {
    public let contract: Contract
    /// Schema name → fields allowed beyond the schema, with their own schemas.
    public let extraProperties: [String: [String: JSONValue]]

    public init(contract: Contract, extraProperties: [String: [String: JSONValue]] = [:]) {
        self.contract = contract
        self.extraProperties = extraProperties
    }

    public func validate(_ value: JSONValue, against schema: JSONValue, path: String = "$") -> [Mismatch] {
        var out: [Mismatch] = []
        check(value, schema, path, schemaName: nil, &out)
        return out
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, _ path: String, schemaName: String?, _ out: inout [Mismatch]) {
        guard let s = schema.objectValue else {
            if schema == .bool(false) { out.append(Mismatch(path: path, message: "no value allowed here")) }
            return
        }
        if let ref = s["$ref"]?.stringValue {
            guard let target = contract.resolve(ref) else {
                out.append(Mismatch(path: path, message: "schema reference \(ref) does not resolve"))
                return
            }
            let name = ref.hasPrefix("#/components/schemas/") ? String(ref.dropFirst("#/components/schemas/".count)) : nil
            check(value, target, path, schemaName: name, &out)
            // Siblings of $ref (3.1 allows them) apply too; `default` is not a constraint.
        }
        if let options = s["anyOf"]?.arrayValue { alternatives(value, options, path, exactlyOne: false, &out) }
        if let options = s["oneOf"]?.arrayValue {
            if let discriminator = s["discriminator"]?.objectValue {
                discriminated(value, discriminator, options, path, &out)
            } else {
                alternatives(value, options, path, exactlyOne: true, &out)
            }
        }
        if let all = s["allOf"]?.arrayValue { for part in all { check(value, part, path, schemaName: schemaName, &out) } }

        if let type = s["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            guard allowed.contains(where: { SchemaValidator.hasType(value, $0) }) else {
                out.append(
                    Mismatch(
                        path: path,
                        message: "expected \(allowed.joined(separator: " or ")), got \(describe(value))"))
                return
            }
        }
        if let constant = s["const"], !SchemaValidator.sameValue(constant, value) {
            out.append(Mismatch(path: path, message: "expected the constant \(short(constant)), got \(short(value))"))
        }
        if let choices = s["enum"]?.arrayValue, !choices.contains(where: { SchemaValidator.sameValue($0, value) }) {
            let listed = choices.map(short).joined(separator: ", ")
            out.append(Mismatch(path: path, message: "\(short(value)) is not one of [\(listed)]"))
        }
        switch value {
        case let .string(text): string(text, s, path, &out)
        case .int, .double: number(value, s, path, &out)
        case let .array(items): array(items, s, path, &out)
        case let .object(object): self.object(object, s, path, schemaName: schemaName, &out)
        default: break
        }
    }

    private func alternatives(
        _ value: JSONValue, _ options: [JSONValue], _ path: String, exactlyOne: Bool, _ out: inout [Mismatch]
    ) {
        var results: [[Mismatch]] = []
        for option in options {
            var found: [Mismatch] = []
            check(value, option, path, schemaName: nil, &found)
            results.append(found)
        }
        let passing = results.filter(\.isEmpty).count
        if passing == 1 || (passing > 1 && !exactlyOne) { return }
        if passing > 1 {
            out.append(Mismatch(path: path, message: "matches \(passing) of the oneOf alternatives, not exactly one"))
            return
        }
        // None passed. Report the alternative whose type fits (e.g. the object branch of
        // `X or null`), so the message points inside the value rather than at the union.
        // Among several that fit, the closest one (fewest mismatches).
        let fitting = zip(options, results).filter { option, _ in typeFits(value, option) }
        if let closest = fitting.min(by: { $0.1.count < $1.1.count }) {
            out.append(contentsOf: closest.1)
            return
        }
        let names = options.map(summary).joined(separator: " | ")
        out.append(Mismatch(path: path, message: "\(describe(value)) matches none of \(names)"))
    }

    private func discriminated(
        _ value: JSONValue, _ discriminator: JSONObject, _ options: [JSONValue], _ path: String, _ out: inout [Mismatch]
    ) {
        guard let property = discriminator["propertyName"]?.stringValue, let object = value.objectValue else {
            alternatives(value, options, path, exactlyOne: true, &out)
            return
        }
        guard let tag = object[property] else {
            out.append(Mismatch(path: path, message: "the discriminator '\(property)' is missing"))
            return
        }
        guard let tagText = tag.stringValue,
            let ref = discriminator["mapping"]?[tagText]?.stringValue
        else {
            let known = (discriminator["mapping"]?.objectValue?.keys ?? []).joined(separator: ", ")
            out.append(Mismatch(path: path + "." + property, message: "discriminator \(short(tag)) is not one of [\(known)]"))
            return
        }
        check(value, ["$ref": .string(ref)], path, schemaName: nil, &out)
    }

    private func string(_ text: String, _ s: JSONObject, _ path: String, _ out: inout [Mismatch]) {
        let length = text.count
        if let min = s["minLength"]?.exactInt, length < min {
            out.append(Mismatch(path: path, message: "string shorter than \(min) characters"))
        }
        if let max = s["maxLength"]?.exactInt, length > max {
            out.append(Mismatch(path: path, message: "string longer than \(max) characters"))
        }
        if let pattern = s["pattern"]?.stringValue, let regex = try? Regex(pattern), text.firstMatch(of: regex) == nil {
            out.append(Mismatch(path: path, message: "\(short(.string(text))) does not match the pattern \(pattern)"))
        }
        switch s["format"]?.stringValue {
        case "date-time":
            if Timestamp.parse(text) == nil {
                out.append(Mismatch(path: path, message: "\(short(.string(text))) is not an RFC 3339 date-time"))
            }
        case "uuid4":
            if !SchemaValidator.isUUID4(text) {
                out.append(Mismatch(path: path, message: "\(short(.string(text))) is not a version-4 UUID"))
            }
        default: break
        }
    }

    private func number(_ value: JSONValue, _ s: JSONObject, _ path: String, _ out: inout [Mismatch]) {
        guard let n = value.numberValue else { return }
        if let min = s["minimum"]?.numberValue, n < min {
            out.append(Mismatch(path: path, message: "\(short(value)) is below the minimum \(short(s["minimum"]!))"))
        }
        if let max = s["maximum"]?.numberValue, n > max {
            out.append(Mismatch(path: path, message: "\(short(value)) is above the maximum \(short(s["maximum"]!))"))
        }
    }

    private func array(_ items: [JSONValue], _ s: JSONObject, _ path: String, _ out: inout [Mismatch]) {
        if let min = s["minItems"]?.exactInt, items.count < min {
            out.append(Mismatch(path: path, message: "\(items.count) items, fewer than \(min)"))
        }
        if let max = s["maxItems"]?.exactInt, items.count > max {
            out.append(Mismatch(path: path, message: "\(items.count) items, more than \(max)"))
        }
        if let itemSchema = s["items"] {
            for (i, item) in items.enumerated() { check(item, itemSchema, "\(path)[\(i)]", schemaName: nil, &out) }
        }
    }

    private func object(
        _ object: JSONObject, _ s: JSONObject, _ path: String, schemaName: String?, _ out: inout [Mismatch]
    ) {
        let properties = s["properties"]?.objectValue
        for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
            out.append(Mismatch(path: path, message: "required field '\(name)' is missing"))
        }
        let extras = schemaName.flatMap { extraProperties[$0] } ?? [:]
        for (key, value) in object {
            let child = SchemaValidator.child(path, key)
            if let p = properties?[key] {
                check(value, p, child, schemaName: nil, &out)
            } else if let allowed = extras[key] {
                check(value, allowed, child, schemaName: nil, &out)
            } else if let additional = s["additionalProperties"] {
                if additional == .bool(false) {
                    out.append(Mismatch(path: child, message: "field '\(key)' is not in the schema"))
                } else if additional.objectValue != nil {
                    check(value, additional, child, schemaName: nil, &out)
                }
            } else if properties != nil {
                // Closed by default: the real models forbid extras.
                out.append(Mismatch(path: child, message: "field '\(key)' is not in the schema"))
            }
        }
    }

    // MARK: - Helpers

    static func hasType(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("integer", .int): return true
        case ("integer", .double(let d)): return d.isFinite && d == d.rounded()
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    /// Numbers compare by value (`1` equals `1.0`); everything else structurally.
    static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.numberValue, let y = b.numberValue { return x == y }
        return a == b
    }

    static func isUUID4(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                guard c == UInt8(ascii: "-") else { return false }
            } else {
                let hex = (48...57).contains(c) || (97...102).contains(c) || (65...70).contains(c)
                guard hex else { return false }
            }
        }
        return b[14] == UInt8(ascii: "4")
    }

    /// Whether the alternative's declared type (after one `$ref`) fits the value.
    private func typeFits(_ value: JSONValue, _ option: JSONValue) -> Bool {
        var o = option
        if let ref = o["$ref"]?.stringValue, let target = contract.resolve(ref) { o = target }
        if let nested = o["anyOf"]?.arrayValue ?? o["oneOf"]?.arrayValue {
            return nested.contains { typeFits(value, $0) }
        }
        guard let type = o["type"] else { return o["const"] == nil && o["enum"] == nil }
        let allowed = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
        return allowed.contains { SchemaValidator.hasType(value, $0) }
    }

    private func summary(_ option: JSONValue) -> String {
        if let ref = option["$ref"]?.stringValue { return String(ref.split(separator: "/").last ?? "") }
        if let type = option["type"] { return type.stringValue ?? short(type) }
        return short(option)
    }

    static func child(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { c in
            (65...90).contains(c) || (97...122).contains(c) || (48...57).contains(c) || c == 95
        }
        return plain ? "\(path).\(key)" : "\(path)[\(JSONSerializer.string(.string(key)))]"
    }
}

func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .object: return "an object"
    case .array: return "an array"
    default: return "\(value.typeName) \(short(value))"
    }
}

/// A value in a message, cut to 60 characters.
func short(_ value: JSONValue) -> String {
    let text = JSONSerializer.string(value)
    return text.count <= 60 ? text : String(text.prefix(57)) + "..."
}
