import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

/// List rules the README states under "Differences from the real service" that no other
/// test pins: `sort` as a synonym of `orderBy`, and the events list's own limits.
@Suite struct DocumentedListRulesTests {
    @Test func sortIsASynonymOfOrderBy() {
        let t = TestApp()
        for name in ["gamma", "alpha", "Beta"] { _ = t.createWorkload(name) }
        func names(_ q: String) -> [String] {
            t.send("GET", "/api/v2/workloads?\(q)").json["data"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" }
                ?? []
        }
        #expect(names("") == ["gamma", "alpha", "Beta"], "creation order")
        #expect(names("sort=name") == ["Beta", "alpha", "gamma"])
        #expect(names("sort=-name") == ["gamma", "alpha", "Beta"])
        #expect(names("sort=name") == names("orderBy=name"))
        #expect(t.send("GET", "/api/v2/workloads?sort=colour").status == 422)
    }

    @Test func eventsDefaultToOneHundredAndTakeUpToOneThousand() {
        let t = TestApp()
        let id = t.createWorkload()
        _ = t.advance(3)
        // Stop and start until the workload has more than 100 events.
        var total: Int64 = 0
        for _ in 0..<60 where total <= 100 {
            #expect(t.send("POST", "/api/v2/workloads/\(id)/stop").status == 202)
            _ = t.advance(60)
            #expect(t.send("POST", "/api/v2/workloads/\(id)/start").status == 202)
            _ = t.advance(60)
            total = t.send("GET", "/api/v2/workloads/\(id)/events?limit=1").json["totalCount"]?.intValue ?? 0
        }
        #expect(total > 100)
        let first = t.send("GET", "/api/v2/workloads/\(id)/events").json
        #expect(first["count"]?.intValue == 100)
        #expect(first["totalCount"]?.intValue == total)
        let all = t.send("GET", "/api/v2/workloads/\(id)/events?limit=1000").json
        #expect(all["count"]?.intValue == total)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/events?limit=1001").status == 422)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/events?limit=0").status == 422)
        // Other lists stop at 100.
        #expect(t.send("GET", "/api/v2/workloads?limit=101").status == 422)
        #expect(t.send("GET", "/api/v2/workloads?limit=100").status == 200)
    }
}
