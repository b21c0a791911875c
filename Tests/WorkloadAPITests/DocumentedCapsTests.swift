import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

/// The caps the README states under "Differences from the real service", at their
/// default sizes: the fired list of a clock advance, the emulator log and the journal.
@Suite struct DocumentedCapsTests {
    @Test func clockAdvanceListsAtMostOneThousandFiredActionsAndCountsThemAll() {
        let t = TestApp()
        // 400 workloads, three transitions each (submitted → … → running): 1,200 fire.
        for i in 0..<400 { _ = t.createWorkload("w\(i)") }
        let r = t.advance(10)
        #expect(r.status == 200)
        #expect(r.json["firedCount"] == 1200)
        #expect(r.json["fired"]?.arrayValue?.count == 1000)
        #expect(t.count() == 400)
        #expect(t.send("GET", "/api/v2/workloads?status=running").json["totalCount"] == 400)
    }

    @Test func theEmulatorLogKeepsAtMostTenThousandEntries() {
        let t = TestApp()
        // One `faultInjected` entry per answered request.
        let rule = t.send(
            "POST", "/__emulator/faults", ["match": ["path": "/api/v2/version"], "action": "respond", "status": 418],
            token: nil)
        #expect(rule.status == 201)
        for _ in 0..<10_050 {
            if t.send("GET", "/api/v2/version").status != 418 { break }
        }
        let log = t.send("GET", "/__emulator/events?limit=1", token: nil).json
        let total = log["totalCount"]?.intValue ?? -1
        #expect(total > 0 && total <= 10_000, "\(total) entries")
        // The newest entry is kept: the last request's.
        let last = t.send("GET", "/__emulator/events?limit=1&offset=\(max(0, total - 1))", token: nil).json
        #expect(last["data"]?[0]?["kind"] == "faultInjected")
    }

    @Test func theJournalKeepsOneThousandEntriesPerSandbox() {
        let t = TestApp()
        for i in 0..<1_005 { _ = t.send("GET", "/api/v2/version?i=\(i)") }
        let journal = t.send("GET", "/__emulator/requests?limit=1", token: nil).json
        #expect(journal["totalCount"] == 1000)
        #expect(journal["data"]?[0]?["query"] == "i=5", "the oldest five went")
        let other = t.send("GET", "/__emulator/requests", token: nil, headers: [("X-Emulator-Sandbox", "other")])
        #expect(other.json["totalCount"] == 0)
    }
}
