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
