import Dispatch
import Synchronization
import Testing
import WorkloadEmulator

/// Issue 4: 8 clients race start, stop, settings, replacement (and cancel, invoke,
/// clock steps) on one workload over real sockets; afterwards the workload, its
/// protons, its replacement and its events agree, checked inside (the world's
/// invariants) and outside (through the API).
@Suite struct ConcurrencyEndToEndTests {
    static let allowed: [String: Set<Int>] = [
        "start": [200, 202, 409], "stop": [200, 202], "settings": [202, 409], "replace": [202, 400, 409],
        "cancel": [202, 404, 409], "get": [200], "invoke": [200, 503], "advance": [200], "replacementGet": [200, 404],
    ]

    @Test func eightClientsHammerOneWorkload() throws {
        let live = try LiveEmulator()
        let setup = try live.client()
        let id = try setup.createWorkload()
        try setup.advance(3)
        // Rules that make candidates fail now and then, so errored replacements race too.
        _ = try setup.send("POST", "/__emulator/faults", ["action": "replacementFailure", "probability": 0.2])
        _ = try setup.send("POST", "/__emulator/faults", ["action": "launchFailure", "probability": 0.05])
        let port = live.port
        let unexpected = Mutex<[String]>([])
        let counts = Mutex<[String: Int]>([:])
        let accepted = Mutex<[String: Int]>([:])  // 2xx answers: refusals alone prove nothing
        let deadline = DispatchTime.now() + .milliseconds(3000)
        let group = DispatchGroup()
        for worker in 0..<8 {
            // A serial queue each: one thread per client, whatever the core count.
            DispatchQueue(label: "hammer-\(worker)").async(group: group) {
                guard let c = try? TestClient(port: port) else {
                    unexpected.withLock { $0.append("client \(worker) could not connect") }
                    return
                }
                var random = SplitMix64(seed: UInt64(worker) + 1)
                var artifacts: [String] = []
                while DispatchTime.now() < deadline {
                    let op: String
                    let r: TestClient.Response?
                    switch random.next() % 20 {
                    case 0..<3:
                        op = "start"
                        r = try? c.send("POST", "/api/v2/workloads/\(id)/start")
                    case 3..<5:
                        op = "stop"
                        r = try? c.send("POST", "/api/v2/workloads/\(id)/stop")
                    case 5..<8:
                        op = "settings"
                        let n = Int64(random.next() % 3 + 1)
                        r = try? c.send(
                            "PATCH", "/api/v2/workloads/\(id)/settings",
                            ["runtime": ["containerGroups": [["name": "default", "replicaCount": .int(n)]]]])
                    case 8..<10:
                        op = "replace"
                        if artifacts.isEmpty || random.next() % 3 == 0,
                            let a = (try? c.send("POST", "/api/v2/artifacts", ["name": "a", "spec": [:]]))?.json["id"]?
                                .stringValue
                        {
                            artifacts.append(a)
                        }
                        let target =
                            artifacts.isEmpty ? "none" : artifacts[Int(random.next() % UInt64(artifacts.count))]
                        r = try? c.send(
                            "POST", "/api/v2/workloads/\(id)/replacement",
                            [
                                "artifactId": .string(target),
                                "config": ["warmupDurationMinutes": .int(Int64(random.next() % 2))],
                            ])
                    case 10..<11:
                        op = "cancel"
                        r = try? c.send("DELETE", "/api/v2/workloads/\(id)/replacement")
                    case 11..<13:
                        op = "invoke"
                        r = try? c.send("GET", "/api/v2/endpoints/workloads/\(id)/ping")
                    case 13..<15:
                        op = "replacementGet"
                        r = try? c.send("GET", "/api/v2/workloads/\(id)/replacement")
                    case 15..<17:
                        op = "get"
                        r = try? c.send("GET", "/api/v2/workloads/\(id)")
                    default:
                        op = "advance"
                        let ms = Double(random.next() % 4000) / 1000
                        r = try? c.send("POST", "/__emulator/clock/advance", ["seconds": .double(ms)])
                    }
                    guard let r else {
                        unexpected.withLock { $0.append("\(op): no response") }
                        return
                    }
                    counts.withLock { $0[op, default: 0] += 1 }
                    if (200..<300).contains(r.status) { accepted.withLock { $0[op, default: 0] += 1 } }
                    if !(ConcurrencyEndToEndTests.allowed[op]?.contains(r.status) ?? false) {
                        unexpected.withLock { $0.append("\(op): \(r.status) \(r.text)") }
                    }
                }
            }
        }
        group.wait()
        #expect(unexpected.withLock { $0 }.isEmpty, "\(unexpected.withLock { $0.prefix(5) })")
        let done = counts.withLock { $0 }
        #expect(done.values.reduce(0, +) > 200, "\(done)")
        for op in ["start", "stop", "settings", "replace", "cancel", "advance"] {
            #expect((done[op] ?? 0) > 0, "\(op)")
        }
        // A domain that refused every change (409 is allowed above) must not pass.
        let granted = accepted.withLock { $0 }
        for op in ["start", "stop", "settings", "replace", "advance"] {
            #expect((granted[op] ?? 0) > 0, "\(op) never accepted: \(granted)")
        }

        // Inside: the world's invariants, now and after everything scheduled has fired.
        let sandbox = live.app.registry.sandbox(named: "default")
        #expect(sandbox.read { $0.invariantViolations() } == [])
        try setup.advance(3 * 3600)
        #expect(sandbox.read { $0.invariantViolations() } == [])

        // Outside: what a client sees agrees too.
        let w = try setup.send("GET", "/api/v2/workloads/\(id)").json
        let protons = try setup.send("GET", "/api/v2/workloads/\(id)/protons?limit=100").json["data"]!.arrayValue!
        let total = try setup.send("GET", "/api/v2/workloads/\(id)/events?limit=1").json["totalCount"]!.intValue!
        // The last page (at most 1000 per page).
        let events = try setup.send(
            "GET", "/api/v2/workloads/\(id)/events?limit=1000&offset=\(max(0, total - 1000))"
        ).json
        let status = w["status"]!.stringValue!
        let active = protons.first { $0["id"] == w["protonId"] }
        #expect(active?["status"]?.stringValue == status)
        #expect(active?["role"] == "active")
        let replacement = try setup.send("GET", "/api/v2/workloads/\(id)/replacement")
        if w["replacement"] == .null {
            #expect(replacement.status == 404)
            #expect(protons.allSatisfy { $0["role"] == "active" })
        } else {
            #expect(replacement.json["status"] == w["replacement"]?["status"])
            #expect(replacement.json["status"] == "errored")
            let candidates = protons.filter { $0["role"] == "candidate" }.map { $0["id"]! }
            #expect(candidates == w["replacement"]?["candidateProtonIds"]?.arrayValue)
        }
        let data = events["data"]!.arrayValue!
        let lastStatus = data.last { $0["eventType"] == "statusChanged" || $0["eventType"] == "created" }
        #expect(lastStatus?["details"]?["to"]?.stringValue == status)
        let timestamps = data.map { $0["timestamp"]!.stringValue! }
        #expect(timestamps == timestamps.sorted())
        #expect(events["totalCount"]?.intValue ?? 0 > 20)
    }
}
