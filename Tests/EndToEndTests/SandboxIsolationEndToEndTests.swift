import Testing
import WorkloadEmulator

@Suite struct SandboxIsolationEndToEndTests {
    @Test func twoSandboxesInParallelNeverSeeEachOther() async throws {
        let live = try LiveEmulator()
        let port = live.port
        func run(_ name: String, byPrefix: Bool) throws -> [String] {
            let c = try TestClient(port: port)
            let root = byPrefix ? "/sandboxes/\(name)" : ""
            if !byPrefix { c.sandbox = name }
            var ids: [String] = []
            for i in 0..<30 {
                let r = try c.send(
                    "POST", root + "/api/v2/workloads", ["name": .string("\(name)-\(i)"), "artifact": ["name": "a"]])
                ids.append(r.json["id"]!.stringValue!)
                try c.send("POST", root + "/__emulator/clock/advance", ["seconds": .double(name == "left" ? 1 : 3600)])
            }
            let list = try c.send("GET", root + "/api/v2/workloads?limit=100").json["data"]!.arrayValue!
            guard list.allSatisfy({ $0["name"]!.stringValue!.hasPrefix(name) }), list.count == (name == "left" ? 30 : 7)
            else {
                throw TestClient.Failure(description: "\(name) saw foreign objects")
            }
            return ids
        }
        async let left = Task.detached { try run("left", byPrefix: true) }.value
        async let right = Task.detached { try run("right", byPrefix: false) }.value
        let (l, r) = try await (left, right)
        #expect(Set(l).isDisjoint(with: Set(r)))
        let c = try live.client()
        #expect(try c.send("GET", "/sandboxes/left/__emulator/clock").json["now"] == "2026-01-01T00:00:30.000Z")
        // 30 h in right: its drafts have expired; left's are all there.
        #expect(try c.send("GET", "/sandboxes/right/api/v2/workloads").json["totalCount"] == 7)
        #expect(try c.send("GET", "/sandboxes/left/api/v2/workloads").json["totalCount"] == 30)
        for id in l { #expect(try c.send("GET", "/sandboxes/right/api/v2/workloads/\(id)").status == 404) }
        #expect(try c.send("GET", "/api/v2/workloads").json["totalCount"] == 0)
    }
}
