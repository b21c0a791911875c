import ContractCheck
import JSON
import Testing
import WorkloadAPI

/// The served OpenAPI document speaks the real API's names: each of the contract's
/// operations under its `operationId`, its bodies under the real schema names, and those
/// schemas as the contract has them (plus the fields of the README's D1 and D2). Tools that
/// read a schema by name (drtools' `read_openapi_spec`) find what they expect.
@Suite struct OpenAPIContractNamesTests {
    let app = TestApp()

    static let contract: Contract = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        do { return try Contract.load(path: parts.joined(separator: "/") + "/contract/workload-api-11.5.json") } catch {
            fatalError("\(error)")
        }
    }()

    func document() throws -> JSONValue {
        try JSONParser.parse(app.send("GET", "/api/v2/openapi.json", token: nil).body)
    }

    /// `{workload_id}` and `{id}` are the same segment.
    static func shape(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix("{") ? "{}" : String($0) }.joined(separator: "/")
    }

    /// Keys sorted at every level, so documents compare regardless of key order.
    static func canonical(_ v: JSONValue) -> JSONValue {
        switch v {
        case let .object(o):
            return .object(JSONObject(o.sorted { $0.key < $1.key }.map { ($0.key, canonical($0.value)) }))
        case let .array(a): return .array(a.map(canonical))
        default: return v
        }
    }

    func served(_ doc: JSONValue, _ op: Contract.Operation) -> JSONValue? {
        for (path, item) in doc["paths"]?.objectValue ?? JSONObject()
        where Self.shape(path) == Self.shape("/api/v2" + op.path) {
            return item[op.method.lowercased()]
        }
        return nil
    }

    @Test func everyContractOperationIsServedUnderItsOperationId() throws {
        let doc = try document()
        #expect(Self.contract.operations.count == 40)
        for op in Self.contract.operations {
            let mine = served(doc, op)
            #expect(mine?["operationId"]?.stringValue == op.id, "\(op.method) \(op.path)")
        }
    }

    @Test func successBodiesAndRequestBodiesUseTheRealSchemaNames() throws {
        let doc = try document()
        let raw = Self.contract.document
        for op in Self.contract.operations {
            guard let mine = served(doc, op) else { continue }
            for status in op.successStatuses {
                for (type, schema) in op.responses[status] ?? [:] where !schema.isNull {
                    let servedSchema = mine["responses"]?[String(status)]?["content"]?[type]?["schema"]
                    #expect(servedSchema == schema, "\(op.id) \(status) \(type)")
                }
            }
            let theirs = raw["paths"]?[op.path]?[op.method.lowercased()]?["requestBody"]?["content"]?[
                "application/json"]?["schema"]
            if let theirs {
                #expect(mine["requestBody"]?["content"]?["application/json"]?["schema"] == theirs, "\(op.id) body")
            }
        }
    }

    @Test func theContractsSchemasAreServedAsTheContractHasThem() throws {
        let schemas = try document()["components"]?["schemas"]?.objectValue ?? JSONObject()
        let requestNames: Set<String> = [
            "CreateWorkloadRequest", "UpdateWorkloadRequest", "UpdateSettingsRequest", "InputArtifact",
            "UpdateArtifactRequest", "ArtifactCloneRequest", "SharedRolesUpdateRequest",
        ]
        var extra: [String: [String: JSONValue]] = [:]
        for d in Difference.table { if case let .extraFields(name, fields) = d.kind { extra[name] = fields } }
        for (name, theirs) in Self.contract.document["components"]?["schemas"]?.objectValue ?? JSONObject() {
            guard let mine = schemas[name] else {
                Issue.record("\(name) is not served")
                continue
            }
            // Request bodies are what the emulator's validation accepts, under the real name.
            if requestNames.contains(name) { continue }
            var expected = theirs
            if let fields = extra[name], var o = expected.objectValue, var p = o["properties"]?.objectValue {
                for (k, v) in fields { p[k] = v }
                o["properties"] = .object(p)
                expected = .object(o)
            }
            let text = JSONSerializer.string(expected)
            let meant = Contract.danglingReferences.reduce(text) { t, pair in
                t.replacing(pair.key, with: pair.value)
            }
            #expect(Self.canonical(mine) == Self.canonical(try JSONParser.parse(meant)), "\(name)")
        }
    }

    @Test func d1AndD2FieldsAreDeclared() throws {
        let schemas = try document()["components"]?["schemas"]
        #expect(schemas?["WorkloadFormatted"]?["properties"]?["statusDetails"] != nil)
        for field in ["type", "reason", "message"] {
            #expect(schemas?["WorkloadEvent"]?["properties"]?[field] != nil, "\(field)")
        }
    }

    /// Every `/__emulator` operation says what it does, and every field of the bodies
    /// it takes and answers says what it means, each in one line.
    @Test func everyEmulatorOperationAndFieldHasAOneLineDescription() throws {
        let doc = try document()
        var missing: [String] = []
        var named: Set<String> = []
        func fields(_ schema: JSONValue?, _ where_: String) {
            guard let schema else { return }
            if let ref = schema["$ref"]?.stringValue {
                let name = String(ref.split(separator: "/").last ?? "")
                // The real API's schemas have no prose of ours (nor may they copy theirs).
                let theirs = Self.contract.schema(named: name) != nil
                if !theirs, named.insert(name).inserted { fields(doc["components"]?["schemas"]?[name], name) }
                return
            }
            for key in ["anyOf", "oneOf", "allOf"] { for s in schema[key]?.arrayValue ?? [] { fields(s, where_) } }
            fields(schema["items"], where_ + "[]")
            if let additional = schema["additionalProperties"], additional.objectValue != nil {
                fields(additional, where_ + ".*")
            }
            for (name, property) in schema["properties"]?.objectValue ?? JSONObject() {
                let text = property["description"]?.stringValue ?? ""
                if text.isEmpty || text.contains("\n") { missing.append("\(where_).\(name)") }
                fields(property, "\(where_).\(name)")
            }
        }
        for (path, item) in doc["paths"]?.objectValue ?? JSONObject() where path.hasPrefix("/__emulator") {
            for (method, op) in item.objectValue ?? JSONObject() {
                let label = "\(method.uppercased()) \(path)"
                let text = op["description"]?.stringValue ?? ""
                if text.isEmpty || text.contains("\n") { missing.append(label) }
                for p in op["parameters"]?.arrayValue ?? [] where (p["description"]?.stringValue ?? "").isEmpty {
                    missing.append("\(label) parameter \(p["name"]?.stringValue ?? "?")")
                }
                fields(op["requestBody"]?["content"]?["application/json"]?["schema"], label + " body")
                for (code, response) in op["responses"]?.objectValue ?? JSONObject() {
                    for (_, media) in response["content"]?.objectValue ?? JSONObject() {
                        fields(media["schema"], "\(label) \(code)")
                    }
                }
            }
        }
        // The shared error bodies belong to every route, not to the emulator's own API.
        missing.removeAll { $0.hasPrefix("Error.") || $0.hasPrefix("AuthError.") }
        #expect(missing.isEmpty, "without a one-line description: \(missing.joined(separator: ", "))")
    }
}
