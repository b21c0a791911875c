import Testing

@testable import WorkloadEmulator

/// The real-clock ticker fires a backlog in slices: each slice fires a bounded number of
/// due actions, so a request waiting for the sandbox lock gets it between two slices.
@Suite struct TickSliceTests {
    static func realClockWorld(workloads n: Int, wall: FakeWallClock) throws -> World {
        var settings = SandboxSettings.make(wall: wall)
        settings.clockMode = .real
        var w = World.make(settings)
        for i in 0..<n { _ = try w.createWorkload(draftInput("w\(i)"), by: alice) }
        return w
    }

    @Test func aSliceFiresAtMostItsLimitAndTheWorldStaysBehindUntilTheLast() throws {
        let wall = FakeWallClock()
        var sliced = try Self.realClockWorld(workloads: 300, wall: wall)
        var whole = try Self.realClockWorld(workloads: 300, wall: wall)
        wall.advance(3000)  // submitted → provisioning → launching → running for all 300
        let due = sliced.clock.now()

        var slices = 0
        var eventsBefore = sliced.workloads.values.map(\.events.count).reduce(0, +)
        while sliced.sync(to: due, atMost: 256) {
            slices += 1
            let events = sliced.workloads.values.map(\.events.count).reduce(0, +)
            #expect(events - eventsBefore == 256)
            eventsBefore = events
            #expect(sliced.nextDue.map { $0 <= due } == true)  // the rest is still due
        }
        slices += 1
        #expect(slices == 4)  // 900 transitions: 256, 256, 256, 132
        #expect(sliced.now == due)

        _ = whole.syncToClock()
        #expect(sliced.workloads.values.allSatisfy { $0.status == .running })
        #expect(sliced.workloads.values.map(\.events.count) == whole.workloads.values.map(\.events.count))
    }

    @Test func theTickerCatchesUpWithAWholeBacklog() throws {
        let wall = FakeWallClock()
        var settings = SandboxSettings.make(wall: wall)
        settings.clockMode = .real
        let s = Sandbox(name: "x", settings: settings)
        try s.execute { (w) throws(DomainError) in
            for i in 0..<1000 { _ = try w.createWorkload(draftInput("w\(i)"), by: alice) }
        }
        wall.advance(3000)
        s.tick()
        #expect(s.inspect { w in w.workloads.values.allSatisfy { $0.status == .running } })
        #expect(s.inspect { w in w.nextDue.map { $0 > w.clock.now() } ?? true })
    }
}
