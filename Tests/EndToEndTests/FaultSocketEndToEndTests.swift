import Testing
import WorkloadEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Request-level faults over real sockets.
@Suite struct FaultSocketEndToEndTests {
    /// `drop`: the connection closes and not one byte of a response arrives.
    @Test func dropClosesTheSocketWithoutAResponse() throws {
        let emulator = try LiveEmulator()
        let control = try emulator.client(token: nil)
        let rule = try control.send(
            "POST", "/__emulator/faults", ["match": ["path": "/api/v2/version"], "action": "drop", "times": 1])
        #expect(rule.status == 201)
        let victim = try emulator.client()
        #expect(throws: TestClient.Failure.self) { try victim.send("GET", "/api/v2/version") }
        // Raw check: zero bytes, then end of stream.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(emulator.port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        _ = try control.send(
            "POST", "/__emulator/faults", ["match": ["path": "/api/v2/version"], "action": "drop", "times": 1])
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /api/v2/version HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        #expect(n <= 0, "got \(n) bytes: \(String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self))")
        // The rule is spent: the next request is served, and the journal marks both drops.
        #expect(try emulator.client().send("GET", "/api/v2/version").status == 200)
        let journal = try control.send("GET", "/__emulator/requests?injected=true").json
        #expect(journal["totalCount"]?.intValue == 2)
        #expect(journal["data"]?.arrayValue?.first?["dropped"] == true)
    }

    /// `delay`: the answer comes at least `delayMs` later (monotonic clock), then as usual.
    @Test func delayAddsAtLeastItsDelay() throws {
        let emulator = try LiveEmulator()
        let control = try emulator.client(token: nil)
        let rule = try control.send(
            "POST", "/__emulator/faults",
            ["match": ["method": "GET", "path": "/api/v2/version"], "action": "delay", "delayMs": 300, "times": 1])
        let client = try emulator.client()
        let clock = ContinuousClock()
        let start = clock.now
        let r = try client.send("GET", "/api/v2/version")
        let elapsed = clock.now - start
        #expect(r.status == 200)
        #expect(r["X-Emulator-Injected"] == rule.json["id"]?.stringValue)
        #expect(elapsed >= .milliseconds(300), "\(elapsed)")
        // The rule is spent: the next answer carries no marker and the journal holds
        // one injected request (no wall-clock bound, which a busy machine can break).
        let next = try client.send("GET", "/api/v2/version")
        #expect(next.status == 200)
        #expect(next["X-Emulator-Injected"] == nil)
        #expect(try control.send("GET", "/__emulator/requests?injected=true").json["totalCount"]?.intValue == 1)
    }

    /// `respond` over the wire: status, body, headers, and the marker header.
    @Test func respondOverTheWire() throws {
        let emulator = try LiveEmulator()
        let control = try emulator.client(token: nil)
        let rule = try control.send(
            "POST", "/__emulator/faults",
            [
                "match": ["method": "POST", "path": "/api/v2/workloads"], "action": "respond", "status": 429,
                "body": ["detail": "Too many requests"], "headers": ["Retry-After": "2"], "times": 1,
            ])
        let client = try emulator.client()
        let r = try client.send("POST", "/api/v2/workloads", ["name": "x", "artifact": ["name": "a"]])
        #expect(r.status == 429)
        #expect(r["Retry-After"] == "2")
        #expect(r["Content-Type"] == "application/json")
        #expect(r["X-Emulator-Injected"] == rule.json["id"]?.stringValue)
        #expect(r.json == ["detail": "Too many requests"])
        #expect(try client.send("POST", "/api/v2/workloads", ["name": "x", "artifact": ["name": "a"]]).status == 201)
    }
}
