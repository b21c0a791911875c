import JSON
import Testing

@testable import WorkloadEmulator

/// `World.snapshot()` / `World.restore` (the state document) and the request journal, as values.
@Suite struct SnapshotTests {
    func busyWorld() throws -> World {
        var w = World.make()
        let a = try w.createWorkload(draftInput("a"), by: alice)
        let b = try w.createWorkload(draftInput("b"), by: bob)
        _ = w.addFault(FaultRule(match: .init(workloadId: b.id), action: .launchFailure, message: "boom"))
        _ = w.advanceClock(to: w.now + 1200)
        _ = try w.stopWorkload(a.id, by: alice)
        _ = w.advanceClock(to: w.now + 5000)
        _ = try w.createWorkload(draftInput("c"), by: alice)
        return w
    }

    @Test func restoreThenSnapshotIsTheSameDocument() throws {
        let w = try busyWorld()
        let doc = w.snapshot()
        let back = try World.restore(doc, name: "test", settings: w.settings)
        #expect(back.snapshot() == doc)
        #expect(back.invariantViolations().isEmpty)
        // Into another sandbox name: the same document but for the name.
        let other = try World.restore(doc, name: "elsewhere", settings: w.settings)
        var expected = doc.objectValue!
        expected["sandbox"] = "elsewhere"
        #expect(other.snapshot() == .object(expected))
    }

    @Test func theFutureIsIdentical() throws {
        var w = try busyWorld()
        var copy = try World.restore(w.snapshot(), name: "test", settings: w.settings)
        let fired = w.advanceClock(to: w.now + 9 * 3_600_000)
        let firedCopy = copy.advanceClock(to: copy.now + 9 * 3_600_000)
        #expect(fired == firedCopy)
        #expect(try w.createWorkload(draftInput("d"), by: alice).id == copy.createWorkload(draftInput("d"), by: alice).id)
        #expect(w.snapshot() == copy.snapshot())
    }

    @Test func refusalsNameThePath() throws {
        let doc = try busyWorld().snapshot().objectValue!
        func refusal(_ edit: (inout JSONObject) -> Void) -> String {
            var d = doc
            edit(&d)
            do {
                _ = try World.restore(.object(d), name: "t", settings: .make())
                return "accepted"
            } catch { return error.description }
        }
        #expect(refusal { $0["version"] = 2 }.hasPrefix("$.version: version 2 is newer"))
        #expect(refusal { $0["format"] = "x" } == "$.format: expected 'workload-emulator/state', found 'x'")
        #expect(refusal { $0["clock"] = nil } == "$.clock: required field is missing")
        #expect(refusal { $0["generators"] = ["ids": "zz"] } == "$.generators.ids: expected 16 hex digits")
        #expect(
            refusal { d in
                var ws = d["workloads"]!.arrayValue!
                var w0 = ws[0].objectValue!
                w0["importance"] = "urgent"
                ws[0] = .object(w0)
                d["workloads"] = .array(ws)
            } == "$.workloads[0].importance: 'urgent' is not one of critical, high, moderate, low")
        #expect(refusal { $0["protons"] = [] }.contains("$.workloads[0].protonIds: no proton"))
    }

    @Test func journalRingKeepsTheNewestAndNumbersOnAfterAClear() {
        let j = RequestJournal(capacity: 3)
        func entry(_ i: Int) -> JournalEntry {
            JournalEntry(
                at: 0, method: "GET", path: "/\(i)", query: "", headers: [], body: [], status: 200, injectedRule: nil,
                injectedAction: nil, durationMicros: 1)
        }
        for i in 1...5 { j.record(entry(i)) }
        #expect(j.entries().map(\.path) == ["/3", "/4", "/5"])
        #expect(j.entries().map(\.number) == [3, 4, 5])
        j.clear()
        #expect(j.entries().isEmpty)
        j.record(entry(6))
        #expect(j.entries().map(\.number) == [6])
        let none = RequestJournal(capacity: 0)
        none.record(entry(1))
        #expect(none.entries().isEmpty)
        let big = JournalEntry(
            at: 0, method: "POST", path: "/", query: "", headers: [],
            body: [UInt8](repeating: 65, count: RequestJournal.bodyCap * 2), status: 200, injectedRule: nil,
            injectedAction: nil, durationMicros: 1)
        #expect(big.body.count == RequestJournal.bodyCap)
        #expect(big.bodySize == RequestJournal.bodyCap * 2)
    }
}
