import Dispatch
import Glibc
import HTTPServer
import Synchronization
import Testing
import WorkloadAPI
import WorkloadEmulator

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
