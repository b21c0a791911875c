import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// README "Flags": log lines are written by a background thread, so a stderr nobody reads
/// never holds up a request; past 8 MiB of unwritten log, lines are dropped and counted.
@Suite struct StderrBackpressureTests {
    /// The writer's limit (`RequestLogWriter.maxPendingBytes`).
    static let pendingLimit = 8 * 1024 * 1024

    @Test func anUnreadStderrHoldsUpNoRequestAndDropsAreCounted() throws {
        // stderr is a pipe this test does not read until the end: it fills (64 KiB) with
        // the first line. Debug lines carry the 60,000-byte body, so about 140 lines
        // reach the 8 MiB limit and the rest of the 300 must be dropped.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try EmulatorBinary.path())
        process.arguments = ["--port", "0", "--log-level", "debug"]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("WORKLOAD_EMULATOR_") }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let stdout = OutputCollector(out.fileHandleForReading)
        let line = try #require(stdout.wait(timeout: 20) { $0.contains("\n") }, "no listening line")
        let port = try #require(
            line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })

        // Every request is answered while nobody reads stderr. Were lines written on the
        // event loop, the loop would block on the full pipe and these reads time out.
        let client = try TestClient(port: port)
        let body = String(repeating: "a", count: 60_000)
        let requests = 300
        for i in 0..<requests {
            let r = try client.send("POST", "/log-flood/\(i)", raw: body)
            #expect(r.status == 404)
            if r.status != 404 { return }
        }

        // Now read it, stop, and count: every request is either logged or counted as dropped.
        let stderr = OutputCollector(err.fileHandleForReading)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let log = stderr.waitForEnd(timeout: 10)
        let lines = log.split(separator: "\n")
        let logged = lines.filter { $0.contains("\"POST /log-flood/") }
        let dropped = lines.compactMap { line -> Int? in
            guard line.hasSuffix(" log lines dropped (stderr not read)") else { return nil }
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }.reduce(0, +)
        #expect(dropped > 0, "nothing dropped: \(logged.count) lines logged")
        #expect(logged.count + dropped == requests, "\(logged.count) logged + \(dropped) dropped")
        // Lines were dropped only once 8 MiB were waiting: at least that much was logged.
        let loggedBytes = logged.reduce(0) { $0 + $1.utf8.count + 1 }
        let longest = logged.map { $0.utf8.count + 1 }.max() ?? 0
        #expect(loggedBytes >= Self.pendingLimit - longest, "\(loggedBytes) bytes logged before dropping")
    }
}
