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
}

/// Reads a JSON value by hand, keeping the path it came from so that every refusal
/// names the place. The models hold tuples and computed indexes, so synthesized
/// `Codable` would not fit; this keeps the hand-written decoders short.
public struct JSONReader: Sendable {
    public let value: JSONValue
    public let path: String

    public init(_ value: JSONValue, path: String = "$") {
        self.value = value
        self.path = path
    }

    public func fail(_ reason: String) -> JSONPathError { JSONPathError(path: path, reason: reason) }

    /// A present, non-null member.
    public func optional(_ key: String) -> JSONReader? {
        guard let v = value[key], !v.isNull else { return nil }
        return JSONReader(v, path: path + "." + key)
    }

    public func required(_ key: String) throws(JSONPathError) -> JSONReader {
        guard let v = value[key], !v.isNull else {
            throw JSONPathError(path: path + "." + key, reason: "required field is missing")
        }
        return JSONReader(v, path: path + "." + key)
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
        return a.enumerated().map { JSONReader($0.element, path: path + "[\($0.offset)]") }
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
        guard let e = E(rawValue: s) else {
            throw fail("'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    // Member shortcuts.
    public func string(_ k: String) throws(JSONPathError) -> String { try required(k).string() }
    public func int(_ k: String) throws(JSONPathError) -> Int64 { try required(k).int() }
    public func timestamp(_ k: String) throws(JSONPathError) -> Int64 { try required(k).timestamp() }
    public func optionalString(_ k: String) throws(JSONPathError) -> String? { try optional(k)?.string() }
    public func optionalTimestamp(_ k: String) throws(JSONPathError) -> Int64? { try optional(k)?.timestamp() }
}
