import HTTPServer
import JSON
import WorkloadEmulator

/// Query parameters of the platform routes beyond offset and limit: repeated or
/// comma-separated lists, timestamps and enumerations, each problem a 422 located at
/// `["query", name]`.
struct PlatformQuery {
    let items: [(name: String, value: String)]
    var issues: [ValidationIssue] = []

    init(_ http: HTTPRequest) { items = http.queryItems }

    /// Every value of a repeated parameter, as sent (substrings may hold commas).
    func all(_ name: String) -> [String] { items.filter { $0.name == name }.map(\.value) }

    /// Repeated and comma-separated values, empty ones dropped.
    func list(_ name: String) -> [String] {
        all(name).flatMap { $0.split(separator: ",").map { String($0).trimmingSpaces } }.filter { !$0.isEmpty }
    }

    func last(_ name: String) -> String? {
        items.last { $0.name == name }.map(\.value).flatMap { $0.isEmpty ? nil : $0 }
    }

    mutating func fail(_ name: String, _ msg: String, _ type: String) {
        issues.append(ValidationIssue(loc: ["query", .string(name)], msg: msg, type: type))
    }

    mutating func timestamp(_ name: String) -> Int64? {
        guard let v = last(name) else { return nil }
        guard let t = Timestamp.parse(v) else {
            fail(name, "Input should be a valid datetime (RFC 3339, e.g. 2026-01-01T00:00:00Z)", "datetime_parsing")
            return nil
        }
        return t
    }
}
