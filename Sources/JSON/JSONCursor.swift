import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Reads a JSON document in order, straight into the caller's values, with no
/// `JSONValue` tree: the state reader's (a 100,000-workload state file is hundreds of
/// megabytes, and a tree of it costs more than the models). The caller enters and
/// leaves containers; scalars are read from the bytes; a free-form member (a runtime, a
/// spec) is handed to `JSONParser`. Where it is, is kept as a stack of keys and indexes
/// and joined into a JSON path (`$.workloads[2].status`) only when something is refused.
///
/// Strict about syntax as `JSONParser` is; whitespace anywhere (a hand-edited file).
/// A key written twice is read twice (the last one wins, as with the parser).
public struct JSONCursor: ~Copyable {
    /// A member's key as it stands in the bytes (escaped keys, rare, as a String).
    public struct Key {
        fileprivate let start: Int
        fileprivate let count: Int
        fileprivate let escaped: String?
    }

    private enum Step {
        /// An object's member: the key's bytes; `start < 0` before the first.
        case key(start: Int, count: Int)
        /// An escaped key, decoded.
        case name(String)
        /// An array's element; `-1` before the first.
        case index(Int)
    }

    private let buf: UnsafeBufferPointer<UInt8>
    public private(set) var position = 0
    private let root: String
    private let maxDepth: Int
    private var steps: [Step] = []
    private var recent = RecentStrings()
    /// The last object or array `value()` read, and where its bytes are.
    private var lastValue: (bytes: Range<Int>, depth: Int, value: JSONValue)?

    private init(_ buf: UnsafeBufferPointer<UInt8>, root: String, maxDepth: Int) {
        self.buf = buf
        self.root = root
        self.maxDepth = maxDepth
        steps.reserveCapacity(16)
    }

    /// Runs `body` over the document in `bytes` and refuses anything after the value it read.
    public static func read<T>(
        _ bytes: UnsafeBufferPointer<UInt8>, root: String = "$", maxDepth: Int = 256,
        _ body: (inout JSONCursor) throws(JSONPathError) -> T
    ) throws(JSONPathError) -> T {
        var c = JSONCursor(bytes, root: root, maxDepth: maxDepth)
        let value = try body(&c)
        c.skipWhitespace()
        guard c.position == bytes.count else { throw c.syntax("unexpected data after the document") }
        return value
    }

