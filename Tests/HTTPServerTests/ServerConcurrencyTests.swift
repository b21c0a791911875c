import Dispatch
import Glibc
import HTTPServer
import Testing

/// Many clients at once, and clients that misbehave.
@Suite("HTTP server concurrency (live)")
struct ServerConcurrencyTests {
    @Test func aClientStalledMidHeaderDoesNotDelayAnother() throws {
        // One loop thread, so the clients certainly share it; a header timeout far beyond
        // the test, so the stalled ones are still waiting when they are finished below.
        let s = try TestServer.start(threads: 1) { $0.headerTimeoutSeconds = 120 }
        defer { s.stop() }
        let stalled = try s.client()
        try stalled.send("GET /stalled HTTP/1.1\r\nHost: x\r\nX-Half: ")
        let bigBodyStalled = try s.client()
        try bigBodyStalled.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nonly a little")
        // Served while both are stalled: a loop that waited on them would answer nothing
        // until they finish, which happens only after this (no wall-clock bound needed).
        let other = try s.client()
        for i in 0..<5 {
            try other.send("GET /other/\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try other.readResponse().text == "GET /other/\(i)")
        }
        try stalled.send("1\r\n\r\n")
        #expect(try stalled.readResponse().text == "GET /stalled")
        let rest = String(repeating: "x", count: 100_000 - "only a little".utf8.count)
        try bigBodyStalled.send(rest)
        #expect(try bigBodyStalled.readResponse().text == "POST /\nonly a little" + rest)
    }

    @Test func aClientThatDoesNotReadItsResponsesDoesNotStallOthers() throws {
        let big = [UInt8](repeating: 66, count: 1 << 20)
        let s = try TestServer.start(
            threads: 1,
            handler: { request, responder in
                responder.respond(HTTPResponse(status: 200, body: request.path == "/big" ? big : Array("small".utf8)))
            }
        )
        defer { s.stop() }
        let greedy = try s.client()
        // Asks for far more than the socket buffers hold, and never reads.
        try greedy.send(String(repeating: "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", count: 20))
        let other = try s.client()
        try other.send("GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try other.readResponse().text == "small")
    }

    @Test func twoThousandSimultaneousConnectionsAreAllAnswered() throws {
        // Both ends live in this process: 2,000 client and 2,000 server descriptors.
        let limit = HTTPServer.raiseOpenFileLimit()
        try #require(limit >= 4_500, "open-file limit \(limit) is too low for this test")
        let s = try TestServer.start()
        defer { s.stop() }
        let count = 2000
        var clients: [RawClient] = []
        clients.reserveCapacity(count)
        for _ in 0..<count { clients.append(try s.client(timeoutSeconds: 20)) }
        for (i, c) in clients.enumerated() { try c.send("GET /c/\(i) HTTP/1.1\r\nHost: x\r\n\r\n") }
        var answered = 0
        for (i, c) in clients.enumerated() {
            let r = try c.readResponse()
            if r.status == 200, r.text == "GET /c/\(i)" { answered += 1 }
        }
        #expect(answered == count)
    }

    @Test func requestsFromManyThreadsOnManyConnections() throws {
        let failures = Collected<String>()
        let s = try TestServer.start()
        defer { s.stop() }
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            do {
                let c = try s.client()
                for i in 0..<200 {
                    try c.send(
                        "POST /t/\(t) HTTP/1.1\r\nHost: x\r\nContent-Length: \(String(i).utf8.count)\r\n\r\n\(i)")
                    let r = try c.readResponse()
                    if r.text != "POST /t/\(t)\n\(i)" { failures.append(r.text) }
                }
            } catch {
                failures.append("\(error)")
            }
        }
        #expect(failures.values.isEmpty)
    }
}
