import HTTPServer
import JSON
import WorkloadEmulator

/// `/api/v2/otel/workload/{id}/…`: the emulated containers' logs, the traces of the
/// recorded invokes, and metrics derived from them. Readable by whoever may read the
/// workload (OWNER, USER).
enum OtelRoutes {
    static let root = "/api/v2/otel/workload/{id}"

    static func register(_ t: inout RouteTable) {
        t.add("GET", root + "/logs", logs)
        t.add("GET", root + "/traces", traces)
        t.add("GET", root + "/traces/{traceId}", trace)
        t.add("GET", root + "/metrics/autocollectedValues", metrics)
    }

    /// DataRobot's CLI pages with up to 1,000 lines.
    static let maxLogLimit = 1000

    @Sendable static func logs(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, maxLimit: maxLogLimit, legacy: false)
        var q = PlatformQuery(r.http)
        var query = WorkloadLog.Query()
        query.offset = lr.query.offset
        query.limit = lr.query.limit
        if let level = q.last("level") {
            if let l = WorkloadLogLine.Level(name: level) {
                query.level = l
            } else {
                q.fail("level", "Input should be 'debug', 'info', 'warn', 'warning', 'error' or 'critical'", "enum")
            }
        }
        query.from = q.timestamp("startTime")
        query.to = q.timestamp("endTime")
        query.includes = q.all("includes").filter { !$0.isEmpty }
        query.excludes = q.all("excludes").filter { !$0.isEmpty }
        let keys = q.all("searchKeys")
        let values = q.all("searchValues")
        if keys.count != values.count {
            q.fail(
                "searchValues",
                "searchKeys and searchValues must be given in pairs (\(keys.count) and \(values.count))", "value_error")
        } else {
            query.attributes = Array(zip(keys, values)).map { (key: $0.0, value: $0.1) }
        }
        query.spanId = q.last("spanId")
        query.traceId = q.last("traceId")
        let issues = lr.issues + q.issues
        guard issues.isEmpty else { return Responses.validation(issues) }
        let id = r.parameter("id")
        return Responses.run { () throws(DomainError) in
            let items = try r.sandbox.execute { (w) throws(DomainError) in
                let (lines, total) = try w.workloadLogs(id, query, for: r.user)
                let ids = w.traceIdentity
                return (lines.map { Documents.logLine($0, workloadId: id, ids: ids) }, total)
            }
            return Responses.json(200, lr.envelope(items.0, totalCount: items.1, request: r))
        }
    }

    @Sendable static func traces(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, maxLimit: maxLogLimit, legacy: false)
        var q = PlatformQuery(r.http)
        let from = q.timestamp("startTime")
        let to = q.timestamp("endTime")
        let issues = lr.issues + q.issues
        guard issues.isEmpty else { return Responses.validation(issues) }
        let (offset, limit) = (lr.query.offset, lr.query.limit)
        return Responses.run { () throws(DomainError) in
            let (items, total) = try r.sandbox.execute { (w) throws(DomainError) in
                let wl = try w.workload(r.parameter("id"), for: r.user)
                let all = wl.logs.accessLines.filter { l in
                    let t = l.access!.startedAt
                    return (from.map { t >= $0 } ?? true) && (to.map { t <= $0 } ?? true)
                }.reversed()
                let page = all.dropFirst(min(offset, all.count)).prefix(limit)
                return (page.map { Documents.traceSummary($0, wl, ids: w.traceIdentity) }, all.count)
            }
            return Responses.json(200, lr.envelope(Array(items), totalCount: total, request: r))
        }
    }

    @Sendable static func trace(_ r: APIRequest) -> HTTPResponse {
        let traceId = r.parameter("traceId")
        return Responses.run { () throws(DomainError) in
            let doc = try r.sandbox.execute { (w) throws(DomainError) in
                let wl = try w.workload(r.parameter("id"), for: r.user)
                guard let line = wl.logs.accessLines.last(where: { w.traceId(of: $0, workloadId: wl.id) == traceId })
                else { throw .notFound("Trace not found.") }
                return Documents.trace(line, wl, ids: w.traceIdentity)
            }
            return Responses.json(200, doc)
        }
    }

    @Sendable static func metrics(_ r: APIRequest) -> HTTPResponse {
        var q = PlatformQuery(r.http)
        let from = q.timestamp("startTime")
        let to = q.timestamp("endTime")
        guard q.issues.isEmpty else { return Responses.validation(q.issues) }
        return Responses.run { () throws(DomainError) in
            let body = try r.sandbox.execute { (w) throws(DomainError) -> JSONValue in
                let wl = try w.workload(r.parameter("id"), for: r.user)
                let records = w.invocationRecords(wl, protonId: nil, from: from, to: to)
                return AutocollectedMetrics.document(wl, records, from: from, to: to, now: w.now)
            }
            return Responses.json(200, body)
        }
    }
}
