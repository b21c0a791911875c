import HTTPServer
import JSON
import WorkloadEmulator

/// The OpenAPI 3.1 document of every route the emulator serves, built once as a
/// `JSONValue` and served as JSON and YAML from that one value.
enum OpenAPIDocument {
    static let value: JSONValue = build()
    static let json: [UInt8] = JSONSerializer.serialize(value)
    static let yaml: [UInt8] = Array(YAMLWriter.write(value).utf8)

    static func build() -> JSONValue {
        var b = OpenAPIBuilder()
        accountPaths(&b)
        workloadPaths(&b, root: "/api/v2/workloads", legacy: false)
        workloadPaths(&b, root: "/api/v2/console/workloads", legacy: true)
        artifactPaths(&b, root: "/api/v2/artifacts", legacy: false)
        artifactPaths(&b, root: "/api/v2/registry/artifacts", legacy: true)
        repositoryPaths(&b, root: "/api/v2/artifactRepositories", legacy: false)
        repositoryPaths(&b, root: "/api/v2/registry/artifactRepositories", legacy: true)
        deploymentPaths(&b, root: "/api/v2/console/deployments")
        invokePaths(&b)
        platformPaths(&b)
        emulatorPaths(&b)
        links(&b)
        var schemas = OpenAPIComponents.schemas.objectValue ?? JSONObject()
        for (name, schema) in sharedRequestSchemas { schemas.append(name, factored(schema, except: name)) }
        // What the emulator accepts, under the real request schemas' names.
        for (name, schema) in b.namedBodies { schemas[name] = factored(schema) }
        for (name, schema) in platformSchemas { schemas.append(name, schema) }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Workload API (workload-emulator)",
                "version": .string(EmulatorApplication.version),
                "description": .string(description),
            ],
            "servers": [["url": "/", "description": "The emulator itself (add `/sandboxes/NAME` for a sandbox)."]],
            "security": [["bearerAuth": []], ["tokenAuth": []]],
            "paths": factored(.object(b.paths)),
            "components": [
                "schemas": .object(schemas),
                "responses": OpenAPIComponents.responses,
                "securitySchemes": OpenAPIComponents.securitySchemes,
            ],
        ]
    }

    /// Request-body parts that many operations share, written once under
    /// `components/schemas` and referenced (largest first, so a runtime is one `$ref`).
    static let sharedRequestSchemas: [(String, JSONValue)] = [
        ("RuntimeInput", Schemas.runtime.jsonSchema), ("ArtifactSpecInput", Schemas.spec(legacy: false).jsonSchema),
        ("ContainerGroupInput", Schemas.containerGroup(legacy: false).jsonSchema),
        ("ContainerInput", Schemas.container(legacy: false).jsonSchema),
    ]

    /// `value` with every subtree equal to a shared schema replaced by a reference to it.
    static func factored(_ value: JSONValue, except: String? = nil) -> JSONValue {
        for (name, schema) in sharedRequestSchemas where name != except && value == schema {
            return OpenAPI.ref(name)
        }
        switch value {
        case let .object(o): return .object(JSONObject(o.map { ($0.key, factored($0.value, except: except)) }))
        case let .array(a): return .array(a.map { factored($0, except: except) })
        default: return value
        }
    }

    /// Creates and reads feed the ids they return to the operations on those objects.
    static func links(_ b: inout OpenAPIBuilder) {
        let id = [("id", "$response.body#/id")]
        for root in ["/api/v2/workloads", "/api/v2/console/workloads"] {
            b.link(from: "POST", root, status: "201", toOperationsUnder: root + "/{id}", parameters: id)
            b.link(
                from: "GET", root + "/{id}", status: "200", toOperationsUnder: root + "/{id}/protons/{protonId}",
                parameters: [("id", "$response.body#/id"), ("protonId", "$response.body#/protonId")])
        }
        b.link(
            from: "POST", "/api/v2/workloads", status: "201", toOperationsUnder: "/api/v2/endpoints/workloads/{id}",
            parameters: id)
        for root in ["/api/v2/artifacts", "/api/v2/registry/artifacts"] {
            b.link(from: "POST", root, status: "201", toOperationsUnder: root + "/{id}", parameters: id)
        }
        b.link(
            from: "POST", "/api/v2/console/deployments", status: "201",
            toOperationsUnder: "/api/v2/console/deployments/{id}", parameters: id)
        b.link(
            from: "POST", "/api/v2/console/deployments", status: "201",
            toOperationsUnder: "/api/v2/endpoints/deployments/{id}", parameters: id)
        b.link(
            from: "POST", "/__emulator/faults", status: "201", toOperationsUnder: "/__emulator/faults/{id}",
            parameters: id)
    }

    static let description = """
        The Workload control plane as emulated by workload-emulator. Every path also answers \
        with a trailing slash, and under `/sandboxes/NAME` (or with the header \
        `X-Emulator-Sandbox: NAME`; an invalid name is a 400). A known path with a method it \
        does not serve answers 405 with `Allow` (`components.responses.MethodNotAllowed`); an \
        unknown path 404 `{"detail":"Not Found"}`. Fault rules (`/__emulator/faults`) can make \
        any `/api/v2` operation answer any status, marked by `X-Emulator-Injected`. \
        `/__emulator` routes need no API token; with `--control-token` they need the header \
        `X-Emulator-Token` (401 without it, 403 with another value).
        """

    static func register(_ t: inout RouteTable) {
        t.add("GET", "/api/v2/openapi.json", authenticated: false) { _ in .json(200, json) }
        t.add("GET", "/api/v2/openapi.yaml", authenticated: false) { _ in
            var headers = HTTPHeaders()
            headers.set("Content-Type", "application/yaml")
            return HTTPResponse(status: 200, headers: headers, body: yaml)
        }
    }
}
