import Foundation

/// The state log's records as the tests read and damage them: each is its length and
/// CRC-32 (little-endian), then its JSON payload.
enum StateLogFrames {
    /// One record as the log holds it.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var c: UInt32 = 0xFFFF_FFFF
        for b in payload {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        var out: [UInt8] = []
        for v in [UInt32(payload.count), ~c] {
            for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) }
        }
        return out + payload
    }

    /// The payloads of one log file's bytes, in order (a torn tail is left out).
    static func payloads(_ bytes: [UInt8]) -> [String] {
        var records: [String] = []
        var i = 0
        while i + 8 <= bytes.count {
            let n = Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
            guard i + 8 + n <= bytes.count else { break }
            records.append(String(decoding: bytes[(i + 8)..<(i + 8 + n)], as: UTF8.self))
            i += 8 + n
        }
        return records
    }

    /// The payloads of every `.log` file in `directory`.
    static func payloads(inLogsOf directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".log") }.flatMap {
            payloads([UInt8](try Data(contentsOf: directory.appendingPathComponent($0))))
        }
    }

    /// A state file in `directory`, on the manual clock, each change fsynced before its answer.
    static func syncArguments(_ directory: URL) -> [String] {
        [
            "--port", "0", "--state-file", directory.appendingPathComponent("state.json").path, "--clock", "manual",
            "--durability", "sync",
        ]
    }
}
