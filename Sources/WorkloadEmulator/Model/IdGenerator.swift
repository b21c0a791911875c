/// 24 lower-case hex ids (the real API's ObjectId shape).
public struct IdGenerator: Sendable, Equatable {
    /// Internal so that a state snapshot can save and restore the position.
    var random: SplitMix64

    /// `stream` separates independent sequences (objects, events) of one sandbox.
    public init(seed: UInt64, sandbox: String, stream: UInt64 = 0) {
        random = SplitMix64(seed: seed ^ IdGenerator.fnv1a(sandbox) ^ (stream &* 0xD6E8_FEB8_6659_FD93))
    }

    public mutating func next() -> String {
        IdGenerator.hex(random.next(), digits: 16) + IdGenerator.hex(random.next() >> 32, digits: 8)
    }

    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func hex(_ v: UInt64, digits n: Int) -> String {
        var out = [UInt8](repeating: 48, count: n)
        var x = v
        for i in stride(from: n - 1, through: 0, by: -1) {
            out[i] = digits[Int(x & 0xF)]
            x >>= 4
        }
        return String(decoding: out, as: UTF8.self)
    }
}
