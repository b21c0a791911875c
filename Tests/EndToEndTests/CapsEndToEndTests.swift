import JSON
import Testing

/// `--max-sandboxes` and `--journal-bytes` over real sockets: reached, answered,
/// recovered from; and sandboxes that only successful requests make.
@Suite struct CapsEndToEndTests {
    func names(_ c: TestClient) throws -> [String] {
        try c.send("GET", "/__emulator/sandboxes").json["data"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            ?? []
    }

    @Test func failedRequestsMakeNoSandbox() throws {
        let e = try LiveEmulator()
        let c = try e.client()
        let anonymous = try e.client(sandbox: "ghost-401", token: nil)
        #expect(try anonymous.send("GET", "/api/v2/workloads").status == 401)
        let missing = try e.client(sandbox: "ghost-404")
        #expect(try missing.send("GET", "/api/v2/workloads/000000000000000000000000").status == 404)
        #expect(try missing.send("GET", "/api/v2/no-such-route").status == 404)
        let invalid = try e.client(sandbox: "ghost-422")
        #expect(try invalid.send("POST", "/api/v2/workloads", ["name": 5]).status == 422)
        let control = try e.client(sandbox: "ghost-control")
        #expect(try control.send("POST", "/__emulator/faults", ["action": "nope"]).status == 422)
        #expect(try names(c) == [])
        // Their journals are gone with them; a successful request makes one.
        #expect(try missing.send("GET", "/api/v2/workloads").status == 200)
        #expect(try names(c) == ["ghost-404"])
        #expect(try missing.send("GET", "/__emulator/requests").json["totalCount"] == 1)
    }

    @Test func theSandboxCapIsReachedAnsweredAndRecoveredFrom() throws {
        let e = try LiveEmulator { $0.maxSandboxes = 3 }
        let c = try e.client()
        for name in ["s1", "s2", "s3"] {
            let s = try e.client(sandbox: name)
            _ = try s.createWorkload()
        }
        let fourth = try e.client(sandbox: "s4")
        let refused = try fourth.send("POST", "/api/v2/workloads", ["name": "w", "artifact": ["name": "a"]])
        #expect(refused.status == 403)
        #expect(refused.contentType == "application/json")
        #expect(
            refused.json["detail"]?.stringValue?.hasPrefix("Sandbox limit reached: the emulator holds 3 sandboxes")
                == true)
        // Control routes of a new sandbox too; existing sandboxes are served as before.
        #expect(try fourth.send("GET", "/__emulator/clock").status == 403)
        #expect(try e.client(sandbox: "s2").send("GET", "/api/v2/workloads").json["totalCount"] == 1)
        #expect(try c.send("GET", "/__emulator/health").status == 200)
        #expect(try names(c) == ["s1", "s2", "s3"])
        // Recovery: delete one, and the new one is made.
        #expect(try c.send("DELETE", "/__emulator/sandboxes/s1").status == 204)
        _ = try fourth.createWorkload()
        #expect(try names(c) == ["s2", "s3", "s4"])
    }

    func journal(_ c: TestClient) throws -> [JSONValue] {
        try c.send("GET", "/__emulator/requests").json["data"]?.arrayValue ?? []
    }

    @Test func theJournalByteBudgetDropsTheOldestEntriesOfAnySandbox() throws {
        // Room for about ten entries of 4 KiB bodies across all sandboxes.
        let e = try LiveEmulator { $0.journalBytes = 48 * 1024 }
        let a = try e.client(sandbox: "a")
        let b = try e.client(sandbox: "b")
        let pad = String(repeating: "x", count: 4096)
        // The sandboxes first (a refused request would make none, and so no journal).
        #expect(try a.send("GET", "/api/v2/version").status == 200)
        #expect(try b.send("GET", "/api/v2/version").status == 200)
        #expect(try a.send("DELETE", "/__emulator/requests").status == 204)
        #expect(try b.send("DELETE", "/__emulator/requests").status == 204)
        for i in 0..<8 { _ = try a.send("POST", "/api/v2/workloads?i=\(i)", ["name": .string(pad)]) }
        #expect(try journal(a).count == 8)
        for i in 0..<8 { _ = try b.send("POST", "/api/v2/workloads?i=\(i)", ["name": .string(pad)]) }
        // b's entries pushed out a's oldest; what is left of a is its newest.
        let left = try journal(a)
        let inB = try journal(b)
        #expect(inB.count == 8)
        #expect(left.count < 8)
        #expect(left.count + inB.count <= 12)
        #expect(left.last?["query"] == "i=7")
        // Recovery: clearing b frees its share, and a's new entries stay.
        #expect(try b.send("DELETE", "/__emulator/requests").status == 204)
        for i in 8..<14 { _ = try a.send("POST", "/api/v2/workloads?i=\(i)", ["name": .string(pad)]) }
        let after = try journal(a)
        #expect(after.count >= 6)
        #expect(after.last?["query"] == "i=13")
        #expect(try journal(b).isEmpty)
    }
}
