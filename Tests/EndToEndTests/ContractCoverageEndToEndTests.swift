import ContractCheck
import JSON
import Testing

/// Answers that the other suites rarely ask for, asked over a real socket so that the
/// contract conformance check (Tests/ContractCheckTests) sees every documented 4xx the
/// emulator can give: 401 on each of the contract's 40 operations, and the role and
/// not-found refusals on artifacts and repositories.
@Suite struct ContractCoverageEndToEndTests {
    static let contract: Contract = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        do { return try Contract.load(path: parts.joined(separator: "/") + "/contract/workload-api-11.5.json") } catch {
            fatalError("\(error)")
        }
    }()

    /// The operation's path with every parameter filled, under `/api/v2`.
    static func target(_ op: Contract.Operation, _ value: String) -> String {
        "/api/v2/" + op.path.split(separator: "/").map { $0.hasPrefix("{") ? value : String($0) }.joined(separator: "/")
    }

    /// The same with each named parameter from `values` (else `fallback`).
    static func target(
        _ op: Contract.Operation, values: [String: String], fallback: String = "0123456789abcdef01234567"
    )
        -> String
    {
        "/api/v2/"
            + op.path.split(separator: "/").map { segment in
                segment.hasPrefix("{") ? values[String(segment.dropFirst().dropLast())] ?? fallback : String(segment)
            }.joined(separator: "/")
    }

    @Test func everyContractOperationRefusesAMissingToken() throws {
        let live = try LiveEmulator()
        let anonymous = try live.client(token: nil)
        #expect(Self.contract.operations.count == 40)
        for op in Self.contract.operations {
            let r = try anonymous.send(op.method, Self.target(op, "0123456789abcdef01234567"))
            #expect(r.status == 401, "\(op.id): \(r.status) \(r.text)")
            #expect(r.json == ["message": "Invalid API key"], "\(op.id)")
        }
    }

    /// A body each operation accepts, so that a refusal comes from what the test varies.
    static let validBodies: [String: JSONValue] = [
        "updateArtifactRepositorySharedRoles": roles, "updateArtifactSharedRoles": roles,
        "updateWorkloadSharedRoles": roles, "updateArtifact": ["name": "x", "spec": ["containerGroups": []]],
        "patchArtifact": ["name": "x"], "cloneArtifact": ["name": "x"], "updateWorkload": ["name": "x"],
        "updateWorkloadSettings": ["runtime": ["containerGroups": []]],
        "createArtifact": ["name": "x", "spec": ["containerGroups": []]],
    ]
    static let roles: JSONValue = [
        "operation": "updateRoles", "roles": [["username": "nobody", "role": "USER", "shareRecipientType": "user"]],
    ]

    /// Body-taking operations: the contract's, plus the actions that take an optional `{}`.
    static func takesBody(_ op: Contract.Operation) -> Bool {
        ["POST", "PUT", "PATCH"].contains(op.method)
    }

    /// Per operation: an unknown id is 404; a body that is not JSON is 400; an
    /// unknown body field or a list `limit` of 0 is 422 — wherever the contract documents it.
    @Test func everyOperationRefusesUnknownIdsBadJSONAndBadInputWithTheDocumentedCode() throws {
        let live = try LiveEmulator()
        let alice = try live.client()
        let unknown = "0123456789abcdef01234567"
        let created = try alice.send("POST", "/api/v2/workloads", ["name": "w", "artifact": ["name": "a"]])
        #expect(created.status == 201, "\(created.text)")
        let artifact = try alice.send("GET", "/api/v2/artifacts/\(created.json["artifactId"]!.stringValue!)").json
        let real: [String: String] = [
            "workload_id": created.json["id"]!.stringValue!, "artifact_id": artifact["id"]!.stringValue!,
            "artifact_repository_id": artifact["artifactRepositoryId"]!.stringValue!, "metric_name": "totalRequests",
        ]
        for op in Self.contract.operations {
            let target = Self.target(op, unknown)
            let documented = op.clientErrorStatuses
            if documented.contains(404), op.path.contains("{") {
                let r = try alice.send(op.method, target, Self.validBodies[op.id])
                #expect(r.status == 404, "\(op.id): \(r.status) \(r.text)")
            }
            if documented.contains(400), Self.takesBody(op) {
                let r = try alice.send(op.method, target, raw: "{oops", headers: [("Content-Type", "application/json")])
                #expect(r.status == 400, "\(op.id): \(r.status) \(r.text)")
            }
            if documented.contains(422) {
                // On objects that exist, so the input is what is refused.
                let existing = Self.target(op, values: real)
                let parameters = Self.contract.document["paths"]?[op.path]?[op.method.lowercased()]?["parameters"]
                let takesLimit = (parameters?.arrayValue ?? []).contains { $0["name"] == "limit" }
                if Self.takesBody(op) {
                    var body = Self.validBodies[op.id]?.objectValue ?? JSONObject()
                    body["notAField"] = 1
                    let r = try alice.send(op.method, existing, .object(body))
                    #expect(r.status == 422, "\(op.id): \(r.status) \(r.text)")
                } else if takesLimit {
                    let r = try alice.send(op.method, existing + "?limit=0")
                    #expect(r.status == 422, "\(op.id): \(r.status) \(r.text)")
                }
            }
        }
    }

    /// A body that cannot be read gets, operation by operation, the code the contract
    /// documents for it: 400 where the operation lists one, else its 422, in the shape the
    /// contract gives that status (checked by the conformance checker itself).
    @Test func anUnreadableBodyGetsTheCodeAndShapeEachOperationDocuments() throws {
        let checker = ResponseChecker(contract: Self.contract)
        let live = try LiveEmulator()
        let alice = try live.client()
        let created = try alice.send("POST", "/api/v2/workloads", ["name": "w", "artifact": ["name": "a"]])
        #expect(created.status == 201, "\(created.text)")
        let artifact = try alice.send("GET", "/api/v2/artifacts/\(created.json["artifactId"]!.stringValue!)").json
        let real: [String: String] = [
            "workload_id": created.json["id"]!.stringValue!, "artifact_id": artifact["id"]!.stringValue!,
            "artifact_repository_id": artifact["artifactRepositoryId"]!.stringValue!,
        ]
        var answered: [String: Int] = [:]
        for op in Self.contract.operations
        where Self.contract.document["paths"]?[op.path]?[op.method.lowercased()]?["requestBody"] != nil {
            let expected = op.clientErrorStatuses.contains(400) ? 400 : 422
            for legacy in [false, true] {
                var target = Self.target(op, values: real)
                if legacy {
                    let prefix = op.path.hasPrefix("/workloads") ? "/api/v2/console/" : "/api/v2/registry/"
                    target = prefix + target.dropFirst("/api/v2/".count)
                }
                for raw in ["{oops", #"{"name": "x"} trailing"#, "nul"] {
                    let r = try alice.send(op.method, target, raw: raw)
                    #expect(r.status == expected, "\(op.id) \(target) \(raw): \(r.status) \(r.text)")
                    if expected == 400 {
                        #expect(r.json["detail"]?.stringValue?.hasPrefix("Request body is not valid JSON") == true)
                    } else {
                        #expect(r.issues == ["body:json_invalid"], "\(op.id): \(r.text)")
                    }
                    let sample = ResponseSample(
                        method: op.method, path: target, status: r.status, contentType: r.contentType, body: r.body)
                    let mismatches = checker.check(sample)?.mismatches.map(\.description) ?? ["not an operation"]
                    #expect(mismatches.isEmpty, "\(op.id): \(mismatches)")
                    answered[op.id] = r.status
                }
            }
        }
        #expect(answered.count == 10)
        #expect(answered.filter { $0.value == 422 }.keys.sorted() == ["updateArtifactRepositorySharedRoles"])
        // Nothing was changed by any of them.
        #expect(try alice.send("GET", "/api/v2/workloads/\(real["workload_id"]!)").json["name"] == "w")
        #expect(try alice.send("GET", "/api/v2/workloads").json["totalCount"] == 1)
        #expect(try alice.send("GET", "/api/v2/artifacts").json["totalCount"] == 1)
    }

    @Test func theAggregateRefusesAnUnknownFilterValue() throws {
        let live = try LiveEmulator()
        let r = try live.client().send("GET", "/api/v2/workloads/stats?importance=urgent")
        #expect(r.status == 422, "\(r.text)")
        #expect(r.json["detail"]?.arrayValue?.first?["loc"] == ["query", "importance"])
    }

    func share(_ owner: TestClient, _ path: String, with username: String, role: String) throws -> TestClient.Response {
        try owner.send(
            "PATCH", path + "/sharedRoles",
            [
                "operation": "updateRoles",
                "roles": [["username": .string(username), "role": .string(role), "shareRecipientType": "user"]],
            ])
    }

    @Test func artifactAndRepositoryChangesNeedTheOwner() throws {
        let live = try LiveEmulator()
        let alice = try live.client()
        let bob = try live.client(token: "bob")
        let bobName = try bob.send("GET", "/api/v2/account/info/").json["username"]!.stringValue!
        let created = try alice.send("POST", "/api/v2/artifacts", ["name": "art", "spec": ["containerGroups": []]])
        #expect(created.status == 201, "\(created.text)")
        let artifact = created.json["id"]!.stringValue!
        let repository = created.json["artifactRepositoryId"]!.stringValue!

        #expect(try share(alice, "/api/v2/artifacts/\(artifact)", with: bobName, role: "USER").status == 204)
        #expect(
            try share(alice, "/api/v2/artifactRepositories/\(repository)", with: bobName, role: "USER").status == 204)
        // A USER reads both but may not replace the artifact or share either.
        #expect(try bob.send("GET", "/api/v2/artifacts/\(artifact)").status == 200)
        let replace = try bob.send(
            "PUT", "/api/v2/artifacts/\(artifact)", ["name": "mine", "spec": ["containerGroups": []]])
        #expect(replace.status == 403, "\(replace.text)")
        let reshare = try share(bob, "/api/v2/artifactRepositories/\(repository)", with: bobName, role: "OWNER")
        #expect(reshare.status == 403, "\(reshare.text)")
        #expect(try alice.send("GET", "/api/v2/artifacts/\(artifact)").json["name"] == "art")
    }

    @Test func unknownArtifactsAreNotFound() throws {
        let live = try LiveEmulator()
        let alice = try live.client()
        let unknown = "0123456789abcdef01234567"
        let patch = try alice.send("PATCH", "/api/v2/artifacts/\(unknown)", ["name": "x"])
        #expect(patch.status == 404, "\(patch.text)")
        #expect(patch.json == ["detail": "Artifact not found."])
        let builds = try alice.send("GET", "/api/v2/artifacts/\(unknown)/builds")
        #expect(builds.status == 404, "\(builds.text)")
        #expect(builds.json == ["detail": "Artifact not found."])
    }
}
