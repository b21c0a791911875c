/// Makes `X-Request-Id` values: a random 64-bit prefix per generator (one per event loop)
/// and a counter, as 32 hex digits. Unique without locks or a random draw per request.
struct RequestIDGenerator {
    private let prefix: UInt64
    private var counter: UInt64 = 0

    init(prefix: UInt64) { self.prefix = prefix }

    init() {
        var rng = SystemRandomNumberGenerator()
        self.init(prefix: rng.next())
    }

    mutating func next() -> String {
        counter &+= 1
        let high = prefix
        let low = counter
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { hex in
                for i in 0..<16 {
                    buffer[i] = hex[Int((high >> UInt64(60 - 4 * i)) & 0xF)]
                    buffer[16 + i] = hex[Int((low >> UInt64(60 - 4 * i)) & 0xF)]
                }
            }
            return 32
        }
    }

    /// The client's own id when it is safe to echo into a header and a log line:
    /// 1–128 characters of letters, digits and `-_.:+=/@`. Anything else gets a fresh id.
    mutating func id(clientSupplied: String?) -> String {
        if let value = clientSupplied, RequestIDGenerator.isSane(value) { return value }
        return next()
    }

    static func isSane(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard !utf8.isEmpty, utf8.count <= 128 else { return false }
        for b in utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
                UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: "/"), UInt8(ascii: "@"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
