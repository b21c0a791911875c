import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct StatsTests {
    let t = TestApp()

    func invoke(_ id: String, _ n: Int) {
        for _ in 0..<n { #expect(t.send("GET", "/api/v2/endpoints/workloads/\(id)/x").status == 200) }
    }

    @Test func statsDocumentAndValidation() {
        let id = t.runningWorkload()
        invoke(id, 3)
        let s = t.send("GET", "/api/v2/workloads/\(id)/stats")
        #expect(s.status == 200)
        #expect(
            s.json.objectValue?.keys == [
                "workloadId", "protonId", "startTime", "endTime", "responseTimeQuantile", "slowRequestsThreshold",
                "totalRequests", "requestsPerMinute", "concurrentRequests", "responseTime", "slowRequests",
                "serverErrorCount", "userErrorCount", "serverErrorRate", "userErrorRate", "totalErrorRate",
            ])
        #expect(s.json["totalRequests"] == 3)
        #expect(s.json["responseTimeQuantile"] == 0.5)
        #expect(s.json["slowRequestsThreshold"] == 2000.0)
        // Three requests over the three seconds since creation: a minute at least.
        #expect(s.json["requestsPerMinute"] == 3.0)
        let pid = t.workload(id)["protonId"]!.stringValue!
        #expect(t.send("GET", "/api/v2/workloads/\(id)/stats?protonId=\(pid)").json["totalRequests"] == 3)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/stats?protonId=other").json["totalRequests"] == 0)
        #expect(
            t.send("GET", "/api/v2/workloads/\(id)/stats?startTime=2026-01-01T00:00:04Z").json["totalRequests"] == 0)
        #expect(
            t.send("GET", "/api/v2/workloads/\(id)/stats?responseTimeQuantile=1.5").issues == [
                "query.responseTimeQuantile:value_error"
            ])
        #expect(
            t.send("GET", "/api/v2/workloads/\(id)/stats?slowRequestsThreshold=-1").issues == [
                "query.slowRequestsThreshold:value_error"
            ])
        #expect(
            t.send("GET", "/api/v2/workloads/\(id)/stats?startTime=yesterday").issues == [
                "query.startTime:datetime_parsing"
            ])
        #expect(
            t.send("GET", "/api/v2/workloads/\(id)/stats?startTime=2026-01-02T00:00:00Z&endTime=2026-01-01T00:00:00Z")
                .status == 422)
    }

    @Test func metricSeriesForEveryResolution() {
        let id = t.runningWorkload()
        invoke(id, 2)
        _ = t.advance(120)
        invoke(id, 1)
        let minute = t.send("GET", "/api/v2/workloads/\(id)/stats/totalRequests?resolution=PT1M").json
        #expect(minute["resolution"] == "PT1M")
        let values = minute["data"]!.arrayValue!.map { $0["value"]!.intValue! }
        #expect(values.count == 24)
        #expect(values.suffix(3) == [2, 0, 1])
        #expect(minute["data"]!.arrayValue!.last?["timestamp"] == "2026-01-01T00:02:00.000Z")
        for (res, count) in [("PT5M", 24), ("PT1H", 24), ("P1D", 24), ("P7D", 24)] {
            let r = t.send("GET", "/api/v2/workloads/\(id)/stats/totalRequests?resolution=\(res)").json
            #expect(r["data"]?.arrayValue?.count == count, "\(res)")
            #expect(r["data"]?.arrayValue?.last?["value"] == 3, "\(res)")
        }
        let week = t.send("GET", "/api/v2/workloads/\(id)/stats/totalRequests?resolution=P7D").json
        // 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29.
        #expect(week["data"]!.arrayValue!.last?["timestamp"] == "2025-12-29T00:00:00.000Z")
        let month = t.send("GET", "/api/v2/workloads/\(id)/stats/totalRequests?resolution=P1M").json
        #expect(month["data"]!.arrayValue!.last?["timestamp"] == "2026-01-01T00:00:00.000Z")
        #expect(month["data"]!.arrayValue!.count == 13)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/stats/totalRequests").json["resolution"] == "P1D")
        for metric in ["requestsOverN", "requestsPerMinute", "concurrentRequests", "responseTime", "totalErrorRate"] {
            #expect(t.send("GET", "/api/v2/workloads/\(id)/stats/\(metric)?resolution=PT1H").status == 200, "\(metric)")
        }
        let unknown = t.send("GET", "/api/v2/workloads/\(id)/stats/latency")
        #expect(unknown.status == 404)
        #expect(unknown.json["detail"]?.stringValue?.hasPrefix("Unknown metric 'latency'") == true)
        #expect(
            t.send("GET", "/api/v2/workloads/\(id)/stats/totalRequests?resolution=PT2M").issues == [
                "query.resolution:enum"
            ])
        #expect(
            t.send(
                "GET",
                "/api/v2/workloads/\(id)/stats/totalRequests?resolution=PT1M&startTime=2025-01-01T00:00:00Z"
            ).status == 422)
    }

    @Test func resetAndAggregate() {
        let a = t.runningWorkload("a")
        let b = t.runningWorkload("b")
        invoke(a, 2)
        invoke(b, 3)
        let agg = t.send("GET", "/api/v2/workloads/stats").json
        #expect(agg["totalRequests"] == 5)
        #expect(agg["totalCount"] == 2)
        #expect(agg["statusCounts"]?["running"] == 2)
        #expect(t.send("GET", "/api/v2/workloads/stats?search=a").json["totalRequests"] == 2)
        #expect(t.send("GET", "/api/v2/workloads/stats", token: "bob").json["totalRequests"] == 0)

        let bad = t.send(
            "DELETE", "/api/v2/workloads/\(a)/stats?startTime=2026-01-02T00:00:00Z&endTime=2026-01-01T00:00:00Z")
        #expect(bad.status == 400)
        #expect(bad.json["detail"]?.stringValue != nil)
        #expect(t.send("DELETE", "/api/v2/workloads/\(a)/stats?startTime=nope").status == 400)
        #expect(t.send("DELETE", "/api/v2/workloads/\(a)/stats?endTime=2025-01-01T00:00:00Z").status == 204)
        #expect(t.send("GET", "/api/v2/workloads/\(a)/stats").json["totalRequests"] == 2)
        #expect(t.send("DELETE", "/api/v2/workloads/\(a)/stats").status == 204)
        #expect(t.send("GET", "/api/v2/workloads/\(a)/stats").json["totalRequests"] == 0)
        #expect(t.send("GET", "/api/v2/workloads/stats").json["totalRequests"] == 3)
        // Promote resets too.
        #expect(t.send("POST", "/api/v2/workloads/\(b)/promote").status == 202)
        #expect(t.send("GET", "/api/v2/workloads/\(b)/stats").json["totalRequests"] == 0)
    }

    @Test func related() {
        let id = t.runningWorkload()
        let w = t.workload(id)
        let r = t.send("GET", "/api/v2/workloads/\(id)/related").json
        #expect(r["count"] == 2)
        #expect(
            r["data"] == [
                ["id": w["artifactId"]!, "type": "artifact"],
                ["id": w["artifact"]!["artifactRepositoryId"]!, "type": "artifactRepository"],
            ])
    }
}
