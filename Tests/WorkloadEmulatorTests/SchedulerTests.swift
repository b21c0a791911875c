import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct SchedulerTests {
    func action(_ n: UInt64) -> ScheduledAction { ScheduledAction(kind: .transition, workloadId: "w", token: n) }

    @Test func firesInTimeOrderThenSchedulingOrder() {
        var s = LifecycleScheduler()
        s.schedule(action(1), at: 30)
        s.schedule(action(2), at: 10)
        s.schedule(action(3), at: 20)
        s.schedule(action(4), at: 10)
        #expect(s.nextDue == 10)
        var out: [UInt64] = []
        while let e = s.popDue(atOrBefore: 25) { out.append(e.action.token) }
        #expect(out == [2, 4, 3])
        #expect(s.count == 1)
        #expect(s.popDue(atOrBefore: 29) == nil)
        #expect(s.popDue(atOrBefore: 30)?.action.token == 1)
        #expect(s.isEmpty)
    }

    @Test func heapOrderHoldsForManyRandomEntries() {
        var s = LifecycleScheduler()
        var r = SplitMix64(seed: 7)
        for i in 0..<5000 { s.schedule(action(UInt64(i)), at: Int64(r.next() % 1000)) }
        var last: (Int64, UInt64) = (-1, 0)
        var n = 0
        while let e = s.popDue(atOrBefore: .max) {
            #expect(e.at > last.0 || (e.at == last.0 && e.sequence > last.1))
            last = (e.at, e.sequence)
            n += 1
        }
        #expect(n == 5000)
    }
}
