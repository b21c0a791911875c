import JSON
import Foundation
import Testing
import WorkloadEmulator

#if canImport(Glibc)
import Glibc
#endif

/// `--state-file` and `--fixtures` through the real binary.
@Suite(.serialized) struct ProcessPersistenceTests {
    static let demoFixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures").path

    /// Polls (bounded) until `condition` holds; returns how long it took. The state file
    /// is written by another process's background writer on the wall clock, which no
    /// emulator clock drives, so polling is the only way to observe it.
    func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < timeout {
            if condition() { return clock.now - start }
            usleep(2000)  // allow-sleep: polling another process's file, see above.
        }
        return nil
    }

    func waitForFile(_ path: String, containing text: String, timeout: Duration = .seconds(5)) -> Duration? {
        waitUntil(timeout: timeout) { (try? String(contentsOfFile: path, encoding: .utf8))?.contains(text) == true }
    }

    @Test func stateSurvivesSigtermAndIsWrittenSoonAfterAChange() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let args = ["--port", "0", "--state-file", state, "--clock", "manual", "--log-level", "warn"]

        let first = try EmulatorProcess(args)
        let client = try TestClient(port: try first.waitUntilListening())
        let id = try client.createWorkload("persisted")
        try client.advance(10)
        let doc = try client.send("GET", "/api/v2/workloads/\(id)")
        #expect(doc.json["status"] == "running")
        // The change is in the log beside the snapshot, not in a rewrite of the world.
        let written = waitUntil { logs(of: state).contains { $0.contains(id) } }
        #expect(written != nil)
        if let written { #expect(written < .milliseconds(1000), "written after \(written)") }
        let before = try client.send("GET", "/api/v2/workloads/\(id)/events").text
        let stopped = try client.send("POST", "/api/v2/workloads/\(id)/stop")
        #expect(stopped.status == 202)
        first.send(SIGTERM)
        #expect(first.waitForExit(timeout: 5) == 0)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left.contains("state.json"))
        #expect(!left.contains { $0.contains(".tmp-") }, "no temporary file left: \(left)")

        let second = try EmulatorProcess(args)
        let again = try TestClient(port: try second.waitUntilListening())
        let after = try again.send("GET", "/api/v2/workloads/\(id)")
        #expect(after.status == 200)
        #expect(after.json["status"] == "stopping", "the last acknowledged change is there")
        let beforeEvents = (try? JSONParser.parse(Array(before.utf8)))?["data"]?.arrayValue ?? []
        let afterEvents = try again.send("GET", "/api/v2/workloads/\(id)/events").json["data"]?.arrayValue ?? []
        #expect(beforeEvents.count == 4)
        #expect(Array(afterEvents.prefix(beforeEvents.count)) == beforeEvents)
        #expect(afterEvents.count == beforeEvents.count + 2, "stop requested, stopping")
        // The clock and the scheduled transition came back too.
        try again.advance(5)
        #expect(try again.status(id) == "stopped")
        second.send(SIGTERM)
        #expect(second.waitForExit(timeout: 5) == 0)
    }

    @Test(arguments: [
        ("corrupt", "{\"format\":\"workload-emulator/state-file\",\"version\":1,\"sandboxes\":[", "not valid JSON"),
        ("newer", "{\"format\":\"workload-emulator/state-file\",\"version\":99,\"sandboxes\":[]}", "$.version: version 99 is newer"),
        ("foreign", "{\"hello\":1}", "$.format: required field is missing"),
        (
            "inconsistent",
            "{\"format\":\"workload-emulator/state-file\",\"version\":1,\"sandboxes\":[{\"sandbox\":\"default\",\"format\":\"workload-emulator/state\",\"version\":1}]}",
            "$.sandboxes[0].clock: required field is missing"
        ),
    ])
    func badStateFileStopsStartUpAndIsLeftUntouched(name: String, content: String, message: String) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        try content.write(toFile: state, atomically: true, encoding: .utf8)
        let result = try EmulatorProcess.run(["--port", "0", "--state-file", state])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--state-file"), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try String(contentsOfFile: state, encoding: .utf8) == content)
        // Only the lock beside it, taken before the file was read.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["state.json", "state.json.lock"])
    }

    /// The text of every log of the state file.
    func logs(of state: String) -> [String] {
        let dir = (state as NSString).deletingLastPathComponent
        let base = (state as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasPrefix(base + ".") && $0.hasSuffix(".log") }.compactMap {
            (try? Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test func droppedSandboxStaysDroppedAndStaleTemporaryFilesAreRemoved() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        try "partial".write(toFile: state + ".tmp-4242", atomically: false, encoding: .utf8)
        let args = ["--port", "0", "--state-file", state, "--durability", "sync"]
        let p = try EmulatorProcess(args)
        let client = try TestClient(port: try p.waitUntilListening())
        client.sandbox = "doomed"
        _ = try client.createWorkload()
        client.sandbox = "kept"
        _ = try client.createWorkload()
        #expect(!FileManager.default.fileExists(atPath: state + ".tmp-4242"))
        client.sandbox = nil
        #expect(try client.send("DELETE", "/__emulator/sandboxes/doomed").status == 204)
        // A SIGKILL: only what the log holds comes back (sync: the delete was on disk before its 204).
        p.send(SIGKILL)
        _ = p.waitForExit(timeout: 5)

        let again = try EmulatorProcess(args)
        let c = try TestClient(port: try again.waitUntilListening())
        let names = (try c.send("GET", "/__emulator/sandboxes").json["data"]?.arrayValue ?? []).map { $0["name"] }
        #expect(names == ["kept"])
        again.send(SIGTERM)
        #expect(again.waitForExit(timeout: 5) == 0)
    }

    @Test func missingStateFileIsAnEmptyWorld() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("new.json").path
        let p = try EmulatorProcess(["--port", "0", "--state-file", state])
        let client = try TestClient(port: try p.waitUntilListening())
        #expect(try client.send("GET", "/api/v2/workloads").json["totalCount"] == 0)
        #expect(waitForFile(state, containing: "workload-emulator/state-file") != nil)
        p.send(SIGTERM)
        #expect(p.waitForExit(timeout: 5) == 0)
    }

    @Test func fixturesLoadAndAreNotAddedTwiceOverAStateFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let args = ["--port", "0", "--fixtures", ProcessPersistenceTests.demoFixtures, "--state-file", state]
        func ids(_ client: TestClient) throws -> [String] {
            let list = try client.send("GET", "/api/v2/workloads").json
            return (list["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }.sorted()
        }
        // First run: the fixtures fill the empty world, then a change they would not make.
        let first = try EmulatorProcess(args)
        let client = try TestClient(port: try first.waitUntilListening())
        client.token = "dashboard"
        let fixtureIds = try ids(client)
        #expect(fixtureIds.count == 4)
        let added = try client.createWorkload("added-after-the-fixtures")
        first.send(SIGTERM)
        #expect(first.waitForExit(timeout: 5) == 0)
        // Second run: exactly what the first left. An ignored state file would give the
        // four fixture workloads without `added`; fixtures applied again, more than five.
        let second = try EmulatorProcess(args)
        let again = try TestClient(port: try second.waitUntilListening())
        again.token = "dashboard"
        #expect(try ids(again) == (fixtureIds + [added]).sorted())
        #expect(try again.send("GET", "/api/v2/workloads/\(added)").json["name"] == "added-after-the-fixtures")
        second.send(SIGTERM)
        #expect(second.waitForExit(timeout: 5) == 0)
    }

    @Test func invalidFixtureExitsTwoWithFilePathAndReason() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"users":[{"username":"u","token":"t"}],"workloads":[{"name":"w","artifact":{"name":"a"},"status":"sleeping"}]}"#
            .write(to: dir.appendingPathComponent("10-broken.json"), atomically: true, encoding: .utf8)
        let result = try EmulatorProcess.run(["--port", "0", "--fixtures", dir.path])
        #expect(result.status == 2)
        let file = dir.appendingPathComponent("10-broken.json").path
        #expect(
            result.stderr == "workload-emulator: --fixtures: \(file): $.workloads[0].status: expected running or stopped\n")
        #expect(result.stdout.isEmpty)
    }
}
