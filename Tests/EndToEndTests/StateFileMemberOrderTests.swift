import Foundation
import JSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Start-up rebuilds a sandbox from its snapshot's lists as they are read, which needs
/// the clock and generators first (where the emulator writes them). A snapshot edited by
/// hand with its members in another order still loads: the same world comes back.
@Suite(.serialized) struct StateFileMemberOrderTests {
    @Test func aSnapshotWithItsHeaderAfterItsListsLoadsTheSameWorld() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let args = ["--port", "0", "--state-file", state, "--clock", "manual", "--log-level", "warn"]

        func snapshot() throws -> JSONObject {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: state)))
            let value = try JSONParser.parse(bytes, limits: .init(maxDepth: 256, maxBytes: Int.max))
            return value.objectValue ?? JSONObject()
        }
        // The first run makes two workloads. Each start opens a log, and past four of them
        // a start folds them into the snapshot: run until the snapshot holds the sandbox.
        var ids: [String] = []
        var before = ""
        for run in 0..<7 where try run == 0 || snapshot()["sandboxes"]?.arrayValue?.isEmpty != false {
            let p = try EmulatorProcess(args)
            let c = try TestClient(port: try p.waitUntilListening())
            if run == 0 { ids = [try c.createWorkload("one"), try c.createWorkload("two")] }
            try c.advance(1)
            before = try c.send("GET", "/__emulator/state").text
            p.send(SIGTERM)
            #expect(p.waitForExit(timeout: 10) == 0)
        }

        // Every sandbox's members in reverse: its lists come before its clock and name.
        var top = try snapshot()
        let sandboxes = (top["sandboxes"]?.arrayValue ?? []).map { sb in
            JSONValue.object(JSONObject.withUniqueKeys((sb.objectValue?.entries ?? []).reversed()))
        }
        #expect(!sandboxes.isEmpty)
        top["sandboxes"] = .array(sandboxes)
        try Data(JSONSerializer.serialize(.object(top))).write(to: URL(fileURLWithPath: state))

        let second = try EmulatorProcess(args)
        let again = try TestClient(port: try second.waitUntilListening())
        for id in ids { #expect(try again.send("GET", "/api/v2/workloads/\(id)").status == 200) }
        #expect(try again.send("GET", "/__emulator/state").text == before)
        second.send(SIGTERM)
        #expect(second.waitForExit(timeout: 10) == 0)
    }
}
