import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Clients that pipeline many requests and never read the answers must not make the
/// server buffer without bound, nor keep other clients waiting (backpressure).
@Suite(.serialized) struct SlowReaderEndToEndTests {
    /// A connection that sends its requests and then reads nothing.
    final class SilentClient {
        let fd: Int32

        init(port: Int) throws {
            fd = try connectLoopback(port: port)
            // The server stops reading us: a send that cannot finish must not hang the test.
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        /// Sends what the kernel takes within the send timeout; returns the bytes sent.
        func send(_ bytes: [UInt8]) -> Int {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes {
                    Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
            return offset
        }

        /// Response bytes the server has sent us that we have not read.
        var unreadBytes: Int {
            var count: Int32 = 0
            return ioctl(fd, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
        }
    }

    static func residentKiB(pid: Int32, field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    /// User plus system time of a process, in clock ticks.
    static func cpuTicks(pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return -1 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3 of stat(5), utime 14 and stime 15.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return -1 }
        return user + system
    }

    /// Polls (bounded) until `condition` holds. The server is another process working
    /// on the wall clock; no emulator clock drives how fast it answers, so polling is the
    /// only way to see that it has sent what the held connections let it send.
    static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(5000)  // allow-sleep: polling another process's progress, see above.
        }
        return condition()
    }

    @Test func twentyClientsThatNeverReadStayBoundedAndOthersAreServed() throws {
        let emulator = try EmulatorProcess(["--port", "0", "--clock", "manual", "--log-level", "error"])
        let port = try emulator.waitUntilListening()
        let pid = emulator.process.processIdentifier

        // Big answers: a page of 100 workloads is some 100 KB.
        let setup = try TestClient(port: port)
        for i in 0..<100 { _ = try setup.createWorkload("w\(i)") }
        let page = try setup.send("GET", "/api/v2/workloads?limit=100")
        #expect(page.status == 200)
        #expect(page.body.count > 50_000)

        let request = Array(
            "GET /api/v2/workloads?limit=100 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice\r\n\r\n".utf8)
        var burst: [UInt8] = []
        while burst.count < 64 * 1024 { burst += request }
        let requestsPerClient = burst.count / request.count

        var silent: [SilentClient] = []
        for _ in 0..<20 {
            let client = try SilentClient(port: port)
            #expect(client.send(burst) > 0)
            silent.append(client)
        }
        // Every held connection has been answered up to what its socket takes: each has
        // answers waiting, and the server has stopped spending CPU time on them (without
        // backpressure it goes on building answers nobody reads, for many seconds).
        var lastCPU = -1
        var steady = 0
        let held = Self.waitUntil(timeout: 60) {
            let cpu = Self.cpuTicks(pid: pid)
            steady = cpu == lastCPU && silent.allSatisfy({ $0.unreadBytes > 0 }) ? steady + 1 : 0
            lastCPU = cpu
            return steady >= 20
        }
        #expect(held, "the server did not answer the silent clients")

        let started = Date()
        let health = try LoopbackHTTP.get(port: port, path: "/__emulator/health")
        let waited = Date().timeIntervalSince(started)
        #expect(health.status == 200)
        // A generous bound, hundreds of times the measured p99 (bench/RESULTS.md), so a
        // loaded CI machine does not trip it: without backpressure the server was still
        // building the other answers, and health took 39.5 s.
        #expect(waited < 5, "health took \(waited) s while 20 slow readers were held")

        // Peak resident memory: every queued answer would be 20 × \(requestsPerClient) × 100 KB.
        let peak = Self.residentKiB(pid: pid, field: "VmHWM") ?? Int.max
        #expect(peak < 100 * 1024, "peak RSS \(peak) KiB with 20 slow readers")
        #expect(requestsPerClient > 500)

        // Reading resumes the held connections: one of them gets every answer, in order.
        let drained = try drainAnswers(silent[0], expected: requestsPerClient)
        #expect(drained == requestsPerClient)
        silent.removeAll()
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 10) == 0)
    }

    /// Reads until `expected` responses have arrived; each must be a 200 (framed by its
    /// Content-Length, so the bodies are skipped rather than searched).
    func drainAnswers(_ client: SilentClient, expected: Int) throws -> Int {
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var count = 0
        var pending: [UInt8] = []
        var start = 0
        var skip = 0
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        let separator: [UInt8] = [13, 10, 13, 10]
        while count < expected {
            if skip > 0 {
                let n = min(skip, pending.count - start)
                skip -= n
                start += n
            }
            if skip == 0, let end = Self.find(separator, in: pending, from: start) {
                let head = String(decoding: pending[start..<end], as: UTF8.self)
                guard head.hasPrefix("HTTP/1.1 200 ") else { throw HarnessError("not a 200: \(head.prefix(80))") }
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                count += 1
                start = end + 4
                skip = length
                continue
            }
            if start > 0 {
                pending.removeFirst(start)
                start = 0
            }
            let n = buffer.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            pending += buffer[0..<n]
        }
        return count
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        var i = from
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], haystack[i + 1] == needle[1], haystack[i + 2] == needle[2],
                haystack[i + 3] == needle[3]
            {
                return i
            }
            i += 1
        }
        return nil
    }
}
