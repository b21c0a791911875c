import JSON
import WorkloadEmulator

/// A small declarative schema: every request body is checked against one, and all
/// problems are reported at once (one entry per problem).
public indirect enum Schema: Sendable {
    case string(min: Int = 0, max: Int = Int.max)
    case integer(min: Int64? = nil, max: Int64? = nil)
    case number(min: Double? = nil, max: Double? = nil)
    case boolean
    case enumeration([String])
    case array(Schema, min: Int = 0, max: Int = Int.max)
    case object([Field])
    /// An object whose listed fields are checked and whose other keys are ignored
    /// (a real model without `additionalProperties: false`).
    case looseObject([Field])
    /// An object with any keys whose values all follow the schema.
    case map(Schema)
    case any
    /// Exactly this string (an OpenAPI `const`).
    case constant(String)
    /// A union: valid when one of the schemas accepts the value; otherwise the
    /// problems of the schema that came closest.
    case anyOf([Schema])
    /// A union chosen by one key's value (an OpenAPI discriminator); a missing key
    /// picks `fallback` when there is one.
    case tagged(key: String, [(String, Schema)], fallback: String?)
    /// A quantity of bytes: an integer ≥ 0, or a number with an optional unit
    /// (`"512MiB"`, `"8GB"`, `" 1.5 Gi"`), as the real `ResourceAllocation` takes them.
    case quantity
    /// An RFC 3339 date-time string.
    case dateTime

    public struct Field: Sendable {
        public var name: String
        public var schema: Schema
        public var required: Bool
        public var nullable: Bool
        public init(_ name: String, _ schema: Schema, required: Bool = false, nullable: Bool = false) {
            self.name = name
            self.schema = schema
            self.required = required
            self.nullable = nullable
        }
    }

    public func validate(_ value: JSONValue, at loc: [JSONValue] = ["body"]) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        check(value, loc, &issues)
        return issues
    }

    func check(_ value: JSONValue, _ loc: [JSONValue], _ issues: inout [ValidationIssue]) {
        func fail(_ msg: String, _ type: String) { issues.append(ValidationIssue(loc: loc, msg: msg, type: type)) }
        switch self {
        case .any: return
        case let .constant(c):
            guard value.stringValue == c else { return fail("Input should be '\(c)'", "literal_error") }
        case let .anyOf(options):
            var best: [ValidationIssue]? = nil
            for o in options {
                var found: [ValidationIssue] = []
                o.check(value, loc, &found)
                if found.isEmpty { return }
                if best == nil || found.count < best!.count { best = found }
            }
            issues += best ?? []
        case let .tagged(key, options, fallback):
            guard let o = value.objectValue else { return fail("Input should be a valid dictionary", "dict_type") }
            let tag = o[key]?.stringValue ?? (o[key] == nil ? fallback : nil)
            guard let tag, let schema = options.first(where: { $0.0 == tag })?.1 else {
                let expected = options.map { "'\($0.0)'" }.joined(separator: ", ")
                if o[key] == nil {
                    return issues.append(
                        ValidationIssue(
                            loc: loc, msg: "Unable to extract tag using discriminator '\(key)'",
                            type: "union_tag_not_found"))
                }
                return issues.append(
                    ValidationIssue(
                        loc: loc + [.string(key)],
                        msg: "Input tag does not match any of the expected tags: \(expected)",
                        type: "union_tag_invalid"))
            }
            schema.check(value, loc, &issues)
        case .dateTime:
            guard let s = value.stringValue else { return fail("Input should be a valid string", "string_type") }
            if Timestamp.parse(s) == nil { fail("Input should be a valid datetime", "datetime_parsing") }
        case .quantity:
            switch value {
            case .int, .double:
                Schema.integer(min: 0).check(value, loc, &issues)
            case let .string(s):
                if !Schema.isQuantity(s) {
                    fail("String should match pattern '^\\s*(\\d*\\.?\\d+)\\s*(\\w+)?'", "string_pattern_mismatch")
                }
            default: fail("Input should be a valid string or integer", "union_type")
            }
        case let .string(min, max):
            guard let s = value.stringValue else { return fail("Input should be a valid string", "string_type") }
            let n = s.count
            if n < min {
                fail("String should have at least \(min) character\(min == 1 ? "" : "s")", "string_too_short")
            }
            if n > max { fail("String should have at most \(max) characters", "string_too_long") }
        case let .integer(min, max):
            let i: Int64
            switch value {
            case let .int(v): i = v
            case let .double(d) where d == d.rounded() && abs(d) < 9e15: i = Int64(d)
            case .double:
                return fail("Input should be a valid integer, got a number with a fractional part", "int_from_float")
            default: return fail("Input should be a valid integer", "int_type")
            }
            if let min, i < min { fail("Input should be greater than or equal to \(min)", "greater_than_equal") }
            if let max, i > max { fail("Input should be less than or equal to \(max)", "less_than_equal") }
        case let .number(min, max):
            guard let d = value.numberValue else { return fail("Input should be a valid number", "float_type") }
            if let min, d < min {
                fail("Input should be greater than or equal to \(Schema.show(min))", "greater_than_equal")
            }
            if let max, d > max { fail("Input should be less than or equal to \(Schema.show(max))", "less_than_equal") }
        case .boolean:
            guard value.boolValue != nil else { return fail("Input should be a valid boolean", "bool_type") }
        case let .enumeration(options):
            guard let s = value.stringValue, options.contains(s) else {
                return fail("Input should be \(Schema.listing(options))", "enum")
            }
        case let .array(item, min, max):
            guard let items = value.arrayValue else { return fail("Input should be a valid list", "list_type") }
            if items.count < min {
                fail(
                    "List should have at least \(min) item\(min == 1 ? "" : "s") after validation, not \(items.count)",
                    "too_short")
            }
            if items.count > max {
                fail(
                    "List should have at most \(max) item\(max == 1 ? "" : "s") after validation, not \(items.count)",
                    "too_long")
            }
            for (i, v) in items.enumerated() { item.check(v, loc + [.int(Int64(i))], &issues) }
        case let .map(valueSchema):
            guard let o = value.objectValue else { return fail("Input should be a valid dictionary", "dict_type") }
            for (k, v) in o { valueSchema.check(v, loc + [.string(k)], &issues) }
        case let .object(fields), let .looseObject(fields):
            guard let o = value.objectValue else { return fail("Input should be a valid dictionary", "dict_type") }
            for f in fields {
                guard let v = o[f.name] else {
                    if f.required {
                        issues.append(
                            ValidationIssue(loc: loc + [.string(f.name)], msg: "Field required", type: "missing"))
                    }
                    continue
                }
                if v.isNull {
                    if f.nullable { continue }
                    if !f.required, case .any = f.schema { continue }
                }
                f.schema.check(v, loc + [.string(f.name)], &issues)
            }
            if case .looseObject = self { return }
            for (k, _) in o where !fields.contains(where: { $0.name == k }) {
                issues.append(
                    ValidationIssue(
                        loc: loc + [.string(k)], msg: "Extra inputs are not permitted", type: "extra_forbidden"))
            }
        }
    }

    /// `^\s*(\d*\.?\d+)\s*(\w+)?`: spaces, digits with at most one dot and a digit
    /// after it; whatever follows is allowed (the pattern is anchored at the start only).
    static func isQuantity(_ s: String) -> Bool {
        var chars = Substring(s).drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let intPart = chars.prefix { $0.isASCII && $0.isNumber }
        chars = chars.dropFirst(intPart.count)
        if chars.first == "." {
            let frac = chars.dropFirst().prefix { $0.isASCII && $0.isNumber }
            if !frac.isEmpty { return true }
            // `\d*\.?\d+` backtracks: "12." still matches on "12".
            return intPart.count >= 1
        }
        return !intPart.isEmpty
    }

    static func listing(_ options: [String]) -> String {
        let quoted = options.map { "'\($0)'" }
        if quoted.count <= 1 { return quoted.joined() }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    static func show(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}
