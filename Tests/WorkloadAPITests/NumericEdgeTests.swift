import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct NumericEdgeTests {
    @Test func hugeAndFloatIntegersNeitherTrapNorBypassLimits() {
        let t = TestApp { $0.maxReplicas = 2 }
        let rule = t.send("POST", "/__emulator/faults", ["action": "drop", "times": .int(Int64.max)], token: nil)
        #expect(rule.status == 201)
        #expect(rule.json["times"] == .int(Int64.max))
        _ = t.send("DELETE", "/__emulator/faults", token: nil)
        let r = t.send(
            "POST", "/api/v2/workloads",
            ["name": "a", "artifact": ["name": "a"], "runtime": ["containerGroups": [["replicaCount": 5.0]]]])
        #expect(r.status == 403)
        #expect(t.send("GET", "/api/v2/workloads?offset=9223372036854775807").json["count"] == 0)
    }
}
