import HTTPServer
import JSON
import WorkloadEmulator

/// Request statistics from real invocations.
enum StatsRoutes {
    static func register(_ t: inout RouteTable, root: String, legacy: Bool) {
        t.add("GET", root + "/{id}/stats", legacy: legacy, stats)
        t.add("DELETE", root + "/{id}/stats", legacy: legacy, reset)
        t.add("GET", root + "/{id}/stats/{metric}", legacy: legacy, metric)
    }

    /// `WorkloadStatsMetricName`.
    static let metrics = [
        "totalRequests", "requestsOverN", "requestsPerMinute", "concurrentRequests", "responseTime", "totalErrorRate",
    ]

    static let resolutions: [(name: String, ms: Int64)] = [
        ("PT1M", 60_000), ("PT5M", 300_000), ("PT1H", 3_600_000), ("P1D", 86_400_000), ("P7D", 604_800_000),
        ("P1M", 0),
    ]

    /// The query of the stats routes, with 422 issues at `["query", name]`.
    struct Query {
        var protonId: String?
        var start: Int64?
        var end: Int64?
        var quantile = 0.5
        var slowThreshold = 2000.0
        var resolution = "P1D"
        var issues: [ValidationIssue] = []

        init(_ http: HTTPRequest) {
            func fail(_ name: String, _ msg: String, _ type: String) {
                issues.append(ValidationIssue(loc: ["query", .string(name)], msg: msg, type: type))
            }
            for (name, value) in http.queryItems {
                switch name {
                case "protonId": protonId = value.isEmpty ? nil : value
                case "startTime", "start":
                    if let t = Timestamp.parse(value) {
                        start = t
                    } else {
                        fail(name, "Input should be a valid datetime", "datetime_parsing")
                    }
                case "endTime", "end":
                    if let t = Timestamp.parse(value) {
                        end = t
                    } else {
                        fail(name, "Input should be a valid datetime", "datetime_parsing")
                    }
                case "responseTimeQuantile":
                    if let q = Double(value), q >= 0, q <= 1 {
                        quantile = q
                    } else {
                        fail(name, "Input should be a number between 0 and 1", "value_error")
                    }
                case "slowRequestsThreshold":
                    if let s = Double(value), s >= 0 {
                        slowThreshold = s
                    } else {
                        fail(name, "Input should be a number greater than or equal to 0", "value_error")
                    }
                case "resolution":
                    if resolutions.contains(where: { $0.name == value }) {
                        resolution = value
                    } else {
                        fail(name, "Input should be \(Schema.listing(resolutions.map(\.name)))", "enum")
                    }
                default: continue
                }
            }
            if let start, let end, start > end {
                issues.append(
                    ValidationIssue(
                        loc: ["query", "startTime"], msg: "Value error, startTime must not be after endTime",
                        type: "value_error"))
            }
        }
    }

    static func computed(_ w: Workload, _ world: World, _ q: Query) -> RequestStats {
        let records = world.invocationRecords(w, protonId: q.protonId, from: q.start, to: q.end)
        let from = q.start ?? w.invocations.since ?? w.createdAt
        let to = q.end ?? world.now
        return RequestStats(
            records, quantile: q.quantile, slowThresholdMs: q.slowThreshold, windowMs: to - from,
            inFlight: w.invocations.inFlight)
    }

