import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct ReplacementTests {
    let t = TestApp()

    /// A settings PATCH walks every step on the clock; the workload keeps running and
    /// ends on the new runtime and the candidate proton.
    @Test func settingsPatchRollsThroughEveryStep() {
        let id = t.runningWorkload()
        let oldProton = t.workload(id)["protonId"]!.stringValue!
        #expect(t.send("GET", "/api/v2/workloads/\(id)/settings").json == ["runtime": ["containerGroups": []]])

        let r = t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas])
        #expect(r.status == 202, "\(r.text)")
        #expect(r.json["status"] == "submitted")
        #expect(r.json["strategy"] == "rolling")
        #expect(r.json["runtime"] == twoReplicas)
        #expect(
            r.json.objectValue?.keys == [
                "id", "name", "workloadId", "userId", "tenantId", "candidateArtifactId", "candidateProtonIds",
                "previousProtonIds", "status", "strategy", "config", "runtime", "message", "switchedAt", "isDeleted",
                "deletedAt", "createdAt", "updatedAt",
            ])
        #expect(r.json["candidateArtifactId"] == t.workload(id)["artifactId"])
        #expect(r.json["previousProtonIds"] == [.string(oldProton)])
        #expect(r.json["name"] == t.workload(id)["name"])
        #expect(r.json["userId"] == t.workload(id)["creator"]?["id"])
        #expect(r.json["tenantId"]?.stringValue?.count == 36)
        #expect(r.json["isDeleted"] == false)
        let candidate = r.json["candidateProtonIds"]![0]!.stringValue!
        #expect(
            t.workload(id)["replacement"] == [
                "candidateProtonIds": [.string(candidate)], "status": "submitted", "strategy": "rolling",
            ])
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons").json["totalCount"] == 2)

        var seen: [String] = ["submitted"]
        var candidateStates: [String] = ["submitted"]
        for _ in 0..<40 {
            _ = t.advance(0.25)
            #expect(t.status(id) == "running")
            #expect(t.violations().isEmpty, "\(t.violations())")
            let w = t.workload(id)
            let s = w["replacement"]?["status"]?.stringValue ?? "completed"
            if seen.last != s { seen.append(s) }
            let c = t.send("GET", "/api/v2/workloads/\(id)/protons/\(candidate)").json["status"]!.stringValue!
            if candidateStates.last != c { candidateStates.append(c) }
        }
        // `switching` lasts no time: the switch follows the candidate's readiness at once.
        #expect(seen == ["submitted", "initializing", "cleaning_up", "completed"])
        #expect(candidateStates == ["submitted", "provisioning", "launching", "warming", "running"])
        let w = t.workload(id)
        #expect(w["replacement"] == .null)
        #expect(w["protonId"] == .string(candidate))
        #expect(w["runtime"] == twoReplicas)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/settings").json == ["runtime": twoReplicas])
        let gone = t.send("GET", "/api/v2/workloads/\(id)/replacement")
        #expect(gone.status == 404)
        #expect(gone.json == ["detail": "There is no active replacement for this workload."])
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/\(oldProton)").json["status"] == "stopped")
        let protons = t.send("GET", "/api/v2/workloads/\(id)/protons").json
        #expect(protons["totalCount"] == 1)
        #expect(protons["data"]![0]!["role"] == "active")
        #expect(protons["data"]![0]!["runtime"] == twoReplicas)

        let history = t.send("GET", "/api/v2/workloads/\(id)/history").json
        #expect(history["totalCount"] == 1)
        // History entries are Replacement documents, under the replacement's own id.
        #expect(history["data"]![0]!["id"] == r.json["id"])
        #expect(history["data"]![0]!["status"] == "completed")
        #expect(history["data"]![0]!["candidateArtifactId"] == r.json["candidateArtifactId"])
        #expect(history["data"]![0]!["switchedAt"] != .null)

        let events = t.send("GET", "/api/v2/workloads/\(id)/events?limit=100").json["data"]!.arrayValue!
        let kinds = events.map { $0["eventType"]!.stringValue! }
        #expect(kinds.contains("settingsChanged"))
        #expect(kinds.contains("replacementStarted"))
        #expect(kinds.contains("trafficSwitched"))
        #expect(kinds.contains("replacementCompleted"))
        let steps = events.compactMap { $0["details"]?["replacementStatus"]?.stringValue }
        #expect(steps == ["submitted", "initializing", "switching", "cleaning_up", "cleaning_up", "completed"])
    }

    @Test func patchDuringReplacementIs409AndChangesNothing() {
        let id = t.runningWorkload()
        #expect(t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": oneReplica]).status == 202)
        let before = t.workload(id)
        let eventsBefore = t.send("GET", "/api/v2/workloads/\(id)/events").json["totalCount"]
        let replacementBefore = t.send("GET", "/api/v2/workloads/\(id)/replacement").json

        let conflict = t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas])
        #expect(conflict.status == 409)
        #expect(conflict.json == ["detail": "A replacement is already in progress for this workload."])
        let other = t.artifact()
        let post = t.send("POST", "/api/v2/workloads/\(id)/replacement", ["artifactId": .string(other)])
        #expect(post.status == 409)

        #expect(t.workload(id) == before)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/events").json["totalCount"] == eventsBefore)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/replacement").json == replacementBefore)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons").json["totalCount"] == 2)
        // The other artifact was not reserved by the refused replacement.
        #expect(t.send("POST", "/api/v2/workloads", ["name": "x", "artifactId": .string(other)]).status == 201)
        _ = t.advance(60)
        #expect(t.workload(id)["runtime"] == oneReplica)
        #expect(t.violations().isEmpty)
    }

    @Test func warmupAndKeepMinutesAreHonoured() {
        let id = t.runningWorkload()
        let oldArtifact = t.workload(id)["artifactId"]!.stringValue!
        let next = t.artifact()
        let r = t.send(
            "POST", "/api/v2/workloads/\(id)/replacement",
            [
                "artifactId": .string(next), "strategy": "rolling",
                "config": ["warmupDurationMinutes": 5, "keepOldVersionMinutes": 10],
            ])
        #expect(r.status == 202, "\(r.text)")
        #expect(r.json["config"] == ["warmupDurationMinutes": 5, "keepOldVersionMinutes": 10])
        // 0.5 + 1.5 + 1 s to warming, then 2 s + 5 min of warm-up.
        _ = t.advance(3)
        let candidate = r.json["candidateProtonIds"]![0]!.stringValue!
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/\(candidate)").json["status"] == "warming")
        _ = t.advance(301.9)
        #expect(t.workload(id)["replacement"]?["status"] == "initializing")
        #expect(t.workload(id)["artifactId"] == .string(oldArtifact))
        _ = t.advance(0.1)
        #expect(t.workload(id)["replacement"]?["status"] == "cleaning_up")
        #expect(t.workload(id)["artifactId"] == .string(next))
        // Draining: 1 s + 10 min.
        _ = t.advance(600.9)
        #expect(t.workload(id)["replacement"]?["status"] == "cleaning_up")
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons").json["totalCount"] == 2)
        _ = t.advance(0.1)
        #expect(t.workload(id)["replacement"] == .null)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons").json["totalCount"] == 1)
        // The old draft artifact is free again; the new one backs the workload.
        #expect(t.send("POST", "/api/v2/workloads", ["name": "y", "artifactId": .string(oldArtifact)]).status == 201)
        #expect(t.send("POST", "/api/v2/workloads", ["name": "z", "artifactId": .string(next)]).status == 400)
        #expect(t.violations().isEmpty, "\(t.violations())")
    }

    @Test func failedCandidateLeavesTheOldOneServing() {
        let id = t.runningWorkload()
        let before = t.workload(id)
        let rule = t.send(
            "POST", "/__emulator/faults",
            [
                "match": ["workloadId": .string(id)], "action": "replacementFailure",
                "message": "readiness probe failed",
                "times": 1,
            ],
            token: nil)
        #expect(rule.status == 201)
        let next = t.artifact()
        let r = t.send("POST", "/api/v2/workloads/\(id)/replacement", ["artifactId": .string(next)])
        #expect(r.status == 202)
        let candidate = r.json["candidateProtonIds"]![0]!.stringValue!
        _ = t.advance(30)
        let kept = t.send("GET", "/api/v2/workloads/\(id)/replacement")
        #expect(kept.status == 200)
        #expect(kept.json["status"] == "errored")
        #expect(kept.json["message"] == "readiness probe failed")
        let w = t.workload(id)
        #expect(w["status"] == "running")
        #expect(w["artifactId"] == before["artifactId"])
        #expect(w["protonId"] == before["protonId"])
        #expect(w["replacement"]?["status"] == "errored")
        let details = t.send("GET", "/api/v2/workloads/\(id)/protons/\(candidate)/statusDetails").json
        #expect(details["overallStatus"]?["state"] == "errored")
        #expect(details["overallStatus"]?["summary"] == "0/1 replicas ready: readiness probe failed")
        #expect(details["replicas"]![0]!["status"] == "failed")
        let history = t.send("GET", "/api/v2/workloads/\(id)/history").json["data"]!.arrayValue!
        #expect(history.map { $0["status"]!.stringValue! } == ["errored"])
        let warnings = t.send("GET", "/api/v2/workloads/\(id)/events?limit=100").json["data"]!.arrayValue!
            .filter { $0["type"] == "Warning" }.map { $0["reason"]!.stringValue! }
        #expect(warnings == ["CandidateStatusChanged", "ReplacementFailed"])
        #expect(t.violations().isEmpty, "\(t.violations())")
        // The errored one stays until cancelled; the new draft is free again.
        _ = t.advance(3600)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/replacement").json["status"] == "errored")
        #expect(t.send("DELETE", "/api/v2/workloads/\(id)/replacement").status == 202)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/replacement").status == 404)
        #expect(t.send("DELETE", "/api/v2/workloads/\(id)/replacement").status == 404)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons").json["totalCount"] == 1)
        // The rule fired once: the next replacement succeeds.
        #expect(t.send("POST", "/api/v2/workloads/\(id)/replacement", ["artifactId": .string(next)]).status == 202)
        _ = t.advance(30)
        #expect(t.workload(id)["artifactId"] == .string(next))
        #expect(t.violations().isEmpty, "\(t.violations())")
    }

    @Test func launchFailureOfTheCandidateErrorsTheReplacement() {
        let id = t.runningWorkload()
        _ = t.send(
            "POST", "/__emulator/faults", ["match": ["workloadId": .string(id)], "action": "launchFailure"], token: nil)
        let r = t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas])
        let candidate = r.json["candidateProtonIds"]![0]!.stringValue!
        _ = t.advance(10)
        let kept = t.send("GET", "/api/v2/workloads/\(id)/replacement").json
        #expect(kept["status"] == "errored")
        #expect(kept["message"] == "ImagePullBackOff")
        let details = t.send("GET", "/api/v2/workloads/\(id)/protons/\(candidate)/statusDetails").json
        #expect(details["replicas"]?.arrayValue?.count == 2)
        #expect(details["replicas"]![0]!["conditions"]![3]!["met"] == false)
        #expect(details["overallStatus"]?["summary"] == "0/2 replicas ready: ImagePullBackOff")
        #expect(t.workload(id)["runtime"] == ["containerGroups": []])
        // Replacing an errored replacement is allowed at once.
        #expect(t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas]).status == 202)
        #expect(t.violations().isEmpty, "\(t.violations())")
    }

    @Test func artifactStatusRules() {
        let id = t.runningWorkload()
        let locked = t.artifact("l", locked: true)
        let mismatch = t.send("POST", "/api/v2/workloads/\(id)/replacement", ["artifactId": .string(locked)])
        #expect(mismatch.status == 400)
        #expect(mismatch.json["detail"]?.stringValue?.contains("draft to draft") == true)
        #expect(
            t.send("POST", "/api/v2/workloads/\(id)/replacement", ["artifactId": "000000000000000000000000"]).status
                == 404)
        #expect(
            t.send("POST", "/api/v2/workloads/\(id)/replacement", ["artifactId": .string(locked), "strategy": "blue"])
                .issues == ["body.strategy:enum"])
        #expect(t.send("POST", "/api/v2/workloads/\(id)/replacement", [:]).issues == ["body.artifactId:missing"])

        let onLocked = t.send("POST", "/api/v2/workloads", ["name": "l", "artifactId": .string(locked)]).json["id"]!
            .stringValue!
        _ = t.advance(3)
        let same = t.send("POST", "/api/v2/workloads/\(onLocked)/replacement", ["artifactId": .string(locked)])
        #expect(same.status == 422)
        #expect(
            same.json == [
                "detail": [
                    [
                        "loc": ["body"], "msg": .string("The workload already runs locked artifact \(locked)."),
                        "type": "value_error",
                    ]
                ]
            ])
        let draft = t.artifact("d")
        #expect(
            t.send("POST", "/api/v2/workloads/\(onLocked)/replacement", ["artifactId": .string(draft)]).status == 400)
        let locked2 = t.artifact("l2", locked: true)
        #expect(
            t.send("POST", "/api/v2/workloads/\(onLocked)/replacement", ["artifactId": .string(locked2)]).status == 202)
        // A settings change on a locked artifact is a replacement onto the same one: allowed.
        _ = t.advance(30)
        #expect(t.send("PATCH", "/api/v2/workloads/\(onLocked)/settings", ["runtime": twoReplicas]).status == 202)
        #expect(t.violations().isEmpty, "\(t.violations())")
    }

    @Test func stopCancelsAndStoppedWorkloadsApplyAtOnce() {
        let id = t.runningWorkload()
        let r = t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas])
        _ = t.advance(1)
        #expect(t.send("POST", "/api/v2/workloads/\(id)/stop").status == 202)
        #expect(t.workload(id)["replacement"] == .null)
        let candidate = r.json["candidateProtonIds"]![0]!.stringValue!
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/\(candidate)").json["status"] == "stopped")
        // ReplacementStatus has no `cancelled`: a cancelled one is deleted.
        let entry = t.send("GET", "/api/v2/workloads/\(id)/history").json["data"]![0]!
        #expect(entry["status"] == "deleting")
        #expect(entry["isDeleted"] == true)
        #expect(entry["deletedAt"] != .null)
        #expect(t.violations().isEmpty, "\(t.violations())")
        // While stopping: 409. Once stopped: applied at once, run by the next start.
        #expect(t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas]).status == 409)
        _ = t.advance(2)
        let applied = t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas])
        #expect(applied.status == 202)
        #expect(applied.json["status"] == "completed")
        #expect(t.workload(id)["runtime"] == twoReplicas)
        #expect(t.send("POST", "/api/v2/workloads/\(id)/start").status == 202)
        let pid = t.workload(id)["protonId"]!.stringValue!
        #expect(t.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)").json["runtime"] == twoReplicas)
        _ = t.advance(1)
        #expect(
            t.send("GET", "/api/v2/workloads/\(id)/protons/\(pid)/statusDetails").json["replicas"]?.arrayValue?.count
                == 2)
        #expect(t.violations().isEmpty, "\(t.violations())")
    }

    @Test func cancelInFlightAndPromoteRules() {
        let id = t.runningWorkload()
        #expect(t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas]).status == 202)
        let promote = t.send("POST", "/api/v2/workloads/\(id)/promote")
        #expect(promote.status == 422)
        let cancelled = t.send("DELETE", "/api/v2/workloads/\(id)/replacement")
        #expect(cancelled.status == 202)
        #expect(cancelled.json["status"] == "deleting")
        #expect(cancelled.json["isDeleted"] == true)
        #expect(t.send("GET", "/api/v2/workloads/\(id)/replacement").status == 404)
        #expect(t.send("POST", "/api/v2/workloads/\(id)/promote").status == 202)
        let history = t.send("GET", "/api/v2/workloads/\(id)/history").json["data"]!.arrayValue!
        #expect(history.map { $0["id"] } == [cancelled.json["id"], history[1]["id"]])
        #expect(history.map { $0["status"]!.stringValue! } == ["deleting", "completed"])
        #expect(history.map { $0["isDeleted"]! } == [true, false])
        // The promotion: onto the artifact it locked.
        #expect(history[1]["candidateArtifactId"] == t.workload(id)["artifactId"])
        // Cancelling after the switch is too late.
        #expect(t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": oneReplica]).status == 202)
        _ = t.advance(5)
        #expect(t.workload(id)["replacement"]?["status"] == "cleaning_up")
        #expect(t.send("DELETE", "/api/v2/workloads/\(id)/replacement").status == 409)
        #expect(t.violations().isEmpty, "\(t.violations())")
    }

    @Test func instantProfileStillPassesThroughEveryStep() {
        let t = TestApp { $0.lifecycle = "instant" }
        let id = t.createWorkload()
        _ = t.advance(0)
        #expect(t.status(id) == "running")
        let r = t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas])
        #expect(r.json["status"] == "submitted")
        _ = t.advance(0)
        #expect(t.workload(id)["replacement"] == .null)
        let steps = t.send("GET", "/api/v2/workloads/\(id)/events?limit=100").json["data"]!.arrayValue!
            .compactMap { $0["details"]?["replacementStatus"]?.stringValue }
        #expect(steps == ["submitted", "initializing", "switching", "cleaning_up", "cleaning_up", "completed"])
    }
}

@Suite struct ReplacementRealClockTests {
    /// On the real clock the ticker moves a replacement along without any request.
    @Test func tickerCompletesAReplacementWithoutReads() {
        let wall = FakeWall()
        let t = TestApp {
            $0.clockMode = .real
            $0.wallClock = wall
            $0.tickIntervalMilliseconds = 3_600_000  // the test ticks by hand
        }
        let id = t.createWorkload()
        wall.advance(3000)
        #expect(t.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": twoReplicas]).status == 202)
        let sandbox = t.app.registry.sandbox(named: "default")
        wall.advance(6000)
        #expect(sandbox.inspect { $0.workloads[id]?.replacement?.status } == .submitted)
        t.app.registry.tick()
        #expect(sandbox.inspect { $0.workloads[id]?.replacement == nil } == true)
        #expect(sandbox.inspect { $0.workloads[id]?.runtime } == twoReplicas)
    }
}
