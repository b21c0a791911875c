import JSON
import WorkloadEmulator

/// Version, account, invoke, the emulator's own API, the dashboard and this document.
extension OpenAPIDocument {
    static func accountPaths(_ b: inout OpenAPIBuilder) {
        b.add(
            APIOperation(
                method: "GET", path: "/api/v2/version", id: "getVersion", summary: "API version", tag: "Account",
                authenticated: false, responses: [R.ok("Version"), ("401", OpenAPI.responseRef("Unauthorized"))],
                description: "No token needed; a token that is sent is checked (401 if unknown)."))
        b.add(
            APIOperation(
                method: "GET", path: "/api/v2/account/info", id: "getAccountInfo", summary: "The caller and its limits",
                tag: "Account", responses: [R.ok("AccountInfo")]))
    }

    static func invokePaths(_ b: inout OpenAPIBuilder) {
        for (kind, noun) in [("workloads", "Workload"), ("deployments", "Deployment")] {
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
                b.add(
                    APIOperation(
                        method: method, path: "/api/v2/endpoints/\(kind)/{id}/{path...}",
                        id: "invoke\(noun)" + method.prefix(1) + method.dropFirst().lowercased(),
                        summary: "Invoke the \(noun.lowercased()) (\(method))", tag: "Invoke",
                        body: [:], bodyOptional: true,
                        responses: [
                            R.ok("InvokeEcho", "The built-in echo (or the upstream's answer)."), R.forbidden,
                            R.notFound, R.status(502, "AuthError", "The upstream could not be reached."),
                            (
                                "503",
                                [
                                    "description":
                                        "The workload is not running, `--max-upstream-invokes` are in flight (with `Retry-After`), or large bodies would pass `--max-buffered-body-bytes` (`detail`, with `Retry-After`).",
                                    "headers": ["Retry-After": ["schema": OpenAPI.integer]],
                                    "content": [
                                        "application/json": [
                                            "schema": ["anyOf": [OpenAPI.ref("AuthError"), OpenAPI.ref("Error")]]
                                        ]
                                    ],
                                ]
                            ),
                            R.status(504, "AuthError", "The upstream did not answer within `--upstream-timeout`."),
                            ("default", OpenAPI.empty("With an upstream set, its answer is passed through.")),
                        ],
                        description: "Any path and body; the `Authorization` header is consumed."))
            }
        }
    }

    static func emulatorPaths(_ b: inout OpenAPIBuilder) {
        func op(
            _ method: String, _ path: String, _ id: String, _ summary: String, body: JSONValue? = nil,
            parameters: [JSONValue] = [], _ responses: [(String, JSONValue)]
        ) {
            let d = OpenAPIEmulatorDescriptions.self
            let described = responses.map { code, response -> (String, JSONValue) in
                guard var r = response.objectValue, var content = r["content"]?.objectValue else {
                    return (code, response)
                }
                for (type, media) in content {
                    guard var m = media.objectValue, let schema = m["schema"] else { continue }
                    m["schema"] = d.describing(schema, owner: id)
                    content[type] = .object(m)
                }
                r["content"] = .object(content)
                return (code, .object(r))
            }
            b.add(
                APIOperation(
                    method: method, path: "/__emulator" + path, id: id, summary: summary, tag: "Emulator",
                    authenticated: false, parameters: parameters, body: body.map { d.describing($0, owner: id) },
                    responses: described, description: d.operations[id]))
        }
        op("GET", "/health", "getEmulatorHealth", "Readiness", [R.ok("Health")])
        op("GET", "/sandboxes", "listEmulatorSandboxes", "Sandboxes and their object counts", [R.ok("SandboxList")])
        op("DELETE", "/sandboxes/{name}", "deleteEmulatorSandbox", "Drop a sandbox", [R.noContent, R.notFound])
        op("POST", "/reset", "resetEmulatorSandbox", "Empty this sandbox", [R.ok("ResetResult")])
        op(
            "GET", "/state", "exportEmulatorState", "Export the sandbox as one document",
            [R.ok("SandboxState")])
        op(
            "PUT", "/state", "importEmulatorState", "Replace the sandbox with a document", body: OpenAPI.anyObject,
            [R.ok("StateImported")])
        op(
            "GET", "/events", "listEmulatorEvents", "The emulator's event log",
            parameters: R.window(maxLimit: 10000, defaultLimit: 1000),
            [R.ok("EmulatorLogList"), R.unprocessable])
        op(
            "GET", "/requests", "listEmulatorRequests", "The request journal",
            parameters: R.window(maxLimit: 1000, defaultLimit: 100) + [
                OpenAPI.query("method", OpenAPI.string, "Only this method."),
                OpenAPI.query("path", OpenAPI.string, "Only paths matching this glob (`*`: any run of characters)."),
                OpenAPI.query("injected", OpenAPI.boolean, "Only injected (or only served) requests."),
            ],
            [R.ok("JournalList"), R.unprocessable])
        op("DELETE", "/requests", "clearEmulatorRequests", "Clear the request journal", [R.noContent])
        op("GET", "/lifecycle", "getEmulatorLifecycle", "Phase durations", [R.ok("LifecycleProfile")])
        op(
            "PUT", "/lifecycle", "setEmulatorLifecycle", "Set phase durations (or `{\"name\": \"instant\"}`)",
            body: OpenAPIRequestBodies.lifecycle, [R.ok("LifecycleProfile")])
        op(
            "GET", "/workloads/{id}", "getEmulatorWorkload", "Scheduled transitions and TTL of a workload",
            [R.ok("EmulatorWorkloadView"), R.notFound])
        op(
            "PUT", "/workloads/{id}/upstream", "setEmulatorWorkloadUpstream", "Forward invocations to a server",
            body: Schemas.upstream.jsonSchema,
            [
                (
                    "200",
                    OpenAPI.json(
                        "Set (a null `url` removes it).",
                        OpenAPI.object([("workloadId", OpenAPI.string), ("url", OpenAPI.nullable(OpenAPI.string))]))
                ),
                R.notFound,
            ])
        op(
            "DELETE", "/workloads/{id}/upstream", "deleteEmulatorWorkloadUpstream", "Back to the built-in echo",
            [R.noContent, R.notFound])
        op(
            "GET", "/metrics", "getEmulatorMetrics", "Prometheus metrics",
            [("200", OpenAPI.content("Prometheus text format.", "text/plain", OpenAPI.string))])
        op("GET", "/clock", "getEmulatorClock", "The sandbox's clock", [R.ok("Clock")])
        op(
            "PUT", "/clock", "setEmulatorClock", "Freeze or run the clock", body: Schemas.clockPut.jsonSchema,
            [R.ok("Clock")])
        op(
            "POST", "/clock/advance", "advanceEmulatorClock", "Advance the clock, firing what falls due",
            body: Schemas.clockAdvance.jsonSchema, [R.ok("ClockAdvanced")])
        op(
            "POST", "/faults", "createEmulatorFault", "Add a fault rule", body: Schemas.fault.jsonSchema,
            [R.status(201, "FaultRule", "Created.")])
        op("GET", "/faults", "listEmulatorFaults", "The fault rules", [R.ok("FaultRuleList")])
        op("DELETE", "/faults", "clearEmulatorFaults", "Remove every fault rule", [R.noContent])
        op("GET", "/faults/{id}", "getEmulatorFault", "A fault rule", [R.ok("FaultRule"), R.notFound])
        op("DELETE", "/faults/{id}", "deleteEmulatorFault", "Remove a fault rule", [R.noContent, R.notFound])

        let html = ("200", OpenAPI.content("The dashboard page.", "text/html", OpenAPI.string))
        b.add(
            APIOperation(
                method: "GET", path: "/", id: "getDashboard", summary: "The dashboard", tag: "Emulator",
                authenticated: false, responses: [html]))
        op("GET", "/ui", "getDashboardUI", "The dashboard", [html])

        b.add(
            APIOperation(
                method: "GET", path: "/api/v2/openapi.json", id: "getOpenAPIJSON", summary: "This document (JSON)",
                tag: "Emulator", authenticated: false,
                responses: [("200", OpenAPI.json("The OpenAPI document.", OpenAPI.anyObject))]))
        b.add(
            APIOperation(
                method: "GET", path: "/api/v2/openapi.yaml", id: "getOpenAPIYAML", summary: "This document (YAML)",
                tag: "Emulator", authenticated: false,
                responses: [("200", OpenAPI.content("The OpenAPI document.", "application/yaml", OpenAPI.anyObject))]))
    }
}
