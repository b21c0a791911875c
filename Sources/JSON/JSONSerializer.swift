/// Compact JSON output in the objects' own key order: the same value always gives
/// the same bytes. `JSONWriter` writes the same bytes without a `JSONValue`.
public enum JSONSerializer {
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    public static func string(_ value: JSONValue) -> String {
        String(decoding: serialize(value), as: UTF8.self)
    }

    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: writeNull(into: &out)
        case let .bool(b): appendASCII(b ? "true" : "false", into: &out)
        case let .int(i): writeInt(i, into: &out)
        case let .double(d): writeDouble(d, into: &out)
        case let .string(s): writeString(s, into: &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    static func appendASCII(_ s: StaticString, into out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    static func writeNull(into out: inout [UInt8]) { appendASCII("null", into: &out) }

    /// Decimal digits without making a String (`String(i)` allocates).
    static func writeInt(_ i: Int64, into out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        var x = i.magnitude
        if x < 10 {
            out.append(UInt8(truncatingIfNeeded: 48 + x))
            return
        }
        // 20 digits hold UInt64.max.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var n = 20
            while x > 0 {
                n -= 1
                buf[n] = UInt8(truncatingIfNeeded: 48 + x % 10)
                x /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[n...]))
        }
    }

    /// Whole floats print as integers with `.0` (`2.0`), others in Swift's shortest
    /// round-trip form; non-finite values (never produced by the parser) become null.
    static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else {
            writeNull(into: &out)
            return
        }
        out.append(contentsOf: d.description.utf8)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Ids, names, timestamps and statuses need no escape: one bulk copy instead of an
        // append per byte, which callgrind showed as ~15 % of a create (bench/RESULTS.md).
        let clean =
            s.utf8.withContiguousStorageIfAvailable { bytes in
                !bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
            } ?? false
        if clean {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for c in s.utf8 {
            switch c {
            case 0x22:
                out.append(0x5C)
                out.append(0x22)
            case 0x5C:
                out.append(0x5C)
                out.append(0x5C)
            case 0x0A:
                out.append(0x5C)
                out.append(UInt8(ascii: "n"))
            case 0x0D:
                out.append(0x5C)
                out.append(UInt8(ascii: "r"))
            case 0x09:
                out.append(0x5C)
                out.append(UInt8(ascii: "t"))
            case 0x08:
                out.append(0x5C)
                out.append(UInt8(ascii: "b"))
            case 0x0C:
                out.append(0x5C)
                out.append(UInt8(ascii: "f"))
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 0xF)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
