import CZlib
import Dispatch
import Glibc
import HTTPServer
import Testing

/// Live behaviour over real sockets: framing, keep-alive, pipelining, HEAD, gzip, headers.
@Suite("HTTP server basics (live)")
struct ServerBasicsTests {
    @Test func answersAndKeepsTheConnectionAlive() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        for i in 0..<3 {
            try c.send("GET /n/\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.text == "GET /n/\(i)")
            #expect(r["Connection"] == nil)
        }
    }

    @Test func everyResponseCarriesDateContentLengthAndRequestID() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.readResponse()
        #expect(r["Content-Length"] == "5")
        let date = try #require(r["Date"])
        #expect(date.hasSuffix(" GMT") && date.count == 29)
        let id = try #require(r["X-Request-Id"])
        #expect(id.count == 32)
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.readResponse()["X-Request-Id"] != id)
    }

    @Test func echoesASaneClientRequestIDAndReplacesAnInsaneOne() throws {
        let seen = Collected<String>()
        let s = try TestServer.start(handler: { request, responder in
            seen.append(request.requestID)
            responder.respond(HTTPResponse(status: 204))
        })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123.DEF\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 204)
        #expect(r["X-Request-Id"] == "abc-123.DEF")
        #expect(r["Content-Length"] == nil)
        try c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: a b<script>\r\n\r\n")
        let r2 = try c.readResponse()
        #expect(r2["X-Request-Id"]?.count == 32)
        #expect(seen.values == ["abc-123.DEF", r2["X-Request-Id"]!])
    }

    @Test func pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsSlow() throws {
        let handler: HTTPHandler = { request, responder in
            let response = HTTPResponse(status: 200, body: Array(request.path.utf8))
            if request.path == "/slow" {
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { responder.respond(response) }
            } else {
                responder.respond(response)
            }
        }
        let s = try TestServer.start(handler: handler)
        defer { s.stop() }
        let c = try s.client()
        var batch = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
        for i in 0..<20 { batch += "GET /\(i) HTTP/1.1\r\nHost: x\r\n\r\n" }
        batch += "POST /last HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        try c.send(batch)
        #expect(try c.readResponse().text == "/slow")
        for i in 0..<20 { #expect(try c.readResponse().text == "/\(i)") }
        #expect(try c.readResponse().text == "/last")
    }

    @Test func manyPipelinedRequestsInOneWriteAreAllAnswered() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        let count = 500  // far beyond the queue limit: reading pauses and resumes
        try c.send(String(repeating: "GET /p HTTP/1.1\r\nHost: x\r\n\r\n", count: count))
        for _ in 0..<count { #expect(try c.readResponse().text == "GET /p") }
    }

    @Test func pipelineSentInRandomPiecesIsAnsweredInOrder() throws {
        var requests: [String] = []
        for i in 0..<40 {
            switch i % 3 {
            case 0: requests.append("GET /r/\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
            case 1: requests.append("POST /r/\(i) HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nb\(i % 10)dy!")
            default:
                requests.append(
                    "PUT /r/\(i) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nc\(i % 10)\r\n0\r\n\r\n")
            }
        }
        let bytes = Array(requests.joined().utf8)
        var rng = SplitMix(seed: 42)
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        var offset = 0
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 + Int(rng.next() % 40))
            try c.send(Array(bytes[offset..<offset + n]))
            offset += n
        }
        for i in 0..<40 {
            let r = try c.readResponse()
            switch i % 3 {
            case 0: #expect(r.text == "GET /r/\(i)")
            case 1: #expect(r.text == "POST /r/\(i)\nb\(i % 10)dy!")
            default: #expect(r.text == "PUT /r/\(i)\nc\(i % 10)")
            }
        }
    }

    @Test func chunkedBodySentOneByteChunkPerWriteIsParsed() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        for byte in "hello, chunks".utf8 {
            try c.send([UInt8(ascii: "1"), 13, 10, byte, 13, 10])
        }
        try c.send("0\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.text == "POST /c\nhello, chunks")
    }

    @Test func continueIsSentBeforeTheBodyIsRead() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        try c.send("PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        // The client waits: nothing of the body is sent until the 100 arrives.
        let interim = try c.readResponse()
        #expect(interim.status == 100)
        #expect(interim.raw == Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        try c.send("body")
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.text == "PUT /e\nbody")
    }

    @Test func continueWithATooLargeBodyGets413AndNoContinue() throws {
        let s = try TestServer.start({ $0.maxBodyBytes = 10 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 413)
        #expect(r["Connection"] == "close")
        #expect(c.isClosedByServer())
    }

    @Test func headHasTheGetHeadersButNoBody() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        try c.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try c.readResponse(bodyless: true)
        #expect(head.status == 200)
        #expect(head["Content-Length"] == "7")  // "HEAD /h"
        // The very next bytes are the next response's status line: HEAD sent no body.
        let next = try c.readResponse()
        #expect(next.raw.starts(with: Array("HTTP/1.1 200 OK\r\n".utf8)))
        #expect(next.text == "GET /after")
    }

    @Test func gzipOutputDecompressesToTheOriginal() throws {
        let original = Array(String(repeating: #"{"name":"workload","status":"running"},"#, count: 100).utf8)
        let s = try TestServer.start(handler: { _, responder in responder.respond(.json(200, original)) })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br, gzip;q=0.8\r\n\r\n")
        let r = try c.readResponse()
        #expect(r["Content-Encoding"] == "gzip")
        #expect(r["Vary"] == "Accept-Encoding")
        #expect(r["Content-Type"] == "application/json")
        #expect(r.body.count < original.count)
        #expect(Int(r["Content-Length"] ?? "") == r.body.count)
        #expect(try gunzip(r.body) == original)

        try c.send("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip;q=0, deflate\r\n\r\n")
        let plain = try c.readResponse()
        #expect(plain["Content-Encoding"] == nil)
        #expect(plain.body == original)

        try c.send("HEAD / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
        let head = try c.readResponse(bodyless: true)
        #expect(head["Content-Encoding"] == "gzip")
        #expect(head["Content-Length"] == r["Content-Length"])
    }

    @Test func smallBodiesAreNotCompressed() throws {
        let s = try TestServer.start(handler: { _, responder in responder.respond(.json(200, "{\"a\":1}")) })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
        let r = try c.readResponse()
        #expect(r["Content-Encoding"] == nil)
        #expect(r.text == "{\"a\":1}")
    }

    @Test func http10ClosesAfterTheResponseUnlessKeepAliveWasAsked() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /old HTTP/1.0\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r["Connection"] == "close")
        #expect(c.isClosedByServer())

        let k = try s.client()
        try k.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let r1 = try k.readResponse()
        #expect(r1["Connection"] == "keep-alive")
        try k.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try k.readResponse().text == "GET /b")
    }

    @Test func connectionCloseRequestIsAnsweredThenClosedAndLaterRequestsIgnored() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.text == "GET /1")
        #expect(r["Connection"] == "close")
        #expect(c.isClosedByServer())
    }

    @Test func handlerMayAnswerLaterFromAnotherThreadAndOnlyTheFirstAnswerCounts() throws {
        let s = try TestServer.start(handler: { request, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) {
                responder.respond(HTTPResponse(status: 202, body: Array("late".utf8)))
                responder.respond(HTTPResponse(status: 500, body: Array("second".utf8)))
            }
        })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 202)
        #expect(r.text == "late")
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.readResponse().status == 202)
    }

    @Test func dropConnectionClosesWithoutAByte() throws {
        let entries = Collected<HTTPRequestLogEntry>()
        let s = try TestServer.start(
            { $0.requestLog = { entries.append($0) } }, handler: { _, responder in responder.respond(.drop) }
        )
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /dropped HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.readUntilClose().isEmpty)
        #expect(entries.values.map(\.status) == [0])
        #expect(entries.values.first?.target == "/dropped")
    }

    @Test func closeConnectionWritesThenCloses() throws {
        let s = try TestServer.start(handler: { _, responder in
            var r = HTTPResponse.json(503, "{}")
            r.closeConnection = true
            responder.respond(r)
        })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 503)
        #expect(r["Connection"] == "close")
        #expect(c.isClosedByServer())
    }

    @Test func requestLogIsCalledOncePerAnsweredRequest() throws {
        let entries = Collected<HTTPRequestLogEntry>()
        let s = try TestServer.start({ $0.requestLog = { entries.append($0) } })
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /log?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nX-Request-Id: rid-1\r\n\r\nhi")
        let r = try c.readResponse()
        try c.send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try c.readResponse()
        let logged = entries.values
        #expect(logged.count == 2)
        #expect(logged.first?.method == "POST")
        #expect(logged.first?.target == "/log?x=1")
        #expect(logged.first?.status == 200)
        #expect(logged.first?.requestID == "rid-1")
        #expect(logged.first?.requestBody == Array("hi".utf8))
        #expect(logged.first?.responseBody == r.body)
        #expect(logged.first?.responseBytes == r.raw.count)
        #expect(logged.first?.remoteAddress.hasPrefix("127.0.0.1:") == true)
    }

    /// Whether this host can bind `::1` at all (containers often run with IPv6 off). Only
    /// then is the test below run; elsewhere it shows as skipped with this reason.
    static let hasIPv6Loopback: Bool = {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        } == 0
    }()

    @Test(.enabled(if: hasIPv6Loopback, "this host cannot bind ::1 (IPv6 off)"))
    func servesOnIPv6Loopback() throws {
        let server = HTTPServer(
            configuration: {
                var c = HTTPServerConfiguration()
                c.host = "::1"
                c.port = 0
                c.threads = 1
                return c
            }(), handler: TestServer.echo)
        let port = try server.start()  // the host has IPv6 loopback: a failure here is a bug
        defer { server.shutdown() }
        let c = try RawClient(port: port, host: "::1")
        try c.send("GET /v6 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.readResponse().text == "GET /v6")
    }

    @Test func secondServerOnTheSamePortGetsAddressInUse() throws {
        let s = try TestServer.start()
        defer { s.stop() }
        var configuration = HTTPServerConfiguration()
        configuration.port = s.port
        let second = HTTPServer(configuration: configuration, handler: TestServer.echo)
        #expect(throws: HTTPServerError.addressInUse(host: "127.0.0.1", port: s.port)) { try second.start() }
    }

    @Test func shutdownLetsAnInFlightRequestFinish() throws {
        let reached = DispatchSemaphore(value: 0)
        let s = try TestServer.start(handler: { _, responder in
            reached.signal()
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { responder.respond(.json(200, "{}")) }
        })
        let c = try s.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let idle = try s.client()
        try idle.send("GET / HTTP/1.1\r\nHost: x\r\n")  // incomplete: dropped at shutdown
        #expect(reached.wait(timeout: .now() + 5) == .success)
        // Shutdown returns once the in-flight request (0.2 s) is answered, without waiting
        // out its 60 s budget for the incomplete one. The bound is 100x the measured 0.2 s
        // and still far below the budget it tells apart.
        let started = DispatchTime.now()
        s.server.shutdown(timeoutSeconds: 60)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r["Connection"] == "close")
        #expect(seconds < 20)
        #expect(idle.isClosedByServer())
    }
}

/// Inflates a gzip member with zlib (windowBits 31 = gzip wrapper).
func gunzip(_ data: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    guard inflateInit2_(&stream, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw RawClient.Failure(description: "inflateInit2 failed")
    }
    defer { inflateEnd(&stream) }
    var input = data
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16384)
    var status: Int32 = Z_OK
    input.withUnsafeMutableBufferPointer { inBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = UInt32(inBuf.count)
        repeat {
            chunk.withUnsafeMutableBufferPointer { outBuf in
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                status = inflate(&stream, Z_NO_FLUSH)
                output.append(contentsOf: outBuf[..<(outBuf.count - Int(stream.avail_out))])
            }
        } while status == Z_OK
    }
    guard status == Z_STREAM_END else { throw RawClient.Failure(description: "inflate: \(status)") }
    return output
}

/// A tiny deterministic generator, so a failing split can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
