import HTTPServer
import JSON
import WorkloadEmulator

/// The few response shapes of the API, all `Content-Type: application/json` exactly.
enum Responses {
    static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        .json(status, JSONSerializer.serialize(value))
    }

    /// `{"detail": "human sentence"}`: the Workload API's error shape.
    static func detail(_ status: Int, _ message: String) -> HTTPResponse {
        json(status, ["detail": .string(message)])
    }

    /// A 422 is always `HTTPValidationError` (the contract's only 422 body): a refusal
    /// of the whole request is one `value_error` at `["body"]`.
    static func error(_ e: DomainError) -> HTTPResponse {
        if e.status == 422 {
            return validation([ValidationIssue(loc: ["body"], msg: e.detail, type: "value_error")])
        }
        return detail(e.status, e.detail)
    }

    /// Entries a 422 lists at most: a body of 100,000 unknown keys would otherwise be
    /// answered with 100,000 entries (megabytes a client has to read for nothing).
    static let listedIssues = 100

    /// 422 `{"detail": [{"loc", "msg", "type"}, …]}`. Past `listedIssues`, one last entry
    /// (`too_many_errors`, still a `ValidationError`) counts those left out in `ctx`.
    static func validation(_ issues: [ValidationIssue]) -> HTTPResponse {
        var detail = issues.prefix(listedIssues).map(\.json)
        if issues.count > listedIssues {
            let omitted = issues.count - listedIssues
            detail.append([
                "loc": .array(Array(issues[listedIssues].loc.prefix(1))),
                "msg": .string("\(omitted) more errors not listed (\(listedIssues) of \(issues.count) shown)"),
                "type": "too_many_errors",
                "ctx": ["listed": .int(Int64(listedIssues)), "total": .int(Int64(issues.count))],
            ])
        }
        return json(422, ["detail": .array(detail)])
    }

    /// The platform's authentication error shape.
    static let unauthorized = HTTPResponse.json(401, #"{"message":"Invalid API key"}"#)

    static let notFound = HTTPResponse.json(404, #"{"detail":"Not Found"}"#)

    static var noContent: HTTPResponse { HTTPResponse(status: 204) }

    /// Runs a domain command and maps a refusal to its status.
    static func run(_ body: () throws(DomainError) -> HTTPResponse) -> HTTPResponse {
        do throws(DomainError) { return try body() } catch { return Responses.error(error) }
    }

    /// The emulator's own API (`/__emulator`) keeps `{"detail": "sentence"}` for every refusal.
    static func runControl(_ body: () throws(DomainError) -> HTTPResponse) -> HTTPResponse {
        do throws(DomainError) { return try body() } catch { return detail(error.status, error.detail) }
    }
}
