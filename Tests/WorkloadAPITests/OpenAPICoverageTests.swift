import JSON
import HTTPServer
import Testing
import WorkloadAPI
import WorkloadEmulator

/// Keeps the served OpenAPI document true to the router: every (method, pattern) the
/// application serves must be documented, and every documented operation must be
/// usable by a generator (operationId, at least one response, declared parameters).
@Suite struct OpenAPICoverageTests {
    let app = TestApp()

    func document() throws -> JSONValue {
        let r = app.send("GET", "/api/v2/openapi.json", token: nil)
        #expect(r.status == 200)
        #expect(r.headers["Content-Type"] == "application/json")
        return try JSONParser.parse(r.body)
    }

    /// `/a/{id}/b/` and `/a/{x...}` → `/a/{}/b` and `/a/{}`: parameter names and a
    /// trailing slash do not make a different route.
    static func normalise(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { seg -> String in
            seg.hasPrefix("{") && seg.hasSuffix("}") ? "{}" : String(seg)
        }
        return "/" + segments.joined(separator: "/")
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Documented (method, normalised path) pairs.
    func documented(_ doc: JSONValue) -> Set<String> {
        var out = Set<String>()
        for (path, item) in doc["paths"]?.objectValue ?? JSONObject() {
            for (method, _) in item.objectValue ?? JSONObject() where Self.methods.contains(method) {
                out.insert(method.uppercased() + " " + Self.normalise(path))
            }
        }
        return out
    }

    @Test func everyServedRouteIsDocumented() throws {
        let doc = try document()
        let known = documented(doc)
        #expect(known.count > 100)
        var missing: [String] = []
        for route in app.app.routeList {
            let key = route.method + " " + Self.normalise(route.pattern)
            if !known.contains(key) { missing.append(route.method + " " + route.pattern) }
        }
        #expect(missing.isEmpty, "routes the OpenAPI document lacks: \(missing.joined(separator: ", "))")
    }

    /// The other way round: the document promises nothing the router does not serve.
    @Test func everyDocumentedOperationIsServed() throws {
        let served = Set(app.app.routeList.map { $0.method + " " + Self.normalise($0.pattern) })
        let extra = documented(try document()).subtracting(served).sorted()
        #expect(extra.isEmpty, "documented but not served: \(extra.joined(separator: ", "))")
    }

    @Test func everyOperationHasAnIdResponsesAndItsPathParameters() throws {
        let doc = try document()
        #expect(doc["openapi"]?.stringValue == "3.1.0")
        var ids = Set<String>()
        for (path, item) in doc["paths"]?.objectValue ?? JSONObject() {
            let names = path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
                String($0.dropFirst().dropLast())
            }
            for (method, op) in item.objectValue ?? JSONObject() where Self.methods.contains(method) {
                let label = "\(method.uppercased()) \(path)"
                let id = op["operationId"]?.stringValue ?? ""
                #expect(!id.isEmpty, "\(label) has no operationId")
                #expect(!ids.contains(id), "operationId \(id) is used twice")
                ids.insert(id)
                #expect((op["responses"]?.objectValue?.count ?? 0) > 0, "\(label) has no response")
                let declared = (op["parameters"]?.arrayValue ?? []).filter { $0["in"]?.stringValue == "path" }
                    .compactMap { $0["name"]?.stringValue }
                #expect(Set(declared) == Set(names), "\(label) declares path parameters \(declared)")
            }
        }
    }

    @Test func referencesResolve() throws {
        let doc = try document()
        var refs: [String] = []
        func walk(_ v: JSONValue) {
            switch v {
            case let .object(o):
                for (k, x) in o { if k == "$ref", let s = x.stringValue { refs.append(s) } else { walk(x) } }
            case let .array(a): a.forEach(walk)
            default: break
            }
        }
        walk(doc)
        #expect(!refs.isEmpty)
        for ref in refs {
            let parts = ref.split(separator: "/").dropFirst().map(String.init)
            var node: JSONValue? = doc
            for p in parts { node = node?[p] }
            #expect(node != nil, "unresolved \(ref)")
        }
    }

    /// A create feeds both the operations on its object and the invoke routes: the second
    /// set of links must not replace the first.
    @Test func aResponseLinkedToTwoSubtreesKeepsBothSetsOfLinks() throws {
        let doc = try document()
        func links(_ path: String) -> Set<String> {
            Set(doc["paths"]?[path]?["post"]?["responses"]?["201"]?["links"]?.objectValue?.map(\.key) ?? [])
        }
        let workload = links("/api/v2/workloads")
        #expect(workload.isSuperset(of: ["getWorkload", "startWorkload", "invokeWorkloadGet", "invokeWorkloadPost"]))
        let deployment = links("/api/v2/console/deployments")
        #expect(deployment.isSuperset(of: ["getDeployment", "invokeDeploymentGet"]))
        #expect(links("/api/v2/console/workloads").contains("consoleGetWorkload"))
    }

    @Test func yamlIsServedWithoutAToken() {
        let r = app.send("GET", "/api/v2/openapi.yaml/", token: nil)
        #expect(r.status == 200)
        #expect(r.headers["Content-Type"] == "application/yaml")
        #expect(String(decoding: r.body, as: UTF8.self).hasPrefix("openapi: \"3.1.0\"\n"))
    }

    @Test func normalisation() {
        #expect(Self.normalise("/api/v2/workloads/{id}/") == "/api/v2/workloads/{}")
        #expect(Self.normalise("/api/v2/endpoints/workloads/{id}/{path...}") == "/api/v2/endpoints/workloads/{}/{}")
        #expect(Self.normalise("/") == "/")
    }
}
