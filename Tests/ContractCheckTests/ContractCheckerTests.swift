import ContractCheck
import JSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The checker against the project's copy of the contract: each kind of defect fails,
/// with the operation and the JSON path; each deliberate difference passes.
@Suite struct ContractCheckerTests {
    static let checker: ResponseChecker = {
        do { return try ResponseChecker.load(path: ContractFile.path) } catch { fatalError("\(error)") }
    }()
    var checker: ResponseChecker { ContractCheckerTests.checker }

    func check(
        _ method: String, _ path: String, _ status: Int, _ body: JSONValue?, contentType: String? = "application/json"
    ) -> [Mismatch] {
        let bytes = body.map { JSONSerializer.serialize($0) } ?? []
        let sample = ResponseSample(method: method, path: path, status: status, contentType: contentType, body: bytes)
        guard let result = checker.check(sample) else {
            Issue.record("no operation for \(method) \(path)")
            return []
        }
        return result.mismatches
    }

    static let operation: JSONValue = [
        "status": "submitted", "workloadId": "w1", "trackVia": "http://x/api/v2/workloads/w1",
    ]
    static let user: JSONValue = ["id": "u1", "username": "alice", "email": nil, "fullName": nil, "userhash": nil]
    static let build: JSONValue = [
        "id": "b1", "name": "build", "artifactId": "a1", "status": "COMPLETED",
        "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z", "creator": user,
    ]

    @Test func theContractHasItsFortyOperations() {
        #expect(checker.contract.operations.count == 40)
        #expect(Set(checker.contract.operations.map(\.id)).count == 40)
    }

    @Test func everyReferenceInTheContractResolves() {
        var refs: [String] = []
        func walk(_ v: JSONValue) {
            switch v {
            case let .object(o):
                for (k, x) in o { if k == "$ref", let r = x.stringValue { refs.append(r) } else { walk(x) } }
            case let .array(a): a.forEach(walk)
            default: break
            }
        }
        walk(checker.contract.document)
        #expect(refs.count > 100)
        for ref in refs { #expect(checker.contract.resolve(ref) != nil, "\(ref)") }
    }

    @Test func aConformingBodyPasses() {
        #expect(check("POST", "/api/v2/workloads/w1/start", 202, Self.operation) == [])
        #expect(check("GET", "/api/v2/artifacts/a1/builds/b1", 200, Self.build) == [])
    }

    @Test func missingRequiredFieldFails() {
        var body = Self.operation.objectValue!
        body["trackVia"] = nil
        #expect(
            check("POST", "/api/v2/workloads/w1/start", 202, .object(body))
                == [Mismatch(path: "$", message: "required field 'trackVia' is missing")])
    }

