#if canImport(Glibc)
import Glibc
#endif

/// The append-only log beside the snapshot: `STATE.N.log`, N counting up from one
/// compaction to the next. A record is a little-endian u32 length, a u32 CRC-32 of
/// the payload, then the payload (one JSON object). A record cut short or with a wrong
/// checksum ends its file: it is the torn tail of a write the process did not finish,
/// and it was never acknowledged.
enum LogFile {
    static func name(_ statePath: String, generation: UInt64) -> String { "\(statePath).\(generation).log" }

    static func frame(_ payload: [UInt8], into out: inout [UInt8]) {
        let n = UInt32(truncatingIfNeeded: payload.count)
        let crc = CRC32.checksum(payload)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: n >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        out.append(contentsOf: payload)
    }

    /// Where the whole records' payloads are in a file's bytes, and whether a torn tail
    /// followed them.
    static func records(_ bytes: UnsafeBufferPointer<UInt8>) -> (records: [Range<Int>], torn: Bool) {
        var out: [Range<Int>] = []
        var i = 0
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        while i + 8 <= bytes.count {
            let n = Int(u32(i))
            let crc = u32(i + 4)
            guard n <= bytes.count - i - 8 else { return (out, true) }
            let payload = (i + 8)..<(i + 8 + n)
            guard CRC32.checksum(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[payload]))) == crc else {
                return (out, true)
            }
            out.append(payload)
            i += 8 + n
        }
        return (out, i != bytes.count)
    }

    /// The generations of the logs of `statePath` present in its directory, ascending.
    static func generations(_ statePath: String) -> [UInt64] {
        let dir = Files.directory(of: statePath)
        let base = statePath.lastIndex(of: "/").map { String(statePath[statePath.index(after: $0)...]) } ?? statePath
        let prefix = base + "."
        guard let d = opendir(dir) else { return [] }
        var out: [UInt64] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(prefix), name.hasSuffix(".log") else { continue }
            let middle = name.dropFirst(prefix.count).dropLast(4)
            if !middle.isEmpty, middle.allSatisfy(\.isNumber), let n = UInt64(middle) { out.append(n) }
        }
        closedir(d)
        return out.sorted()
    }
}
