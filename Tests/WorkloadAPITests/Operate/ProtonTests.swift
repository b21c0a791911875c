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
        #expect(provisioning.objectValue?.keys == ["overallStatus", "replicas"])
        #expect(provisioning["overallStatus"]?["state"] == "provisioning")
        #expect(provisioning["overallStatus"]?["summary"] == "0/3 replicas ready; proton is provisioning")
        #expect(provisioning["overallStatus"]?["lastUpdated"] == "2026-01-01T00:00:00.500Z")
        #expect(provisioning["replicas"]?.arrayValue?.count == 3)
        let first = provisioning["replicas"]![0]!
        #expect(
            first.objectValue?.keys == [
                "name", "status", "address", "nodeAddress", "startedAt", "conditions", "containers",
            ])
        #expect(first["status"] == "pending")
        #expect(first["startedAt"] == .null)
        #expect(first["containers"]?.arrayValue?.map { $0["name"]!.stringValue! } == ["web", "sidecar"])
        #expect(
            first["containers"]![0]!.objectValue?.keys == [
                "name", "status", "startedAt", "ready", "restartCount", "image",
            ])
        #expect(first["conditions"]?.arrayValue?.map { $0["met"]! } == [true, false, false, false])
        _ = t.advance(1.5)
        let launching = t.send("GET", path).json
        #expect(launching["replicas"]![0]!["containers"]![0]!["status"] == "waiting")
        #expect(launching["replicas"]![0]!["conditions"]?.arrayValue?.map { $0["met"]! } == [true, true, false, false])
        _ = t.advance(1)
        let running = t.send("GET", path).json
        #expect(running["overallStatus"]?["summary"] == "3/3 replicas ready")
        #expect(running["replicas"]![2]!["status"] == "running")
        #expect(running["replicas"]![2]!["startedAt"] == "2026-01-01T00:00:00.500Z")
        #expect(
            running["replicas"]![0]!["conditions"]?.arrayValue?.map { $0["type"]!.stringValue! } == [
                "PodScheduled", "Initialized", "ContainersReady", "Ready",
            ])
        #expect(running["replicas"]![0]!["conditions"]?.arrayValue?.allSatisfy { $0["met"] == true } == true)
        #expect(running["replicas"]![0]!["containers"]![1]!["status"] == "running")
        #expect(running["replicas"]![0]!["containers"]![1]!["ready"] == true)
        _ = t.send("POST", "/api/v2/workloads/\(id)/stop")
        _ = t.advance(1)
        let stopped = t.send("GET", path).json
        #expect(stopped["overallStatus"]?["state"] == "stopped")
        #expect(stopped["replicas"]![0]!["status"] == "succeeded")
        #expect(stopped["replicas"]![0]!["containers"]![0]!["status"] == "terminated")
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
        #expect(details["overallStatus"]?["state"] == "errored")
        #expect(details["overallStatus"]?["summary"] == "0/1 replicas ready: ErrImagePull: no such image")
        let replica = details["replicas"]![0]!
        #expect(replica["status"] == "failed")
        #expect(replica["containers"]![0]!["status"] == "waiting")
        #expect(replica["containers"]![0]!["ready"] == false)
        #expect(replica["conditions"]![3]!["met"] == false)
        // The proton's own document and the workload's (difference D1) carry it too.
        let logTail = t.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)").json["statusDetails"]?["logTail"]
        #expect(logTail?[0]?.stringValue?.hasSuffix("ERROR ErrImagePull: no such image") == true)
        #expect(t.workload(id)["statusDetails"]?["logTail"] == logTail)
    }

    @Test func listShowsActiveAndCandidateGetShowsAny() {
        let id = t.runningWorkload()
        let first = t.workload(id)["protonId"]!.stringValue!
        let list = t.send("GET", "/api/v2/workloads/\(id)/protons").json
        #expect(list["totalCount"] == 1)
        #expect(
            list["data"]![0]!.objectValue?.keys == [
                "id", "name", "workloadId", "artifactId", "status", "role", "runtime", "creator", "runningSince",
                "endpoint", "statusDetails", "createdAt", "updatedAt",
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
