import Glibc

/// Runs a closure on a new detached thread: the threads of `WorkerPool`. Dispatch's
/// queues on Linux run about as many threads as there are cores, so slow upstreams
/// would wait for each other there.
enum DetachedThread {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Returns false when no thread could be created (the caller then runs `body` itself).
    @discardableResult
    static func run(_ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // Blocking socket calls need little stack.
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let result = pthread_create(
            &thread, &attributes,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        if result != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            return false
        }
        return true
    }

    /// Sets the calling thread's nice value to `amount` (the process runs at 0). For
    /// long CPU-bound jobs: an event-loop thread woken on the same core then preempts
    /// the job at once instead of sharing the core with it.
    static func lowerPriority(by amount: Int32) {
        // who 0 is the calling thread: on Linux the nice value belongs to each thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, amount)
    }

    /// Gives the core to whatever else is ready to run on it, if anything. A lower
    /// priority alone does not do it at once: Linux's scheduler (EEVDF) still lets the
    /// job run out the time it is owed, and a loop (or a client) woken on that core
    /// waited 1–4 ms for it while the other core sat idle (`perf sched timehist`,
    /// `bench/RESULTS.md` H3). Long jobs call this every millisecond or less.
    @Sendable static func yieldCore() {
        _ = sched_yield()
    }
}
