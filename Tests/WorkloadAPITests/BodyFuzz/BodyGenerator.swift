import JSON
import WorkloadEmulator

/// Schema-shaped JSON bodies from the served OpenAPI document, then mutated: each
/// node may become a number no schema allows (huge, negative, fractional, past
/// Int64), a long or hostile string, another type, null, or an object with keys
/// added or taken away. Driven by one seeded generator, so a seed names a run.
struct BodyGenerator {
    let document: JSONValue
    var random: SplitMix64

    init(document: JSONValue, seed: UInt64) {
        self.document = document
        random = SplitMix64(seed: seed)
    }

    mutating func next(_ n: Int) -> Int { Int(random.next() % UInt64(max(n, 1))) }
    mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }

    static let hostileNumbers: [JSONValue] = [
        .int(Int64.max), .int(Int64.min), .int(-1), .int(0), .int(1), .int(2_147_483_648), .int(4_294_967_296),
        .int(9_007_199_254_740_993), .double(9.3e18), .double(-9.3e18), .double(1e308), .double(-1e308),
        .double(0.5), .double(-0.5), .double(1e-300), .double(2.0), .double(3.2e9), .double(1e9 + 1),
        .double(253_402_300_800), .int(600_001), .int(99), .int(100), .int(199), .int(600), .int(65536),
    ]

    static let hostileStrings: [String] = [
        "", " ", ".", "..", "../..", "%2e%2e", "a\r\nX-Injected: 1", "nul\u{0}byte", "\u{7F}", "tab\there",
        "é😀", "0", "-1", "9223372036854775808", "1e308", "NaN", "null", "true", "{}", "[]",
        "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999-23:59", "0000-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", "2026-13-45T25:61:61Z",
        "000000000000000000000000", "ffffffffffffffffffffffff", "Content-Length ", "X Bad", ":", "*",
        "/api/v2/workloads/*", "running", "stopped", "submitted", "manual", "real", "respond", "delay",
    ]

    mutating func hostileString() -> String {
        if chance(10) { return String(repeating: pick(["a", "é", "\\", "/"]), count: pick([256, 4097, 70_000])) }
        return pick(Self.hostileStrings)
    }

    /// A value anything could be.
    mutating func anyValue(depth: Int = 0) -> JSONValue {
        switch next(depth > 2 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2: return pick(Self.hostileNumbers)
        case 3: return .string(hostileString())
        case 4: return .array((0..<next(4)).map { _ in anyValue(depth: depth + 1) })
        default:
            var o = JSONObject()
            for _ in 0..<next(4) {
                o[pick(["a", "name", "id", "zzExtra", "runtime", ""])] = anyValue(depth: depth + 1)
            }
            return .object(o)
        }
    }

    func resolve(_ schema: JSONValue) -> JSONValue {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#/") else { return schema }
        var node: JSONValue? = document
        for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node.map(resolve) ?? [:]
    }

    /// A value the schema accepts, as far as a quick reading of it goes.
    mutating func valid(_ raw: JSONValue, depth: Int = 0) -> JSONValue {
        let schema = resolve(raw)
        if depth > 8 { return .null }
        for key in ["anyOf", "oneOf"] {
            if let options = schema[key]?.arrayValue, !options.isEmpty {
                let nonNull = options.filter { resolve($0)["type"]?.stringValue != "null" }
                return valid(pick(nonNull.isEmpty ? options : nonNull), depth: depth + 1)
            }
        }
        if let all = schema["allOf"]?.arrayValue, let first = all.first { return valid(first, depth: depth + 1) }
        if let options = schema["enum"]?.arrayValue, !options.isEmpty { return pick(options) }
        if let c = schema["const"] { return c }
        var type = schema["type"]?.stringValue
        if let types = schema["type"]?.arrayValue { type = types.compactMap(\.stringValue).first { $0 != "null" } }
        switch type {
        case "object"?:
            var o = JSONObject()
            let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            for (k, v) in schema["properties"]?.objectValue ?? JSONObject() where required.contains(k) || chance(60) {
                o[k] = valid(v, depth: depth + 1)
            }
            if let extra = schema["additionalProperties"], extra.objectValue != nil, chance(50) {
                o["k\(next(10))"] = valid(extra, depth: depth + 1)
            }
            return .object(o)
        case "array"?:
            let lo = Int(schema["minItems"]?.intValue ?? 0)
            return .array((0..<(lo + next(3))).map { _ in valid(schema["items"] ?? [:], depth: depth + 1) })
        case "string"?:
            if schema["format"]?.stringValue == "date-time" { return "2026-01-01T00:10:00.000Z" }
            let lo = Int(schema["minLength"]?.intValue ?? 1)
            return .string("s" + String(repeating: "x", count: max(0, lo - 1)) + "\(next(100))")
        case "integer"?:
            let lo = schema["minimum"]?.exactInt ?? 0
            return .int(Int64(lo + next(3)))
        case "number"?:
            let lo = schema["minimum"]?.numberValue ?? 0
            return .double(lo + Double(next(4)) / 2)
        case "boolean"?: return .bool(chance(50))
        default: return chance(50) ? .object(JSONObject()) : anyValue()
        }
    }

    /// `value` with some of its nodes replaced, added or removed.
    mutating func mutate(_ value: JSONValue, rate: Int, depth: Int = 0) -> JSONValue {
        if chance(rate) {
            switch next(5) {
            case 0: return pick(Self.hostileNumbers)
            case 1: return .string(hostileString())
            case 2: return .null
            default: return anyValue(depth: depth)
            }
        }
        switch value {
        case let .object(o):
            var out = JSONObject()
            for (k, v) in o where !chance(rate / 2) { out[k] = mutate(v, rate: rate, depth: depth + 1) }
            if chance(rate) { out[pick(["zzExtra", "id", "status", "", "a\u{0}"])] = anyValue(depth: depth + 1) }
            return .object(out)
        case let .array(items):
            var out = items.map { mutate($0, rate: rate, depth: depth + 1) }
            if chance(rate), let first = out.first { out += Array(repeating: first, count: pick([2, 50])) }
            return .array(out)
        case .int, .double:
            return chance(rate * 2) ? pick(Self.hostileNumbers) : value
        default:
            return value
        }
    }
}
