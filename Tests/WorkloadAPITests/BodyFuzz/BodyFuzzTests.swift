import Glibc
import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

/// Every route of the OpenAPI document, fed schema-shaped bodies that
/// `BodyGenerator` has mutated, plus hostile query strings and path parameters, in
/// process. No request may crash the process or be answered 5xx, except what the API
/// documents: an answer a fault rule injected (`X-Emulator-Injected`: a `respond`
/// rule's status, the 502 of a partial delete) and the 503 of an invoke whose
/// workload is not running.
///
/// Seeded and reproducible: episode `e` of seed `s` replays alone with
/// `BODY_FUZZ_SEED=s BODY_FUZZ_EPISODE=e` (add `BODY_FUZZ_TRACE=1` to see every request).
/// Each episode starts from an empty sandbox. The normal run is a few episodes;
/// `BODY_FUZZ_SECONDS=N` runs episodes for N seconds (CI: scripts/test).
@Suite struct BodyFuzzTests {
    static let environment = ProcessInfoLite.environment
    static let seed = environment["BODY_FUZZ_SEED"].flatMap { UInt64($0) } ?? 11
    static let seconds = environment["BODY_FUZZ_SECONDS"].flatMap { Double($0) } ?? 0
    static let onlyEpisode = environment["BODY_FUZZ_EPISODE"].flatMap { Int($0) }
    /// `BODY_FUZZ_TRACE=1`: every request and its answer on stdout.
    static let trace = environment["BODY_FUZZ_TRACE"] != nil
    static let shortRunEpisodes = 6
    static let requestsPerEpisode = 60
    static let sandbox = "fuzz"

    struct Operation {
        let method: String
        let path: String
        let body: JSONValue?
        let queryNames: [String]
        /// The routes that forward to a workload's endpoint (`InvokeRoutes`).
        var isInvoke: Bool { path.hasPrefix("/api/v2/endpoints/") }
    }

    static let hostileQueries = [
        "offset=9223372036854775807", "offset=-1", "offset=99999999999999999999", "limit=0", "limit=-5",
        "limit=9223372036854775807", "limit=1.5", "limit=1e3", "offset=%00", "limit=",
        "startTime=9999-12-31T23:59:59.999Z&endTime=0000-01-01T00:00:00Z",
        "startTime=0000-01-01T00:00:00Z&endTime=9999-12-31T23:59:59.999Z&resolution=PT1M",
        "startTime=0000-01-01T00:00:00Z&endTime=9999-12-31T23:59:59.999Z&resolution=P1M",
        "responseTimeQuantile=NaN", "responseTimeQuantile=1e308", "slowRequestsThreshold=1e308",
        "slowRequestsThreshold=-0", "status=running&status=bogus", "ids=&ids=..", "after=18446744073709551616",
        "after=-1", "search=%ff%fe",
    ]

    /// Bodies that succeed (given the objects they name exist), so mutations start from
    /// somewhere past validation. `"$id"` is replaced by an id seen earlier.
    static let templates: [(method: String, path: String, body: JSONValue)] = [
        ("POST", "/api/v2/workloads", ["name": "w", "artifact": ["name": "art", "spec": ["containerGroups": []]]]),
        (
            "POST", "/api/v2/workloads",
            [
                "name": "w2",
                "artifact": ["name": "art2", "spec": ["containerGroups": [["containers": [["imageUri": "img"]]]]]],
                "runtime": ["containerGroups": [["replicaCount": 2]]],
            ]
        ),
        ("POST", "/api/v2/artifacts", ["name": "a", "spec": ["containerGroups": []]]),
        ("POST", "/api/v2/console/deployments", ["name": "dep", "workloadId": "$id"]),
        ("PATCH", "/api/v2/workloads/{id}/settings", ["runtime": ["containerGroups": [["replicaCount": 2]]]]),
        ("POST", "/api/v2/workloads/{id}/stop", [:]),
        ("POST", "/api/v2/workloads/{id}/start", [:]),
        ("POST", "/__emulator/clock/advance", ["seconds": 60]),
        ("POST", "/__emulator/faults", ["action": "hold", "state": "launching", "times": 1]),
        ("POST", "/__emulator/faults", ["action": "protonStopFailure", "times": 1]),
        ("POST", "/__emulator/faults", ["action": "respond", "status": 429, "headers": ["Retry-After": "1"]]),
        ("PUT", "/__emulator/lifecycle", ["submitted": 1, "provisioning": 1]),
        ("PUT", "/__emulator/clock", ["mode": "manual"]),
    ]

