import Foundation
import JSON
import Testing
import WorkloadEmulator

/// The platform routes DataRobot's clients call, over real sockets, driven by
/// the manual clock (it starts at 2026-01-01T00:00:00.000Z; realistic profile: running
/// 3 s after creation).
@Suite struct PlatformEndToEndTests {
    static let image = "registry.example.com/hello:1.0"

    /// A workload on an inline artifact with one container, optionally naming bundles.
    static func body(_ name: String, bundles: [String]? = nil) -> JSONValue {
        var group = JSONObject([("name", "default"), ("containers", [["name": "app"]])])
        if let bundles { group["resourceBundles"] = .array(bundles.map { .string($0) }) }
        return [
            "name": .string(name),
            "artifact": [
                "name": .string(name + "-art"),
                "spec": [
                    "containerGroups": [
                        [
                            "name": "default",
                            "containers": [
                                [
                                    "name": "app", "imageUri": .string(image), "port": 8080,
                                    "readinessProbe": ["path": "/ready", "port": 8080],
                                ]
                            ],
                        ]
                    ]
                ],
            ],
            "runtime": ["containerGroups": [.object(group)]],
        ]
    }

    func create(_ c: TestClient, _ name: String, bundles: [String]? = nil) throws -> String {
        let r = try c.send("POST", "/api/v2/workloads", Self.body(name, bundles: bundles))
        guard r.status == 201, let id = r.json["id"]?.stringValue else {
            throw TestClient.Failure(description: "create: \(r.status) \(r.text)")
        }
        return id
    }

    func messages(_ page: JSONValue) -> [String] {
        (page["data"]?.arrayValue ?? []).map { $0["message"]?.stringValue ?? "?" }
    }

    /// The path and query of a `next` URL, to follow it on the same connection.
    func target(_ url: JSONValue?) -> String? {
        guard let s = url?.stringValue, let r = s.range(of: "/api/v2/") else { return nil }
        return String(s[r.lowerBound...])
    }

