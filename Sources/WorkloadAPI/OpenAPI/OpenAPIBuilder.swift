import JSON
import WorkloadEmulator

/// Collects operations into the document's `paths`, adding the responses every
/// operation of its kind can answer, and the links between operations.
struct OpenAPIBuilder {
    private(set) var paths = JSONObject()
    private(set) var operationIds = Set<String>()
    /// Request bodies under their real names, for `components.schemas`.
    private(set) var namedBodies: [(String, JSONValue)] = []

    /// Path parameters' descriptions by name.
    static let parameterDescriptions: [String: String] = [
        "id": "The object's id (24 lower-case hex characters).", "protonId": "The proton's id.",
        "metric": "The metric's name.", "buildId": "The build's id.", "name": "The sandbox's name.",
        "path": "The rest of the path, forwarded to the workload (may be empty or hold slashes).",
    ]

    mutating func add(_ op: APIOperation) {
        precondition(!operationIds.contains(op.id), "duplicate operationId \(op.id)")
        operationIds.insert(op.id)
        var o = JSONObject()
        o.append("operationId", .string(op.id))
        o.append("summary", .string(op.summary))
        if let d = op.description { o.append("description", .string(d)) }
        o.append("tags", [.string(op.tag)])
        if !op.authenticated { o.append("security", []) }
        var parameters = OpenAPI.parameterNames(in: op.path).map {
            OpenAPI.pathParameter($0, Self.parameterDescriptions[$0] ?? "Path parameter.")
        }
        parameters += op.parameters
        if !parameters.isEmpty { o.append("parameters", .array(parameters)) }
        if let body = op.body {
            var schema = body
            if let name = op.bodyName {
                if let known = namedBodies.first(where: { $0.0 == name }) {
                    precondition(known.1 == body, "two different bodies named \(name)")
                } else {
                    namedBodies.append((name, body))
                }
                schema = OpenAPI.ref(name)
            }
            o.append(
                "requestBody",
                [
                    "required": .bool(!op.bodyOptional),
                    "content": ["application/json": ["schema": schema]],
                ])
        }
        var responses = op.responses
        func ensure(_ code: String, _ value: @autoclosure () -> JSONValue) {
            if !responses.contains(where: { $0.0 == code }) { responses.append((code, value())) }
        }
        if op.body != nil {
            ensure("400", OpenAPI.responseRef("BadRequest"))
            ensure("422", OpenAPI.responseRef("Unprocessable"))
        }
        if op.authenticated { ensure("401", OpenAPI.responseRef("Unauthorized")) }
        // `--control-token` guards every control route but the dashboard's page.
        let guarded = op.path.hasPrefix("/__emulator") && op.path != "/__emulator/ui"
        if guarded { ensure("401", OpenAPI.responseRef("ControlTokenMissing")) }
        // A route that uses a sandbox may have to make one, which `--max-sandboxes` can refuse.
        let usesSandbox = !EmulatorApplication.sandboxFreeRoutes.contains(op.path)
        if guarded {
            ensure("403", OpenAPI.responseRef(usesSandbox ? "ControlForbidden" : "ControlTokenRefused"))
        } else if usesSandbox {
            ensure("403", OpenAPI.responseRef("SandboxLimit"))
        }
        // With `--state-file`, a change that cannot be written.
        if op.method != "GET" && op.method != "HEAD" { ensure("507", OpenAPI.responseRef("NotSaved")) }
        // The HTTP engine's limits, before any route runs.
        ensure("414", OpenAPI.responseRef("URITooLong"))
        if op.body != nil {
            ensure("413", OpenAPI.responseRef("ContentTooLarge"))
            ensure("503", OpenAPI.responseRef("BodyBudget"))
        }
        responses.sort { $0.0 < $1.0 }
        o.append("responses", .object(JSONObject(responses)))

        let path = Self.documentPath(op.path)
        var item = paths[path]?.objectValue ?? JSONObject()
        item[op.method.lowercased()] = .object(o)
        paths[path] = .object(item)
    }

    /// Adds OpenAPI links from one response to every operation under `item` (a path
    /// template), passing `parameters` (runtime expressions such as `$response.body#/id`).
    /// They let generators (Schemathesis' stateful phase) reach objects that exist. Links
    /// the response already has are kept: one response may feed several subtrees.
    mutating func link(
        from method: String, _ path: String, status: String, toOperationsUnder item: String,
        parameters: [(String, String)]
    ) {
        var links = JSONObject()
        for (p, ops) in paths where p == item || p.hasPrefix(item + "/") {
            let names = Set(OpenAPI.parameterNames(in: p))
            let given = parameters.filter { names.contains($0.0) }
            for (_, op) in ops.objectValue ?? JSONObject() {
                guard let id = op["operationId"]?.stringValue, !given.isEmpty else { continue }
                links.append(
                    id,
                    [
                        "operationId": .string(id),
                        "parameters": .object(JSONObject(given.map { ($0.0, .string($0.1)) })),
                    ])
            }
        }
        let key = Self.documentPath(path)
        guard !links.isEmpty, var item = paths[key]?.objectValue, var op = item[method.lowercased()]?.objectValue,
            var responses = op["responses"]?.objectValue, var response = responses[status]?.objectValue
        else { preconditionFailure("no \(method) \(path) \(status) to link from") }
        var merged = response["links"]?.objectValue ?? JSONObject()
        for (id, link) in links {
            precondition(merged[id] == nil || merged[id] == link, "two different links to \(id)")
            merged[id] = link
        }
        response["links"] = .object(merged)
        responses[status] = .object(response)
        op["responses"] = .object(responses)
        item[method.lowercased()] = .object(op)
        paths[key] = .object(item)
    }

    /// The router's catch-all `{path...}` is written `{path}` in OpenAPI.
    static func documentPath(_ pattern: String) -> String {
        pattern.replacingOccurrences("...}", with: "}")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
