/// A case-insensitive substring search (ASCII letters fold; other characters match
/// exactly), with the needle folded once so a scan over 100,000 names allocates nothing.
public struct CaseInsensitiveNeedle: Sendable {
    let bytes: [UInt8]

    public init(_ needle: String) {
        bytes = needle.utf8.map(CaseInsensitiveNeedle.fold)
    }

    @inline(__always) static func fold(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c + 32 : c }

    public func found(in text: String) -> Bool {
        if bytes.isEmpty { return true }
        var text = text
        return text.withUTF8 { h in
            guard bytes.count <= h.count else { return false }
            outer: for i in 0...(h.count - bytes.count) {
                for j in 0..<bytes.count where CaseInsensitiveNeedle.fold(h[i + j]) != bytes[j] { continue outer }
                return true
            }
            return false
        }
    }
}

extension String {
    public func containsCaseInsensitive(_ needle: String) -> Bool { CaseInsensitiveNeedle(needle).found(in: self) }
}
