import Synchronization

/// At most `maxThreads` threads for work that must not run on an event loop (blocking
/// upstream I/O, large clock advances). A thread is started when a job arrives and none
/// is free, takes queued jobs until there are none, then ends: an idle pool holds no
/// threads, and a busy one never more than `maxThreads`, however many jobs arrive.
final class WorkerPool: Sendable {
    /// A job's work; what it returns runs once the job's place in the pool is free.
    typealias Job = @Sendable () -> (@Sendable () -> Void)

    private struct State {
        var jobs: [Job] = []
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
        enqueue {
            job()
            return {}
        }
    }

    /// Runs `work` on a pool thread, then hands its result to `then` once the job no
    /// longer counts against the pool: a client answered by `then` that sends its next
    /// request at once finds the place free. False when the pool is full.
    func submit<T: Sendable>(_ work: @escaping @Sendable () -> T, then: @escaping @Sendable (T) -> Void) -> Bool {
        enqueue {
            let result = work()
            return { then(result) }
        }
    }

    private func enqueue(_ job: @escaping Job) -> Bool {
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

    private func next() -> Job? {
        state.withLock { s in
            guard s.head < s.jobs.count else {
                s.threads -= 1
                s.jobs.removeAll(keepingCapacity: true)
                s.head = 0
                return nil
            }
            let job = s.jobs[s.head]
            s.jobs[s.head] = { {} }  // the queue must not keep a finished job's captures alive
            s.head += 1
            return job
        }
    }

    private func drain() {
        while let job = next() {
            let after = job()
            state.withLock { $0.accepted -= 1 }
            after()
        }
    }
}
