import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

extension TestApp {
    /// The invariants of `World.invariantViolations` for one sandbox.
    func violations(sandbox: String = "default") -> [String] {
        app.registry.sandbox(named: sandbox).read { $0.invariantViolations() }
    }

    /// A running workload on an inline draft artifact (realistic profile: 3 s).
    func runningWorkload(_ name: String = "hello", token: String = "alice") -> String {
        let id = createWorkload(name, token: token)
        _ = advance(3)
        #expect(status(id) == "running")
        return id
    }

    /// A standalone artifact; `locked` locks it at once.
    func artifact(_ name: String = "next", locked: Bool = false, token: String = "alice") -> String {
        var body: JSONObject = [
            ("name", .string(name)),
            ("spec", ["containerGroups": [["containers": [["name": "web", "imageUri": "nginx:1"]]]]]),
        ].reduce(into: JSONObject()) { $0[$1.0] = $1.1 }
        if locked { body["status"] = "locked" }
        let r = send("POST", "/api/v2/artifacts", .object(body), token: token)
        #expect(r.status == 201, "\(r.text)")
        return r.json["id"]?.stringValue ?? ""
    }

    func workload(_ id: String, token: String = "alice") -> JSONValue {
        send("GET", "/api/v2/workloads/\(id)", token: token).json
    }
}

let oneReplica: JSONValue = ["containerGroups": [["name": "default", "replicaCount": 1]]]
let twoReplicas: JSONValue = ["containerGroups": [["name": "default", "replicaCount": 2]]]

extension JSONValue {
    /// Array element, nil when out of range or not an array (tests only).
    subscript(_ index: Int) -> JSONValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
