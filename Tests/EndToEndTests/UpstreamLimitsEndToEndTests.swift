import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Invokes forwarded to an upstream that never answers: a bounded number of threads,
/// the cap answered 503, the timeout answered 504 (`--max-upstream-invokes`,
/// `--upstream-timeout`). Run against the real binary so its threads can be counted
/// apart from the test's own.
@Suite(.serialized) struct UpstreamLimitsEndToEndTests {
    static func threadCount(pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
    }

    /// One invoke per connection, all sent before any answer is read; answers are
    /// collected as they come, with the time each took.
    final class Burst {
        struct Answer {
            var status: Int
            var text: String
            var seconds: Double
        }

        private var fds: [Int32] = []
        private var received: [Int32: [UInt8]] = [:]
        private(set) var answers: [Answer] = []
        private let started = Date()

        init(port: Int, count: Int, path: String) throws {
            let request = Array(
                "GET \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice\r\nConnection: close\r\n\r\n".utf8)
            for _ in 0..<count {
                let fd = try connectLoopback(port: port)
                _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                fds.append(fd)
                received[fd] = []
            }
        }

        deinit { for fd in fds { close(fd) } }

        /// Reads until `until(answers)` holds or `timeout` passes; false on timeout.
        func collect(timeout: Double, until done: ([Answer]) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !done(answers) {
                let open = fds.filter { received[$0] != nil }
                if open.isEmpty { return done(answers) }
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return false }
                var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                guard poll(&polls, nfds_t(polls.count), Int32(min(left, 1) * 1000)) > 0 else { continue }
                for p in polls where p.revents != 0 {
                    let n = buffer.withUnsafeMutableBytes { recv(p.fd, $0.baseAddress, $0.count, 0) }
                    if n > 0 {
                        received[p.fd]! += buffer[0..<n]
                        continue
                    }
                    let text = String(decoding: received[p.fd]!, as: UTF8.self)
                    received[p.fd] = nil
                    let status = text.hasPrefix("HTTP/1.1 ") ? Int(text.dropFirst(9).prefix(3)) ?? 0 : 0
                    answers.append(
                        Answer(status: status, text: text, seconds: Date().timeIntervalSince(started)))
                }
            }
            return true
        }
    }

    @Test func anUpstreamThatNeverAnswersHoldsNoMoreThreadsThanTheCap() throws {
        // Listens, never accepts: connections complete in the backlog and then hear nothing.
        let silent = try OccupiedPort()
        let emulator = try EmulatorProcess([
            "--port", "0", "--clock", "manual", "--log-level", "error", "--max-upstream-invokes", "4",
            "--upstream-timeout", "2",
        ])
        let port = try emulator.waitUntilListening()
        let pid = emulator.process.processIdentifier
        let c = try TestClient(port: port)
        let id = try c.createWorkload()
        try c.advance(3)
        #expect(try c.status(id) == "running")
        let set = try c.send(
            "PUT", "/__emulator/workloads/\(id)/upstream", ["url": .string("http://127.0.0.1:\(silent.port)")])
        #expect(set.status == 200)
        let before = Self.threadCount(pid: pid)
        #expect(before > 0)

        for round in 0..<2 {
            let burst = try Burst(port: port, count: 50, path: "/api/v2/endpoints/workloads/\(id)/predict")
            // The cap turns 46 away at once.
            #expect(burst.collect(timeout: 20) { $0.filter { $0.status == 503 }.count >= 46 })
            let busy = burst.answers.filter { $0.status == 503 }
            #expect(busy.count == 46)
            #expect(busy.first?.text.contains("Retry-After: 1") == true)
            #expect(busy.first?.text.contains("Too many invokes are being forwarded to upstreams (4 at once)") == true)
            // While four calls hang on the upstream: a thread each, no more. Dispatch's
            // own workers (the clock ticker's timer) come and go, more of them on a loaded
            // machine: up to 16 are allowed, far fewer than the 46 a thread per call adds.
            let during = Self.threadCount(pid: pid)
            #expect(during <= before + 4 + 16, "round \(round): \(during) threads, \(before) before the burst")

            // The four admitted calls end at the timeout with 504.
            #expect(burst.collect(timeout: 30) { $0.count == 50 })
            let late = burst.answers.filter { $0.status != 503 }
            #expect(late.map(\.status) == [504, 504, 504, 504])
            #expect(late.first?.text.contains("did not answer within 2 s") == true)
            // Not before the timeout, and not long after it (a generous bound).
            #expect(late.allSatisfy { $0.seconds >= 2 && $0.seconds < 20 })
        }
        // The stats saw every call: 8 admitted and timed out, 92 turned away.
        let stats = try c.send("GET", "/api/v2/workloads/\(id)/stats").json
        #expect(stats["metrics"]?["totalRequests"] == 100)
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 10) == 0)
    }
}
