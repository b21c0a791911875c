import Testing

@testable import WorkloadEmulator

/// `World.invariantViolations` catches real inconsistencies, and holds across long
/// random sequences of the commands that race in the concurrency test.
@Suite struct InvariantTests {
    @Test func theCheckerIsNotVacuous() throws {
        var w = World.make()
        let id = try w.createWorkload(draftInput(), by: alice).id
        _ = w.advanceClock(to: w.now + 3000)
        #expect(w.invariantViolations().isEmpty)
        let pid = w.workloads[id]!.protonId!
        w.protons[pid]!.status = .stopped
        #expect(
            w.invariantViolations() == ["workload \(id): active proton \(pid) is stopped but the workload is running"])
        w.protons[pid]!.status = .running
        w.workloads.update(id) { $0.status = .stopped }
        #expect(w.invariantViolations().count == 2)
    }

    @Test(arguments: [1, 2, 3, 4]) func randomCommandSequencesKeepTheInvariants(seed: UInt64) throws {
        var w = World.make(.make(seed: seed))
        var random = SplitMix64(seed: seed)
        let id = try w.createWorkload(draftInput(), by: alice).id
        _ = w.addFault(FaultRule(action: .replacementFailure, probability: 0.2))
        _ = w.addFault(FaultRule(action: .launchFailure, probability: 0.1))
        var artifacts: [String] = []
        // Commands the domain accepted, by kind: a domain that refused everything (or a
        // workload gone after a few steps) would keep the invariants trivially.
        var accepted: [String: Int] = [:]
        var steps = 0
        for step in 0..<1200 {
            let roll = random.next() % 100
            var kind = "advance"
            do throws(DomainError) {
                switch roll {
                case 0..<15:
                    kind = "start"
                    _ = try w.startWorkload(id, by: alice)
                case 15..<25:
                    kind = "stop"
                    _ = try w.stopWorkload(id, by: alice)
                case 25..<45:
                    kind = "settings"
                    let n = Int(random.next() % 3) + 1
                    _ = try w.updateSettings(
                        id, runtime: ["containerGroups": [["replicaCount": .int(Int64(n))]]], by: alice)
                case 45..<60:
                    kind = "replace"
                    _ = try w.randomReplacement(id, step: step, artifacts: &artifacts, upTo: 50, &random)
                case 60..<68:
                    kind = "cancel"
                    _ = try w.cancelReplacement(id, by: alice)
                default:
                    _ = w.advanceClock(to: w.now + Int64(random.next() % 90_000))
                }
                accepted[kind, default: 0] += 1
            } catch {
                // Refusals are part of the game; they must leave the world consistent.
            }
            steps = step + 1
            let v = w.invariantViolations()
            #expect(v.isEmpty, "step \(step) roll \(roll): \(v)")
            if !v.isEmpty { return }
            if w.workloads[id] == nil { break }
        }
        #expect(steps == 1200, "the workload went away after \(steps) steps")
        for kind in ["start", "stop", "settings", "replace", "cancel", "advance"] {
            #expect(
                accepted[kind, default: 0] >= 5, "\(kind) accepted \(accepted[kind, default: 0]) times: \(accepted)")
        }
    }
}
