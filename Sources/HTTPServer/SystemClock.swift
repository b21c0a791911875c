import Glibc

/// The two clocks the engine reads: monotonic seconds for timeouts and durations (immune
/// to wall-clock jumps), wall seconds only for the `Date` header.
enum SystemClock {
    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1_000_000_000
    }

    static func wallSeconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        return ts.tv_sec
    }
}
