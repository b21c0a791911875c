import Glibc
import HTTPServer
import Testing

/// Every limit and timeout of the engine over a real socket: the status, the JSON body, and
/// that the connection closes after it.
@Suite("HTTP server limits (live)")
struct ServerLimitsTests {
    /// Sends `request`, expects `status` with `{"detail": …}` and `Connection: close`, then EOF.
    private func expectRefusal(
        _ request: String, status: Int, configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let s = try TestServer.start(configure)
        defer { s.stop() }
        let c = try s.client()
        try c.send(request)
        let r = try c.readResponse()
        #expect(r.status == status, sourceLocation: sourceLocation)
        #expect(r["Content-Type"] == "application/json", sourceLocation: sourceLocation)
        #expect(r.text.hasPrefix("{\"detail\":\""), sourceLocation: sourceLocation)
        #expect(r["Connection"] == "close", sourceLocation: sourceLocation)
        #expect(r["X-Request-Id"] != nil && r["Date"] != nil, sourceLocation: sourceLocation)
        #expect(c.isClosedByServer(), sourceLocation: sourceLocation)
    }

    @Test func tooManyHeaderFieldsGet431() throws {
        let fields = (0..<10).map { "X-\($0): v\r\n" }.joined()
        try expectRefusal("GET / HTTP/1.1\r\nHost: x\r\n\(fields)\r\n", status: 431) { $0.maxHeaderCount = 5 }
    }

    @Test func tooLargeHeaderSectionGets431() throws {
        let big = String(repeating: "a", count: 2000)
        try expectRefusal("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n", status: 431) {
            $0.maxHeaderBytes = 1024
        }
    }

    @Test func tooLongRequestLineGets414() throws {
        let path = "/" + String(repeating: "p", count: 300)
        try expectRefusal("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n", status: 414) { $0.maxRequestLineBytes = 100 }
    }

    @Test func tooLargeBodyGets413() throws {
        try expectRefusal("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890", status: 413) {
            $0.maxBodyBytes = 10
        }
    }

    @Test func tooLargeChunkedBodyGets413() throws {
        try expectRefusal(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n",
            status: 413
        ) { $0.maxBodyBytes = 10 }
    }

    @Test func contentLengthWithTransferEncodingGets400() throws {
        try expectRefusal(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            status: 400)
    }

    @Test func twoDifferingContentLengthsGet400() throws {
        try expectRefusal(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", status: 400)
    }

    @Test func badChunkSizeGets400() throws {
        try expectRefusal("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400)
    }

    @Test func garbageGets400() throws {
        try expectRefusal("HELLO\r\n\r\n", status: 400)
    }

    @Test func slowHeadersGet408() throws {
        let s = try TestServer.start({ $0.headerTimeoutSeconds = 0.3 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHo")
        let r = try c.readResponse()
        #expect(r.status == 408)
        #expect(r["Connection"] == "close")
        #expect(c.isClosedByServer())
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let s = try TestServer.start({ $0.idleTimeoutSeconds = 0.3 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.readResponse().status == 200)
        #expect(c.isClosedByServer())  // no bytes, just EOF
    }

    @Test func parseErrorAfterAPipelinedRequestComesAfterItsResponse() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\nBROKEN\r\n\r\n")
        let first = try c.readResponse()
        #expect(first.status == 200)
        #expect(first["Connection"] == nil)
        let second = try c.readResponse()
        #expect(second.status == 400)
        #expect(c.isClosedByServer())
    }

    @Test func errorResponseSurvivesUnreadRequestBytes() throws {
        // The server refuses at the head while the client keeps sending body bytes: the
        // lingering close must not reset the connection before the client reads the 413.
        let s = try TestServer.start({ $0.maxBodyBytes = 1000 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n")
        try? c.send([UInt8](repeating: 65, count: 100_000))
        let r = try c.readResponse()
        #expect(r.status == 413)
    }
}
