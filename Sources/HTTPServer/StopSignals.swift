#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM, received by `sigwait` instead of a handler. Blocked before any
/// engine thread exists, so every thread inherits the mask and only the waiting thread
/// ever sees them; a peer that closes early (SIGPIPE) must not kill the process either.
public enum StopSignals {
    /// Call first, on the main thread.
    public static func block() {
        signal(SIGPIPE, SIG_IGN)
        var set = stopSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for the next SIGINT or SIGTERM and returns which.
    public static func wait() -> Int32 {
        var set = stopSet()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    private static func stopSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
