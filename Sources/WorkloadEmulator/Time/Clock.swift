#if canImport(Glibc)
import Glibc
#endif

/// A source of virtual time, in milliseconds since the Unix epoch.
public protocol Clock: Sendable {
    func now() -> Int64
}

/// The machine's wall clock, injected so tests can substitute a fake one.
public protocol WallClock: Sendable {
    func milliseconds() -> Int64
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func milliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
