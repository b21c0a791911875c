/// Compact JSON written straight into a byte buffer, in the order the caller writes it:
/// the same bytes `JSONSerializer` gives for the equivalent `JSONValue`, without
/// building that tree first. For big documents (the state file of 100,000 workloads),
/// where the tree's allocations cost more than the bytes.
///
/// Keys are `StaticString`s and written unescaped: callers pass plain ASCII names.
public struct JSONWriter {
    public private(set) var bytes: [UInt8]
    /// Whether the next value of the open array or object needs a comma before it.
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Containers

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func array(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    public mutating func object(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        object(body)
    }

    public mutating func array(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        array(body)
    }

    /// An array with each element on a line of its own: `[`, a newline before each
    /// element and one before `]` (JSON strings never hold a raw newline, so a reader
    /// finds where elements start without parsing, `JSONCursor.elements`). Call `line`
    /// before each element.
    public mutating func lines(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        let start = bytes.count
        body(&self)
        if bytes.count > start { bytes.append(0x0A) }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts an element of `lines` on a new line.
    public mutating func line() {
        separate()
        bytes.append(0x0A)
        needsComma = false
    }

    /// An array of strings.
    public mutating func strings(_ key: StaticString, _ values: [String]) {
        array(key) { w in for v in values { w.string(v) } }
    }

    // MARK: Values (array elements, or after `key`)

    public mutating func key(_ k: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A value that is already JSON (a document encoded earlier), copied as it is.
    public mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    public mutating func null() {
        separate()
        JSONSerializer.writeNull(into: &bytes)
        needsComma = true
    }

    public mutating func string(_ s: String) {
        separate()
        JSONSerializer.writeString(s, into: &bytes)
        needsComma = true
    }

    public mutating func int(_ i: Int64) {
        separate()
        JSONSerializer.writeInt(i, into: &bytes)
        needsComma = true
    }

    public mutating func double(_ d: Double) {
        separate()
        JSONSerializer.writeDouble(d, into: &bytes)
        needsComma = true
    }

    public mutating func value(_ v: JSONValue) {
        separate()
        JSONSerializer.write(v, into: &bytes)
        needsComma = true
    }

    /// `Timestamp.format(ms)` as a JSON string, without making the String.
    public mutating func timestamp(_ ms: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        Timestamp.write(ms, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Sixteen lower-case hex digits as a JSON string (generator states and ids).
    public mutating func hex16(_ v: UInt64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        var shift = 60
        while shift >= 0 {
            bytes.append(Self.hexDigits[Int((v >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    // MARK: Key and value in one call

    public mutating func string(_ k: StaticString, _ s: String) {
        key(k)
        string(s)
    }
    /// The string, or `null`.
    public mutating func string(_ k: StaticString, _ s: String?) {
        key(k)
        if let s { string(s) } else { null() }
    }
    public mutating func int(_ k: StaticString, _ i: Int64) {
        key(k)
        int(i)
    }
    public mutating func int(_ k: StaticString, _ i: Int) {
        key(k)
        int(Int64(i))
    }
    public mutating func double(_ k: StaticString, _ d: Double) {
        key(k)
        double(d)
    }
    public mutating func value(_ k: StaticString, _ v: JSONValue) {
        key(k)
        value(v)
    }
    public mutating func timestamp(_ k: StaticString, _ ms: Int64) {
        key(k)
        timestamp(ms)
    }
    /// The timestamp, or `null`.
    public mutating func timestamp(_ k: StaticString, _ ms: Int64?) {
        key(k)
        if let ms { timestamp(ms) } else { null() }
    }
    public mutating func hex16(_ k: StaticString, _ v: UInt64) {
        key(k)
        hex16(v)
    }

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
