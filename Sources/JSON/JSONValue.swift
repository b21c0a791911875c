/// A JSON document as a value. Objects keep their keys in insertion order so that
/// what we serialize is byte-for-byte reproducible (no hash-order leaks).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// Integers are kept apart from floats so `1` round-trips as `1`, not `1.0`.
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }
    public var intValue: Int64? {
        if case let .int(i) = self { return i }
        return nil
    }
    public var objectValue: JSONObject? {
        if case let .object(o) = self { return o }
        return nil
    }
    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }
    /// An integer, or a float with no fractional part that fits (schemas accept `2.0`
    /// where an integer is due); never traps.
    public var exactInt: Int? {
        switch self {
        case let .int(i): return Int(exactly: i)
        case let .double(d): return Int(exactly: d)
        default: return nil
        }
    }
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
    /// Integers and floats both count as numbers.
    public var numberValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The name used in validation messages and type checks.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// Ordered key/value pairs. Lookups are linear: our objects are small, and a linear
/// scan over a few keys beats hashing them.
public struct JSONObject: Sendable, Equatable, Sequence {
    public private(set) var entries: [(key: String, value: JSONValue)]

    public init() { entries = [] }
    /// Later duplicates replace earlier ones in place, as the subscript does; past a
    /// few entries through a hash index, so building a big object stays linear.
    public init(_ entries: [(String, JSONValue)]) {
        self.entries = []
        self.entries.reserveCapacity(entries.count)
        if entries.count <= 16 {
            for (k, v) in entries { self[k] = v }
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (k, v) in entries {
            if let i = index[k] {
                self.entries[i].value = v
            } else {
                index[k] = self.entries.count
                self.entries.append((key: k, value: v))
            }
        }
    }

    /// Takes entries whose keys are already known to be distinct (the parser's): no
    /// per-key search.
    public static func withUniqueKeys(_ entries: [(key: String, value: JSONValue)]) -> JSONObject {
        var o = JSONObject()
        o.entries = entries
        return o
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    /// Setting an existing key replaces its value in place (its position is kept);
    /// setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            for e in entries where e.key == key { return e.value }
            return nil
        }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let v = newValue { entries[i].value = v } else { entries.remove(at: i) }
            } else if let v = newValue {
                entries.append((key: key, value: v))
            }
        }
    }

    /// Appends without checking for an existing key: for building documents fast.
    public mutating func append(_ key: String, _ value: JSONValue) {
        entries.append((key: key, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        entries.makeIterator()
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Dictionary literals keep their written order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

extension JSONValue {
    /// `.string` or `.null`.
    public static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    public static func optional(_ i: Int?) -> JSONValue { i.map { .int(Int64($0)) } ?? .null }
}

extension JSONValue {
    /// `{"containerGroups":[]}`, one shared instance: 100,000 workloads without a
    /// runtime then share one buffer instead of holding 100,000 copies.
    public static let emptyRuntime: JSONValue = ["containerGroups": []]
}
