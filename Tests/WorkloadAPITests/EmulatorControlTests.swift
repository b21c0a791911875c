import Dispatch
import Glibc
import HTTPServer
import Synchronization
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct SandboxRoutingTests {
    let t = TestApp()

    @Test func headerAndPrefixSelectTheSameSandbox() {
        let id = t.createWorkload(sandbox: "blue")
        #expect(t.send("GET", "/sandboxes/blue/api/v2/workloads/\(id)").status == 200)
        #expect(t.send("GET", "/api/v2/workloads/\(id)", headers: [("X-Emulator-Sandbox", "blue")]).status == 200)
        #expect(t.send("GET", "/api/v2/workloads/\(id)").status == 404)
        #expect(t.send("GET", "/sandboxes/green/api/v2/workloads/\(id)").status == 404)
        // A prefix beats the header.
        #expect(
            t.send("GET", "/sandboxes/blue/api/v2/workloads/\(id)", headers: [("X-Emulator-Sandbox", "green")]).status
                == 200)
    }

    @Test func invalidNamesAre400() {
        for bad in ["a%20b", String(repeating: "x", count: 65), "a*b", ""] {
            let r = t.send("GET", "/sandboxes/\(bad)/api/v2/workloads")
            #expect(r.status == 400)
            #expect(r.contentType == "application/json")
            #expect(r.json["detail"]?.stringValue?.hasPrefix("Invalid sandbox name") == true)
        }
        #expect(t.send("GET", "/api/v2/workloads", headers: [("X-Emulator-Sandbox", "no/slash")]).status == 400)
        #expect(t.send("GET", "/api/v2/workloads", headers: [("X-Emulator-Sandbox", "")]).status == 400)
    }

    @Test func clocksAreIndependent() {
        _ = t.advance(3600, sandbox: "one")
        #expect(
            t.send("GET", "/__emulator/clock", token: nil, headers: [("X-Emulator-Sandbox", "one")]).json["now"]
                == "2026-01-01T01:00:00.000Z")
        #expect(t.send("GET", "/sandboxes/two/__emulator/clock", token: nil).json["now"] == "2026-01-01T00:00:00.000Z")
    }

    @Test func listDeleteAndResetSandboxes() {
        _ = t.createWorkload(sandbox: "a")
        _ = t.createWorkload(sandbox: "b")
        _ = t.createWorkload(sandbox: "b")
        let list = t.send("GET", "/__emulator/sandboxes", token: nil).json
        let rows = list["data"]!.arrayValue!
        #expect(rows.map { $0["name"]!.stringValue! } == ["a", "b"])
        #expect(rows[1]["workloads"] == 2)
        #expect(rows[1]["artifacts"] == 2)
        #expect(t.send("DELETE", "/__emulator/sandboxes/a", token: nil).status == 204)
        #expect(t.send("DELETE", "/__emulator/sandboxes/a", token: nil).status == 404)
        _ = t.advance(100, sandbox: "b")
        let reset = t.send("POST", "/sandboxes/b/__emulator/reset", token: nil)
        #expect(reset.status == 200)
        #expect(reset.json["clock"]?["now"] == "2026-01-01T00:00:00.000Z")
        #expect(t.send("GET", "/sandboxes/b/api/v2/workloads").json["totalCount"] == 0)
    }

    @Test func healthNeedsNoToken() {
        let r = t.send("GET", "/__emulator/health", token: nil)
        #expect(r.status == 200)
        #expect(r.json["status"] == "ok")
    }
}

@Suite struct ClockAPITests {
    let t = TestApp()

