import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct ProtonTests {
    let t = TestApp()

    @Test func statusDetailsIs204UntilScheduledThenFollowsThePhase() {
        let id = t.send(
            "POST", "/api/v2/workloads",
            [
                "name": "p",
                "artifact": [
                    "name": "a",
                    "spec": ["containerGroups": [["containers": [["name": "web"], ["name": "sidecar"]]]]],
                ], "runtime": ["containerGroups": [["name": "default", "replicaCount": 3]]],
            ]
        ).json["id"]!.stringValue!
        let pid = t.workload(id)["protonId"]!.stringValue!
        let path = "/api/v2/workloads/\(id)/protons/\(pid)/statusDetails"
        let early = t.send("GET", path)
        #expect(early.status == 204)
        #expect(early.body.isEmpty)
        #expect(early.contentType == nil)

        _ = t.advance(0.5)
        let provisioning = t.send("GET", path).json
        #expect(provisioning["status"] == "provisioning")
        #expect(provisioning["replicaCount"] == 3)
        #expect(provisioning["replicas"]?.arrayValue?.count == 3)
        #expect(provisioning["replicas"]![0]!["phase"] == "Pending")
        #expect(
            provisioning["replicas"]![0]!["containerStatuses"]?.arrayValue?.map { $0["name"]!.stringValue! } == [
                "web", "sidecar",
            ])
        _ = t.advance(1.5)
        let launching = t.send("GET", path).json
        #expect(
            launching["replicas"]![0]!["containerStatuses"]![0]!["state"]!["waiting"]!["reason"] == "ContainerCreating")
        _ = t.advance(1)
        let running = t.send("GET", path).json
        #expect(running["readyReplicas"] == 3)
        #expect(running["replicas"]![2]!["phase"] == "Running")
        #expect(
            running["replicas"]![0]!["conditions"]?.arrayValue?.map { $0["type"]!.stringValue! } == [
                "PodScheduled", "Initialized", "ContainersReady", "Ready",
            ])
        #expect(running["replicas"]![0]!["conditions"]?.arrayValue?.allSatisfy { $0["status"] == "True" } == true)
        #expect(running["replicas"]![0]!["containerStatuses"]![1]!["state"]!["running"] != nil)
        _ = t.send("POST", "/api/v2/workloads/\(id)/stop")
        _ = t.advance(1)
        let stopped = t.send("GET", path).json
        #expect(stopped["replicas"]![0]!["phase"] == "Succeeded")
        #expect(stopped["replicas"]![0]!["containerStatuses"]![0]!["state"]!["terminated"]!["exitCode"] == 0)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/000000000000000000000000/statusDetails").status == 404)
    }

    @Test func launchFailureMessageShowsInTheSnapshot() {
        _ = t.send(
            "POST", "/__emulator/faults", ["action": "launchFailure", "message": "ErrImagePull: no such image"],
            token: nil)
        let id = t.createWorkload()
        _ = t.advance(5)
        #expect(t.status(id) == "errored")
        let pid = t.workload(id)["protonId"]!.stringValue!
        let details = t.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)/statusDetails").json
        #expect(details["status"] == "errored")
        let replica = details["replicas"]![0]!
        #expect(replica["phase"] == "Failed")
        #expect(replica["containerStatuses"]![0]!["state"]!["waiting"]!["message"] == "ErrImagePull: no such image")
        #expect(replica["conditions"]![3]!["message"] == "ErrImagePull: no such image")
    }

    @Test func listShowsActiveAndCandidateGetShowsAny() {
        let id = t.runningWorkload()
        let first = t.workload(id)["protonId"]!.stringValue!
        let list = t.send("GET", "/api/v2/workloads/\(id)/protons").json
        #expect(list["totalCount"] == 1)
        #expect(
            list["data"]![0]!.objectValue?.keys == [
                "id", "workloadId", "status", "role", "artifactId", "replicaCount", "createdAt", "updatedAt",
            ])
        let r = t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas]).json
        let candidate = r["candidateProtonIds"]![0]!.stringValue!
        let during = t.send("GET", "/api/v2/workloads/\(id)/protons").json["data"]!.arrayValue!
        #expect(during.map { $0["id"]!.stringValue! } == [first, candidate])
        #expect(during.map { $0["role"]!.stringValue! } == ["active", "candidate"])
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons?limit=1").json["next"] != .null)
        _ = t.advance(60)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/\(first)").json["status"] == "stopped")
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/\(candidate)").json["role"] == "active")
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/nope").status == 404)
    }
}
