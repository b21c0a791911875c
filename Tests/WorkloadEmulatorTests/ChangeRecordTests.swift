import JSON
import Testing

@testable import WorkloadEmulator

/// The state log's records: a world rebuilt from the records of every change is the
/// world itself, over long random command sequences, and behaves the same from there.
@Suite struct ChangeRecordTests {
    /// The snapshot with the scheduler's entries in due order: a heap's layout depends
    /// on how it was built, what it fires does not.
    func comparable(_ w: World) -> JSONValue {
        var o = w.snapshot().objectValue!
        let entries = o["scheduled"]?.arrayValue ?? []
        o["scheduled"] = .array(
            entries.sorted { a, b in
                let (ta, tb) = (a["at"]?.stringValue ?? "", b["at"]?.stringValue ?? "")
                return ta != tb ? ta < tb : (a["sequence"]?.stringValue ?? "") < (b["sequence"]?.stringValue ?? "")
            })
        return .object(o)
    }

    /// Where two documents differ first (for the failure message).
    func difference(_ a: JSONValue, _ b: JSONValue, _ path: String = "$") -> String {
        if let x = a.objectValue, let y = b.objectValue {
            for (k, v) in x where y[k] != v { return difference(v, y[k] ?? .null, path + "." + k) }
            for (k, _) in y where x[k] == nil { return path + "." + k + " missing" }
        }
        if let x = a.arrayValue, let y = b.arrayValue {
            if x.count != y.count { return "\(path): \(x.count) vs \(y.count) elements" }
            for (i, (u, v)) in zip(x, y).enumerated() where u != v { return difference(u, v, path + "[\(i)]") }
        }
        return "\(path): \(JSONSerializer.string(a)) vs \(JSONSerializer.string(b))"
    }

    /// Applies `w`'s pending record to `replica` through its bytes, as recovery does.
    func replicate(_ w: inout World, into replica: inout World) throws {
        try replica.apply(changeRecord: w.takeChangeRecord())
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6]) func aWorldRebuiltFromItsRecordsIsTheWorld(seed: UInt64) throws {
        var w = World.make(.make(seed: seed))
        var replica = World.make(.make(seed: seed))
        try replicate(&w, into: &replica)
        var random = SplitMix64(seed: seed)
        _ = w.addFault(FaultRule(action: .replacementFailure, probability: 0.2))
        _ = w.addFault(FaultRule(action: .launchFailure, probability: 0.1))
        var workloads: [String] = []
        var artifacts: [String] = []
        let users = [alice, bob]
        for step in 0..<600 {
            let roll = random.next() % 100
            let id = workloads.isEmpty ? "" : workloads[Int(random.next() % UInt64(workloads.count))]
            do throws(DomainError) {
                switch roll {
                case 0..<12: workloads.append(try w.createWorkload(draftInput("w\(step)"), by: alice).id)
                case 12..<20: _ = try w.startWorkload(id, by: alice)
                case 20..<27: _ = try w.stopWorkload(id, by: alice)
                case 27..<32: _ = try w.deleteWorkload(id, by: alice)
                case 32..<40:
                    let n = Int(random.next() % 3) + 1
                    _ = try w.updateSettings(
                        id, runtime: ["containerGroups": [["replicaCount": .int(Int64(n))]]], by: alice)
                case 40..<50:
                    _ = try w.randomReplacement(id, step: step, artifacts: &artifacts, upTo: 20, &random)
                case 50..<54: _ = try w.cancelReplacement(id, by: alice)
                case 54..<58:
                    _ = try w.updateSharedRoles(
                        .workload, id, [World.RoleGrant(userId: bob.id, role: .user)], by: alice)
                case 58..<66:
                    if case let .ready(target) = try w.beginInvocation(workloadId: id, by: users[0]) {
                        w.finishInvocation(target, status: 200, latencyMs: Double(random.next() % 100))
                    }
                case 66..<68: try w.resetStats(id, protonId: nil, from: nil, to: nil, by: alice)
                case 68..<71: _ = try w.promoteWorkload(id, by: alice)
                case 71..<74:
                    if let a = artifacts.last { _ = try w.triggerBuild(a, by: alice) }
                case 74..<76: _ = w.authenticate(token: "user\(step)")
                default:
                    _ = w.advanceClock(to: w.now + Int64(random.next() % 90_000))
                }
            } catch {
                // Refusals are part of the game; they change nothing to replicate.
            }
            try replicate(&w, into: &replica)
            if step % 100 == 99 {
                var finished = replica
                try finished.finishReplay()
                #expect(
                    comparable(finished) == comparable(w),
                    "step \(step): \(difference(comparable(finished), comparable(w)))")
            }
        }
        try replica.finishReplay()
        #expect(comparable(replica) == comparable(w))
        // And the future is the same: what is due fires the same way in both.
        let fired = w.advanceClock(to: w.now + 9 * 3_600_000)
        let firedReplica = replica.advanceClock(to: replica.now + 9 * 3_600_000)
        #expect(fired == firedReplica)
        #expect(comparable(replica) == comparable(w))
    }

    /// Recovery reads a snapshot (repositories and artifacts numbered by position), then
    /// the records the process wrote after it, which carry the numbers that process had.
    @Test func recordsAfterASnapshotApplyToTheWorldReadFromIt() throws {
        var w = World.make()
        let first = try w.createWorkload(draftInput("first"), by: alice).id
        let second = try w.createWorkload(draftInput("second"), by: alice).id
        _ = try w.deleteWorkload(first, by: alice)
        w.discardChanges()
        var replica = try World.restore(w.snapshot(), name: w.name, settings: w.settings)
        #expect(
            replica.artifacts.seq(of: w.workloads[second]!.artifactId)
                != w.artifacts.seq(of: w.workloads[second]!.artifactId))
        var artifacts: [String] = []
        var random = SplitMix64(seed: 1)
        _ = try w.startWorkload(second, by: alice)
        _ = w.advanceClock(to: w.now + 60_000)
        _ = try w.randomReplacement(second, step: 0, artifacts: &artifacts, upTo: 1, &random)
        _ = try w.createWorkload(draftInput("third"), by: alice)
        try replicate(&w, into: &replica)
        try replica.finishReplay()
        #expect(replica.workloads.values.map(\.id) == w.workloads.values.map(\.id))
        #expect(replica.artifacts.values.map(\.workloadIds) == w.artifacts.values.map(\.workloadIds))
    }

    @Test func aChangeRecordHoldsTheChangeNotTheWorld() throws {
        var w = World.make()
        for i in 0..<200 { _ = try w.createWorkload(draftInput("w\(i)"), by: alice) }
        _ = w.takeChangeRecord()
        let id = try w.createWorkload(draftInput("one more"), by: alice).id
        let record = w.takeChangeRecord()
        let whole = w.snapshotBytes()
        #expect(record.count * 50 < whole.count, "\(record.count) bytes of \(whole.count)")
        let text = String(decoding: record, as: UTF8.self)
        #expect(text.contains(id))
        #expect(!text.contains("\"w0\""))
    }

    @Test func aResetOrImportedWorldIsRecordedWhole() throws {
        var w = World.make()
        let record = String(decoding: w.takeChangeRecord(), as: UTF8.self)
        #expect(record.hasPrefix("{\"whole\":"))
        _ = try w.createWorkload(draftInput(), by: alice)
        #expect(!String(decoding: w.takeChangeRecord(), as: UTF8.self).hasPrefix("{\"whole\":"))
    }
}