    @Test func getPutAdvance() {
        #expect(
            t.send("GET", "/__emulator/clock", token: nil).text
                == #"{"now":"2026-01-01T00:00:00.000Z","mode":"manual","scale":1.0}"#)
        let to = t.send("POST", "/__emulator/clock/advance", ["to": "2026-01-02T00:00:00Z"], token: nil)
        #expect(to.json["now"] == "2026-01-02T00:00:00.000Z")
        let back = t.send("POST", "/__emulator/clock/advance", ["to": "2026-01-01T00:00:00Z"], token: nil)
        #expect(back.status == 422)
        #expect(back.json["detail"]?.stringValue?.contains("never goes backwards") == true)
        #expect(
            t.send("POST", "/__emulator/clock/advance", ["seconds": 1, "to": "2026-01-03T00:00:00Z"], token: nil).issues
                == ["body:value_error"])
        #expect(t.send("POST", "/__emulator/clock/advance", [:], token: nil).issues == ["body:value_error"])
        #expect(
            t.send("POST", "/__emulator/clock/advance", ["seconds": -1], token: nil).issues == [
                "body.seconds:greater_than_equal"
            ])
        #expect(
            t.send("POST", "/__emulator/clock/advance", ["to": "tomorrow"], token: nil).issues == [
                "body.to:datetime_parsing"
            ])
        let real = t.send("PUT", "/__emulator/clock", ["mode": "real", "scale": 60], token: nil)
        #expect(real.json["mode"] == "real")
        #expect(real.json["scale"] == 60.0)
        let manual = t.send("PUT", "/__emulator/clock", ["mode": "manual"], token: nil)
        #expect(manual.json["mode"] == "manual")
        #expect(t.send("PUT", "/__emulator/clock", ["mode": "fast"], token: nil).issues == ["body.mode:enum"])
    }

    @Test func lifecycleProfilePerSandbox() {
        #expect(t.send("GET", "/__emulator/lifecycle", token: nil).json["submitted"] == 0.5)
        #expect(t.send("PUT", "/__emulator/lifecycle", ["name": "instant"], token: nil).json["provisioning"] == 0.0)
        let id = t.createWorkload()
        _ = t.advance(0)
        #expect(t.status(id) == "running")
        #expect(t.send("PUT", "/__emulator/lifecycle", ["submitted": "x"], token: nil).status == 422)
        #expect(t.send("GET", "/sandboxes/other/__emulator/lifecycle", token: nil).json["name"] == "realistic")
    }
}

@Suite struct FaultAPITests {
    let t = TestApp()

    @Test func createListDelete() {
        let r = t.send(
            "POST", "/__emulator/faults",
            ["match": ["method": "DELETE", "path": "/api/v2/workloads/*"], "action": "protonStopFailure", "times": 2],
            token: nil)
        #expect(r.status == 201)
        #expect(r.json.objectValue?.keys == ["id", "match", "action", "times", "probability", "fired", "createdAt"])
        #expect(t.send("GET", "/__emulator/faults", token: nil).json["count"] == 1)
        let id = r.json["id"]!.stringValue!
        #expect(t.send("GET", "/__emulator/faults/\(id)", token: nil).json == r.json)
        #expect(t.send("DELETE", "/__emulator/faults/\(id)", token: nil).status == 204)
        #expect(t.send("DELETE", "/__emulator/faults/\(id)", token: nil).status == 404)
        _ = t.send("POST", "/__emulator/faults", ["action": "drop"], token: nil)
        #expect(t.send("DELETE", "/__emulator/faults", token: nil).status == 204)
        #expect(t.send("GET", "/__emulator/faults", token: nil).json["count"] == 0)
    }

    @Test func validation() {
        #expect(t.send("POST", "/__emulator/faults", ["action": "explode"], token: nil).issues == ["body.action:enum"])
        #expect(t.send("POST", "/__emulator/faults", ["action": "hold"], token: nil).issues == ["body.state:missing"])
        #expect(
            t.send("POST", "/__emulator/faults", ["action": "hold", "state": "running"], token: nil).issues == [
                "body.state:enum"
            ])
        #expect(
            t.send("POST", "/__emulator/faults", ["action": "hold", "state": "launching", "message": "x"], token: nil)
                .issues == ["body.message:value_error"])
        #expect(
            t.send("POST", "/__emulator/faults", ["action": "drop", "match": ["verb": "GET"]], token: nil).issues == [
                "body.match.verb:extra_forbidden"
            ])
        #expect(
            t.send("POST", "/__emulator/faults", ["action": "drop", "probability": 2], token: nil).issues == [
                "body.probability:less_than_equal"
            ])
        #expect(t.send("GET", "/__emulator/faults", token: nil).json["count"] == 0)
    }

    @Test func respondAndTimes() {
        _ = t.send(
            "POST", "/__emulator/faults",
            [
                "match": ["method": "GET", "path": "/api/v2/workloads"], "action": "respond", "status": 429,
                "body": ["detail": "slow down"], "headers": ["Retry-After": "2"], "times": 2,
            ], token: nil)
        for _ in 0..<2 {
            let r = t.send("GET", "/api/v2/workloads")
            #expect(r.status == 429)
            #expect(r.headers["Retry-After"] == "2")
            #expect(r.headers["X-Emulator-Injected"] != nil)
            #expect(r.text == #"{"detail":"slow down"}"#)
        }
        #expect(t.send("GET", "/api/v2/workloads").status == 200)
    }
}

