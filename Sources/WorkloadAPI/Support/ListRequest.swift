import HTTPServer
import JSON
import WorkloadEmulator

/// Query parameters of a list: window, filters and order, with 422s
/// located at `["query", name]`.
struct ListRequest {
    var query = ListQuery()
    var issues: [ValidationIssue] = []
    /// Everything but offset and limit, in the order the client sent it: carried
    /// into `next` and `previous`.
    var carried: [(name: String, value: String)] = []
    var extra: [String: [String]] = [:]

    init(
        _ http: HTTPRequest, defaultLimit: Int, maxLimit: Int = 100, legacy: Bool,
        orderFields: [ListQuery.OrderField] = ListQuery.OrderField.allCases
    ) {
        query.limit = defaultLimit
        func fail(_ name: String, _ msg: String, _ type: String) {
            issues.append(ValidationIssue(loc: ["query", .string(name)], msg: msg, type: type))
        }
        func values(_ v: String) -> [String] {
            v.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        }
        // An empty value (`ids=`) filters nothing rather than everything.
        func append<T>(_ list: inout [T]?, _ items: [T]) { if !items.isEmpty { list = (list ?? []) + items } }
        for (name, value) in http.queryItems {
            if name != "offset" && name != "limit" { carried.append((name, value)) }
            switch name {
            case "offset":
                guard let n = Int(value) else {
                    fail(name, "Input should be a valid integer, unable to parse string as an integer", "int_parsing")
                    continue
                }
                if n < 0 {
                    fail(name, "Input should be greater than or equal to 0", "greater_than_equal")
                } else {
                    query.offset = n
                }
            case "limit":
                guard let n = Int(value) else {
                    fail(name, "Input should be a valid integer, unable to parse string as an integer", "int_parsing")
                    continue
                }
                if n < 1 {
                    fail(name, "Input should be greater than or equal to 1", "greater_than_equal")
                } else if n > maxLimit {
                    fail(name, "Input should be less than or equal to \(maxLimit)", "less_than_equal")
                } else {
                    query.limit = n
                }
            case "search": query.search = value
            case "ids", "ids[]": append(&query.ids, values(value))
            case "artifactId": append(&query.artifactIds, values(value))
            case "repositoryId", "artifactRepositoryId": append(&query.repositoryIds, values(value))
            case "createdBy": append(&query.createdBy, values(value))
            case "status":
                for v in values(value) {
                    if let s = WorkloadStatus(rawValue: v), WorkloadStatus.workloadStatuses.contains(s) {
                        append(&query.statuses, [s])
                    } else {
                        extra["status", default: []].append(v)
                    }
                }
            case "importance":
                for v in values(value) {
                    if let i = Importance(rawValue: v) {
                        append(&query.importance, [i])
                    } else {
                        fail(name, "Input should be \(Schema.listing(Importance.allCases.map(\.rawValue)))", "enum")
                    }
                }
            case "artifactStatus":
                for v in values(value) {
                    if let s = ArtifactStatus(rawValue: v) {
                        append(&query.artifactStatus, [s])
                    } else if legacy && v == "registered" {
                        append(&query.artifactStatus, [.locked])
                    } else {
                        fail(name, "Input should be \(Schema.listing(ArtifactStatus.allCases.map(\.rawValue)))", "enum")
                    }
                }
            case "orderBy", "sort":
                let descending = value.hasPrefix("-")
                let fieldName = descending ? String(value.dropFirst()) : value
                if let f = ListQuery.OrderField(rawValue: fieldName), orderFields.contains(f) {
                    query.orderBy = (f, descending)
                } else {
                    let options = orderFields.flatMap { [$0.rawValue, "-" + $0.rawValue] }
                    fail(name, "Input should be \(Schema.listing(options))", "enum")
                }
            default: continue
            }
        }
    }

    /// Workload status filter values are checked by the workload routes (artifact
    /// routes read `status` as an artifact status).
    mutating func requireWorkloadStatuses() {
        if let bad = extra["status"], !bad.isEmpty {
            issues.append(
                ValidationIssue(
                    loc: ["query", "status"],
                    msg: "Input should be \(Schema.listing(WorkloadStatus.workloadStatuses.map(\.rawValue)))",
                    type: "enum"))
        }
    }

    /// `{"count","totalCount","next","previous","data"}` with absolute URLs that
    /// carry offset, limit and every filter.
    func envelope(_ items: [JSONValue], totalCount: Int, request: APIRequest) -> JSONValue {
        let q = query
        func url(_ offset: Int) -> JSONValue {
            var s = request.origin + request.http.path + "?offset=\(offset)&limit=\(q.limit)"
            for (n, v) in carried { s += "&" + URLEncoding.encode(n) + "=" + URLEncoding.encode(v) }
            return .string(s)
        }
        let next: JSONValue = q.offset + items.count < totalCount ? url(q.offset + q.limit) : .null
        let previous: JSONValue = q.offset > 0 ? url(max(0, q.offset - q.limit)) : .null
        return [
            "count": .int(Int64(items.count)), "totalCount": .int(Int64(totalCount)), "next": next,
            "previous": previous,
            "data": .array(items),
        ]
    }
}
