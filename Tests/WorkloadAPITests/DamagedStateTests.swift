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
    static let cases: [(name: String, damage: @Sendable (JSONValue) -> JSONValue, path: String)] = [
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
