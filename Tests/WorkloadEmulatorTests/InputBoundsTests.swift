import JSON
import Testing

@testable import WorkloadEmulator

/// Numbers from outside reach the domain's arithmetic only through saturating steps.
@Suite struct InputBoundsTests {
    @Test func replicasSaturateWhateverTheCounts() {
        let runtime: JSONValue = [
            "containerGroups": [
                ["replicaCount": .int(Int64.max)], ["replicaCount": 1], ["replicaCount": .int(Int64.min)],
            ]
        ]
        #expect(RuntimeShape.replicas(runtime) == 1000)
        let autoscaled: JSONValue = [
            "containerGroups": [["autoscaling": ["policies": [["minCount": .int(Int64.max)]]]], ["replicaCount": 3]]
        ]
        #expect(RuntimeShape.replicas(autoscaled) == 1000)
        #expect(RuntimeShape.replicas(["containerGroups": [["replicaCount": 2], ["replicaCount": 3]]]) == 5)
    }

    @Test func instantsSaturateAtTheLastMillisecondOf9999() {
        #expect(TimeBounds.adding(Int64.max, to: 1) == TimeBounds.latest)
        #expect(TimeBounds.adding(5, to: TimeBounds.latest) == TimeBounds.latest)
        #expect(TimeBounds.adding(1000, to: 0) == 1000)
        #expect(TimeBounds.milliseconds(minutes: Int.max) == Int64.max)
        #expect(TimeBounds.milliseconds(seconds: 1e308) == Int64.max)
        #expect(TimeBounds.milliseconds(seconds: -1e308) == Int64.min)
        #expect(TimeBounds.milliseconds(seconds: .nan) == 0)
        #expect(TimeBounds.milliseconds(seconds: 1.5) == 1500)
        #expect(Int64.max.addingClamped(1) == Int64.max)
        #expect(Timestamp.format(TimeBounds.latest) == "9999-12-31T23:59:59.999Z")
    }

    @Test func aRealClockWithAHugeScaleStopsAtTheLastInstant() {
        let wall = FakeWallClock(1_767_225_600_000)
        var clock = ScaledRealClock(wall: wall, scale: 1e9)
        wall.advance(1000)
        #expect(clock.now() == 1_767_225_600_000 + 1_000_000_000_000)
        wall.advance(1_000_000)
        #expect(clock.now() == TimeBounds.latest)
        wall.advance(Int64.max / 4)
        #expect(clock.now() == TimeBounds.latest)
        clock.advance(to: Int64.max)
        #expect(clock.now() == TimeBounds.latest)
        let huge = ScaledRealClock(wall: wall, scale: 1e308)
        wall.advance(1)
        #expect(huge.now() == TimeBounds.latest)
    }

    @Test func aManualClockStopsAtTheLastInstant() {
        var clock = ManualClock()
        clock.advance(to: Int64.max)
        #expect(clock.now() == TimeBounds.latest)
    }

    static func state(_ edit: (inout JSONObject) -> Void) -> JSONValue {
        let w = World(name: "s", settings: SandboxSettings())
        var doc = w.snapshot().objectValue!
        edit(&doc)
        return .object(doc)
    }

    static func restoreError(_ doc: JSONValue) -> String? {
        do {
            _ = try World.restore(doc, name: "s", settings: SandboxSettings())
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aRestoredClockScaleOutsideTheAPIsBoundsIsRefused() {
        for scale in [1e18, 1e308, 0, -1, 1e-9] {
            let doc = Self.state { d in
                var c = d["clock"]!.objectValue!
                c["scale"] = .double(scale)
                c["mode"] = "real"
                d["clock"] = .object(c)
            }
            #expect(Self.restoreError(doc)?.contains("$.clock") == true, "scale \(scale)")
        }
    }

    @Test func restoredCountersNearInt64MaxAreRefused() {
        for field in ["nextSeq", "nextEventNumber"] {
            let doc = Self.state { d in
                var g = d["generators"]!.objectValue!
                g[field] = .int(Int64.max)
                d["generators"] = .object(g)
            }
            #expect(Self.restoreError(doc)?.contains("$.generators.\(field)") == true, "\(field)")
        }
    }

    @Test func restoredFaultRulesFollowTheAPIsRules() {
        let bad: [(JSONValue, String)] = [
            (["id": "f", "action": "respond", "status": 150], "status"),
            (["id": "f", "action": "respond", "status": 200, "headers": ["Bad Name": "x"]], "headers"),
            (["id": "f", "action": "respond", "status": 200, "headers": ["X": "a\r\nb"]], "headers"),
            (["id": "f", "action": "delay", "delayMs": .int(Int64.max)], "delayMs"),
            (["id": "f", "action": "drop", "probability": 2.0], "probability"),
        ]
        for (rule, field) in bad {
            let doc = Self.state { d in d["faults"] = [rule] }
            #expect(Self.restoreError(doc)?.contains(field) == true, "\(rule)")
        }
    }

    @Test func faultHeaderNamesAreTokensAndValuesHaveNoControlCharacters() {
        #expect(FaultRule.isToken("Retry-After"))
        #expect(FaultRule.isToken("x!#$%&'*+-.^_`|~9"))
        for name in ["", "Content-Length ", "X Bad", "a:b", "é", "a\u{0}", "(x)"] {
            #expect(!FaultRule.isToken(name), "\(name)")
        }
        #expect(FaultRule.isFieldValue("a b\tc é"))
        for value in ["a\rb", "a\nb", "a\u{0}b", "\u{7F}", "\u{1B}[0m"] {
            #expect(!FaultRule.isFieldValue(value), "\(value.debugDescription)")
        }
    }
}
