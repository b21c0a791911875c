import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct SandboxTests {
    @Test func sandboxesAreIsolated() throws {
        let registry = SandboxRegistry(settings: .make())
        let one = registry.sandbox(named: "one")
        let two = registry.sandbox(named: "two")
        let id = try one.execute { (w) throws(DomainError) in try w.createWorkload(draftInput(), by: alice).id }
        _ = one.read { $0.advanceClock(to: $0.clock.now() + 3_600_000) }
        #expect(two.read { $0.workloads.count } == 0)
        #expect(two.read { $0.clock.now() } == ManualClock.defaultStart)
        #expect(throws: DomainError.self) {
            try two.execute { (w) throws(DomainError) in try w.workload(id, for: alice) }
        }
        #expect(registry.all().map(\.name) == ["one", "two"])
        #expect(registry.sandbox(named: "one") === one)
        #expect(registry.remove(named: "one"))
        #expect(registry.existing(named: "one") == nil)
    }

    @Test func resetGivesTheSameIdsAgain() throws {
        let s = Sandbox(name: "x", settings: .make())
        let first = try s.execute { (w) throws(DomainError) in try w.createWorkload(draftInput(), by: alice).id }
        s.reset()
        #expect(s.read { $0.workloads.count } == 0)
        let again = try s.execute { (w) throws(DomainError) in try w.createWorkload(draftInput(), by: alice).id }
        #expect(first == again)
    }

    @Test func observerSeesEveryChange() throws {
        let seen = Mutex<[UInt64]>([])
        let s = Sandbox(name: "x", settings: .make()) { _, rev in seen.withLock { $0.append(rev) } }
        _ = try s.execute { (w) throws(DomainError) in try w.createWorkload(draftInput(), by: alice) }
        _ = s.read { $0.workloads.count }  // a read changes nothing
        #expect(seen.withLock { $0.count } == 1)
    }

    @Test func realClockTickFiresWithoutARequest() throws {
        let wall = FakeWallClock()
        var settings = SandboxSettings.make(wall: wall)
        settings.clockMode = .real
        let s = Sandbox(name: "x", settings: settings)
        let id = try s.execute { (w) throws(DomainError) in try w.createWorkload(draftInput(), by: alice).id }
        wall.advance(2999)
        s.tick()
        // Inspect without syncing: the tick must have done the work.
        #expect(s.inspect { $0.workloads[id]?.events.count } == 3)
        wall.advance(1)
        #expect(s.inspect { $0.workloads[id]?.events.count } == 3)  // nothing fires by itself…
        s.tick()
        #expect(s.inspect { $0.workloads[id]?.events.count } == 4)  // …until the ticker runs
        #expect(s.inspect { $0.workloads[id]?.status } == .running)
    }

    @Test func sandboxNames() {
        #expect(SandboxRegistry.isValidName("a.b_c-D9"))
        #expect(!SandboxRegistry.isValidName(""))
        #expect(!SandboxRegistry.isValidName(String(repeating: "a", count: 65)))
        #expect(SandboxRegistry.isValidName(String(repeating: "a", count: 64)))
        #expect(!SandboxRegistry.isValidName("a/b"))
        #expect(!SandboxRegistry.isValidName("é"))
    }

    /// How long this takes is measured in release builds by `bench/run-all.sh` row 6
    /// (bench/RESULTS.md), not here: a debug build on a busy machine says nothing about it.
    @Test func advancingEightHoursOverTenThousandWorkloadsExpiresEveryDraft() throws {
        var w = World.make()
        for i in 0..<10_000 { _ = try w.createWorkload(draftInput("w\(i)"), by: alice) }
        let start = w.clock.now()
        _ = w.advanceClock(to: start + 8 * 3_600_000)
        #expect(w.workloads.count == 0)
        #expect(w.workloads.order.count == 0)
    }
}
