import Synchronization
import Testing

@testable import WorkloadEmulator

/// A wall clock the test moves by hand.
final class FakeWallClock: WallClock {
    let value: Mutex<Int64>
    init(_ start: Int64 = 1_000_000) { value = Mutex(start) }
    func milliseconds() -> Int64 { value.withLock { $0 } }
    func advance(_ ms: Int64) { value.withLock { $0 += ms } }
}

@Suite struct ClockTests {
    @Test func manualClockStartsFixedAndNeverGoesBack() {
        var c = ManualClock()
        #expect(c.now() == ManualClock.defaultStart)
        c.advance(to: c.now() + 250)
        #expect(c.now() == ManualClock.defaultStart + 250)
        c.advance(to: 0)
        #expect(c.now() == ManualClock.defaultStart + 250)
    }

    @Test func scaledRealClockRunsFaster() {
        let wall = FakeWallClock()
        var c = ScaledRealClock(wall: wall, scale: 3600, startingAt: 0)
        wall.advance(8_000)
        #expect(c.now() == 8 * 3_600_000)
        c.setScale(1)
        wall.advance(1_000)
        #expect(c.now() == 8 * 3_600_000 + 1_000)
        c.advance(to: 5)  // never backwards
        #expect(c.now() == 8 * 3_600_000 + 1_000)
    }

    @Test func realClockFollowsTheWall() {
        let wall = FakeWallClock(42_000)
        let c = ScaledRealClock(wall: wall)
        #expect(c.now() == 42_000)
        wall.advance(10)
        #expect(c.now() == 42_010)
    }

    @Test func sandboxClockSwitchesModesWithoutJumping() {
        let wall = FakeWallClock()
        var c = SandboxClock(mode: .manual, wall: wall)
        #expect(c.mode == .manual)
        c.advance(to: ManualClock.defaultStart + 1000)
        c.setMode(.real, scale: 60)
        #expect(c.now() == ManualClock.defaultStart + 1000)
        wall.advance(1000)
        #expect(c.now() == ManualClock.defaultStart + 61_000)
        c.setMode(.manual, scale: 1)
        wall.advance(1000)
        #expect(c.now() == ManualClock.defaultStart + 61_000)
        #expect(c.scale == 1)
    }

    @Test func systemWallClockIsPlausible() {
        let ms = SystemWallClock().milliseconds()
        #expect(ms > 1_700_000_000_000)
    }
}

@Suite struct SchedulerTests {
    func action(_ n: UInt64) -> ScheduledAction { ScheduledAction(kind: .transition, workloadId: "w", token: n) }

    @Test func firesInTimeOrderThenSchedulingOrder() {
        var s = LifecycleScheduler()
        s.schedule(action(1), at: 30)
        s.schedule(action(2), at: 10)
        s.schedule(action(3), at: 20)
        s.schedule(action(4), at: 10)
        #expect(s.nextDue == 10)
        var out: [UInt64] = []
        while let e = s.popDue(atOrBefore: 25) { out.append(e.action.token) }
        #expect(out == [2, 4, 3])
        #expect(s.count == 1)
        #expect(s.popDue(atOrBefore: 29) == nil)
        #expect(s.popDue(atOrBefore: 30)?.action.token == 1)
        #expect(s.isEmpty)
    }

    @Test func heapOrderHoldsForManyRandomEntries() {
        var s = LifecycleScheduler()
        var r = SplitMix64(seed: 7)
        for i in 0..<5000 { s.schedule(action(UInt64(i)), at: Int64(r.next() % 1000)) }
        var last: (Int64, UInt64) = (-1, 0)
        var n = 0
        while let e = s.popDue(atOrBefore: .max) {
            #expect(e.at > last.0 || (e.at == last.0 && e.sequence > last.1))
            last = (e.at, e.sequence)
            n += 1
        }
        #expect(n == 5000)
    }
}

@Suite struct IdGeneratorTests {
    @Test func idsAre24LowerHexAndDeterministic() {
        var a = IdGenerator(seed: 0, sandbox: "default")
        var b = IdGenerator(seed: 0, sandbox: "default")
        for _ in 0..<100 {
            let id = a.next()
            #expect(id.utf8.count == 24)
            #expect(id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
            #expect(id == b.next())
        }
    }

