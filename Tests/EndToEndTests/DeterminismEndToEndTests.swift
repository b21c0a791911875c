import Testing
import WorkloadEmulator

/// With a manual clock, the same seed and the same requests give
/// byte-identical responses, so snapshots of them can be committed.
@Suite struct DeterminismEndToEndTests {
    func transcript(seed: UInt64) throws -> [[UInt8]] {
        let live = try LiveEmulator {
            $0.seed = seed
            $0.publicURL = "http://emulator.test"
        }
        let c = try live.client()
        var out: [[UInt8]] = []
        func record(_ r: TestClient.Response) { out.append(Array("\(r.status) ".utf8) + r.body) }
        let created = try c.send("POST", "/api/v2/workloads", ["name": "a", "artifact": ["name": "x"]])
        record(created)
        let id = created.json["id"]!.stringValue!
        record(try c.send("POST", "/api/v2/artifacts", ["name": "y", "status": "locked", "spec": [:]]))
        record(try c.advance(2.5))
        record(try c.send("POST", "/api/v2/workloads/\(id)/promote"))
        record(try c.advance(1))
        record(try c.send("POST", "/api/v2/workloads/\(id)/stop"))
        record(try c.advance(5))
        record(try c.send("GET", "/api/v2/workloads?orderBy=-name"))
        record(try c.send("GET", "/api/v2/workloads/\(id)/events"))
        record(try c.send("GET", "/api/v2/artifactRepositories"))
        record(try c.send("GET", "/__emulator/workloads/\(id)"))
        return out
    }

    @Test func sameSeedSameBytes() throws {
        let a = try transcript(seed: 7)
        let b = try transcript(seed: 7)
        #expect(a == b)
        let other = try transcript(seed: 8)
        #expect(a[0] != other[0])
    }
}
