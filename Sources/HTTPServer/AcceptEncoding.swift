/// Reads `Accept-Encoding` (RFC 9110 §12.5.3) for the one coding we produce.
enum AcceptEncoding {
    /// True when `gzip` (or `x-gzip`, or `*` without an explicit gzip entry) has q > 0.
    static func allowsGzip(_ header: String?) -> Bool {
        guard let header, !header.isEmpty else { return false }
        var gzipQuality: Double?
        var wildcardQuality: Double?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let first = parts.first else { continue }
            let coding = first.trimmed.lowercased()
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let p = parameter.trimmed
                if p.hasPrefix("q=") || p.hasPrefix("Q=") {
                    quality = Double(p.dropFirst(2)) ?? 0
                }
            }
            switch coding {
            case "gzip", "x-gzip": gzipQuality = max(gzipQuality ?? 0, quality)
            case "*": wildcardQuality = quality
            default: break
            }
        }
        if let gzipQuality { return gzipQuality > 0 }
        if let wildcardQuality { return wildcardQuality > 0 }
        return false
    }
}

extension Substring {
    fileprivate var trimmed: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
