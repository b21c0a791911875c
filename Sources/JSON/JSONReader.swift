/// A problem in a JSON document, located by its JSON path (`$.workloads[2].status`):
/// what state imports, state files and fixture files report.
public struct JSONPathError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }

    /// The reason given for a string that names none of an enumeration's cases.
    public static func notOneOf<E: RawRepresentable & CaseIterable>(_ s: String, _: E.Type) -> String
    where E.RawValue == String {
        "'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))"
    }
}

/// Reads a JSON value by hand, keeping the path it came from so that every refusal
/// names the place. The models hold tuples and computed indexes, so synthesized
/// `Codable` would not fit; this keeps the hand-written decoders short.
public struct JSONReader: Sendable {
    public let value: JSONValue
    /// The path is only needed when something is refused, so it is kept in pieces and
    /// joined on demand: reading a 100,000-workload state file then builds no path
    /// strings at all (`base`, then `[index]` when `index >= 0`, then `.key`).
    private let base: String
    private let index: Int
    private let key: String?

    public var path: String {
        var p = base
        if index >= 0 { p += "[\(index)]" }
        if let key { p += "." + key }
        return p
    }

    public init(_ value: JSONValue, path: String = "$") {
        self.value = value
        base = path
        index = -1
        key = nil
    }

    private init(_ value: JSONValue, base: String, index: Int, key: String?) {
        self.value = value
        self.base = base
        self.index = index
        self.key = key
    }

    /// The reader of member `k` (its path shares this one's pieces where it can).
    private func member(_ v: JSONValue, _ k: String) -> JSONReader {
        key == nil ? JSONReader(v, base: base, index: index, key: k) : JSONReader(v, base: path, index: -1, key: k)
    }

    private func memberPath(_ k: String) -> String { path + "." + k }

    public func fail(_ reason: String) -> JSONPathError { JSONPathError(path: path, reason: reason) }

    /// A present, non-null member.
    public func optional(_ key: String) -> JSONReader? {
        guard let v = value[key], !v.isNull else { return nil }
        return member(v, key)
    }

    public func required(_ key: String) throws(JSONPathError) -> JSONReader {
        guard let v = value[key], !v.isNull else {
            throw JSONPathError(path: memberPath(key), reason: "required field is missing")
        }
        return member(v, key)
    }

    public func object() throws(JSONPathError) -> JSONObject {
        guard let o = value.objectValue else { throw fail("expected an object, found \(value.typeName)") }
        return o
    }

    /// Refuses members other than `allowed` (a typo must not silently do nothing).
    public func only(_ allowed: Set<String>) throws(JSONPathError) {
        for (k, _) in try object() where !allowed.contains(k) {
            throw JSONPathError(path: path + "." + k, reason: "unknown field")
        }
    }

    public func array() throws(JSONPathError) -> [JSONReader] {
        guard let a = value.arrayValue else { throw fail("expected an array, found \(value.typeName)") }
        let p = path
        return a.enumerated().map { JSONReader($0.element, base: p, index: $0.offset, key: nil) }
    }

    public func string() throws(JSONPathError) -> String {
        guard let s = value.stringValue else { throw fail("expected a string, found \(value.typeName)") }
        return s
    }

    public func int() throws(JSONPathError) -> Int64 {
        guard let i = value.exactInt else { throw fail("expected an integer, found \(value.typeName)") }
        return Int64(i)
    }

    public func double() throws(JSONPathError) -> Double {
        guard let d = value.numberValue else { throw fail("expected a number, found \(value.typeName)") }
        return d
    }

    public func bool() throws(JSONPathError) -> Bool {
        guard let b = value.boolValue else { throw fail("expected a boolean, found \(value.typeName)") }
        return b
    }

    /// An RFC 3339 timestamp, as milliseconds.
    public func timestamp() throws(JSONPathError) -> Int64 {
        guard let t = Timestamp.parse(try string()) else { throw fail("expected an RFC 3339 timestamp") }
        return t
    }

    /// A 64-bit value written as 16 hex digits (generator states: JSON numbers stop at 2^53).
    public func hex64() throws(JSONPathError) -> UInt64 {
        let s = try string()
        guard s.utf8.count == 16, let v = UInt64(s, radix: 16) else { throw fail("expected 16 hex digits") }
        return v
    }

    public func enumeration<E: RawRepresentable & CaseIterable>(_: E.Type) throws(JSONPathError) -> E
    where E.RawValue == String {
        let s = try string()
        guard let e = E(rawValue: s) else { throw fail(JSONPathError.notOneOf(s, E.self)) }
        return e
    }

    // Member shortcuts: the common cases read the member without making a reader for it.
    public func string(_ k: String) throws(JSONPathError) -> String {
        if case let .string(s)? = value[k] { return s }
        return try required(k).string()
    }
    public func int(_ k: String) throws(JSONPathError) -> Int64 {
        if case let .int(i)? = value[k] { return i }
        return try required(k).int()
    }
    public func timestamp(_ k: String) throws(JSONPathError) -> Int64 {
        if case let .string(s)? = value[k], let t = Timestamp.parse(s) { return t }
        return try required(k).timestamp()
    }
    public func optionalString(_ k: String) throws(JSONPathError) -> String? {
        switch value[k] {
        case nil, .null?: return nil
        case let .string(s)?: return s
        default: return try optional(k)?.string()
        }
    }
    public func optionalTimestamp(_ k: String) throws(JSONPathError) -> Int64? {
        switch value[k] {
        case nil, .null?: return nil
        case let .string(s)?: if let t = Timestamp.parse(s) { return t }
        default: break
        }
        return try optional(k)?.timestamp()
    }
}
