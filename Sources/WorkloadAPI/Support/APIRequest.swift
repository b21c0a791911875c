import HTTPServer
import JSON
import WorkloadEmulator

/// A request as the API handlers see it: the HTTP request plus the sandbox it belongs
/// to, the URL base to write into documents, and (for authenticated routes) the caller.
struct APIRequest: Sendable {
    var http: HTTPRequest
    let registry: SandboxRegistry
    let sandboxName: String
    /// Resolved once for API routes; `/__emulator` routes look it up on first use, so
    /// those that never touch it (listing sandboxes) create none.
    let resolved: Sandbox?
    var sandbox: Sandbox { resolved ?? registry.sandbox(named: sandboxName) }
    /// `/sandboxes/NAME` when the request used the path prefix, else "".
    let prefix: String
    /// The path without the sandbox prefix: what routes and fault rules match.
    let routePath: String
    /// Scheme and authority: `--public-url` or `http://` + Host.
    let origin: String
    /// Under `/console/` or `/registry/`: the v2.41 differences apply.
    let legacy: Bool
    let configuration: APIConfiguration
    var user: User

    /// Where emulator-written URLs start: origin plus the sandbox prefix.
    var base: String { origin + prefix }

    func parameter(_ name: String) -> String { http.pathParameters[name] ?? "" }

    /// The API root the client used for workloads (`/api/v2/workloads` or the alias).
    var workloadsRoot: String { base + (legacy ? "/api/v2/console/workloads" : "/api/v2/workloads") }

    /// Parses the body: nil for an empty one, a 400 response for one that is not JSON.
    func jsonBody() -> Result<JSONValue?, ResponseError> {
        if http.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .success(nil) }
        do {
            return .success(try JSONParser.parse(http.body))
        } catch  where error.isTooLarge {
            return .failure(ResponseError(Responses.detail(413, "Request body is too large: \(error.description).")))
        } catch {
            return .failure(
                ResponseError(Responses.detail(400, "Request body is not valid JSON: \(error.description).")))
        }
    }

    /// Parses and validates a body against a schema. A missing body counts as `{}`
    /// when `emptyIsObject` (action routes), else as a 422 for the whole body.
    func validatedBody(
        _ schema: Schema, emptyIsObject: Bool = false, extra: (JSONValue) -> [ValidationIssue] = { _ in [] }
    )
        -> Result<JSONValue, ResponseError>
    {
        switch jsonBody() {
        case let .failure(r): return .failure(r)
        case .success(nil):
            if emptyIsObject { return .success(.object(JSONObject())) }
            return .failure(
                ResponseError(
                    Responses.validation([ValidationIssue(loc: ["body"], msg: "Field required", type: "missing")])))
        case let .success(value?):
            var issues = schema.validate(value)
            if issues.isEmpty { issues = extra(value) }
            if !issues.isEmpty { return .failure(ResponseError(Responses.validation(issues))) }
            return .success(value)
        }
    }
}
