import Glibc

/// The `Date` header value (IMF-fixdate, RFC 9110 §5.6.7), formatted at most once a second
/// per event loop instead of once per response.
struct HTTPDateCache {
    private(set) var second: Int = -1
    /// `Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n`, ready to copy into a response head.
    private(set) var headerLine: [UInt8] = []

    /// Reformats only when the wall-clock second changed.
    mutating func refresh(wallSeconds: Int) {
        guard wallSeconds != second else { return }
        second = wallSeconds
        headerLine = Array("Date: \(HTTPDateCache.format(wallSeconds))\r\n".utf8)
    }

    static func format(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
