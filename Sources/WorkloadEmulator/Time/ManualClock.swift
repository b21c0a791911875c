/// Time moves only when told to. Its value type lives inside the sandbox's lock.
public struct ManualClock: Clock {
    /// 2026-01-01T00:00:00.000Z: every manual sandbox starts here, so the same seed
    /// and the same requests give byte-identical responses.
    public static let defaultStart: Int64 = 1_767_225_600_000

    public private(set) var current: Int64
    public init(start: Int64 = ManualClock.defaultStart) { current = start }
    public func now() -> Int64 { current }
    /// Never backwards.
    public mutating func advance(to t: Int64) { current = max(current, min(t, TimeBounds.latest)) }
}
