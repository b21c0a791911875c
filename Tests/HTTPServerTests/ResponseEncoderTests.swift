import Testing

@testable import HTTPServer

@Suite("ResponseEncoder and helpers")
struct ResponseEncoderTests {
    static let date = Array("Date: Sun, 22 Nov 2026 10:00:00 GMT\r\n".utf8)

    static func context(
        method: String = "GET", gzip: Bool = false, version: HTTPVersion = .http1_1
    )
        -> ConnectionStateMachine.RequestContext
    {
        .init(
            sequence: 0, method: method, target: "/", version: version, keepAlive: true, acceptsGzip: gzip,
            requestID: "rid", startedAt: 0, requestBody: [])
    }

    static func encode(
        _ response: HTTPResponse, _ context: ConnectionStateMachine.RequestContext? = context(), close: Bool = false
    )
        -> String
    {
        let encoder = ResponseEncoder(gzipMinimumBytes: 1024, compressor: GzipCompressor())
        var out: [UInt8] = []
        _ = encoder.encode(
            .init(response: response, request: context, requestID: "rid", closeAfter: close), dateLine: date, into: &out
        )
        return String(decoding: out, as: UTF8.self)
    }

    @Test func headAndBodyInOrderWithServerHeaders() {
        let text = Self.encode(.json(201, "{}"))
        #expect(
            text
                == "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Date: Sun, 22 Nov 2026 10:00:00 GMT\r\nX-Request-Id: rid\r\n\r\n{}")
    }

    @Test func closeAndHTTP10KeepAlive() {
        #expect(Self.encode(HTTPResponse(status: 200), close: true).contains("Connection: close\r\n"))
        #expect(
            Self.encode(HTTPResponse(status: 200), Self.context(version: .http1_0)).contains(
                "Connection: keep-alive\r\n"))
    }

    @Test func headKeepsContentLengthButSendsNoBody() {
        let text = Self.encode(HTTPResponse(status: 200, body: Array("hello".utf8)), Self.context(method: "HEAD"))
        #expect(text.contains("Content-Length: 5\r\n"))
        #expect(text.hasSuffix("\r\n\r\n"))
    }

    @Test func noContentAndNotModifiedHaveNoLengthAndNoBody() {
        for status in [204, 304] {
            let text = Self.encode(HTTPResponse(status: status, body: Array("x".utf8)))
            #expect(!text.contains("Content-Length"))
            #expect(text.hasSuffix("\r\n\r\n"))
        }
    }

    @Test func serverOwnedAndUnsafeHandlerHeadersAreDropped() {
        var headers = HTTPHeaders()
        headers.add("Content-Length", "99")
        headers.add("Connection", "keep-alive")
        headers.add("X-Evil", "a\r\nSet-Cookie: x=1")
        headers.add("X-Fine", "ok")
        let text = Self.encode(HTTPResponse(status: 200, headers: headers, body: Array("abc".utf8)))
        #expect(text.contains("Content-Length: 3\r\n"))
        #expect(!text.contains("99"))
        #expect(!text.contains("Set-Cookie"))
        #expect(!text.contains("Connection"))
        #expect(text.contains("X-Fine: ok\r\n"))
    }

    @Test func gzipOnlyWhenAllowedLargeEnoughAndNotAlreadyEncoded() throws {
        let big = Array(String(repeating: "abcdefgh", count: 200).utf8)
        let zipped = Self.encode(HTTPResponse(status: 200, body: big), Self.context(gzip: true))
        #expect(zipped.contains("Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"))
        #expect(!Self.encode(HTTPResponse(status: 200, body: big), Self.context(gzip: false)).contains("gzip"))
        #expect(
            !Self.encode(HTTPResponse(status: 200, body: Array(big.prefix(1023))), Self.context(gzip: true)).contains(
                "gzip"))
        var encoded = HTTPResponse(status: 200, body: big)
        encoded.headers.set("Content-Encoding", "br")
        #expect(!Self.encode(encoded, Self.context(gzip: true)).contains("gzip"))
        var varied = HTTPResponse(status: 200, body: big)
        varied.headers.set("Vary", "Authorization")
        #expect(Self.encode(varied, Self.context(gzip: true)).contains("Vary: Authorization, Accept-Encoding\r\n"))
        let compressor = GzipCompressor()
        let once = try #require(compressor.compress(big))
        #expect(try gunzip(once) == big)
        #expect(compressor.compress(big) == once)  // the reused stream is reset between bodies
    }

    @Test(arguments: [
        ("gzip", true), ("GZIP", true), ("deflate, gzip;q=0.5", true), ("x-gzip", true), ("*", true),
        ("gzip;q=0", false), ("gzip; q=0.0, *", false), ("*;q=0", false), ("deflate", false), ("", false),
        ("br;q=1, *;q=0.1", true), ("identity", false),
    ])
    func acceptEncoding(header: String, allowed: Bool) {
        #expect(AcceptEncoding.allowsGzip(header) == allowed)
    }

    @Test func requestIDs() {
        var ids = RequestIDGenerator(prefix: 1)
        #expect(ids.next() == "00000000000000010000000000000001")
        #expect(ids.next() == "00000000000000010000000000000002")
        #expect(ids.id(clientSupplied: "abc-DEF_1.2:3") == "abc-DEF_1.2:3")
        #expect(ids.id(clientSupplied: "has space") == "00000000000000010000000000000003")
        #expect(ids.id(clientSupplied: String(repeating: "a", count: 129)).count == 32)
        #expect(ids.id(clientSupplied: "").count == 32)
    }

    @Test func httpDate() {
        #expect(HTTPDateCache.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        var cache = HTTPDateCache()
        cache.refresh(wallSeconds: 784_111_777)
        #expect(cache.headerLine == Array("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n".utf8))
    }

    @Test func jsonQuoting() {
        #expect(JSONString.quote("a \"b\"\n\u{1}") == #""a \"b\"\n\u0001""#)
    }
}
