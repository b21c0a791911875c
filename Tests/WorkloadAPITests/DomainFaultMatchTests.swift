import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct DomainFaultMatchTests {
    @Test func protonStopFailureMatchesTheDeleteRequest() {
        let t = TestApp()
        _ = t.send(
            "POST", "/__emulator/faults",
            ["match": ["method": "DELETE", "path": "/api/v2/artifacts/*"], "action": "protonStopFailure"],
            token: nil)
        let a = t.createWorkload("a")
        #expect(t.send("DELETE", "/api/v2/workloads/\(a)").status == 204)  // path does not match
        _ = t.send(
            "POST", "/__emulator/faults",
            ["match": ["method": "DELETE", "path": "/api/v2/workloads/*"], "action": "protonStopFailure"],
            token: nil)
        let b = t.createWorkload("b")
        // The sandbox prefix is stripped before the rule's path is matched.
        #expect(t.send("DELETE", "/sandboxes/default/api/v2/workloads/\(b)").status == 502)
        #expect(t.send("GET", "/api/v2/workloads?ids=").json["totalCount"] == 0)
    }
}
