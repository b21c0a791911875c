import HTTPServer
import WorkloadEmulator

enum URLEncoding {
    static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
    /// Percent-encodes all but RFC 3986 unreserved characters.
    static func encode(_ s: String) -> String {
        var out: [UInt8] = []
        for c in s.utf8 {
            switch c {
            case 48...57, 65...90, 97...122, 45, 46, 95, 126: out.append(c)
            default:
                out.append(37)
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