    @Test func logsOfARunningAndAFailedWorkloadOnTheManualClock() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let w1 = try create(c, "served", bundles: ["cpu.medium"])
        let created = try c.send("GET", "/api/v2/workloads/\(w1)").json
        #expect(created["runtime"]?["containerGroups"]?[0]?["resolvedBundle"] == nil)
        try c.advance(0.5)  // provisioning: scheduled
        let scheduled = try c.send("GET", "/api/v2/workloads/\(w1)").json
        #expect(scheduled["status"] == "provisioning")
        #expect(
            scheduled["runtime"]?["containerGroups"]?[0]?["resolvedBundle"]
                == [
                    "id": "cpu.medium", "cpuCount": 2, "memoryBytes": 8_589_934_592, "gpuCount": 0, "gpuMaker": nil,
                    "gpuTypeLabel": nil,
                ])
        #expect(scheduled["runtime"]?["containerGroups"]?[0]?["bundleSelectionPolicy"] == "availability")
        try c.advance(2.5)
        #expect(try c.status(w1) == "running")
        for path in ["/predict", "/predict?x=1", "/health"] {
            try c.advance(1)
            let method = path == "/predict?x=1" ? "POST" : "GET"
            #expect(try c.send(method, "/api/v2/endpoints/workloads/\(w1)\(path)").status == 200)
        }

        // A second workload whose launch fails.
        let w2 = try create(c, "broken")
        let failure = "Back-off pulling image \"registry.example.com/broken:0\": ImagePullBackOff"
        let rule = try c.send(
            "POST", "/__emulator/faults",
            ["action": "launchFailure", "match": ["workloadId": .string(w2)], "message": .string(failure)])
        #expect(rule.status == 201)
        try c.advance(3)
        #expect(try c.status(w2) == "errored")

        // Newest first, in time order, with every lifecycle step and one access line per invoke.
        let all = try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?limit=100")
        #expect(all.status == 200)
        #expect(all.contentType == "application/json")
        let lines = all.json["data"]?.arrayValue ?? []
        #expect(all.json["count"] == 10)
        #expect(all.json["totalCount"] == 10)
        #expect(all.json["next"] == .null)
        #expect(all.json["previous"] == .null)
        let text = messages(all.json)
        #expect(
            Array(text.suffix(7))
                == [
                    "Readiness probe passed for container app: HTTP GET /ready on port 8080", "Started container app",
                    "Created container app", "Successfully pulled image \"\(Self.image)\"",
                    "Pulling image \"\(Self.image)\"",
                    "Scheduled proton \(created["protonId"]!.stringValue!) onto node emulator-node-1 with bundle cpu.medium",
                    "Proton \(created["protonId"]!.stringValue!) submitted for scheduling",
                ])
        #expect(text[0].hasPrefix("\"GET /health\" 200 "))
        #expect(text[1].hasPrefix("\"POST /predict?x=1\" 200 "))
        #expect(text[2].hasPrefix("\"GET /predict\" 200 "))
        let times = lines.map { $0["timestamp"]?.stringValue ?? "" }
        #expect(
            times
                == [
                    "2026-01-01 00:00:06+00:00", "2026-01-01 00:00:05+00:00", "2026-01-01 00:00:04+00:00",
                    "2026-01-01 00:00:03+00:00", "2026-01-01 00:00:03+00:00", "2026-01-01 00:00:03+00:00",
                    "2026-01-01 00:00:03+00:00", "2026-01-01 00:00:02+00:00", "2026-01-01 00:00:00.500000+00:00",
                    "2026-01-01 00:00:00+00:00",
                ])
        let parsed = times.compactMap(Timestamp.parse)
        #expect(parsed.count == 10)
        #expect(zip(parsed, parsed.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(lines.allSatisfy { $0["level"] == "info" })
        #expect(lines[0]["traceId"]?.stringValue?.utf8.count == 32)
        #expect(lines[0]["spanId"]?.stringValue?.utf8.count == 16)
        #expect(lines[3]["traceId"] == .null)
        #expect(lines[0]["attributes"]?["http.status_code"] == 200)

        // Level is a minimum.
        #expect(try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?level=warning").json["totalCount"] == 0)
        #expect(try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?level=debug").json["totalCount"] == 10)
        // Time window, both ends inclusive.
        let late = try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?startTime=2026-01-01T00:00:04Z").json
        #expect(late["totalCount"] == 3)
        let early = try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?endTime=2026-01-01T00:00:02.000Z").json
        #expect(messages(early) == Array(text.suffix(3)))
        let at3 = try c.send(
            "GET", "/api/v2/otel/workload/\(w1)/logs/?startTime=2026-01-01T00:00:03Z&endTime=2026-01-01T00:00:03Z"
        ).json
        #expect(messages(at3) == Array(text[3..<7]))
        // Body text and attributes.
        #expect(try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?includes=predict").json["totalCount"] == 2)
        #expect(
            try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?includes=predict&includes=POST").json["totalCount"]
                == 1)
        #expect(try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?excludes=container").json["totalCount"] == 7)
        let post = try c.send(
            "GET", "/api/v2/otel/workload/\(w1)/logs/?searchKeys=http.method&searchValues=POST&searchKeys=level&searchValues=info"
        ).json
        #expect(messages(post) == [text[1]])
        let traced = try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?traceId=\(lines[2]["traceId"]!.stringValue!)")
        #expect(messages(traced.json) == [text[2]])

        // Paging: pages of 4 that carry the filter, and together are the whole list.
        var page = try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?limit=4&level=info").json
        #expect(page["count"] == 4)
        #expect(page["totalCount"] == 10)
        #expect(
            page["next"]
                == .string(
                    "http://127.0.0.1:\(live.port)/api/v2/otel/workload/\(w1)/logs/?offset=4&limit=4&level=info"))
        var seen = messages(page)
        while let next = target(page["next"]) {
            page = try c.send("GET", next).json
            seen += messages(page)
        }
        #expect(seen == text)
        #expect(page["count"] == 2)
        #expect(target(page["previous"]) == "/api/v2/otel/workload/\(w1)/logs/?offset=4&limit=4&level=info")

        // The failed launch: its message at level error.
        let errors = try c.send("GET", "/api/v2/otel/workload/\(w2)/logs/?level=error").json
        #expect(errors["totalCount"] == 1)
        #expect(errors["data"]?[0]?["message"] == .string(failure))
        #expect(errors["data"]?[0]?["level"] == "error")
        #expect(errors["data"]?[0]?["timestamp"] == "2026-01-01 00:00:09+00:00")
        let broken = try c.send("GET", "/api/v2/otel/workload/\(w2)/logs/").json
        #expect(
            (broken["data"]?.arrayValue ?? []).map { $0["level"]?.stringValue ?? "" } == ["error", "info", "info", "info"])
        #expect(messages(broken)[1] == "Pulling image \"\(Self.image)\"")

        // Bad filters change nothing and say which parameter.
        let bad = try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?level=loud&startTime=yesterday&limit=1001")
        #expect(bad.status == 422)
        #expect(
            (bad.json["detail"]?.arrayValue ?? []).compactMap { $0["loc"]?[1]?.stringValue }.sorted()
                == ["level", "limit", "startTime"])
        let unpaired = try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/?searchKeys=level")
        #expect(unpaired.status == 422)

        // The log goes with the workload.
        #expect(try c.send("DELETE", "/api/v2/workloads/\(w1)").status == 204)
        let gone = try c.send("GET", "/api/v2/otel/workload/\(w1)/logs/")
        #expect(gone.status == 404)
        #expect(gone.json == ["detail": "Workload not found."])
    }

    @Test func stopStartAndReplacementWriteTheirLines() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try create(c, "cycled", bundles: ["cpu.small"])
        try c.advance(3)
        let patch = try c.send(
            "PATCH", "/api/v2/workloads/\(id)/settings",
            ["runtime": ["containerGroups": [["name": "default", "resourceBundles": ["cpu.large"], "containers": [["name": "app"]]]]]])
        #expect(patch.status == 202)
        try c.advance(10)
        let w = try c.send("GET", "/api/v2/workloads/\(id)").json
        #expect(w["replacement"] == .null)
        #expect(w["runtime"]?["containerGroups"]?[0]?["resolvedBundle"]?["id"] == "cpu.large")
        let replacement = messages(try c.send("GET", "/api/v2/otel/workload/\(id)/logs/?includes=Replacement").json)
        #expect(replacement.first?.hasSuffix("completed") == true)
        #expect(replacement.last?.contains("started: candidate proton") == true)
        #expect(try c.send("POST", "/api/v2/workloads/\(id)/stop").status == 202)
        try c.advance(2)
        let stopped = messages(try c.send("GET", "/api/v2/otel/workload/\(id)/logs/?limit=2").json)
        #expect(stopped == ["Container app stopped (exit code 0)", "Stopping container app"])
    }

    @Test func unknownBundleIs422NamingItAndChangesNothing() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let r = try c.send("POST", "/api/v2/workloads", Self.body("x", bundles: ["cpu.small", "gpu.h100.huge"]))
        #expect(r.status == 422)
        #expect(
            r.json["detail"]?[0]?["msg"]
                == .string(
                    "Unknown resource bundle 'gpu.h100.huge' at runtime.containerGroups[0].resourceBundles[1]: "
                        + "it is not one of GET /api/v2/mlops/compute/bundles/ (cpu.nano, cpu.small, cpu.medium, "
                        + "cpu.large, gpu.l4.small, gpu.a10g.medium)."))
        #expect(try c.send("GET", "/api/v2/workloads").json["totalCount"] == 0)
        #expect(try c.send("GET", "/api/v2/artifacts").json["totalCount"] == 0)
        let id = try create(c, "ok", bundles: ["gpu.l4.small"])
        try c.advance(3)
        let before = try c.send("GET", "/api/v2/workloads/\(id)").json
        let patch = try c.send(
            "PATCH", "/api/v2/workloads/\(id)/settings",
            ["runtime": ["containerGroups": [["name": "default", "resourceBundles": ["nope"]]]]])
        #expect(patch.status == 422)
        #expect(patch.json["detail"]?[0]?["msg"]?.stringValue?.hasPrefix("Unknown resource bundle 'nope' ") == true)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").json == before)
        #expect(
            before["runtime"]?["containerGroups"]?[0]?["resolvedBundle"]
                == [
                    "id": "gpu.l4.small", "cpuCount": 4, "memoryBytes": 17_179_869_184, "gpuCount": 1,
                    "gpuMaker": "nvidia", "gpuTypeLabel": "nvidia-l4",
                ])
    }

    @Test func bundleListFiltersAndFixtureCatalogue() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let all = try c.send("GET", "/api/v2/mlops/compute/bundles")
        #expect(all.status == 200)
        #expect(all.json["totalCount"] == 6)
        let small = all.json["data"]?[1]
        #expect(
            small
                == [
                    "id": "cpu.small", "name": "S", "description": "1 CPU, 2 GiB", "cpuCount": 1,
                    "memoryBytes": 2_147_483_648, "gpuCount": 0, "gpuMaker": nil, "gpuTypeLabel": nil,
                    "gpuMemoryBytes": nil, "hasGpu": false, "useCases": ["customApplication"],
                ])
        let gpus = try c.send("GET", "/api/v2/mlops/compute/bundles/?hasGpu=true").json
        #expect((gpus["data"]?.arrayValue ?? []).map { $0["id"]?.stringValue ?? "" } == ["gpu.l4.small", "gpu.a10g.medium"])
        #expect(try c.send("GET", "/api/v2/mlops/compute/bundles/?useCases=customModel").json["totalCount"] == 0)
        let badFlag = try c.send("GET", "/api/v2/mlops/compute/bundles/?hasGpu=maybe")
        #expect(badFlag.status == 422)
        #expect(badFlag.json["detail"]?[0]?["loc"] == ["query", "hasGpu"])
        #expect(try c.send("GET", "/api/v2/mlops/compute/bundles/?hasGpu=").status == 422)
        #expect(try c.send("GET", "/api/v2/mlops/compute/bundles/gpu.l4.small").json["gpuMemoryBytes"] == 25_769_803_776)
        #expect(try c.send("GET", "/api/v2/mlops/compute/bundles/none").status == 404)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("platform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"""
        {"sandbox": "custom", "users": [{"username": "ann", "token": "ann-token"}],
         "bundles": [{"id": "tiny", "cpuCount": 0.5, "memoryBytes": 268435456},
                     {"id": "big", "name": "Big", "cpuCount": 16, "memoryBytes": 68719476736, "gpuCount": 2,
                      "gpuMaker": "nvidia", "gpuTypeLabel": "nvidia-h100"}]}
        """#.write(to: dir.appendingPathComponent("platform.json"), atomically: true, encoding: .utf8)
        let fixtured = try LiveEmulator { $0.fixturesDirectory = dir.path }
        let custom = try fixtured.client(sandbox: "custom", token: "ann-token")
        let list = try custom.send("GET", "/api/v2/mlops/compute/bundles/").json
        #expect((list["data"]?.arrayValue ?? []).map { $0["id"]?.stringValue ?? "" } == ["tiny", "big"])
        #expect(list["data"]?[0]?["cpuCount"] == 0.5)
        // Other sandboxes keep the built-in catalogue; in this one only the fixture's bundles exist.
        #expect(try fixtured.client().send("GET", "/api/v2/mlops/compute/bundles/").json["totalCount"] == 6)
        #expect(try custom.send("POST", "/api/v2/workloads", Self.body("w", bundles: ["cpu.small"])).status == 422)
        let id = try create(custom, "w", bundles: ["tiny", "big"])
        try custom.advance(1)
        // availability: the first named bundle that fits what the containers ask for (nothing: tiny).
        #expect(
            try custom.send("GET", "/api/v2/workloads/\(id)").json["runtime"]?["containerGroups"]?[0]?["resolvedBundle"]?[
                "id"] == "tiny")
    }

    @Test func readersOfTheWorkloadReadItsTelemetry() throws {
        let live = try LiveEmulator()
        let alice = try live.client()
        let bob = try live.client(token: "bob")
        let carol = try live.client(token: "carol")
        let dave = try live.client(token: "dave")
        let id = try create(alice, "shared")
        try alice.advance(3)
        #expect(try alice.send("GET", "/api/v2/endpoints/workloads/\(id)/x").status == 200)
        let bobId = try bob.send("GET", "/api/v2/account/info/").json["id"]!
        let carolId = try carol.send("GET", "/api/v2/account/info/").json["id"]!
        _ = try dave.send("GET", "/api/v2/account/info/")
        let share = try alice.send(
            "PATCH", "/api/v2/workloads/\(id)/sharedRoles",
            [
                "operation": "updateRoles",
                "roles": [
                    ["id": bobId, "role": "USER", "shareRecipientType": "user"],
                    ["id": carolId, "role": "CONSUMER", "shareRecipientType": "user"],
                ],
            ])
        #expect(share.status == 204)
        for suffix in ["logs/", "traces/", "metrics/autocollectedValues/"] {
            let path = "/api/v2/otel/workload/\(id)/\(suffix)"
            #expect(try alice.send("GET", path).status == 200)
            #expect(try bob.send("GET", path).status == 200)
            #expect(try carol.send("GET", path).status == 403)
            #expect(try dave.send("GET", path).status == 404)
            #expect(try live.client(token: nil).send("GET", path).status == 401)
        }
    }

    @Test func tracesAndMetricsComeFromTheInvokes() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try create(c, "traced", bundles: ["cpu.medium"])
        try c.advance(3)
        #expect(try c.send("GET", "/api/v2/otel/workload/\(id)/traces/").json["totalCount"] == 0)
        for path in ["/a", "/b", "/c"] {
            try c.advance(1)
            #expect(try c.send("GET", "/api/v2/endpoints/workloads/\(id)\(path)").status == 200)
        }
        let traces = try c.send("GET", "/api/v2/otel/workload/\(id)/traces/")
        #expect(traces.status == 200)
        let rows = traces.json["data"]?.arrayValue ?? []
        #expect(rows.map { $0["rootSpanName"]?.stringValue ?? "" } == ["GET /c", "GET /b", "GET /a"])
        #expect(rows.allSatisfy { $0["spansCount"] == 2 && $0["errorSpansCount"] == 0 && $0["rootServiceName"] == "traced" })
        #expect(rows[0]["startTime"] == "2026-01-01T00:00:06.000Z")
        #expect(Set(rows.compactMap { $0["traceId"]?.stringValue }).count == 3)
        let window = try c.send(
            "GET", "/api/v2/otel/workload/\(id)/traces/?startTime=2026-01-01T00:00:05Z&endTime=2026-01-01T00:00:05Z")
        #expect((window.json["data"]?.arrayValue ?? []).map { $0["rootSpanName"]?.stringValue ?? "" } == ["GET /b"])
        let traceId = rows[1]["traceId"]!.stringValue!
        let trace = try c.send("GET", "/api/v2/otel/workload/\(id)/traces/\(traceId)/").json
        #expect(trace["traceId"] == .string(traceId))
        let spans = trace["spans"]?.arrayValue ?? []
        #expect(spans.count == 2)
        #expect(spans[0]["parentSpanId"] == .null)
        #expect(spans[1]["parentSpanId"] == spans[0]["spanId"])
        #expect(spans[0]["attributes"]?["http.method"] == "GET")
        #expect(spans[0]["statusCode"] == "OK")
        let missing = try c.send("GET", "/api/v2/otel/workload/\(id)/traces/\(String(repeating: "0", count: 32))/")
        #expect(missing.status == 404)
        #expect(missing.json == ["detail": "Trace not found."])

        let metrics = try c.send("GET", "/api/v2/otel/workload/\(id)/metrics/autocollectedValues/").json
        let byName = Dictionary(
            (metrics["data"]?.arrayValue ?? []).map { ($0["otelName"]?.stringValue ?? "", $0) },
            uniquingKeysWith: { a, _ in a })
        #expect(byName["http.server.request.count"]?["currentValue"] == 3)
        #expect(byName["http.server.error_rate"]?["currentValue"] == 0.0)
        #expect(byName["http.server.request.count"]?["unit"] == "count")
        #expect(byName["container.cpu.usage"]?["unit"] == "nanocores")
        #expect(byName["container.memory.working_set"]?["currentValue"] == .int(67_108_864 + 3 * 4096))
        let empty = try c.send(
            "GET", "/api/v2/otel/workload/\(id)/metrics/autocollectedValues/?startTime=2026-01-02T00:00:00Z").json
        #expect(
            (empty["data"]?.arrayValue ?? []).first { $0["otelName"] == "http.server.request.count" }?["currentValue"]
                == 0)
        #expect(
            try c.send("GET", "/api/v2/otel/workload/\(id)/metrics/autocollectedValues/?endTime=soon").status == 422)
    }

    @Test func aResolvedBundleSentByTheClientCannotBreakTheMetrics() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let id = try create(c, "odd")
        try c.advance(3)
        let odd: JSONValue = [
            "containerGroups": [
                ["name": "default", "resolvedBundle": ["id": "x", "cpuCount": -1e300, "memoryBytes": 9_223_372_036_854_775_807]]
            ]
        ]
        #expect(try c.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": odd]).status == 202)
        try c.advance(10)
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").json["runtime"] == odd)
        let metrics = try c.send("GET", "/api/v2/otel/workload/\(id)/metrics/autocollectedValues/")
        #expect(metrics.status == 200)
        let cpu = (metrics.json["data"]?.arrayValue ?? []).first { $0["otelName"] == "container.cpu.usage" }
        #expect(cpu?["currentValue"] == 0)
    }

    @Test func credentialsFromFixturesAndCreated() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("platform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"""
        {"users": [{"username": "ann", "token": "ann-token"}],
         "credentials": [{"credentialId": "66f1a2b3c4d5e6f7a8b9c0d1", "name": "s3-prod", "credentialType": "s3",
                          "description": "Production bucket"},
                         {"name": "openai", "credentialType": "api_token"}]}
        """#.write(to: dir.appendingPathComponent("creds.json"), atomically: true, encoding: .utf8)
        let live = try LiveEmulator { $0.fixturesDirectory = dir.path }
        let c = try live.client(token: "ann-token")
        let list = try c.send("GET", "/api/v2/credentials/?limit=50")
        #expect(list.status == 200)
        #expect(list.json["totalCount"] == 2)
        #expect(
            list.json["data"]?[0]
                == [
                    "credentialId": "66f1a2b3c4d5e6f7a8b9c0d1", "name": "s3-prod", "description": "Production bucket",
                    "credentialType": "s3", "creationDate": "2025-01-01T00:00:00.000Z", "configId": nil,
                ])
        #expect(try c.send("GET", "/api/v2/credentials/?types=api_token").json["data"]?[0]?["name"] == "openai")
        let made = try c.send(
            "POST", "/api/v2/credentials/", ["name": "dotenv-KEY", "credentialType": "api_token", "apiToken": "s3cr3t"])
        #expect(made.status == 201)
        #expect(!made.text.contains("s3cr3t"))
        let id = made.json["credentialId"]!.stringValue!
        #expect(made.json["creationDate"] == "2026-01-01T00:00:00.000Z")
        #expect(try c.send("GET", "/api/v2/credentials/\(id)/").json == made.json)
        let again = try c.send("POST", "/api/v2/credentials/", ["name": "dotenv-KEY", "credentialType": "api_token"])
        #expect(again.status == 409)
        #expect(again.json == ["detail": "A credential named 'dotenv-KEY' already exists."])
        #expect(try c.send("POST", "/api/v2/credentials/", ["name": "x", "credentialType": "magic"]).status == 422)
        #expect(try c.send("GET", "/api/v2/credentials/").json["totalCount"] == 3)
        // An env var naming a credential that does not exist is accepted (the platform resolves it at container start).
        var body = Self.body("with-secret")
        if case var .object(top) = body, case var .object(art) = top["artifact"]!, case var .object(spec) = art["spec"]! {
            spec["containerGroups"] = [
                [
                    "name": "default",
                    "containers": [
                        [
                            "name": "app", "imageUri": "x:1",
                            "environmentVars": [
                                [
                                    "source": "dr-credential", "name": "AWS_ACCESS_KEY_ID",
                                    "drCredentialId": "000000000000000000000000", "key": "awsAccessKeyId",
                                ]
                            ],
                        ]
                    ],
                ]
            ]
            art["spec"] = .object(spec)
            top["artifact"] = .object(art)
            body = .object(top)
        }
        #expect(try c.send("POST", "/api/v2/workloads", body).status == 201)
        #expect(try c.send("DELETE", "/api/v2/credentials/\(id)/").status == 204)
        let gone = try c.send("GET", "/api/v2/credentials/\(id)/")
        #expect(gone.status == 404)
        #expect(gone.json == ["detail": "Credential not found."])
        #expect(try live.client(token: nil).send("GET", "/api/v2/credentials/").status == 401)
    }

    @Test func executionEnvironmentsAndTheVersionTheCLIBuildsFrom() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let list = try c.send("GET", "/api/v2/executionEnvironments/?limit=100")
        #expect(list.status == 200)
        let rows = list.json["data"]?.arrayValue ?? []
        #expect(rows.count == 3)
        let py = rows[0]
        #expect(py["latestSuccessfulVersion"]?["id"] == "680fa9f0e1b2c3d4e5f60718")
        #expect(py["latestVersion"]?["environmentId"] == py["id"])
        // The Node.js image's only version failed: nothing to build from.
        #expect(rows[2]["latestSuccessfulVersion"] == .null)
        #expect(rows[2]["latestVersion"]?["buildStatus"] == "failed")
        let id = py["id"]!.stringValue!
        #expect(try c.send("GET", "/api/v2/executionEnvironments/\(id)/").json == py)
        let versions = try c.send("GET", "/api/v2/executionEnvironments/\(id)/versions/?limit=10").json
        #expect((versions["data"]?.arrayValue ?? []).map { $0["label"]?.stringValue ?? "" } == ["v2", "v1"])
        let v = try c.send("GET", "/api/v2/executionEnvironments/\(id)/versions/680fa9f0e1b2c3d4e5f60718/").json
        #expect(v["sourceDockerImageUri"] == "datarobot/python311-apps:v2")
        #expect(v["buildStatus"] == "success")
        #expect(try c.send("GET", "/api/v2/executionEnvironments/\(id)/versions/nope/").status == 404)
        #expect(try c.send("GET", "/api/v2/executionEnvironments/nope/").status == 404)
        let found = try c.send("GET", "/api/v2/executionEnvironments/?searchFor=python%203.12").json
        #expect(found["data"]?[0]?["name"] == "[DataRobot] Python 3.12 Applications Base")
        #expect(found["totalCount"] == 1)
    }
}
