/// A key of up to 24 bytes (every id the emulator makes) as three words: a probe that
/// meets another key compares words, where two strings' comparison is a call to
/// `memcmp` (start-up looks up each of 100,000 ids several times, and a probe compares
/// the key of every bucket it passes), and the words sit in `SlotIndex`'s bucket.
struct StoreKey: Hashable, Sendable {
    let w0: UInt64
    let w1: UInt64
    let w2: UInt64
    let count: UInt8

    /// Nil for a key longer than 24 bytes.
    @inline(__always)
    init?(_ s: String) {
        // A native string's bytes in one copy; byte by byte only for the others.
        if let key = s.utf8.withContiguousStorageIfAvailable({ StoreKey(bytes: UnsafeRawBufferPointer($0)) }) {
            guard let key else { return nil }
            self = key
            return
        }
        var bytes: [UInt8] = []
        for b in s.utf8 {
            guard bytes.count < 24 else { return nil }
            bytes.append(b)
        }
        self = bytes.withUnsafeBytes { StoreKey(bytes: $0)! }
    }

    @inline(__always)
    private init?(bytes: UnsafeRawBufferPointer) {
        if bytes.count == 24 {
            // Every id the emulator makes: three loads, not a call to `memcpy`.
            (w0, w1, w2) = (
                bytes.loadUnaligned(as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
            )
            count = 24
            return
        }
        guard bytes.count < 24 else { return nil }
        var w: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &w) { $0.copyMemory(from: bytes) }
        (w0, w1, w2) = w
        count = UInt8(bytes.count)
    }

    private init(w0: UInt64, w1: UInt64, w2: UInt64, count: UInt8) {
        (self.w0, self.w1, self.w2, self.count) = (w0, w1, w2, count)
    }

    /// The count of `none`: no key's (at most 24).
    static var noneCount: UInt8 { 0xFF }
    /// No key: what an empty bucket of `SlotIndex` holds.
    static var none: StoreKey { StoreKey(w0: 0, w1: 0, w2: 0, count: noneCount) }

    var string: String {
        var w = (w0, w1, w2)
        return withUnsafeBytes(of: &w) { String(decoding: $0.prefix(Int(count)), as: UTF8.self) }
    }
}