    @Sendable static func stats(_ r: APIRequest) -> HTTPResponse {
        let q = Query(r.http)
        guard q.issues.isEmpty else { return Responses.validation(q.issues) }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) in
                let w = try world.workload(r.parameter("id"), for: r.user)
                var o = JSONObject()
                o.append("period", period(q.start ?? w.invocations.since ?? w.createdAt, q.end ?? world.now))
                o.append("metrics", Documents.metrics(computed(w, world, q)))
                return JSONValue.object(o)
            }
            return Responses.json(200, doc)
        }
    }

    /// `Period`.
    static func period(_ start: Int64, _ end: Int64) -> JSONValue {
        ["start": .string(Timestamp.format(start)), "end": .string(Timestamp.format(end))]
    }

    /// A value that is not a date-time is 422 (the query's validation); a window that
    /// ends before it starts is 400, as the reference says.
    @Sendable static func reset(_ r: APIRequest) -> HTTPResponse {
        let q = Query(r.http)
        let malformed = q.issues.filter { $0.type != "value_error" }
        if !malformed.isEmpty { return Responses.validation(malformed) }
        if let issue = q.issues.first {
            return Responses.detail(400, "Invalid statistics range: \(issue.loc.last?.stringValue ?? "") \(issue.msg).")
        }
        return Responses.run { () throws(DomainError) in
            try r.sandbox.execute { (world) throws(DomainError) in
                try world.resetStats(r.parameter("id"), protonId: q.protonId, from: q.start, to: q.end, by: r.user)
            }
            return Responses.noContent
        }
    }

    /// Bucket starts from `start` to `end`: fixed steps, weeks from Monday, calendar months.
    static func buckets(from start: Int64, to end: Int64, resolution: String) -> [Int64] {
        var out: [Int64] = []
        if resolution == "P1M" {
            let (y0, m0, _) = Timestamp.civil(fromDays: floorDiv(start, 86_400_000))
            var y = y0
            var m = m0
            while true {
                let t = Timestamp.daysFromCivil(y, m, 1) * 86_400_000
                if t > end || out.count > 1000 { break }
                out.append(t)
                m += 1
                if m > 12 {
                    m = 1
                    y += 1
                }
            }
            return out
        }
        let step = resolutions.first { $0.name == resolution }!.ms
        // Weeks start on Monday: the epoch was a Thursday.
        let shift: Int64 = resolution == "P7D" ? 3 * 86_400_000 : 0
        var t = floorDiv(start + shift, step) * step - shift
        while t <= end && out.count <= 1000 {
            out.append(t)
            t += step
        }
        return out
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    @Sendable static func metric(_ r: APIRequest) -> HTTPResponse {
        let name = r.parameter("metric")
        guard metrics.contains(name) else {
            return Responses.detail(
                404, "Unknown metric '\(name)': use one of \(metrics.joined(separator: ", ")).")
        }
        let q = Query(r.http)
        guard q.issues.isEmpty else { return Responses.validation(q.issues) }
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (world) throws(DomainError) -> JSONValue in
                let w = try world.workload(r.parameter("id"), for: r.user)
                let end = q.end ?? world.now
                let unit = resolutions.first { $0.name == q.resolution }!.ms
                let start = q.start ?? (unit == 0 ? end - 365 * 86_400_000 : end - 23 * unit)
                let starts = buckets(from: start, to: end, resolution: q.resolution)
                if starts.count > 1000 {
                    throw .unprocessable("Too many buckets (over 1000): narrow the window or use a coarser resolution.")
                }
                let records = world.invocationRecords(w, protonId: q.protonId, from: starts.first ?? start, to: end)
                    .sorted { $0.at < $1.at }
                var data: [JSONValue] = []
                var i = 0
                for (n, bucketStart) in starts.enumerated() {
                    let bucketEnd = n + 1 < starts.count ? starts[n + 1] : Int64.max
                    var inBucket: [InvocationRecord] = []
                    while i < records.count, records[i].at < bucketEnd {
                        if records[i].at >= bucketStart { inBucket.append(records[i]) }
                        i += 1
                    }
                    let width = n + 1 < starts.count ? bucketEnd - bucketStart : max(60_000, end - bucketStart)
                    let s = RequestStats(
                        inBucket, quantile: q.quantile, slowThresholdMs: q.slowThreshold, windowMs: width, inFlight: 0)
                    let value: JSONValue
                    switch name {
                    case "totalRequests": value = .int(Int64(s.totalRequests))
                    case "requestsOverN": value = .int(Int64(s.slowRequests))
                    case "requestsPerMinute": value = .double(s.requestsPerMinute)
                    case "concurrentRequests": value = .int(Int64(inBucket.map(\.concurrency).max() ?? 0))
                    case "responseTime": value = s.responseTime.map { .double($0) } ?? .null
                    default: value = .double(s.totalErrorRate)
                    }
                    let stop = n + 1 < starts.count ? bucketEnd : end
                    data.append(
                        [
                            "start": .string(Timestamp.format(bucketStart)), "end": .string(Timestamp.format(stop)),
                            "value": value,
                        ])
                }
                return [
                    "metric": .string(name),
                    "summary": [
                        "protonId": .string(q.protonId ?? w.protonId ?? ""),
                        "period": period(starts.first ?? start, end),
                    ],
                    "buckets": .array(data),
                ]
            }
            return Responses.json(200, doc)
        }
    }

    /// GET /workloads/stats: `WorkloadStatsResponse` over the caller's workloads (with
    /// the list's filters) and their invocations. A trend compares the last 24 hours
    /// with the 24 before them (`(now - before) / before`, 0 when there was nothing before).
    @Sendable static func aggregate(_ r: APIRequest) -> HTTPResponse {
        var lr = ListRequest(r.http, defaultLimit: 10, legacy: r.legacy)
        lr.requireWorkloadStatuses()
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        var q = lr.query
        q.offset = 0
        q.limit = Int.max / 2
        let doc: JSONValue = r.sandbox.read { world in
            let page = world.listWorkloads(q, for: r.user)
            let day: Int64 = 86_400_000
            let now = world.now
            var recent: [InvocationRecord] = []
            var before: [InvocationRecord] = []
            var concurrent = 0
            for w in page.items {
                let from = w.invocations.since ?? w.createdAt
                for rec in w.invocations.records where rec.at >= from {
                    if rec.at > now - day {
                        recent.append(rec)
                    } else if rec.at > now - 2 * day {
                        before.append(rec)
                    }
                }
                concurrent += w.invocations.inFlight
            }
            func trend(_ now: Double, _ then: Double) -> JSONValue { .double(then == 0 ? 0 : (now - then) / then) }
            func failed(_ rs: [InvocationRecord]) -> Int { rs.filter { $0.status >= 400 }.count }
            func rate(_ rs: [InvocationRecord]) -> Double { rs.isEmpty ? 0 : Double(failed(rs)) / Double(rs.count) }
            func millis(_ rs: [InvocationRecord]) -> Double { RequestStats.quantile(rs.map(\.latencyMs), 0.5) ?? 0 }
            func peak(_ rs: [InvocationRecord]) -> Double { Double(rs.map(\.concurrency).max() ?? 0) }
            let active = page.items.filter { $0.status == .running }.count
            return [
                "workloads": ["total": .int(Int64(page.totalCount)), "active": .int(Int64(active))],
                "requests": [
                    "total": .int(Int64(recent.count)), "succeeded": .int(Int64(recent.count - failed(recent))),
                    "failed": .int(Int64(failed(recent))),
                    "trend": trend(Double(recent.count), Double(before.count)),
                ],
                "errorRate": ["rate": .double(rate(recent)), "trend": trend(rate(recent), rate(before))],
                "responseTime": [
                    "millis": .int(Documents.whole(millis(recent))), "trend": trend(millis(recent), millis(before)),
                ],
                "concurrentRequests": [
                    "count": .int(Int64(concurrent)), "trend": trend(peak(recent), peak(before)),
                ],
            ]
        }
        return Responses.json(200, doc)
    }
}
