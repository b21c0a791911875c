import CZlib

/// CRC-32 (IEEE, the one zlib and gzip use): each log record carries one, so a record
/// half-written when the process died is told from a whole one. zlib's: start-up checks
/// every byte of the log, and a table loop in Swift took a tenth of it at 100,000 workloads.
enum CRC32 {
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt = 0
        var rest = bytes[...]
        // zlib takes a 32-bit length: longer buffers go in pieces.
        while !rest.isEmpty {
            let n = min(rest.count, 1 << 30)
            let piece = UnsafeRawBufferPointer(rebasing: rest.prefix(n))
            c = crc32(c, piece.baseAddress?.assumingMemoryBound(to: UInt8.self), uInt(n))
            rest = rest.dropFirst(n)
        }
        return UInt32(truncatingIfNeeded: c)
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { checksum($0) } }
}