@Suite struct RealClockTests {
    /// The application's ticker fires due transitions without any request; here the
    /// test drives the registry's tick itself (no sleeping), on a fake wall clock.
    @Test func tickerFiresTransitionsWithoutReads() {
        let wall = FakeWall()
        let t = TestApp {
            $0.clockMode = .real
            $0.wallClock = wall
            $0.tickIntervalMilliseconds = 3_600_000  // the test ticks by hand
        }
        let id = t.createWorkload()
        let sandbox = t.app.registry.sandbox(named: "default")
        wall.advance(3000)
        #expect(sandbox.inspect { $0.workloads[id]?.status } == .submitted)
        t.app.registry.tick()
        #expect(sandbox.inspect { $0.workloads[id]?.status } == .running)
        let events = t.send("GET", "/api/v2/workloads/\(id)/events").json["data"]!.arrayValue!
        #expect(events.last?["timestamp"]?.stringValue == Timestamp.format(1_000_000 + 3000))
    }

    @Test func scaledClockRunsFaster() {
        let wall = FakeWall()
        let t = TestApp {
            $0.clockMode = .real
            $0.timeScale = 3600
            $0.wallClock = wall
            $0.tickIntervalMilliseconds = 3_600_000
        }
        let id = t.createWorkload()
        wall.advance(8_000)  // 8 s of wall time = 8 h
        #expect(t.send("GET", "/api/v2/workloads/\(id)").status == 404)
        #expect(t.send("GET", "/__emulator/clock", token: nil).json["scale"] == 3600.0)
    }
}

@Suite struct RequestFaultTests {
    @Test func dropAndDelay() {
        let t = TestApp()
        _ = t.send(
            "POST", "/__emulator/faults", ["match": ["path": "/api/v2/version*"], "action": "drop", "times": 1],
            token: nil)
        let (dropped, _) = t.app.handle(HTTPRequest(method: "GET", target: "/api/v2/version"))
        #expect(dropped.dropConnection)
        #expect(t.send("GET", "/api/v2/version").status == 200)
        _ = t.send(
            "POST", "/__emulator/faults",
            ["match": ["method": "GET", "path": "/api/v2/version"], "action": "delay", "delayMs": 40], token: nil)
        let (delayed, ms) = t.app.handle(HTTPRequest(method: "GET", target: "/api/v2/version"))
        #expect(ms == 40)
        #expect(delayed.status == 200)
        #expect(delayed.headers["X-Emulator-Injected"] != nil)
        // Through the handler the answer comes later, from another thread.
        let clock = ContinuousClock()
        let start = clock.now
        let done = DispatchSemaphore(value: 0)
        t.app.handler(HTTPRequest(method: "GET", target: "/api/v2/version"), HTTPResponder { _ in done.signal() })
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(clock.now - start >= .milliseconds(40))
    }

    @Test func faultsDoNotApplyToTheControlAPI() {
        let t = TestApp()
        _ = t.send("POST", "/__emulator/faults", ["action": "drop"], token: nil)
        #expect(t.send("GET", "/__emulator/faults", token: nil).status == 200)
    }
}

/// A wall clock the test moves by hand.
final class FakeWall: WallClock {
    let value = Mutex<Int64>(1_000_000)
    func milliseconds() -> Int64 { value.withLock { $0 } }
    func advance(_ ms: Int64) { value.withLock { $0 += ms } }
}

@Suite struct LifecycleFileTests {
    func write(_ text: String) -> String {
        let path = "/tmp/workload-emulator-profile-\(UInt32.random(in: 0...UInt32.max)).json"
        let f = fopen(path, "w")!
        fputs(text, f)
        fclose(f)
        return path
    }

    @Test func aProfileFileSetsThePhaseDurations() {
        let path = write(#"{"submitted":0.1,"provisioning":0.1,"launching":0.1}"#)
        defer { unlink(path) }
        let t = TestApp { $0.lifecycle = path }
        let id = t.createWorkload()
        _ = t.advance(0.3)
        #expect(t.status(id) == "running")
        #expect(t.send("GET", "/__emulator/lifecycle", token: nil).json["stopping"] == 1.0)
    }

    @Test func aBadProfileIsAConfigurationErrorNamingTheFlag() {
        let path = write(#"{"submitted":"soon"}"#)
        defer { unlink(path) }
        for lifecycle in [path, "/nonexistent/profile.json", "fast"] {
            var c = APIConfiguration()
            c.lifecycle = lifecycle
            #expect {
                try EmulatorApplication(configuration: c)
            } throws: { error in
                "\(error)".hasPrefix("--lifecycle: ")
            }
        }
    }
}
