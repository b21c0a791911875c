/// RFC 3339 UTC timestamps with milliseconds, `2026-11-22T10:00:00.000Z`, written and
/// read by hand (Howard Hinnant's civil-from-days), so no date formatter is loaded.
/// Time is Int64 milliseconds since the Unix epoch everywhere in the domain.
public enum Timestamp {
    /// Always 24 bytes: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static let formattedCount = 24

    public static func format(_ ms: Int64) -> String {
        String(unsafeUninitializedCapacity: formattedCount) { fill(ms, $0) }
    }

    /// Appends `format(ms)`'s bytes without making a String: the state file writes
    /// hundreds of thousands of timestamps.
    public static func write(_ ms: Int64, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: formattedCount) { buf in
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress, count: fill(ms, buf)))
        }
    }

    /// Writes the 24 bytes into `buf` (at least that long) and returns 24. Each field
    /// keeps its lowest `width` digits, so a year past 9999 wraps rather than widens.
    private static func fill(_ ms: Int64, _ buf: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = ms - days * 86_400_000
        let (y, m, d) = civil(fromDays: days)
        func pad(_ v: Int64, _ at: Int, _ width: Int) {
            var x = v
            var i = at + width - 1
            while i >= at {
                buf[i] = UInt8(truncatingIfNeeded: 48 + x % 10)
                x /= 10
                i -= 1
            }
        }
        pad(y, 0, 4)
        buf[4] = 45
        pad(m, 5, 2)
        buf[7] = 45
        pad(d, 8, 2)
        buf[10] = 84
        pad(msOfDay / 3_600_000, 11, 2)
        buf[13] = 58
        pad(msOfDay / 60_000 % 60, 14, 2)
        buf[16] = 58
        pad(msOfDay / 1000 % 60, 17, 2)
        buf[19] = 46
        pad(msOfDay % 1000, 20, 3)
        buf[23] = 90
        return formattedCount
    }

    /// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`/`z`/space also allowed.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// `parse` over the text's UTF-8 bytes (the state reader's, without making a String).
    public static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ n: Int) -> Int64? {
            guard from + n <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + n) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
            b[10] == 84 || b[10] == 116 || b[10] == 32,
            let h = num(11, 2), b[13] == 58, let mi = num(14, 2), b[16] == 58, let s = num(17, 2)
        else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo), h < 24, mi < 60, s < 60 else { return nil }
        var i = 19
        var millis: Int64 = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { millis = millis * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 3)..<3 { millis *= 10 }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = num(i + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60_000 * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(y, mo, d)
        return days * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + millis - offset
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