    public static func read<T>(
        _ bytes: [UInt8], root: String = "$", maxDepth: Int = 256,
        _ body: (inout JSONCursor) throws(JSONPathError) -> T
    ) throws(JSONPathError) -> T {
        var result: Result<T, JSONPathError>!
        bytes.withUnsafeBufferPointer { b in
            do throws(JSONPathError) { result = .success(try read(b, root: root, maxDepth: maxDepth, body)) } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    // MARK: - Where

    /// The JSON path of the value being read.
    public var path: String {
        var p = root
        for s in steps {
            switch s {
            case let .key(start, count):
                if start >= 0 {
                    p += "."
                    p += String(decoding: UnsafeBufferPointer(rebasing: buf[start..<start + count]), as: UTF8.self)
                }
            case let .name(k): p += "." + k
            case let .index(i): if i >= 0 { p += "[\(i)]" }
            }
        }
        return p
    }

    /// The index of the array element being read (-1 outside an array).
    public var index: Int {
        if case let .index(i)? = steps.last { return i }
        return -1
    }

    public func fail(_ reason: String) -> JSONPathError { JSONPathError(path: path, reason: reason) }

    /// A required member `key` of the object just read was absent or null.
    public func missing(_ key: StaticString) -> JSONPathError {
        JSONPathError(path: path + "." + key.description, reason: "required field is missing")
    }

    private func syntax(_ message: String) -> JSONPathError {
        JSONPathError(path: path, reason: "not valid JSON: \(message) at byte \(position)")
    }

    // MARK: - Containers

    /// Enters an object: then `nextMember` until it returns nil.
    public mutating func beginObject() throws(JSONPathError) {
        try enter(UInt8(ascii: "{"), "an object", .key(start: -1, count: 0))
    }

    private mutating func enter(_ open: UInt8, _ what: String, _ step: Step) throws(JSONPathError) {
        skipWhitespace()
        guard position < buf.count, buf[position] == open else { throw fail("expected \(what), found \(upcomingType)") }
        guard steps.count < maxDepth else { throw syntax("nesting deeper than \(maxDepth)") }
        position += 1
        steps.append(step)
    }

    /// Reads an object, handing `body` each member that is not null (the cursor at its
    /// value, which `body` reads or skips).
    public mutating func members(_ body: (inout JSONCursor, Key) throws(JSONPathError) -> Void) throws(JSONPathError) {
        try beginObject()
        while let key = try nextMember() {
            if null() { continue }
            try body(&self, key)
        }
    }

    /// The next member's key, the cursor at its value (which the caller must read or
    /// skip); nil at the end of the object, which is then left.
    public mutating func nextMember() throws(JSONPathError) -> Key? {
        skipWhitespace()
        guard position < buf.count else { throw syntax("unexpected end of input") }
        var first = false
        if case let .key(start, _)? = steps.last, start < 0 { first = true }
        if buf[position] == UInt8(ascii: "}") {
            position += 1
            steps.removeLast()
            return nil
        }
        if !first {
            guard buf[position] == UInt8(ascii: ",") else { throw syntax("expected ',' or '}'") }
            position += 1
            skipWhitespace()
        }
        guard position < buf.count, buf[position] == UInt8(ascii: "\"") else { throw syntax("expected a string key") }
        let start = position + 1
        var i = start
        var escaped = false
        while i < buf.count, buf[i] != UInt8(ascii: "\"") {
            if buf[i] == UInt8(ascii: "\\") {
                escaped = true
                break
            }
            if buf[i] < 0x20 { break }
            i += 1
        }
        let key: Key
        if escaped || i >= buf.count || buf[i] != UInt8(ascii: "\"") {
            let name = try parsedString()
            key = Key(start: 0, count: 0, escaped: name)
            steps[steps.count - 1] = .name(name)
        } else {
            if i > start {
                // Non-ASCII keys are checked as the parser checks strings.
                let raw = UnsafeBufferPointer(rebasing: buf[start..<i])
                if raw.contains(where: { $0 >= 0x80 }), String(validating: raw, as: UTF8.self) == nil {
                    throw syntax("invalid UTF-8 in string")
                }
            }
            position = i + 1
            key = Key(start: start, count: i - start, escaped: nil)
            steps[steps.count - 1] = .key(start: start, count: i - start)
        }
        skipWhitespace()
        guard position < buf.count, buf[position] == UInt8(ascii: ":") else { throw syntax("expected ':'") }
        position += 1
        skipWhitespace()
        return key
    }

    /// Whether `key` is `name`, byte for byte.
    public func matches(_ key: Key, _ name: StaticString) -> Bool {
        if let e = key.escaped { return e == name.description }
        guard key.count == name.utf8CodeUnitCount else { return false }
        let n = name.utf8Start
        for i in 0..<key.count where buf[key.start + i] != n[i] { return false }
        return true
    }

    /// Enters an array: then `nextElement` until it returns false.
    public mutating func beginArray() throws(JSONPathError) {
        try enter(UInt8(ascii: "["), "an array", .index(-1))
    }

    /// Moves to the next element (true), or leaves the array at its end (false).
    public mutating func nextElement() throws(JSONPathError) -> Bool {
        skipWhitespace()
        guard position < buf.count, case let .index(i)? = steps.last else {
            throw syntax("unexpected end of input")
        }
        if buf[position] == UInt8(ascii: "]") {
            position += 1
            steps.removeLast()
            return false
        }
        if i >= 0 {
            guard buf[position] == UInt8(ascii: ",") else { throw syntax("expected ',' or ']'") }
            position += 1
            skipWhitespace()
        }
        steps[steps.count - 1] = .index(i + 1)
        return true
    }

    // MARK: - Arrays in two halves

    /// Reads the array at the cursor, handing each element `read` reads to `take`, in
    /// order, on this thread. When the writer put each element on a line of its own
    /// (`JSONWriter.lines`) and the array is long, the second half is read on another
    /// thread meanwhile (a state file's long lists are most of start-up). Where the
    /// halves meet is only a guess from the lines: the first half must end there
    /// exactly, or the second half's reading is dropped and the rest read here, so the
    /// result (and the first refusal, with its path) is the one reading in order gives.
    /// `expect` is told the number of lines when they split the array (the elements'
    /// count, unless the file was edited by hand), before the first element.
    public mutating func elements<E: Sendable>(
        _ read: @escaping @Sendable (inout JSONCursor) throws(JSONPathError) -> E, chunk: Int,
        expect: (Int) -> Void = { _ in },
        _ take: (MoveBuffer<E>) throws(JSONPathError) -> Void
    ) throws(JSONPathError) {
        skipWhitespace()
        let half = lineHalf()
        try beginArray()
        let size = max(1, chunk)
        // Elements go into buffers of `chunk`, handed over whole (the last one even
        // when empty): no call per element between the reader and the taker.
        var part = MoveBuffer<E>(capacity: min(size, 1024))
        func readRest(_ c: inout JSONCursor) throws(JSONPathError) {
            while try c.nextElement() {
                part.append(try read(&c))
                if part.count >= size {
                    try take(part)
                    part = MoveBuffer(capacity: size)
                }
            }
        }
        guard let half else {
            try readRest(&self)
            try take(part)
            return
        }
        expect(half.lines)
        part = MoveBuffer(capacity: min(size, half.index))
        let tail = ArrayTail<E>()
        let bytes = SharedBytes(buf)
        let root = path
        let depth = max(1, maxDepth - steps.count)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            var c = JSONCursor(bytes.buf, root: root, maxDepth: depth)
            c.position = half.comma
            c.steps.append(.index(half.index - 1))
            var parts: [MoveBuffer<E>] = []
            var out = MoveBuffer<E>(capacity: min(size, max(16, half.lines - half.index)))
            do throws(JSONPathError) {
                while try c.nextElement() {
                    out.append(try read(&c))
                    if out.count >= size {
                        parts.append(out)
                        out = MoveBuffer(capacity: size)
                    }
                }
                parts.append(out)
                tail.result.withLock { $0 = .success((parts, c.position)) }
            } catch {
                tail.result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        // The other thread reads the same bytes: waited for before they can go away.
        defer { done.wait() }
        var met = false
        while try nextElement() {
            part.append(try read(&self))
            if position >= half.comma {
                met = position == half.comma && index == half.index - 1
                break
            }
            if part.count >= size {
                try take(part)
                part = MoveBuffer(capacity: size)
            }
        }
        guard met else {
            // A guess that was not an element's start: the rest, read here.
            if position >= half.comma { try readRest(&self) }
            try take(part)
            return
        }
        try take(part)
        done.wait()
        done.signal()
        switch tail.result.withLock({ $0 }) {
        case let .success((parts, end))?:
            for p in parts { try take(p) }
            position = end
            steps.removeLast()
        case let .failure(error)?: throw error
        case nil: throw fail("the second half was not read")
        }
    }

    /// Where a long array written one element a line splits: the comma before the
    /// element that starts a line nearest its middle, and that element's index (as
    /// the lines count it). Nil for any other layout, or a short array.
    private func lineHalf() -> (comma: Int, index: Int, lines: Int)? {
        let n = buf.count
        guard position + 2 < n, buf[position] == UInt8(ascii: "["), buf[position + 1] == 0x0A,
            let base = buf.baseAddress
        else { return nil }
        var starts: [Int] = []
        var p = position + 2
        while p < n, buf[p] != UInt8(ascii: "]") {
            starts.append(p)
            guard let hit = memchr(base + p, 0x0A, n - p) else { return nil }
            p = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
        }
        guard starts.count >= 64, p - position >= Self.splitBytes else { return nil }
        let k = starts.count / 2
        let s = starts[k]
        guard buf[s - 2] == UInt8(ascii: ","), buf[s] == UInt8(ascii: "{") else { return nil }
        return (s - 2, k, starts.count)
    }

    /// Below this, an array is read on one thread (the other's start costs more).
    static let splitBytes = 1 << 20

    // MARK: - Values

    /// Reads `null` if it is next.
    public mutating func null() -> Bool {
        skipWhitespace()
        guard position + 4 <= buf.count, buf[position] == UInt8(ascii: "n"), buf[position + 1] == UInt8(ascii: "u"),
            buf[position + 2] == UInt8(ascii: "l"), buf[position + 3] == UInt8(ascii: "l")
        else { return false }
        position += 4
        return true
    }

    public mutating func string() throws(JSONPathError) -> String {
        skipWhitespace()
        guard position < buf.count, buf[position] == UInt8(ascii: "\"") else {
            throw fail("expected a string, found \(upcomingType)")
        }
        if let raw = plainString() {
            position += raw.count + 2
            if RecentStrings.worthKeeping(raw) { return recent.string(raw) }
            return String(decoding: raw, as: UTF8.self)
        }
        return try parsedString()
    }

    /// A string's bytes when it has no escapes and is valid UTF-8 (the cursor at its
    /// opening quote, left there); nil otherwise.
    private func plainString() -> UnsafeBufferPointer<UInt8>? {
        let start = position + 1
        var i = start
        var ascii = true
        while i < buf.count {
            let c = buf[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        guard i < buf.count else { return nil }
        let raw = UnsafeBufferPointer(rebasing: buf[start..<i])
        if !ascii, String(validating: raw, as: UTF8.self) == nil { return nil }
        return raw
    }

    /// A string with escapes (or a broken one): the parser's reading, and its refusal.
    private mutating func parsedString() throws(JSONPathError) -> String {
        let v = try freeValue()
        guard case let .string(s) = v else { throw fail("expected a string, found \(v.typeName)") }
        return s
    }

    public mutating func int() throws(JSONPathError) -> Int64 {
        skipWhitespace()
        var i = position
        var negative = false
        if i < buf.count, buf[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        let digits = i
        var v: Int64 = 0
        while i < buf.count, buf[i] >= 48, buf[i] <= 57, i - digits < 18 {
            v = v * 10 + Int64(buf[i] - 48)
            i += 1
        }
        let n = i - digits
        let plain =
            n > 0 && (buf[digits] != 48 || n == 1)
            && (i >= buf.count
                || !(buf[i] >= 48 && buf[i] <= 57 || buf[i] == UInt8(ascii: ".") || buf[i] == UInt8(ascii: "e")
                    || buf[i] == UInt8(ascii: "E")))
        if plain {
            position = i
            return negative ? -v : v
        }
        // Long, fractional or not a number: as the tree reader took it (`2.0` is 2).
        guard isNumberStart else { throw fail("expected an integer, found \(upcomingType)") }
        let value = try freeValue()
        guard let exact = value.exactInt else { throw fail("expected an integer, found \(value.typeName)") }
        return Int64(exact)
    }

    public mutating func double() throws(JSONPathError) -> Double {
        skipWhitespace()
        guard isNumberStart else { throw fail("expected a number, found \(upcomingType)") }
        let value = try freeValue()
        guard let d = value.numberValue else { throw fail("expected a number, found \(value.typeName)") }
        return d
    }

    public mutating func bool() throws(JSONPathError) -> Bool {
        skipWhitespace()
        guard position < buf.count, buf[position] == UInt8(ascii: "t") || buf[position] == UInt8(ascii: "f") else {
            throw fail("expected a boolean, found \(upcomingType)")
        }
        guard case let .bool(b) = try freeValue() else { throw syntax("invalid literal") }
        return b
    }

    /// An RFC 3339 timestamp, as milliseconds.
    public mutating func timestamp() throws(JSONPathError) -> Int64 {
        skipWhitespace()
        if position < buf.count, buf[position] == UInt8(ascii: "\""), let raw = plainString() {
            guard let t = Timestamp.parse(bytes: raw) else { throw fail("expected an RFC 3339 timestamp") }
            position += raw.count + 2
            return t
        }
        let s = try string()
        guard let t = Timestamp.parse(s) else { throw fail("expected an RFC 3339 timestamp") }
        return t
    }

    /// A 64-bit value written as 16 hex digits (generator states: JSON numbers stop at 2^53).
    public mutating func hex64() throws(JSONPathError) -> UInt64 {
        skipWhitespace()
        if position < buf.count, buf[position] == UInt8(ascii: "\""), let raw = plainString(), raw.count == 16 {
            var v: UInt64 = 0
            for c in raw {
                let d: UInt8
                switch c {
                case 48...57: d = c - 48
                case 97...102: d = c - 87
                case 65...70: d = c - 55
                default: throw fail("expected 16 hex digits")
                }
                v = v << 4 | UInt64(d)
            }
            position += 18
            return v
        }
        _ = try string()
        throw fail("expected 16 hex digits")
    }

    /// A free-form value (a runtime, a spec, a fault's body), as a tree.
    public mutating func value() throws(JSONPathError) -> JSONValue {
        skipWhitespace()
        let start = position
        // An object or array with the same bytes as the last one is the same value (both
        // are self-delimiting): a state file repeats a runtime or a spec on every object
        // that has it, and each parse is a few allocations.
        if let last = lastValue, last.depth == steps.count, position < buf.count,
            buf[position] == buf[last.bytes.lowerBound],
            last.bytes.count <= buf.count - position,
            memcmp(buf.baseAddress! + position, buf.baseAddress! + last.bytes.lowerBound, last.bytes.count) == 0
        {
            position += last.bytes.count
            return last.value
        }
        let v = try freeValue()
        if start < buf.count, buf[start] == UInt8(ascii: "{") || buf[start] == UInt8(ascii: "[") {
            lastValue = (start..<position, steps.count, v)
        }
        return v
    }

    /// Passes over a value (a member this reader does not know).
    public mutating func skip() throws(JSONPathError) {
        _ = try value()
    }

    private mutating func freeValue() throws(JSONPathError) -> JSONValue {
        do throws(JSONParser.Error) {
            return try JSONParser.parseValue(in: buf, at: &position, maxDepth: max(1, maxDepth - steps.count))
        } catch {
            position = error.offset
            throw syntax(error.message)
        }
    }

    // MARK: - Bytes

    private var isNumberStart: Bool {
        position < buf.count && (buf[position] == UInt8(ascii: "-") || (buf[position] >= 48 && buf[position] <= 57))
    }

    /// The type of the next value, named as `JSONValue.typeName` names it.
    private var upcomingType: String {
        guard position < buf.count else { return "the end of the input" }
        switch buf[position] {
        case UInt8(ascii: "{"): return "object"
        case UInt8(ascii: "["): return "array"
        case UInt8(ascii: "\""): return "string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), 48...57:
            var p = position
            var parsed = JSONValue.null
            if let v = try? JSONParser.parseValue(in: buf, at: &p, maxDepth: 1) { parsed = v }
            return parsed.typeName == "null" ? "number" : parsed.typeName
        default: return "invalid JSON"
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < buf.count {
            switch buf[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }
}

/// The second half of an array, read on another thread: its elements and where it
/// ended, or its refusal.
private final class ArrayTail<E: Sendable>: Sendable {
    let result = Mutex<Result<([MoveBuffer<E>], Int), JSONPathError>?>(nil)
}

/// The document's bytes, read by a second thread while the first reads them too.
// @unchecked: the bytes are not changed while either reads them, and `elements`
// waits for the other thread before it returns (so before they can be freed).
private struct SharedBytes: @unchecked Sendable {
    let buf: UnsafeBufferPointer<UInt8>
    init(_ buf: UnsafeBufferPointer<UInt8>) { self.buf = buf }
}
