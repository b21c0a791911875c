import Foundation
import JSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted for one test: a disk that fills up, or one that is read-only.
/// Mounting needs root (CAP_SYS_ADMIN); elsewhere the tests that need it are skipped.
final class TmpfsMount {
    let path: String

    static let available: Bool = {
        guard let m = try? TmpfsMount(bytes: 65536) else { return false }
        m.unmount()
        return true
    }()

    init(bytes: Int, readOnly: Bool = false) throws {
        path = try makeTemporaryDirectory().path
        let status = TmpfsMount.run([
            "mount", "-t", "tmpfs", "-o", "size=\(bytes)\(readOnly ? ",ro" : "")", "tmpfs", path,
        ])
        guard status == 0 else {
            rmdir(path)
            throw HarnessError("cannot mount a tmpfs at \(path)")
        }
    }

    func unmount() {
        _ = TmpfsMount.run(["umount", path])
        rmdir(path)
    }

    var freeBytes: Int {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return 0 }
        return Int(s.f_bavail) * Int(s.f_frsize)
    }

    private static func run(_ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// `--state-file` when things go wrong: a second instance, a directory that cannot be
/// written, a full disk, SIGKILL, a damaged log. Each ends as documented, with no
/// acknowledged change lost.
@Suite(.serialized) struct ProcessDurabilityTests {
    /// Polls (bounded) another process's state, which runs on the wall clock.
    func waitUntil(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < timeout {
            if try condition() { return true }
            usleep(5000)  // allow-sleep: polling another process, see above.
        }
        return false
    }

    @Test func aSecondInstanceOnTheSameFileExitsOneNamingTheFileAndTheHolder() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let first = try EmulatorProcess(["--port", "0", "--state-file", state])
        _ = try first.waitUntilListening()
        let second = try EmulatorProcess.run(["--port", "0", "--state-file", state])
        #expect(second.status == 1)
        #expect(second.stderr.contains(state), "\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.process.processIdentifier)"), "\(second.stderr)")
        #expect(second.stdout.isEmpty)
        first.send(SIGTERM)
        #expect(first.waitForExit(timeout: 5) == 0)
        // Released with the process: a new one starts.
        let third = try EmulatorProcess(["--port", "0", "--state-file", state])
        _ = try third.waitUntilListening()
        third.send(SIGTERM)
        #expect(third.waitForExit(timeout: 5) == 0)
    }

    @Test func aMissingDirectoryExitsTwoNamingThePath() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("missing/state.json").path
        let result = try EmulatorProcess.run(["--port", "0", "--state-file", state])
        #expect(result.status == 2)
        #expect(result.stderr.contains(state), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test(.enabled(if: TmpfsMount.available, "mounting a tmpfs needs root (CAP_SYS_ADMIN)"))
    func aReadOnlyDirectoryExitsTwoNamingThePath() throws {
        let mount = try TmpfsMount(bytes: 1 << 20, readOnly: true)
        defer { mount.unmount() }
        let state = mount.path + "/state.json"
        let result = try EmulatorProcess.run(["--port", "0", "--state-file", state])
        #expect(result.status == 2)
        #expect(result.stderr.contains(state), "\(result.stderr)")
        #expect(result.stderr.contains("Read-only file system"), "\(result.stderr)")
    }

    @Test(
        .enabled(if: TmpfsMount.available, "mounting a tmpfs needs root (CAP_SYS_ADMIN)"),
        arguments: ["sync", "batch"])
    func aFullDiskRefusesChangesKeepsReadsAndResumes(durability: String) throws {
        let mount = try TmpfsMount(bytes: 4 << 20)
        defer { mount.unmount() }
        let state = mount.path + "/state.json"
        let args = ["--port", "0", "--state-file", state, "--clock", "manual", "--durability", durability]
        let p = try EmulatorProcess(args)
        let client = try TestClient(port: try p.waitUntilListening())
        // Leave a little room, then fill it with creates.
        let ballast = mount.path + "/ballast"
        _ = FileManager.default.createFile(atPath: ballast, contents: Data(count: max(0, mount.freeBytes - 96 * 1024)))
        var acknowledged: [String] = []
        var refused: TestClient.Response?
        for i in 0..<2000 {
            let r = try client.send("POST", "/api/v2/workloads", ["name": .string("w\(i)"), "artifact": ["name": "a"]])
            if r.status == 201, let id = r.json["id"]?.stringValue {
                acknowledged.append(id)
            } else {
                refused = r
                break
            }
        }
        #expect(refused?.status == 507, "\(refused?.text ?? "never refused")")
        #expect(refused?.json["detail"]?.stringValue?.contains("No space left") == true, "\(refused?.text ?? "")")
        #expect(!acknowledged.isEmpty)
        let health = try client.send("GET", "/__emulator/health")
        #expect(health.status == 503)
        #expect(health.json["status"] == "degraded")
        #expect(health.json["persistence"]?.stringValue?.contains("No space left") == true, "\(health.text)")
        // Reads go on.
        #expect(try client.send("GET", "/api/v2/workloads/\(acknowledged[0])").status == 200)

        // Room again: writing resumes by itself.
        unlink(ballast)
        #expect(try waitUntil { try client.send("GET", "/__emulator/health").status == 200 })
        let later = try client.send("POST", "/api/v2/workloads", ["name": "later", "artifact": ["name": "a"]])
        #expect(later.status == 201)
        if let id = later.json["id"]?.stringValue { acknowledged.append(id) }
        p.send(SIGTERM)
        #expect(p.waitForExit(timeout: 5) == 0)

        let again = try EmulatorProcess(args)
        let c = try TestClient(port: try again.waitUntilListening())
        for id in acknowledged { #expect(try c.send("GET", "/api/v2/workloads/\(id)").status == 200, "\(id)") }
        again.send(SIGTERM)
        #expect(again.waitForExit(timeout: 5) == 0)
    }

    @Test(.enabled(if: TmpfsMount.available, "mounting a tmpfs needs root (CAP_SYS_ADMIN)"))
    func aShutdownWhoseFinalWriteFailsExitsOne() throws {
        let mount = try TmpfsMount(bytes: 4 << 20)
        defer { mount.unmount() }
        let state = mount.path + "/state.json"
        let p = try EmulatorProcess(["--port", "0", "--state-file", state, "--clock", "manual"])
        let client = try TestClient(port: try p.waitUntilListening())
        _ = FileManager.default.createFile(atPath: mount.path + "/ballast", contents: Data(count: mount.freeBytes))
        var refused = false
        for i in 0..<2000 where !refused {
            let r = try client.send("POST", "/api/v2/workloads", ["name": .string("w\(i)"), "artifact": ["name": "a"]])
            refused = r.status == 507
        }
        #expect(refused)
        p.send(SIGTERM)
        #expect(p.waitForExit(timeout: 5) == 1)
        #expect(p.stderr.text.contains("final write failed"), "\(p.stderr.text)")
    }

    @Test func syncSurvivesSigkillWithEveryAcknowledgedChange() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let args = ["--port", "0", "--state-file", state, "--clock", "manual", "--durability", "sync"]
        let p = try EmulatorProcess(args)
        let client = try TestClient(port: try p.waitUntilListening())
        var ids: [String] = []
        for i in 0..<20 { ids.append(try client.createWorkload("w\(i)")) }
        #expect(try client.send("DELETE", "/api/v2/workloads/\(ids[3])").status == 204)
        try client.advance(10)
        #expect(try client.send("POST", "/api/v2/workloads/\(ids[5])/stop").status == 202)
        p.send(SIGKILL)
        _ = p.waitForExit(timeout: 5)

        let again = try EmulatorProcess(args)
        let c = try TestClient(port: try again.waitUntilListening())
        #expect(try c.send("GET", "/api/v2/workloads").json["totalCount"] == 19)
        #expect(try c.send("GET", "/api/v2/workloads/\(ids[3])").status == 404)
        #expect(try c.status(ids[0]) == "running")
        #expect(try c.status(ids[5]) == "stopping")
        // The scheduled transition came back with it.
        try c.advance(5)
        #expect(try c.status(ids[5]) == "stopped")
        again.send(SIGTERM)
        #expect(again.waitForExit(timeout: 5) == 0)
    }

    @Test func aTornTailIsIgnoredAndADamagedRecordStopsStartUp() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let args = ["--port", "0", "--state-file", state, "--clock", "manual", "--durability", "sync"]
        let p = try EmulatorProcess(args)
        let client = try TestClient(port: try p.waitUntilListening())
        let id = try client.createWorkload("kept")
        p.send(SIGKILL)
        _ = p.waitForExit(timeout: 5)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        let log = try #require(
            names.first {
                $0.hasSuffix(".log") && (try? Data(contentsOf: dir.appendingPathComponent($0)))?.isEmpty == false
            })
        let logPath = dir.appendingPathComponent(log).path

        // Half a record: the write the process did not finish.
        let handle = try #require(FileHandle(forWritingAtPath: logPath))
        handle.seekToEndOfFile()
        handle.write(Data([200, 0, 0, 0, 1, 2, 3, 4, 123, 34]))
        try handle.close()
        let again = try EmulatorProcess(args)
        let c = try TestClient(port: try again.waitUntilListening())
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").status == 200)
        again.send(SIGTERM)
        #expect(again.waitForExit(timeout: 5) == 0)

        // A whole record (right length and checksum) whose content is wrong is not a torn write.
        let payload = Array(#"{"lsn":999999,"sandbox":"default","change":{"clock":1}}"#.utf8)
        let damaged = dir.appendingPathComponent("state.json.999.log").path
        try #require(FileManager.default.createFile(atPath: damaged, contents: Data(StateLogFrames.frame(payload))))
        let before = try Data(contentsOf: URL(fileURLWithPath: damaged))
        let result = try EmulatorProcess.run(args)
        #expect(result.status == 2)
        #expect(result.stderr.contains(damaged), "\(result.stderr)")
        #expect(result.stderr.contains("record 1"), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: damaged)) == before, "left untouched")
    }

    @Test func aStateFileTheAPICouldNotHaveWrittenStopsStartUpNamingThePath() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try EmulatorProcess(["--port", "0", "--clock", "manual"])
        let client = try TestClient(port: try p.waitUntilListening())
        _ = try client.createWorkload("orphan")
        var doc = try client.send("GET", "/__emulator/state").json.objectValue!
        p.send(SIGTERM)
        _ = p.waitForExit(timeout: 5)
        // A workload nobody holds a role on: nobody could see or delete it.
        var workloads = doc["workloads"]!.arrayValue!
        var w0 = workloads[0].objectValue!
        w0["roles"] = []
        workloads[0] = .object(w0)
        doc["workloads"] = .array(workloads)
        let file: JSONValue = [
            "format": "workload-emulator/state-file", "version": 1, "sandboxes": [.object(doc)],
        ]
        let state = dir.appendingPathComponent("state.json").path
        let content = JSONSerializer.serialize(file)
        try #require(FileManager.default.createFile(atPath: state, contents: Data(content)))
        let result = try EmulatorProcess.run(["--port", "0", "--state-file", state])
        #expect(result.status == 2)
        #expect(result.stderr.contains("$.sandboxes[0].workloads[0].roles"), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: state)) == Data(content), "never rewritten")
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains { $0.hasSuffix(".log") })
    }

    /// A record that would put a new object before the last one in creation order (the
    /// lists index by appending) is refused like any other damage.
    @Test func aLogRecordBelowTheLastSequenceStopsStartUp() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = StateLogFrames.syncArguments(dir)
        let p = try EmulatorProcess(args)
        let client = try TestClient(port: try p.waitUntilListening())
        let first = try client.createWorkload("first")
        _ = try client.createWorkload("second")
        p.send(SIGKILL)
        _ = p.waitForExit(timeout: 5)
        let records = try StateLogFrames.payloads(inLogsOf: dir)
        // The first create again, under a new workload id and a later LSN: its seq is
        // now below the second workload's.
        let create = try #require(records.first { $0.contains(#""id":"\#(first)","seq":"#) })
        let lsn = try #require(create.range(of: #"^\{"lsn":[0-9]+"#, options: .regularExpression))
        let payload = Array(
            create.replacingCharacters(in: lsn, with: #"{"lsn":999999"#)
                .replacingOccurrences(of: first, with: "0123456789abcdef01234567").utf8)
        let damaged = dir.appendingPathComponent("state.json.999.log").path
        try #require(FileManager.default.createFile(atPath: damaged, contents: Data(StateLogFrames.frame(payload))))
        let result = try EmulatorProcess.run(args)
        #expect(result.status == 2)
        #expect(
            result.stderr.contains("\(damaged): record 1: $.change.workloads.set[0].value.seq: must be above"),
            "\(result.stderr)")
    }

    /// Every start opens a log of its own; restarts with a change each must not leave
    /// one more file every time (a compaction folds them into the snapshot).
    @Test func restartsDoNotPileUpLogFiles() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let args = ["--port", "0", "--state-file", state, "--clock", "manual", "--durability", "sync"]
        var ids: [String] = []
        var most = 0
        for round in 0..<10 {
            let p = try EmulatorProcess(args)
            let client = try TestClient(port: try p.waitUntilListening())
            for id in ids { #expect(try client.send("GET", "/api/v2/workloads/\(id)").status == 200, "round \(round)") }
            ids.append(try client.createWorkload("w\(round)"))
            p.send(SIGTERM)
            #expect(p.waitForExit(timeout: 10) == 0)
            let logs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".log") }
            most = max(most, logs.count)
        }
        // Four logs, the one a rotation opens and the one the next start opens.
        #expect(most <= 6, "up to \(most) log files")
    }
}