    @Test func seedSandboxAndStreamChangeTheSequence() {
        var base = IdGenerator(seed: 0, sandbox: "default")
        var otherSeed = IdGenerator(seed: 1, sandbox: "default")
        var otherName = IdGenerator(seed: 0, sandbox: "other")
        var otherStream = IdGenerator(seed: 0, sandbox: "default", stream: 1)
        let first = base.next()
        #expect(first != otherSeed.next())
        #expect(first != otherName.next())
        #expect(first != otherStream.next())
    }

    @Test func derivedUsersAreStable() {
        #expect(User.derived(fromToken: "abc") == User.derived(fromToken: "abc"))
        #expect(User.derived(fromToken: "abc").id != User.derived(fromToken: "abd").id)
        #expect(User.derived(fromToken: "abc").id.utf8.count == 24)
    }
}

@Suite struct LifecycleProfileTests {
    @Test func builtInProfiles() {
        #expect(LifecycleProfile.named("realistic") == .realistic)
        #expect(LifecycleProfile.named("instant")?.submitted == 0)
        #expect(LifecycleProfile.named("nope") == nil)
        #expect(LifecycleProfile.realistic.submitted == 500)
        #expect(LifecycleProfile.realistic.provisioning == 1500)
        #expect(LifecycleProfile.realistic.launching == 1000)
        #expect(LifecycleProfile.realistic.stopping == 1000)
    }

    @Test func parsesSecondsAndRejectsUnknownKeys() throws {
        let p = try LifecycleProfile.fromJSON(try JSONParser.parse(#"{"submitted":0.25,"provisioning":2}"#))
        #expect(p.submitted == 250)
        #expect(p.provisioning == 2000)
        #expect(p.launching == 1000)
        #expect(throws: LifecycleProfile.ParseError.self) { try LifecycleProfile.fromJSON(["bogus": 1]) }
        #expect(throws: LifecycleProfile.ParseError.self) { try LifecycleProfile.fromJSON(["submitted": -1]) }
        #expect(throws: LifecycleProfile.ParseError.self) { try LifecycleProfile.fromJSON(["submitted": "1"]) }
        #expect(throws: LifecycleProfile.ParseError.self) { try LifecycleProfile.fromJSON([1]) }
    }

    @Test func globMatching() {
        #expect(Glob.matches(pattern: "/api/v2/workloads/*", "/api/v2/workloads/abc/start"))
        #expect(Glob.matches(pattern: "*", ""))
        #expect(!Glob.matches(pattern: "/api/v2/workloads/*", "/api/v2/artifacts/x"))
        #expect(Glob.matches(pattern: "/a/*/c", "/a/b/c"))
        #expect(!Glob.matches(pattern: "/a/*/c", "/a/b/d"))
    }
}

@Suite struct OrderedIndexTests {
    @Test func pagesSkipRemovedIdsAtAnyOffset() {
        var index = OrderedIndex()
        var model: [String] = []
        var r = SplitMix64(seed: 11)
        for seq in 1...5000 {
            index.append("id\(seq)", seq: seq)
            model.append("id\(seq)")
        }
        // Remove most of them in random order, checking pages along the way (this
        // crosses several compactions).
        var order = Array(1...5000)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(r.next() % UInt64(i + 1))) }
        for (n, seq) in order.prefix(4500).enumerated() {
            index.remove(seq: seq)
            model.removeAll { $0 == "id\(seq)" }
            if n % 250 == 0 {
                #expect(index.count == model.count)
                for offset in [0, 1, model.count / 2, max(0, model.count - 3)] {
                    #expect(index.page(offset: offset, limit: 7) == Array(model.dropFirst(offset).prefix(7)))
                }
                #expect(Array(index.ids) == model)
            }
        }
        index.remove(seq: 999_999)  // unknown: no-op
        #expect(index.page(offset: model.count, limit: 10).isEmpty)
        index.append("last", seq: 10_000)
        #expect(index.page(offset: model.count, limit: 10) == ["last"])
    }
}
