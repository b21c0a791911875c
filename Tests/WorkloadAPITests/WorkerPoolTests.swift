import Dispatch
import Synchronization
import Testing

@testable import WorkloadAPI

@Suite struct WorkerPoolTests {
    /// `then` runs once the job no longer counts against the pool: a full pool of one
    /// admits the next job from inside it (a client answered there may ask again at once).
    @Test func thenRunsWithThePlaceAlreadyFree() {
        let pool = WorkerPool(maxThreads: 1, maxWaiting: 0)
        let admitted = Mutex<[Bool]>([])
        let finished = DispatchSemaphore(value: 0)
        let first = pool.submit(
            { 41 },
            then: { value in
                admitted.withLock { $0.append(value == 41) }
                admitted.withLock { $0.append(pool.submit({ finished.signal() })) }
            })
        #expect(first)
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(admitted.withLock { $0 } == [true, true])
    }

    /// While a job runs, a pool of one thread with no waiting room refuses the next.
    @Test func aFullPoolRefuses() {
        let pool = WorkerPool(maxThreads: 1, maxWaiting: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let accepted = pool.submit({ release.wait() }, then: { done.signal() })
        #expect(accepted)
        let refused = !pool.submit({})
        #expect(refused)
        release.signal()
        #expect(done.wait(timeout: .now() + 30) == .success)
    }
}
