import HTTPServer
import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

/// A state document is checked for what the API checks (the state file at start uses
/// the same `World.restore`): hand-edited or damaged documents that the API could never
/// have produced are refused, naming the JSON path, and change nothing.
@Suite struct DamagedStateTests {
    enum Step { case key(String), index(Int) }

    /// `doc` with the value at `path` replaced (nil: removed).
    static func edit(_ doc: JSONValue, _ path: [Step], _ value: JSONValue?) -> JSONValue {
        guard let first = path.first else { return value ?? .null }
        let rest = Array(path.dropFirst())
        switch first {
        case let .key(k):
            var o = doc.objectValue ?? JSONObject()
            if rest.isEmpty && value == nil {
                o[k] = nil
            } else {
                o[k] = edit(o[k] ?? .null, rest, value)
            }
            return .object(o)
        case let .index(i):
            var a = doc.arrayValue ?? []
            a[i] = edit(a[i], rest, value)
            return .array(a)
        }
    }

    static func first(_ doc: JSONValue, _ key: String, where match: (JSONValue) -> Bool) -> Int {
        doc[key]?.arrayValue?.firstIndex(where: match) ?? 0
    }

    /// The damaged documents of the issue that used to be accepted, and the path each names.
    typealias Case = (name: String, damage: @Sendable (JSONValue) -> JSONValue, path: String)
    static let cases: [Case] = baseCases + logCases + credentialCases

    static let baseCases: [Case] = [
        ("version 0", { edit($0, [.key("version")], 0) }, "$.version"),
        ("version -1", { edit($0, [.key("version")], -1) }, "$.version"),
        (
            "a scheduled entry for a missing workload",
            { edit($0, [.key("scheduled"), .index(0), .key("workloadId")], "000000000000000000000000") },
            "$.scheduled[0].workloadId"
        ),
        (
            "duplicate user tokens",
            { doc in
                let users = doc["users"]?.arrayValue ?? []
                var twin = users.first?.objectValue ?? JSONObject()
                twin["id"] = "0123456789abcdef01234567"
                return edit(doc, [.key("users")], .array(users + [.object(twin)]))
            }, ".token"
        ),
        (
            "a hold rule in state running",
            { doc in
                let i = first(doc, "faults") { $0["action"] == "hold" }
                return edit(doc, [.key("faults"), .index(i), .key("state")], "running")
            }, ".state"
        ),
        ("times 0", { edit($0, [.key("faults"), .index(0), .key("times")], 0) }, "$.faults[0].times"),
        (
            "probability 5", { edit($0, [.key("faults"), .index(0), .key("probability")], 5) },
            "$.faults[0].probability"
        ),
        (
            "a workload with no roles", { edit($0, [.key("workloads"), .index(0), .key("roles")], []) },
            "$.workloads[0].roles"
        ),
        ("clock scale 0", { edit($0, [.key("clock"), .key("scale")], 0) }, "$.clock.scale"),
        ("clock scale 1e12", { edit($0, [.key("clock"), .key("scale")], .double(1e12)) }, "$.clock.scale"),
        (
            "an id counter behind the objects", { edit($0, [.key("generators"), .key("nextSeq")], 1) },
            "$.generators.nextSeq"
        ),
        (
            "a duplicate deployment id",
            { doc in
                let d = doc["deployments"]?.arrayValue?[0] ?? .null
                var copy = d.objectValue ?? JSONObject()
                copy["seq"] = .int((d["seq"]?.intValue ?? 0) + 1)
                return edit(
                    doc, [.key("deployments")], .array((doc["deployments"]?.arrayValue ?? []) + [.object(copy)]))
            }, "$.deployments[1]"
        ),
        (
            "a duplicate proton id",
            { doc in
                let protons = doc["protons"]?.arrayValue ?? []
                return edit(doc, [.key("protons")], .array([protons[0]] + protons))
            }, "$.protons[1].id"
        ),
        (
            "a duplicate fault rule id",
            { doc in
                let faults = doc["faults"]?.arrayValue ?? []
                return edit(doc, [.key("faults")], .array([faults[0]] + faults))
            }, "$.faults[1].id"
        ),
        (
            "a duplicate build id",
            { doc in
                let artifact = doc["artifacts"]?.arrayValue?[0]["id"] ?? .null
                let build: JSONValue = [
                    "id": "0123456789abcdef0123456b", "artifactId": artifact, "status": "COMPLETED",
                    "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
                    "creatorId": "0123456789abcdef01234567", "imageUri": nil, "transitions": [],
                ]
                return edit(doc, [.key("builds")], .array((doc["builds"]?.arrayValue ?? []) + [build, build]))
            }, ".id"
        ),
        (
            "a deployment of a missing workload",
            { edit($0, [.key("deployments"), .index(0), .key("workloadId")], "000000000000000000000000") },
            "$.deployments[0].workloadId"
        ),
    ]

    /// The first workload that has log lines, and its lines.
    static func logged(_ doc: JSONValue) -> (index: Int, lines: [JSONValue]) {
        let i = first(doc, "workloads") { !($0["logs"]?.arrayValue ?? []).isEmpty }
        return (i, doc["workloads"]?.arrayValue?[i]["logs"]?.arrayValue ?? [])
    }