    @Test func extraFieldFails() {
        var body = Self.build.objectValue!
        body["creator"] = ["id": "u1", "shoeSize": 44]
        #expect(
            check("GET", "/api/v2/artifacts/a1/builds/b1", 200, .object(body))
                == [Mismatch(path: "$.creator.shoeSize", message: "field 'shoeSize' is not in the schema")])
    }

    @Test func aSchemaWithoutAdditionalPropertiesIsClosedToo() {
        // HTTPValidationError says nothing about extras; the real models forbid them.
        let body: JSONValue = [
            "detail": [["loc": ["body", "name"], "msg": "Field required", "type": "missing"]], "hint": "x",
        ]
        #expect(
            check("POST", "/api/v2/workloads", 422, body)
                == [Mismatch(path: "$.hint", message: "field 'hint' is not in the schema")])
    }

    @Test func wrongTypeFails() {
        var body = Self.operation.objectValue!
        body["workloadId"] = 7
        #expect(
            check("POST", "/api/v2/workloads/w1/stop", 202, .object(body))
                == [Mismatch(path: "$.workloadId", message: "expected string, got integer 7")])
    }

    @Test func nullWhereNotNullableFails() {
        var body = Self.build.objectValue!
        body["name"] = .null
        #expect(
            check("GET", "/api/v2/artifacts/a1/builds/b1", 200, .object(body))
                == [Mismatch(path: "$.name", message: "expected string, got null")])
    }

    @Test func nullWhereNullablePassesAndTheWrongTypeInsideAUnionPointsInside() {
        var body = Self.build.objectValue!
        body["creator"] = .null
        #expect(check("GET", "/api/v2/artifacts/a1/builds/b1", 200, .object(body)) == [])
        body["creator"] = ["id": 5]
        #expect(
            check("GET", "/api/v2/artifacts/a1/builds/b1", 200, .object(body))
                == [Mismatch(path: "$.creator.id", message: "expected string, got integer 5")])
    }

    @Test func badEnumFails() {
        var body = Self.build.objectValue!
        body["status"] = "DONE"
        let found = check("GET", "/api/v2/artifacts/a1/builds/b1", 200, .object(body))
        #expect(found.count == 1)
        #expect(found.first?.path == "$.status")
        #expect(found.first?.message.hasPrefix("\"DONE\" is not one of [") == true)
    }

    @Test func badDateTimeFails() {
        var body = Self.build.objectValue!
        body["createdAt"] = "yesterday"
        #expect(
            check("GET", "/api/v2/artifacts/a1/builds/b1", 200, .object(body))
                == [Mismatch(path: "$.createdAt", message: "\"yesterday\" is not an RFC 3339 date-time")])
    }

    static func artifact(spec: JSONValue) -> JSONValue {
        [
            "id": "a1", "name": "art", "artifactRepositoryId": "r1", "spec": spec,
            "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
        ]
    }

    @Test func discriminatorPicksTheSchemaAndAWrongOrMissingOneFails() {
        let ok = check(
            "GET", "/api/v2/artifacts/a1", 200, Self.artifact(spec: ["type": "service", "containerGroups": []]))
        #expect(ok == [])
        let missing = check("GET", "/api/v2/artifacts/a1", 200, Self.artifact(spec: ["containerGroups": []]))
        #expect(missing == [Mismatch(path: "$.spec", message: "the discriminator 'type' is missing")])
        let wrong = check(
            "GET", "/api/v2/artifacts/a1", 200, Self.artifact(spec: ["type": "lambda", "containerGroups": []]))
        #expect(wrong.map(\.path) == ["$.spec.type"])
    }

    @Test func wrongConstFails() {
        // The service spec's `type` is `const: service`: reached through the mapping for
        // `nim` it is a NIM spec, so check the const on the service branch directly.
        let schema: JSONValue = ["$ref": "#/components/schemas/ServiceArtifactSpec"]
        let found = checker.validator.validate(["type": "nim", "containerGroups": []], against: schema)
        #expect(found == [Mismatch(path: "$.type", message: "expected the constant \"service\", got \"nim\"")])
    }

    @Test func wrongContentTypeFails() {
        let found = check("POST", "/api/v2/workloads/w1/start", 202, Self.operation, contentType: "text/html")
        #expect(found == [Mismatch(path: "content-type", message: "expected application/json, got text/html")])
        let none = check("POST", "/api/v2/workloads/w1/start", 202, Self.operation, contentType: nil)
        #expect(none.map(\.path) == ["content-type"])
        // Parameters do not matter: `application/json; charset=utf-8` is JSON.
        #expect(
            check(
                "POST", "/api/v2/workloads/w1/start", 202, Self.operation,
                contentType: "application/json; charset=utf-8") == [])
    }

    @Test func buildLogsAreTextPlain() {
        let logs = ResponseSample(
            method: "GET", path: "/api/v2/artifacts/a1/builds/b1/logs", status: 200,
            contentType: "application/x-ndjson",
            body: Array("{}\n".utf8))
        #expect(checker.check(logs)?.mismatches.map(\.path) == ["content-type"])
        var text = logs
        text.contentType = "text/plain; charset=utf-8"
        #expect(checker.check(text)?.mismatches == [])
    }

    @Test func undocumentedStatusFails() {
        let found = check("GET", "/api/v2/workloads/w1", 409, ["detail": "no"])
        #expect(found.map(\.path) == ["status"])
        #expect(found.first?.message.hasPrefix("409 is not documented") == true)
    }

    @Test func aBodyOn204Fails() {
        #expect(check("DELETE", "/api/v2/workloads/w1/stats", 204, nil) == [])
        #expect(check("DELETE", "/api/v2/workloads/w1/stats", 204, ["detail": "x"]).map(\.path) == ["body"])
    }

    @Test func notJSONFails() {
        let sample = ResponseSample(
            method: "POST", path: "/api/v2/workloads/w1/start", status: 202, contentType: "application/json",
            body: Array("{oops".utf8))
        #expect(checker.check(sample)?.mismatches.map(\.path) == ["body"])
    }

    @Test func legacyAndSandboxPrefixesMapToTheSameOperation() {
        for path in [
            "/api/v2/workloads/w1/start", "/api/v2/console/workloads/w1/start/",
            "/sandboxes/s1/api/v2/workloads/w1/start",
            "/sandboxes/s1/api/v2/console/workloads/w1/start",
        ] {
            #expect(checker.operation(method: "POST", path: path)?.id == "startWorkload", "\(path)")
        }
        #expect(checker.operation(method: "GET", path: "/api/v2/registry/artifacts/a1")?.id == "getArtifact")
        #expect(checker.operation(method: "GET", path: "/api/v2/workloads/stats")?.id == "listWorkloadsStats")
        #expect(checker.operation(method: "GET", path: "/api/v2/workloads/w1")?.id == "getWorkload")
        #expect(checker.operation(method: "GET", path: "/__emulator/health") == nil)
        #expect(checker.operation(method: "GET", path: "/api/v2/version/") == nil)
        #expect(checker.operation(method: "PUT", path: "/api/v2/workloads/w1") == nil)
    }

    // MARK: - The deliberate differences (README, D1–D5)

    @Test func d1StatusDetailsOnWorkloadsOnly() {
        let schema: JSONValue = ["$ref": "#/components/schemas/WorkloadFormatted"]
        let withDetails = checker.validator.validate(["statusDetails": nil], against: schema)
        #expect(!withDetails.contains { $0.path == "$.statusDetails" })
        let wrongShape = checker.validator.validate(["statusDetails": ["phase": "x"]], against: schema)
        #expect(wrongShape.contains { $0.path == "$.statusDetails.phase" })
        // Not on another schema.
        var build = Self.build.objectValue!
        build["statusDetails"] = .null
        #expect(check("GET", "/api/v2/artifacts/a1/builds/b1", 200, .object(build)).map(\.path) == ["$.statusDetails"])
    }

    @Test func d2KubernetesFieldsOnEvents() {
        let event: JSONValue = [
            "id": "e1", "workloadId": "w1", "timestamp": "2026-01-01T00:00:00.000Z", "eventType": "status",
            "type": "Normal", "reason": "Started", "message": "ok",
        ]
        let schema: JSONValue = ["$ref": "#/components/schemas/WorkloadEvent"]
        #expect(checker.validator.validate(event, against: schema) == [])
        var extra = event.objectValue!
        extra["severity"] = "high"
        #expect(checker.validator.validate(.object(extra), against: schema).map(\.path) == ["$.severity"])
    }

    @Test func d3StartAndStopMayAnswer200WithTheOperationBody() {
        let start = checker.check(
            ResponseSample(
                method: "POST", path: "/api/v2/workloads/w1/start", status: 200, contentType: "application/json",
                body: JSONSerializer.serialize(Self.operation)))
        #expect(start?.mismatches == [])
        #expect(start?.difference == "D3")
        #expect(check("POST", "/api/v2/workloads/w1/stop", 200, ["status": "stopped"]).count == 2)
        // Promote has no such row.
        #expect(check("POST", "/api/v2/workloads/w1/promote", 200, Self.operation).map(\.path) == ["status"])
    }

    @Test func d4PartialDeleteAnswers502WithADetail() {
        #expect(check("DELETE", "/api/v2/workloads/w1", 502, ["detail": "Workload w1 was deleted, but…"]) == [])
        #expect(check("DELETE", "/api/v2/workloads/w1", 502, ["message": "x"]).count == 2)
        #expect(check("DELETE", "/api/v2/artifacts/a1", 502, ["detail": "x"]).map(\.path) == ["status"])
    }

    @Test func d5ReplacementRoutesAnswerReplacementDocuments() {
        let found = check("GET", "/api/v2/workloads/w1/replacement", 200, ["id": "r1", "artifactId": "a1"])
        #expect(found.contains(Mismatch(path: "$", message: "required field 'candidateArtifactId' is missing")))
        #expect(found.contains(Mismatch(path: "$.artifactId", message: "field 'artifactId' is not in the schema")))
        #expect(
            checker.operation(method: "DELETE", path: "/api/v2/workloads/w1/replacement").map(
                checker.isContractOperation) == false)
    }

    @Test func everyDifferenceRowNamesASpecLine() {
        let rows = Set(Difference.table.map(\.row))
        #expect(rows == ["D1", "D2", "D3", "D4", "D5"])
    }

    /// The README's "Differences from the real service" holds exactly the table's rows.
    @Test func theReadmeListsExactlyTheTablesRows() throws {
        let path = ContractFile.path.replacing("contract/workload-api-11.5.json", with: "README.md")
        let text = String(decoding: try #require(ContractFile.read(path)), as: UTF8.self)
        let start = try #require(text.firstRange(of: "## Differences from the real service\n"))
        let section = text[start.upperBound...]
        let end = section.firstRange(of: "\n## ")?.lowerBound ?? section.endIndex
        let rows = section[..<end].split(separator: "\n").filter { $0.hasPrefix("| D") }.map {
            String($0.dropFirst(2).prefix { $0 != " " })
        }
        #expect(rows == ["D1", "D2", "D3", "D4", "D5"])
        #expect(Set(rows) == Set(Difference.table.map(\.row)))
    }

    // MARK: - The report

    @Test func theReportGroupsMismatchesAndAsksForCoverage() {
        let good = ResponseSample(
            method: "POST", path: "/api/v2/workloads/w1/start", status: 202, contentType: "application/json",
            body: JSONSerializer.serialize(Self.operation))
        var bad = good
        bad.body = Array(#"{"status":"x"}"#.utf8)
        let report = ConformanceReport(checker: checker, samples: [good, bad, bad])
        #expect(report.checked == 3)
        #expect(report.failures.count == 2)  // workloadId and trackVia missing, each seen twice
        #expect(report.failures.allSatisfy { $0.count == 2 && $0.operation == "startWorkload" })
        let start = report.rows.first { $0.operation.id == "startWorkload" }!
        #expect(start.hasSuccess)
        #expect(start.missing == [400, 401, 403, 404, 409, 422])
        #expect(!start.passes)
        #expect(report.passingOperations.isEmpty)
        #expect(report.shapeConformingOperations.isEmpty)
        let clean = ConformanceReport(checker: checker, samples: [good])
        #expect(clean.shapeConformingOperations == ["startWorkload"])
    }
}

enum ContractFile {
    static func read(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            out.append(contentsOf: chunk[0..<n])
            if n < chunk.count { return out }
        }
    }

    /// `contract/workload-api-11.5.json` beside `Tests/`, found from this file's path so
    /// the test runs from any directory.
    static var path: String {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/contract/workload-api-11.5.json"
    }
}
