import Synchronization

/// At most `maxThreads` threads for work that must not run on an event loop (blocking
/// upstream I/O, large clock advances). A thread is started when a job arrives and none
/// is free, takes queued jobs until there are none, then ends: an idle pool holds no
/// threads, and a busy one never more than `maxThreads`, however many jobs arrive.
final class WorkerPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var threads = 0
        /// Accepted and not finished (queued or running).
        var accepted = 0
    }

    let maxThreads: Int
    /// Jobs that may wait for a thread; beyond them `submit` refuses. nil = no limit.
    let maxWaiting: Int?
    /// Added to the nice value of the pool's threads (0: as the process).
    let niceness: Int32
    private let state = Mutex(State())

    init(maxThreads: Int, maxWaiting: Int?, niceness: Int32 = 0) {
        self.maxThreads = max(1, maxThreads)
        self.maxWaiting = maxWaiting.map { max(0, $0) }
        self.niceness = max(0, min(19, niceness))
    }

    /// Jobs accepted and not yet finished.
    var inProgress: Int { state.withLock { $0.accepted } }

    /// Queues `job`; false when the pool is full (the caller answers for it).
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, spawn) = state.withLock { s -> (Bool, Bool) in
            if let maxWaiting, s.accepted >= maxThreads + maxWaiting { return (false, false) }
            s.accepted += 1
            s.jobs.append(job)
            guard s.threads < maxThreads else { return (true, false) }
            s.threads += 1
            return (true, true)
        }
        guard accepted else { return false }
        if spawn,
            !DetachedThread.run({
                if self.niceness > 0 { DetachedThread.lowerPriority(by: self.niceness) }
                self.drain()
            })
        {
            // No thread to be had: run the queue here rather than lose the job.
            drain()
        }
        return true
    }

    private func next() -> (@Sendable () -> Void)? {
        state.withLock { s in
            guard s.head < s.jobs.count else {
                s.threads -= 1
                s.jobs.removeAll(keepingCapacity: true)
                s.head = 0
                return nil
            }
            let job = s.jobs[s.head]
            s.jobs[s.head] = {}  // the queue must not keep a finished job's captures alive
            s.head += 1
            return job
        }
    }

    private func drain() {
        while let job = next() {
            job()
            state.withLock { $0.accepted -= 1 }
        }
    }
}
