import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct DeploymentTests {
    let t = TestApp()

    @Test func needsALockedWorkloadAndSupportsCRUD() {
        let w = t.createWorkload()
        let refused = t.send("POST", "/api/v2/console/deployments", ["name": "d", "workloadId": .string(w)])
        #expect(refused.status == 422)
        #expect(t.send("POST", "/api/v2/console/deployments", ["name": "d"]).issues == ["body.workloadId:missing"])
        _ = t.advance(3)
        t.send("POST", "/api/v2/workloads/\(w)/promote")
        let d = t.send(
            "POST", "/api/v2/console/deployments/", ["name": "d", "workloadId": .string(w), "importance": "high"])
        #expect(d.status == 201)
        let id = d.json["id"]!.stringValue!
        #expect(d.json["status"] == "running")
        #expect(d.json["endpoint"] == .string("http://emulator.test/api/v2/endpoints/deployments/\(id)/"))
        #expect(t.send("GET", "/api/v2/console/deployments").json["count"] == 1)
        #expect(t.send("PATCH", "/api/v2/console/deployments/\(id)", ["name": "e"]).json["name"] == "e")
        let stats = t.send("GET", "/api/v2/console/deployments/\(id)/stats").json
        #expect(stats["metrics"]?["totalRequests"] == 0)
        #expect(stats["deploymentId"] == .string(id))
        #expect(t.send("DELETE", "/api/v2/console/deployments/\(id)").status == 204)
        #expect(t.send("GET", "/api/v2/console/deployments/\(id)").status == 404)
        #expect(t.send("GET", "/api/v2/deployments").status == 404)
    }
}
