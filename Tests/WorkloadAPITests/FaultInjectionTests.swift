import HTTPServer
import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

/// Fault rules: `times`, seeded `probability`, `match`, and the journal marks.
@Suite struct FaultInjectionTests {
    func addRule(_ t: TestApp, _ rule: JSONValue, sandbox: String? = nil) -> String {
        let r = t.send(
            "POST", "/__emulator/faults", rule, token: nil, headers: sandbox.map { [("X-Emulator-Sandbox", $0)] } ?? [])
        #expect(r.status == 201, "\(r.text)")
        return r.json["id"]?.stringValue ?? ""
    }

    @Test func timesTwoFiresExactlyTwice() {
        let t = TestApp()
        let id = addRule(
            t, ["match": ["method": "GET", "path": "/api/v2/version"], "action": "respond", "status": 503, "times": 2])
        let statuses = (0..<5).map { _ in t.send("GET", "/api/v2/version").status }
        #expect(statuses == [503, 503, 200, 200, 200])
        #expect(t.send("GET", "/__emulator/faults/\(id)", token: nil).json["fired"] == 2)
    }

    /// The same seed and the same requests give the same sequence, in two fresh applications.
    @Test func probabilityIsSeeded() {
        func sequence(seed: UInt64) -> [Int] {
            let t = TestApp { $0.seed = seed }
            _ = addRule(
                t, ["match": ["path": "/api/v2/version"], "action": "respond", "status": 429, "probability": 0.5])
            return (0..<64).map { _ in t.send("GET", "/api/v2/version").status }
        }
        let a = sequence(seed: 7)
        let b = sequence(seed: 7)
        #expect(a == b)
        let injected = a.filter { $0 == 429 }.count
        #expect(injected > 16 && injected < 48, "about half of 64: \(injected)")
        #expect(sequence(seed: 8) != a)
    }

    @Test func matchByMethodPathGlobAndWorkloadId() {
        let t = TestApp()
        let w1 = t.createWorkload("one")
        let w2 = t.createWorkload("two")
        _ = addRule(
            t,
            [
                "match": ["method": "get", "path": "/api/v2/workloads/*", "workloadId": .string(w2)],
                "action": "respond", "status": 418,
            ])
        #expect(t.send("GET", "/api/v2/workloads/\(w1)").status == 200)
        #expect(t.send("PATCH", "/api/v2/workloads/\(w2)", ["name": "x"]).status == 200)
        #expect(t.send("GET", "/api/v2/workloads/\(w2)").status == 418)
        #expect(t.send("GET", "/api/v2/workloads/\(w2)/events").status == 418)
        #expect(t.send("GET", "/api/v2/workloads").status == 200)
    }

    @Test func rulesAreListedInCreationOrderAndRemoved() {
        let t = TestApp()
        let a = addRule(t, ["action": "delay", "delayMs": 1])
        let b = addRule(t, ["action": "respond", "status": 500, "match": ["path": "/nothing"]])
        let list = t.send("GET", "/__emulator/faults", token: nil).json
        #expect(list["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [a, b])
        #expect(t.send("DELETE", "/__emulator/faults/\(a)", token: nil).status == 204)
        #expect(t.send("GET", "/__emulator/faults", token: nil).json["count"] == 1)
        #expect(t.send("GET", "/api/v2/version").headers["X-Emulator-Injected"] == nil)
    }

    @Test func rulesStayInTheirSandbox() {
        let t = TestApp()
        _ = addRule(t, ["action": "respond", "status": 500], sandbox: "a")
        #expect(t.send("GET", "/api/v2/version", headers: [("X-Emulator-Sandbox", "a")]).status == 500)
        #expect(t.send("GET", "/api/v2/version", headers: [("X-Emulator-Sandbox", "b")]).status == 200)
        #expect(t.send("GET", "/sandboxes/a/api/v2/version").status == 500)
    }

    /// Every injected response carries the header and is marked in the journal with its rule.
    @Test func everyInjectedResponseIsMarkedInTheJournal() {
        let t = TestApp()
        let respond = addRule(
            t, ["match": ["path": "/api/v2/version"], "action": "respond", "status": 429, "times": 1])
        let delay = addRule(
            t, ["match": ["path": "/api/v2/account/info*"], "action": "delay", "delayMs": 1, "times": 1])
        let drop = addRule(t, ["match": ["method": "DELETE"], "action": "drop", "times": 1])
        let r1 = t.send("GET", "/api/v2/version")
        #expect(r1.headers["X-Emulator-Injected"] == respond)
        // `send` wants the answer at once; a delayed one comes later, so ask the core.
        let (r2, ms) = t.app.handle(
            HTTPRequest(
                method: "GET", target: "/api/v2/account/info/", headers: HTTPHeaders([("Authorization", "Bearer a")])))
        #expect(ms == 1)
        #expect(r2.status == 200)
        #expect(r2.headers["X-Emulator-Injected"] == delay)
        let (dropped, _) = t.app.handle(
            HTTPRequest(
                method: "DELETE", target: "/api/v2/workloads/x", headers: HTTPHeaders([("Authorization", "Bearer a")])))
        #expect(dropped.dropConnection)
        #expect(t.send("GET", "/api/v2/version").status == 200)

        let journal = t.send("GET", "/__emulator/requests", token: nil).json["data"]?.arrayValue ?? []
        #expect(journal.count == 4)
        #expect(journal.map { $0["injected"] } == [.string(respond), .string(delay), .string(drop), .null])
        #expect(journal.map { $0["injectedAction"] } == ["respond", "delay", "drop", .null])
        #expect(journal.map { $0["status"] } == [429, 200, .null, 200])
        #expect(journal[2]["dropped"] == true)
        let onlyInjected = t.send("GET", "/__emulator/requests?injected=true", token: nil).json
        #expect(onlyInjected["totalCount"] == 3)
    }

    /// A domain fault's answer (partial delete) is marked as well.
    @Test func partialDeleteIsMarked() {
        let t = TestApp()
        let w = t.createWorkload()
        let rule = addRule(t, ["match": ["workloadId": .string(w)], "action": "protonStopFailure"])
        let r = t.send("DELETE", "/api/v2/workloads/\(w)")
        #expect(r.status == 502)
        #expect(r.headers["X-Emulator-Injected"] == rule)
        let journal = t.send("GET", "/__emulator/requests?method=DELETE", token: nil).json["data"]?.arrayValue ?? []
        #expect(journal.first?["injected"] == .string(rule))
        #expect(journal.first?["injectedAction"] == "protonStopFailure")
    }
}
