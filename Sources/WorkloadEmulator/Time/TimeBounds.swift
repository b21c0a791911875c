/// The range a sandbox clock may read: RFC 3339 years have four digits, so past the
/// last millisecond of 9999 a timestamp would wrap (and read as a clock that went
/// backwards). Every instant the domain computes from outside numbers goes through
/// these, so no sum of them can trap.
public enum TimeBounds {
    /// 9999-12-31T23:59:59.999Z in Unix milliseconds.
    public static let latest: Int64 = 253_402_300_799_999

    /// `instant + milliseconds`, saturating, and never past `latest`.
    public static func adding(_ milliseconds: Int64, to instant: Int64) -> Int64 {
        let (sum, overflow) = instant.addingReportingOverflow(milliseconds)
        if overflow { return milliseconds > 0 ? latest : Int64.min }
        return min(sum, latest)
    }

    /// `minutes` as milliseconds, saturating.
    public static func milliseconds(minutes: Int) -> Int64 {
        let (ms, overflow) = Int64(clamping: minutes).multipliedReportingOverflow(by: 60_000)
        if overflow { return minutes > 0 ? Int64.max : Int64.min }
        return ms
    }

    /// `seconds` (a JSON number) as whole milliseconds, saturating; NaN is 0.
    public static func milliseconds(seconds: Double) -> Int64 {
        let ms = (seconds * 1000).rounded()
        if ms.isNaN { return 0 }
        if ms >= 9.2e18 { return Int64.max }
        if ms <= -9.2e18 { return Int64.min }
        return Int64(ms)
    }
}

extension Int64 {
    /// `self + other`, saturating at the ends of Int64.
    public func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { return other > 0 ? Int64.max : Int64.min }
        return sum
    }
}