    static func editLine(_ doc: JSONValue, _ line: Int, _ key: String, _ value: JSONValue) -> JSONValue {
        let i = logged(doc).index
        return edit(doc, [.key("workloads"), .index(i), .key("logs"), .index(line), .key(key)], value)
    }

    static let logCases: [(name: String, damage: @Sendable (JSONValue) -> JSONValue, path: String)] = [
        ("a log line numbered 0", { editLine($0, 0, "number", 0) }, ".logs[0].number"),
        (
            "log lines out of order",
            { doc in
                let (i, lines) = logged(doc)
                return edit(doc, [.key("workloads"), .index(i), .key("logs")], .array([lines[0]] + lines))
            }, ".logs[1].number"
        ),
        ("an unknown log level", { editLine($0, 0, "level", "loud") }, ".logs[0].level"),
        (
            "a log line past logsWritten",
            { doc in edit(doc, [.key("workloads"), .index(logged(doc).index), .key("logsWritten")], 0) },
            ".logs[0].number"
        ),
        (
            "an access line with status 42",
            { editLine($0, 0, "access", badAccess) },
            ".logs[0].access.status"
        ),
        (
            "more log lines than a workload keeps",
            { doc in
                let (i, lines) = logged(doc)
                let many: [JSONValue] = (1...(WorkloadLog.capacity + 1)).map { n in
                    var o = lines[0].objectValue ?? JSONObject()
                    o["number"] = .int(Int64(n))
                    return .object(o)
                }
                let w = edit(doc, [.key("workloads"), .index(i), .key("logsWritten")], .int(Int64(many.count)))
                return edit(w, [.key("workloads"), .index(i), .key("logs")], .array(many))
            }, ".logs"
        ),
    ]

    static let badAccess: JSONValue = [
        "method": "POST", "path": "/predict", "status": 42, "latencyMs": 1, "startedAt": "2026-01-01T00:00:00.000Z",
    ]

    static func credential(_ id: String, _ name: String, type: String = "api_token") -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "description": nil, "credentialType": .string(type),
            "createdAt": "2026-01-01T00:00:00.000Z", "creatorId": nil,
        ]
    }

    static let credentialCases: [(name: String, damage: @Sendable (JSONValue) -> JSONValue, path: String)] = [
        (
            "a duplicate credential id",
            { edit($0, [.key("credentials")], [credential("c1", "one"), credential("c1", "two")]) },
            "$.credentials[1].id"
        ),
        (
            "a duplicate credential name",
            { edit($0, [.key("credentials")], [credential("c1", "one"), credential("c2", "one")]) },
            "$.credentials[1].name"
        ),
        (
            "an unknown credential type",
            { edit($0, [.key("credentials")], [credential("c1", "one", type: "password")]) },
            "$.credentials[0].credentialType"
        ),
        (
            "an empty credential name", { edit($0, [.key("credentials")], [credential("c1", "")]) },
            "$.credentials[0].name"
        ),
    ]

    /// A document written before credentials and workload logs were saved still loads,
    /// with the catalogue's credentials and empty logs.
    @Test func aDocumentWithoutCredentialsOrLogsLoads() {
        let t = TestApp()
        let c = StateTests.Client(t: t, sandbox: "x")
        _ = StateTests.richWorld(c)
        var doc = c.control("GET", "/__emulator/state").json
        doc = DamagedStateTests.edit(doc, [.key("credentials")], nil)
        let n = doc["workloads"]?.arrayValue?.count ?? 0
        #expect(n > 0)
        for i in 0..<n {
            doc = DamagedStateTests.edit(doc, [.key("workloads"), .index(i), .key("logs")], nil)
            doc = DamagedStateTests.edit(doc, [.key("workloads"), .index(i), .key("logsWritten")], nil)
        }
        let r = c.control("PUT", "/__emulator/state", doc)
        #expect(r.status == 200, "\(r.text)")
        let back = c.control("GET", "/__emulator/state").json
        #expect(back["credentials"] == [])
        #expect(back["workloads"]?.arrayValue?.allSatisfy { $0["logs"] == [] && $0["logsWritten"] == 0 } == true)
    }

    @Test(arguments: 0..<cases.count) func aDamagedImportIs422NamingThePathAndChangesNothing(index: Int) {
        let (name, damage, path) = DamagedStateTests.cases[index]
        let t = TestApp()
        let c = StateTests.Client(t: t, sandbox: "x")
        _ = StateTests.richWorld(c)
        let before = c.control("GET", "/__emulator/state")
        #expect(before.json["deployments"]?.arrayValue?.isEmpty == false)
        // The undamaged document is accepted: the damage is what is refused.
        #expect(c.control("PUT", "/__emulator/state", before.json).status == 200)
        let exported = c.control("GET", "/__emulator/state")
        let r = c.control("PUT", "/__emulator/state", damage(exported.json))
        #expect(r.status == 422, "\(name): \(r.text)")
        #expect(r.json["detail"]?.stringValue?.contains(path) == true, "\(name): \(r.text)")
        #expect(c.control("GET", "/__emulator/state").text == exported.text, "\(name)")
    }
}
