import JSON
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
        #expect(s.json.objectValue?.keys == ["period", "metrics"])
        #expect(s.json["period"]?["start"] == "2026-01-01T00:00:00.000Z")
        let m = s.json["metrics"]
        #expect(
            m?.objectValue?.keys == [
                "totalRequests", "requestsPerMinute", "concurrentRequests", "responseTime", "slowRequests",
                "serverErrors", "userErrors", "serverErrorRate", "userErrorRate", "totalErrorRate",
            ])
        #expect(m?["totalRequests"] == 3)
        // Three requests over the seconds since creation: a minute at least.
        #expect(m?["requestsPerMinute"] == 3)
        #expect(m?["concurrentRequests"] == 0)
        #expect(m?["slowRequests"] == 0)
        #expect(m?["serverErrors"] == 0)
        #expect(m?["userErrors"] == 0)
        #expect(m?["totalErrorRate"] == 0.0)
        #expect(m?["responseTime"]?.intValue != nil)
        let pid = t.workload(id)["protonId"]!.stringValue!
        func total(_ query: String) -> JSONValue? {
            t.send("GET", "/api/v2/workloads/\(id)/stats?\(query)").json["metrics"]?["totalRequests"]
        }
        #expect(total("protonId=\(pid)") == 3)
        #expect(total("protonId=other") == 0)
        #expect(total("startTime=2026-01-01T00:00:04Z") == 0)
        // The workload document's own numbers, on request.
        let listed = t.send("GET", "/api/v2/workloads?serviceStats=true").json["data"]?[0]
        #expect(listed?["requestStats"]?["totalRequests"] == 3)
        #expect(listed?["requestStats"]?["errorRate"] == 0.0)
        #expect(listed?["requestStats"]?["requestRates"]?.arrayValue?.count == 24)
        #expect(listed?["requestStats"]?["requestRates"]?.arrayValue?.last == 3)
        #expect(listed?["lastResponse"] != .null)
        #expect(listed?["requestStats"]?["lastRequestAt"] == listed?["lastResponse"])
        #expect(t.send("GET", "/api/v2/workloads").json["data"]?[0]?["requestStats"] == .null)
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
        func series(_ metric: String, _ resolution: String? = nil) -> JSONValue {
            t.send("GET", "/api/v2/workloads/\(id)/stats/\(metric)" + (resolution.map { "?resolution=\($0)" } ?? ""))
                .json
        }
        let minute = series("totalRequests", "PT1M")
        #expect(minute.objectValue?.keys == ["metric", "summary", "buckets"])
        #expect(minute["metric"] == "totalRequests")
        #expect(minute["summary"]?["protonId"] == t.workload(id)["protonId"])
        let buckets = minute["buckets"]!.arrayValue!
        #expect(buckets.map { $0["value"]!.intValue! }.count == 24)
        #expect(buckets.map { $0["value"]!.intValue! }.suffix(3) == [2, 0, 1])
        #expect(buckets.last?["start"] == "2026-01-01T00:02:00.000Z")
        #expect(buckets.dropLast().last?["end"] == "2026-01-01T00:02:00.000Z")
        #expect(minute["summary"]?["period"]?["start"] == buckets.first?["start"])
        #expect(minute["summary"]?["period"]?["end"] == buckets.last?["end"])
        for (res, count) in [("PT5M", 24), ("PT1H", 24), ("P1D", 24), ("P7D", 24)] {
            let r = series("totalRequests", res)
            #expect(r["buckets"]?.arrayValue?.count == count, "\(res)")
            #expect(r["buckets"]?.arrayValue?.last?["value"] == 3, "\(res)")
        }
        // 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29.
        #expect(series("totalRequests", "P7D")["buckets"]!.arrayValue!.last?["start"] == "2025-12-29T00:00:00.000Z")
        let month = series("totalRequests", "P1M")["buckets"]!.arrayValue!
        #expect(month.last?["start"] == "2026-01-01T00:00:00.000Z")
        #expect(month.count == 13)
        // P1D by default.
        #expect(series("totalRequests")["buckets"]!.arrayValue!.last?["start"] == "2026-01-01T00:00:00.000Z")
        func lastThree(_ metric: String) -> [JSONValue] {
            Array(series(metric, "PT1M")["buckets"]!.arrayValue!.suffix(3).map { $0["value"]! })
        }
        #expect(lastThree("requestsOverN") == [0, 0, 0])
        #expect(lastThree("requestsPerMinute") == [2.0, 0.0, 1.0])
        #expect(lastThree("concurrentRequests") == [1, 0, 1])
        #expect(lastThree("totalErrorRate") == [0.0, 0.0, 0.0])
        let times = lastThree("responseTime")
        #expect(times[1] == .null)
        #expect((times[0].numberValue ?? -1) >= 0 && (times[2].numberValue ?? -1) >= 0)
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
        #expect(agg["workloads"] == ["total": 2, "active": 2])
        #expect(agg["requests"] == ["total": 5, "succeeded": 5, "failed": 0, "trend": 0.0])
        #expect(agg["errorRate"] == ["rate": 0.0, "trend": 0.0])
        #expect(agg["concurrentRequests"] == ["count": 0, "trend": 0.0])
        #expect(agg["responseTime"]?["millis"]?.intValue != nil)
        func total(_ query: String = "", token: String = "alice") -> JSONValue? {
            t.send("GET", "/api/v2/workloads/stats" + query, token: token).json["requests"]?["total"]
        }
        #expect(total("?search=a") == 2)
        #expect(total(token: "bob") == 0)
        #expect(t.send("GET", "/api/v2/workloads/stats", token: "bob").json["workloads"] == ["total": 0, "active": 0])

        let bad = t.send(
            "DELETE", "/api/v2/workloads/\(a)/stats?startTime=2026-01-02T00:00:00Z&endTime=2026-01-01T00:00:00Z")
        #expect(bad.status == 400)
        #expect(bad.json["detail"]?.stringValue != nil)
        #expect(
            t.send("DELETE", "/api/v2/workloads/\(a)/stats?startTime=nope").issues == [
                "query.startTime:datetime_parsing"
            ])
        #expect(t.send("DELETE", "/api/v2/workloads/\(a)/stats?endTime=2025-01-01T00:00:00Z").status == 204)
        func count(_ w: String) -> JSONValue? {
            t.send("GET", "/api/v2/workloads/\(w)/stats").json["metrics"]?["totalRequests"]
        }
        #expect(count(a) == 2)
        #expect(t.send("DELETE", "/api/v2/workloads/\(a)/stats").status == 204)
        #expect(count(a) == 0)
        #expect(total() == 3)
        // Promote resets too.
        #expect(t.send("POST", "/api/v2/workloads/\(b)/promote").status == 202)
        #expect(count(b) == 0)
    }

    @Test func related() {
        let id = t.runningWorkload()
        let w = t.workload(id)
        let r = t.send("GET", "/api/v2/workloads/\(id)/related").json
        #expect(r["count"] == 3)
        #expect(
            r["data"] == [
                ["id": w["artifactId"]!, "type": "artifact"],
                ["id": w["artifact"]!["artifactRepositoryId"]!, "type": "artifact_repository"],
                ["id": w["protonId"]!, "type": "proton"],
            ])
    }
}
