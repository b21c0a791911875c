/// A strict RFC 8259 parser with limits. Integers that fit in Int64 stay integers;
/// anything with a fraction or exponent (or too large) becomes a Double.
///
/// Duplicate keys: the last one wins (at the position of the first), which is what
/// the real service's Python JSON decoder does. Past a few keys an object's duplicates
/// are found through a hash index, so parsing stays linear in the input however many
/// keys an object has.
public struct JSONParser {
    public struct Limits: Sendable {
        public var maxDepth: Int = 64
        public var maxBytes: Int = 16 * 1024 * 1024
        /// Object members in the whole document, counted as they are read (duplicates
        /// included): a bound on work and memory that does not depend on `maxBytes`.
        public var maxKeys: Int = 1_000_000
        public init(maxDepth: Int = 64, maxBytes: Int = 16 * 1024 * 1024, maxKeys: Int = 1_000_000) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
            self.maxKeys = maxKeys
        }
    }

    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public enum Limit: Sendable { case bytes, keys, depth }
        /// The limit that was reached, or nil for malformed input. Size and key count
        /// are a matter of how much was sent (HTTP callers answer 413, not 400).
        public var limit: Limit?
        public var isTooLarge: Bool { limit == .bytes || limit == .keys }
        public init(message: String, offset: Int, limit: Limit? = nil) {
            self.message = message
            self.offset = offset
            self.limit = limit
        }
        public var description: String { "\(message) at byte \(offset)" }
    }

    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(Error) -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw Error(message: "document larger than \(limits.maxBytes) bytes", offset: 0, limit: .bytes)
        }
        return try bytes.withUnsafeBufferPointer { (buf) throws(Error) -> JSONValue in
            var p = Cursor(buf: buf, pos: 0, maxDepth: limits.maxDepth, keysLeft: limits.maxKeys)
            p.skipWhitespace()
            let v = try p.parseValue(depth: 0)
            p.skipWhitespace()
            guard p.pos == buf.count else { throw Error(message: "unexpected data after the document", offset: p.pos) }
            return v
        }
    }

    public static func parse(_ text: String, limits: Limits = Limits()) throws(Error) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    /// One value starting at `pos` (no whitespace before it) of a larger document, for
    /// `JSONCursor`'s free-form sub-values; `pos` ends just after it.
    static func parseValue(
        in buf: UnsafeBufferPointer<UInt8>, at pos: inout Int, maxDepth: Int
    ) throws(Error) -> JSONValue {
        var p = Cursor(buf: buf, pos: pos, maxDepth: maxDepth, keysLeft: Int.max)
        let v = try p.parseValue(depth: 0)
        pos = p.pos
        return v
    }

    private struct Cursor {
        let buf: UnsafeBufferPointer<UInt8>
        var pos: Int
        let maxDepth: Int
        var keysLeft: Int

        func fail(_ message: String) -> Error { Error(message: message, offset: pos) }

        mutating func skipWhitespace() {
            while pos < buf.count {
                switch buf[pos] {
                case 0x20, 0x09, 0x0A, 0x0D: pos += 1
                default: return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(Error) -> JSONValue {
            guard pos < buf.count else { throw fail("unexpected end of input") }
            switch buf[pos] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw fail("expected a value")
            }
        }

        mutating func literal(_ word: StaticString) throws(Error) {
            let n = word.utf8CodeUnitCount
            guard pos + n <= buf.count else { throw fail("invalid literal") }
            let w = word.utf8Start
            for i in 0..<n where buf[pos + i] != w[i] { throw fail("invalid literal") }
            pos += n
        }

        mutating func parseObject(depth: Int) throws(Error) -> JSONValue {
            guard depth <= maxDepth else {
                throw Error(message: "nesting deeper than \(maxDepth)", offset: pos, limit: .depth)
            }
            pos += 1
            var entries: [(key: String, value: JSONValue)] = []
            // Built once an object outgrows a linear scan; maps a key to its entry.
            var index: [String: Int] = [:]
            skipWhitespace()
            if pos < buf.count, buf[pos] == UInt8(ascii: "}") {
                pos += 1
                return .object(JSONObject())
            }
            while true {
                skipWhitespace()
                guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                guard keysLeft > 0 else {
                    throw Error(message: "more than the allowed number of object keys", offset: pos, limit: .keys)
                }
                keysLeft -= 1
                let key = try parseString()
                skipWhitespace()
                guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                pos += 1
                skipWhitespace()
                let value = try parseValue(depth: depth)
                if let i = Self.position(of: key, in: entries, index: &index) {
                    entries[i].value = value
                } else {
                    if !index.isEmpty { index[key] = entries.count }
                    entries.append((key: key, value: value))
                }
                skipWhitespace()
                guard pos < buf.count else { throw fail("unexpected end of input") }
                if buf[pos] == UInt8(ascii: ",") {
                    pos += 1
                    continue
                }
                if buf[pos] == UInt8(ascii: "}") {
                    pos += 1
                    return .object(JSONObject.withUniqueKeys(entries))
                }
                throw fail("expected ',' or '}'")
            }
        }

        /// Where `key` already is: a scan while the object is small, then the index
        /// (built here the first time the object reaches `indexFrom` entries).
        static func position(
            of key: String, in entries: [(key: String, value: JSONValue)], index: inout [String: Int]
        ) -> Int? {
            let indexFrom = 16
            if index.isEmpty {
                if entries.count < indexFrom { return entries.firstIndex { $0.key == key } }
                index.reserveCapacity(entries.count * 2)
                for (i, e) in entries.enumerated() { index[e.key] = i }
            }
            return index[key]
        }

        mutating func parseArray(depth: Int) throws(Error) -> JSONValue {
            guard depth <= maxDepth else {
                throw Error(message: "nesting deeper than \(maxDepth)", offset: pos, limit: .depth)
            }
            pos += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if pos < buf.count, buf[pos] == UInt8(ascii: "]") {
                pos += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth))
                skipWhitespace()
                guard pos < buf.count else { throw fail("unexpected end of input") }
                if buf[pos] == UInt8(ascii: ",") {
                    pos += 1
                    continue
                }
                if buf[pos] == UInt8(ascii: "]") {
                    pos += 1
                    return .array(items)
                }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func hex4() throws(Error) -> UInt32 {
            guard pos + 4 <= buf.count else { throw fail("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = buf[pos]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | d
                pos += 1
            }
            return v
        }

        mutating func parseString() throws(Error) -> String {
            pos += 1  // opening quote
            let start = pos
            // Fast path: no escapes.
            while pos < buf.count {
                let c = buf[pos]
                if c == UInt8(ascii: "\"") {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
                    try validateUTF8(start, pos)
                    pos += 1
                    return s
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw fail("control character in string") }
                pos += 1
            }
            var out = Array(UnsafeBufferPointer(rebasing: buf[start..<pos]))
            while pos < buf.count {
                let c = buf[pos]
                if c == UInt8(ascii: "\"") {
                    pos += 1
                    guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
                    return s
                }
                if c < 0x20 { throw fail("control character in string") }
                if c != UInt8(ascii: "\\") {
                    out.append(c)
                    pos += 1
                    continue
                }
                pos += 1
                guard pos < buf.count else { break }
                let e = buf[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard pos + 1 < buf.count, buf[pos] == UInt8(ascii: "\\"), buf[pos + 1] == UInt8(ascii: "u")
                        else { throw fail("unpaired surrogate") }
                        pos += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw fail("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw fail("unpaired surrogate")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("invalid escape")
                }
            }
            throw fail("unterminated string")
        }

        func validateUTF8(_ from: Int, _ to: Int) throws(Error) {
            var i = from
            while i < to {
                if buf[i] < 0x80 {
                    i += 1
                    continue
                }
                // Only re-check when non-ASCII is present.
                if String(validating: UnsafeBufferPointer(rebasing: buf[from..<to]), as: UTF8.self) == nil {
                    throw Error(message: "invalid UTF-8 in string", offset: from)
                }
                return
            }
        }

        mutating func parseNumber() throws(Error) -> JSONValue {
            let start = pos
            if buf[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < buf.count, isDigit(buf[pos]) else { throw fail("invalid number") }
            if buf[pos] == UInt8(ascii: "0") {
                pos += 1
                if pos < buf.count, isDigit(buf[pos]) { throw fail("leading zero in number") }
            } else {
                while pos < buf.count, isDigit(buf[pos]) { pos += 1 }
            }
            var isFloat = false
            if pos < buf.count, buf[pos] == UInt8(ascii: ".") {
                isFloat = true
                pos += 1
                guard pos < buf.count, isDigit(buf[pos]) else { throw fail("invalid number") }
                while pos < buf.count, isDigit(buf[pos]) { pos += 1 }
            }
            if pos < buf.count, buf[pos] == UInt8(ascii: "e") || buf[pos] == UInt8(ascii: "E") {
                isFloat = true
                pos += 1
                if pos < buf.count, buf[pos] == UInt8(ascii: "+") || buf[pos] == UInt8(ascii: "-") { pos += 1 }
                guard pos < buf.count, isDigit(buf[pos]) else { throw fail("invalid number") }
                while pos < buf.count, isDigit(buf[pos]) { pos += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
            if !isFloat, let i = Int64(text) { return .int(i) }
            guard let d = Double(text), d.isFinite else { throw Error(message: "number out of range", offset: start) }
            return .double(d)
        }

        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    }
}