    static func substitute(_ value: JSONValue, _ g: inout BodyGenerator, _ pool: [String]) -> JSONValue {
        switch value {
        case "$id": return .string(pool.isEmpty ? "000000000000000000000000" : g.pick(pool))
        case let .object(o):
            var out = JSONObject()
            for (k, v) in o { out[k] = substitute(v, &g, pool) }
            return .object(out)
        case let .array(items): return .array(items.map { substitute($0, &g, pool) })
        default: return value
        }
    }

    func operations(_ doc: JSONValue) -> [Operation] {
        var out: [Operation] = []
        for (path, item) in doc["paths"]?.objectValue ?? JSONObject() {
            for (method, op) in item.objectValue ?? JSONObject() {
                guard ["get", "put", "post", "patch", "delete"].contains(method) else { continue }
                let body = op["requestBody"]?["content"]?["application/json"]?["schema"]
                let query = (op["parameters"]?.arrayValue ?? []).compactMap { p -> String? in
                    p["in"]?.stringValue == "query" ? p["name"]?.stringValue : nil
                }
                out.append(Operation(method: method.uppercased(), path: path, body: body, queryNames: query))
            }
        }
        return out.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// Ids seen in answers, so path parameters often name objects that exist.
    static func harvest(_ value: JSONValue, into pool: inout [String]) {
        if let id = value["id"]?.stringValue, pool.count < 200 { pool.append(id) }
        for key in ["workloadId", "artifactId", "deploymentId", "protonId"] {
            if let id = value[key]?.stringValue, pool.count < 200 { pool.append(id) }
        }
        for row in value["data"]?.arrayValue ?? [] { harvest(row, into: &pool) }
    }

    struct Tally {
        var requests = 0
        var statuses: [Int: Int] = [:]
        var failures: [String] = []
    }

    func fill(_ path: String, _ g: inout BodyGenerator, _ pool: [String]) -> String {
        var out = ""
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            if !pool.isEmpty && g.chance(80) {
                out += g.pick(pool)
            } else {
                out += g.pick(["000000000000000000000000", "..", "x", "%2F", String(repeating: "f", count: 300)])
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    func episode(
        _ app: TestApp, _ ops: [Operation], _ creators: [Operation], _ doc: JSONValue, number: Int,
        _ tally: inout Tally
    ) {
        var g = BodyGenerator(document: doc, seed: Self.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(number))
        let headers = [("X-Emulator-Sandbox", Self.sandbox)]
        _ = app.send("DELETE", "/__emulator/sandboxes/\(Self.sandbox)", token: nil)
        var pool: [String] = []
        let rate = g.pick([2, 5, 15, 40])

        func check(_ op: Operation, _ target: String, _ body: JSONValue?, _ r: TestResponse) {
            tally.requests += 1
            tally.statuses[r.status, default: 0] += 1
            let injected = r.headers["X-Emulator-Injected"] != nil
            let notRunning = r.status == 503 && op.isInvoke && r.text.contains("is not running")
            if (r.status >= 500 || r.status < 100) && !injected && !notRunning {
                let shown = body.map { String(JSONSerializer.string($0).prefix(600)) } ?? "-"
                tally.failures.append(
                    "seed \(Self.seed) episode \(number): \(op.method) \(target) body \(shown) → \(r.status) \(r.text.prefix(300))"
                )
            }
        }

        func send(_ op: Operation, mutationRate: Int, template: JSONValue? = nil) {
            var target = fill(op.path, &g, pool)
            if op.method == "GET" && g.chance(40) {
                var parts: [String] = []
                for _ in 0..<(1 + g.next(2)) {
                    if !op.queryNames.isEmpty && g.chance(50) {
                        parts.append(
                            g.pick(op.queryNames) + "=" + g.pick(["-1", "1e308", "9223372036854775808", "", "x"]))
                    } else {
                        parts.append(g.pick(Self.hostileQueries))
                    }
                }
                target += "?" + parts.joined(separator: "&")
            }
            var body: JSONValue? = nil
            if let template {
                let valid = Self.substitute(template, &g, pool)
                body = mutationRate == 0 ? valid : g.mutate(valid, rate: mutationRate)
            } else if let schema = op.body {
                let valid = g.valid(schema)
                body = mutationRate == 0 ? valid : g.mutate(valid, rate: mutationRate)
            }
            // A state document from the emulator itself, slightly damaged: the restore
            // path's checks, with values no schema would let through.
            if op.method == "PUT" && op.path == "/__emulator/state" && g.chance(60) {
                let current = app.send("GET", "/__emulator/state", token: nil, headers: headers).json
                body = g.mutate(current, rate: max(1, mutationRate / 4))
            }
            let r = app.send(op.method, target, body, token: "alice", headers: headers)
            if Self.trace {
                let shown = body.map { String(JSONSerializer.string($0).prefix(300)) } ?? "-"
                print("body fuzz: \(op.method) \(target) \(shown) → \(r.status) \(r.text.prefix(200))")
            }
            check(op, target, body, r)
            guard r.status < 300 else { return }
            Self.harvest(r.json, into: &pool)
            // Request-level rules and upstreams would turn later answers into injected
            // ones or real network calls: exercised, then removed.
            if op.path == "/__emulator/faults" && op.method == "POST", let id = r.json["id"]?.stringValue {
                _ = app.send("DELETE", "/__emulator/faults/\(id)", token: nil, headers: headers)
            }
            if op.path.hasSuffix("/upstream") && op.method == "PUT" {
                _ = app.send("DELETE", target.split(separator: "?")[0].description, token: nil, headers: headers)
            }
        }

        func templated(_ t: (method: String, path: String, body: JSONValue)) -> Operation {
            Operation(method: t.method, path: t.path, body: nil, queryNames: [])
        }
        for t in Self.templates { send(templated(t), mutationRate: 0, template: t.body) }
        for _ in 0..<Self.requestsPerEpisode {
            if tally.failures.count >= 5 { return }
            switch g.next(10) {
            case 0...2:
                let t = g.pick(Self.templates)
                send(templated(t), mutationRate: g.chance(30) ? 0 : rate, template: t.body)
            case 3: send(g.pick(creators), mutationRate: rate)
            default: send(g.pick(ops), mutationRate: rate)
            }
        }
    }

    @Test func mutatedBodiesOnEveryRouteNeverAnswer5xx() throws {
        let app = TestApp()
        let doc = app.send("GET", "/api/v2/openapi.json", token: nil).json
        let ops = operations(doc)
        #expect(ops.count > 100)
        let creators = ops.filter { $0.method == "POST" && $0.body != nil && !$0.path.contains("{") }
        #expect(!creators.isEmpty)
        var tally = Tally()
        let started = Self.monotonicSeconds()
        var number = Self.onlyEpisode ?? 0
        var episodes = 0
        repeat {
            episode(app, ops, creators, doc, number: number, &tally)
            number += 1
            episodes += 1
            if Self.onlyEpisode != nil { break }
        } while tally.failures.isEmpty
            && (Self.seconds > 0
                ? Self.monotonicSeconds() - started < Self.seconds : episodes < Self.shortRunEpisodes)
        let histogram = tally.statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
        print(
            "body fuzz: seed \(Self.seed), \(episodes) episodes, \(tally.requests) requests in "
                + "\(Int(Self.monotonicSeconds() - started)) s, statuses \(histogram.joined(separator: " "))")
        #expect(tally.failures.isEmpty, "\(tally.failures.joined(separator: "\n"))")
        // The short run must reach past validation, or it proves little.
        #expect(tally.statuses.keys.contains { $0 >= 200 && $0 < 300 })
        #expect(tally.statuses[422, default: 0] > 0)
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// The environment without Foundation.
enum ProcessInfoLite {
    static var environment: [String: String] {
        var out: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            if let eq = pair.firstIndex(of: "=") { out[String(pair[..<eq])] = String(pair[pair.index(after: eq)...]) }
            cursor += 1
        }
        return out
    }
}
