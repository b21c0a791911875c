import JSON
import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct WorldLifecycleTests {
    @Test func quarterSecondStepsShowEveryState() throws {
        var w = World.make()
        let created = try w.createWorkload(draftInput(), by: alice)
        #expect(created.status == .submitted)
        var seen: [WorkloadStatus] = [.submitted]
        for _ in 0..<16 {
            _ = w.advanceClock(to: w.clock.now() + 250)
            let s = try w.workload(created.id, for: alice).status
            if seen.last != s { seen.append(s) }
        }
        #expect(seen == [.submitted, .provisioning, .launching, .running])
        let events = w.workloadEvents(created.id)
        #expect(events.map(\.kind) == [.created, .statusChanged, .statusChanged, .statusChanged])
        #expect(events.compactMap(\.to) == [.submitted, .provisioning, .launching, .running])
        // Each at its scheduled time, not when the clock happened to be read.
        let start = ManualClock.defaultStart
        #expect(events.map(\.at) == [start, start + 500, start + 2000, start + 3000])
    }

    @Test func instantProfileStillPassesEveryState() throws {
        var w = World.make(.make(profile: .instant))
        let c = try w.createWorkload(draftInput(), by: alice)
        #expect(c.status == .submitted)
        let fired = w.syncToClock()
        #expect(fired.map(\.to) == [.provisioning, .launching, .running])
        #expect(try w.workload(c.id, for: alice).status == .running)
    }

    @Test func stopAndStartRules() throws {
        var w = World.make()
        let c = try w.createWorkload(draftInput(), by: alice)
        _ = w.advanceClock(to: w.clock.now() + 3000)
        #expect(try w.startWorkload(c.id, by: alice).accepted == false)
        #expect(try w.stopWorkload(c.id, by: alice).accepted == true)
        #expect(try w.workload(c.id, for: alice).status == .stopping)
        #expect(try w.stopWorkload(c.id, by: alice).accepted == false)
        #expect(throws: DomainError.self) { try w.startWorkload(c.id, by: alice) }
        _ = w.advanceClock(to: w.clock.now() + 1000)
        #expect(try w.workload(c.id, for: alice).status == .stopped)
        let firstProton = try w.workload(c.id, for: alice).protonId
        let (restarted, accepted) = try w.startWorkload(c.id, by: alice)
        #expect(accepted)
        #expect(restarted.status == .submitted)
        #expect(restarted.protonId != firstProton)
        #expect(restarted.protonIds.count == 2)
    }

    @Test func draftTTLIsEightHoursFromTheLastStart() throws {
        var w = World.make()
        let c = try w.createWorkload(draftInput(), by: alice)
        let start = w.clock.now()
        _ = w.advanceClock(to: start + 3_600_000)
        _ = try w.stopWorkload(c.id, by: alice)  // stop does not pause the timer
        _ = w.advanceClock(to: start + 8 * 3_600_000 - 60_000)
        #expect(w.workloads[c.id] != nil)
        let fired = w.advanceClock(to: start + 8 * 3_600_000)
        #expect(fired.contains { $0.kind == "expiry" && $0.workloadId == c.id })
        #expect(w.workloads[c.id] == nil)
        #expect(throws: DomainError.notFound("Workload not found.")) { try w.workload(c.id, for: alice) }
        #expect(w.log.contains { $0.kind == "expired" && $0.workloadId == c.id })
    }

    @Test func startResetsTheTTL() throws {
        var w = World.make()
        let c = try w.createWorkload(draftInput(), by: alice)
        let start = w.clock.now()
        _ = try w.stopWorkload(c.id, by: alice)
        _ = w.advanceClock(to: start + 4 * 3_600_000)
        _ = try w.startWorkload(c.id, by: alice)
        _ = w.advanceClock(to: start + 8 * 3_600_000 + 1)
        #expect(w.workloads[c.id] != nil)
        _ = w.advanceClock(to: start + 12 * 3_600_000)
        #expect(w.workloads[c.id] == nil)
    }

    @Test func promoteRemovesTheTTLAndLocksTheArtifact() throws {
        var w = World.make()
        let c = try w.createWorkload(draftInput(), by: alice)
        #expect(throws: DomainError.self) { try w.promoteWorkload(c.id, by: alice) }  // not running yet
        _ = w.advanceClock(to: w.clock.now() + 3000)
        let p = try w.promoteWorkload(c.id, by: alice)
        #expect(p.expiresAt == nil)
        #expect(p.status == .running)
        #expect(w.artifacts[c.artifactId]?.status == .locked)
        #expect(w.artifacts[c.artifactId]?.version == 1)
        #expect(throws: DomainError.self) { try w.promoteWorkload(c.id, by: alice) }  // already locked
        _ = w.advanceClock(to: w.clock.now() + 100 * 3_600_000)
        #expect(w.workloads[c.id] != nil)
    }

    @Test func lockedArtifactsBackManyWorkloadsThatNeverExpire() throws {
        var w = World.make()
        let a = try w.createArtifact(ArtifactInput(name: "a", status: .locked), by: alice)
        #expect(a.version == 1)
        let one = try w.createWorkload(WorkloadInput(name: "1", artifactId: a.id), by: alice)
        let two = try w.createWorkload(WorkloadInput(name: "2", artifactId: a.id), by: alice)
        #expect(one.expiresAt == nil)
        _ = w.advanceClock(to: w.clock.now() + 1000 * 3_600_000)
        #expect(w.workloads[one.id] != nil && w.workloads[two.id] != nil)
    }

    @Test func aDraftArtifactBacksOneWorkload() throws {
        var w = World.make()
        let c = try w.createWorkload(draftInput(), by: alice)
        #expect {
            try w.createWorkload(WorkloadInput(name: "again", artifactId: c.artifactId), by: alice)
        } throws: { ($0 as? DomainError)?.status == 400 }
        _ = try w.deleteWorkload(c.id, by: alice)
        _ = try w.createWorkload(WorkloadInput(name: "again", artifactId: c.artifactId), by: alice)
    }

    @Test func limits() throws {
        var s = SandboxSettings.make()
        s.maxConcurrentWorkloads = 1
        s.maxReplicas = 3
        var w = World.make(s)
        let rt: JSONValue = ["containerGroups": [["replicaCount": 4]]]
        #expect(throws: DomainError.forbidden("Requested replicas (4) exceeds the maximum allowed (3).")) {
            try w.createWorkload(WorkloadInput(name: "r", runtime: rt, artifact: ArtifactInput(name: "a")), by: alice)
        }
        #expect(w.artifacts.count == 0)  // nothing was created
        let c = try w.createWorkload(draftInput(), by: alice)
        #expect { try w.createWorkload(draftInput(), by: alice) } throws: { ($0 as? DomainError)?.status == 403 }
        _ = try w.createWorkload(draftInput(), by: bob)  // per user
        _ = try w.stopWorkload(c.id, by: alice)
        _ = w.advanceClock(to: w.clock.now() + 1000)
        _ = try w.createWorkload(draftInput(), by: alice)
        #expect { try w.startWorkload(c.id, by: alice) } throws: { ($0 as? DomainError)?.status == 403 }
    }
}
