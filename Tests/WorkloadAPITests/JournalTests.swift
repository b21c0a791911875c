import HTTPServer
import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

/// `/__emulator/requests`: the capped, per-sandbox request journal.
@Suite struct JournalTests {
    func journal(_ t: TestApp, _ query: String = "", sandbox: String? = nil) -> JSONValue {
        t.send(
            "GET", "/__emulator/requests" + query, token: nil,
            headers: sandbox.map { [("X-Emulator-Sandbox", $0)] } ?? []
        )
        .json
    }

    @Test func recordsApiRequestsOldestFirstWithoutControlCalls() {
        let t = TestApp()
        let id = t.createWorkload("w")
        _ = t.send("GET", "/api/v2/workloads/\(id)?x=1")
        _ = t.advance(1)
        _ = t.send("GET", "/api/v2/nothing-here")
        let rows = journal(t)["data"]?.arrayValue ?? []
        #expect(rows.map { $0["method"] } == ["POST", "GET", "GET"])
        #expect(
            rows.map { $0["path"] } == [
                "/api/v2/workloads", .string("/api/v2/workloads/\(id)"), "/api/v2/nothing-here",
            ])
        #expect(rows.map { $0["status"] } == [201, 200, 404])
        #expect(rows[1]["query"] == "x=1")
        #expect(rows[0]["body"]?["name"] == "w")
        #expect(rows[0]["headers"]?["Authorization"] == "Bearer alice")
        #expect(rows[0]["timestamp"] == "2026-01-01T00:00:00.000Z")
        #expect(rows[2]["timestamp"] == "2026-01-01T00:00:01.000Z")
    }

    @Test func filtersByMethodAndPath() {
        let t = TestApp()
        let id = t.createWorkload()
        _ = t.send("GET", "/api/v2/workloads/\(id)")
        _ = t.send("POST", "/api/v2/workloads/\(id)/stop")
        _ = t.send("GET", "/api/v2/version")
        #expect(journal(t, "?method=get")["totalCount"] == 2)
        #expect(journal(t, "?path=/api/v2/workloads*")["totalCount"] == 3)
        #expect(journal(t, "?method=GET&path=/api/v2/workloads/*")["totalCount"] == 1)
        #expect(journal(t, "?path=/api/v2/version")["data"]?[0]?["status"] == 200)
        let page = journal(t, "?limit=2&offset=1")
        #expect(page["count"] == 2)
        #expect(page["data"]?[0]?["method"] == "GET")
        #expect(t.send("GET", "/__emulator/requests?injected=maybe", token: nil).status == 422)
    }

    @Test func isCappedAndKeepsTheNewest() {
        let t = TestApp { $0.journalSize = 5 }
        for i in 0..<12 { _ = t.send("GET", "/api/v2/version?i=\(i)") }
        let rows = journal(t)["data"]?.arrayValue ?? []
        #expect(rows.map { $0["query"] } == ["i=7", "i=8", "i=9", "i=10", "i=11"])
        #expect(rows.map { $0["id"] } == [8, 9, 10, 11, 12])
    }

    @Test func bodiesAreCut() {
        let t = TestApp()
        // A failed request makes no sandbox (and so no journal): the default one first.
        _ = t.send("GET", "/api/v2/version")
        let big = String(repeating: "x", count: RequestJournal.bodyCap + 10)
        _ = t.send("POST", "/api/v2/workloads", raw: big)
        let row = journal(t)["data"]?[1]
        #expect(row?["bodySize"] == .int(Int64(RequestJournal.bodyCap + 10)))
        #expect(row?["bodyTruncated"] == true)
        #expect(row?["body"]?.stringValue?.utf8.count == RequestJournal.bodyCap)
    }

    @Test func clearResetAndSandboxes() {
        let t = TestApp()
        _ = t.send("GET", "/api/v2/version")
        _ = t.send("GET", "/api/v2/version", headers: [("X-Emulator-Sandbox", "other")])
        #expect(journal(t)["totalCount"] == 1)
        #expect(journal(t, sandbox: "other")["totalCount"] == 1)
        #expect(t.send("DELETE", "/__emulator/requests", token: nil).status == 204)
        #expect(journal(t)["totalCount"] == 0)
        #expect(journal(t, sandbox: "other")["totalCount"] == 1)
        _ = t.send("POST", "/__emulator/reset", token: nil, headers: [("X-Emulator-Sandbox", "other")])
        #expect(journal(t, sandbox: "other")["totalCount"] == 0)
        _ = t.send("GET", "/sandboxes/third/api/v2/version")
        #expect(journal(t, sandbox: "third")["data"]?[0]?["path"] == "/api/v2/version")
    }
}

@Suite struct MetricsTests {
    @Test func prometheusText() {
        let t = TestApp()
        let id = t.createWorkload()
        _ = t.send("GET", "/api/v2/workloads/\(id)")
        _ = t.send("GET", "/api/v2/workloads/nope")
        _ = t.send("POST", "/__emulator/faults", ["action": "respond", "status": 500, "times": 1], token: nil)
        _ = t.send("GET", "/api/v2/version")
        _ = t.advance(10)
        let r = t.send("GET", "/__emulator/metrics", token: nil)
        #expect(r.status == 200)
        #expect(r.headers["Content-Type"] == "text/plain; version=0.0.4")
        let text = r.text
        #expect(
            text.contains(
                #"workload_emulator_http_requests_total{method="GET",route="/api/v2/workloads/{id}",status="200"} 1"#))
        #expect(
            text.contains(
                #"workload_emulator_http_requests_total{method="GET",route="/api/v2/workloads/{id}",status="404"} 1"#))
        #expect(
            text.contains(
                #"workload_emulator_http_requests_total{method="GET",route="/api/v2/version",status="500"} 1"#))
        #expect(text.contains(#"workload_emulator_workloads{sandbox="default",status="running"} 1"#))
        #expect(text.contains(#"workload_emulator_transitions_total{sandbox="default"} 3"#))
        #expect(text.contains(#"workload_emulator_faults_injected_total{sandbox="default"} 1"#))
        #expect(text.contains("workload_emulator_http_request_duration_seconds_bucket{le=\"+Inf\"}"))
        #expect(text.contains("# TYPE workload_emulator_http_request_duration_seconds histogram"))
    }
}
