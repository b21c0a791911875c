import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct WorldFaultTests {
    @Test func holdParksUntilTheRuleIsRemoved() throws {
        var w = World.make()
        let rule = w.addFault(FaultRule(action: .hold, state: .provisioning))
        let c = try w.createWorkload(draftInput(), by: alice)
        _ = w.advanceClock(to: w.clock.now() + 60_000)
        #expect(w.workloads[c.id]?.status == .provisioning)
        #expect(w.workloads[c.id]?.heldBy == rule.id)
        try w.removeFaults(id: rule.id)
        _ = w.advanceClock(to: w.clock.now() + 1)
        #expect(w.workloads[c.id]?.status == .launching)
        _ = w.advanceClock(to: w.clock.now() + 1000)
        #expect(w.workloads[c.id]?.status == .running)
    }

    @Test func launchFailureErrorsWithTheMessageAndIsStickyUntilStart() throws {
        var w = World.make()
        _ = w.addFault(FaultRule(action: .launchFailure, message: "ImagePullBackOff: nope", times: 1))
        let c = try w.createWorkload(draftInput(), by: alice)
        _ = w.advanceClock(to: w.clock.now() + 10_000)
        let e = try w.workload(c.id, for: alice)
        #expect(e.status == .errored)
        #expect(w.protons[e.protonId!]?.failureMessage == "ImagePullBackOff: nope")
        #expect(w.workloadEvents(c.id).contains { $0.kind == .launchFailed && $0.isWarning })
        _ = try w.startWorkload(c.id, by: alice)
        _ = w.advanceClock(to: w.clock.now() + 10_000)
        #expect(try w.workload(c.id, for: alice).status == .running)  // times: 1
    }

    @Test func protonStopFailureStillDeletes() throws {
        var w = World.make()
        let c = try w.createWorkload(draftInput(), by: alice)
        _ = w.addFault(FaultRule(match: .init(workloadId: c.id), action: .protonStopFailure))
        let other = try w.createWorkload(draftInput(), by: alice)
        #expect(try w.deleteWorkload(other.id, by: alice).isEmpty)
        #expect(try w.deleteWorkload(c.id, by: alice) == [c.protonId!])
        #expect(w.workloads[c.id] == nil)
    }

    @Test func probabilityIsSeeded() throws {
        func run(seed: UInt64) throws -> [Bool] {
            var w = World.make(.make(seed: seed))
            _ = w.addFault(FaultRule(action: .protonStopFailure, probability: 0.5))
            var out: [Bool] = []
            for i in 0..<32 {
                let c = try w.createWorkload(draftInput("w\(i)"), by: alice)
                out.append(try !w.deleteWorkload(c.id, by: alice).isEmpty)
            }
            return out
        }
        let a = try run(seed: 3)
        #expect(a == (try run(seed: 3)))
        #expect(a.contains(true) && a.contains(false))
    }
}
