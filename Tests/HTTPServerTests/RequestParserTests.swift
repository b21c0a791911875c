import Testing

@testable import HTTPServer

/// Feeds the same bytes in many splits and checks that the parser says the same thing
/// every time (the idea of SwiftNIO's `ByteToMessageDecoderVerifier`).
enum ParserVerifier {
    struct Outcome: Equatable {
        var events: [ParserEvent]
        var isIdle: Bool
        var isReadingHead: Bool
    }

    /// Adjacent body pieces merged: how a body is cut depends on the reads, not the bytes.
    static func normalized(_ events: [ParserEvent]) -> [ParserEvent] {
        var out: [ParserEvent] = []
        for event in events {
            if case let .body(piece) = event, case let .body(previous)? = out.last {
                out[out.count - 1] = .body(previous + piece)
            } else {
                out.append(event)
            }
        }
        return out
    }

    /// Parses `bytes` cut at `cuts` (sizes, repeated until the bytes run out).
    static func run(_ bytes: [UInt8], sizes: [Int], limits: ParserLimits) -> Outcome {
        var parser = RequestParser(limits: limits)
        var events: [ParserEvent] = []
        var offset = 0
        var k = 0
        while offset < bytes.count {
            let n = min(max(sizes[k % sizes.count], 1), bytes.count - offset)
            for event in parser.feed(Array(bytes[offset..<(offset + n)])) {
                if case let .body(piece) = event { #expect(!piece.isEmpty, "empty body piece") }
                events.append(event)
            }
            offset += n
            k += 1
        }
        return Outcome(events: normalized(events), isIdle: parser.isIdle, isReadingHead: parser.isReadingHead)
    }

    /// Deterministic pseudo-random cut sizes (1…max), so a failure can be replayed.
    static func randomSizes(seed: UInt64, max: Int) -> [Int] {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (0..<97).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max)) + 1
        }
    }

    /// Parses `bytes` whole, byte by byte and in several other splits, expects the same
    /// outcome from all of them, and returns it.
    @discardableResult
    static func verify(
        _ bytes: [UInt8], limits: ParserLimits = ParserLimits(), sourceLocation: SourceLocation = #_sourceLocation
    ) -> Outcome {
        let whole = run(bytes, sizes: [bytes.count], limits: limits)
        var splits: [[Int]] = [[1], [2], [3], [7], [64], [1, 500], [4096]]
        for seed in 1...4 { splits.append(randomSizes(seed: UInt64(seed), max: 1 + bytes.count / 3)) }
        for sizes in splits {
            let other = run(bytes, sizes: sizes, limits: limits)
            #expect(
                other == whole, "split \(sizes.prefix(6)) disagrees with whole input", sourceLocation: sourceLocation)
        }
        return whole
    }
}

/// The bytes of a request written as text (Swift strings keep `\r\n` as two bytes).
func wireBytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A well-formed input and the events it must produce.
struct ValidCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var events: [ParserEvent]
    var limits = ParserLimits()
    var testDescription: String { name }

    static func make(
        _ name: String, _ raw: String, limits: ParserLimits = ParserLimits(), _ events: [ParserEvent]
    ) -> ValidCase {
        ValidCase(name: name, bytes: wireBytes(raw), events: events, limits: limits)
    }
}

extension RequestHead {
    fileprivate static func make(
        _ method: String = "GET", _ target: String = "/", version: HTTPVersion = .http1_1,
        _ headers: [(String, String)] = [("Host", "a")], keepAlive: Bool? = nil,
        expectsContinue: Bool = false, contentLength: Int? = nil, isChunked: Bool = false
    ) -> RequestHead {
        RequestHead(
            method: method, target: target, version: version, headers: HTTPHeaders(headers),
            keepAlive: keepAlive ?? (version == .http1_1), expectsContinue: expectsContinue,
            contentLength: contentLength, isChunked: isChunked
        )
    }
}

private func smallLimits() -> ParserLimits {
    var l = ParserLimits()
    l.maxRequestLineBytes = 32
    l.maxHeaderBytes = 64
    l.maxHeaderCount = 3
    l.maxBodyBytes = 10
    return l
}

let validCases: [ValidCase] = [
    .make("simple GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", [.head(.make()), .end]),
    .make(
        "query and several headers",
        "GET /api/v2/workloads?limit=5&x=%20 HTTP/1.1\r\nHost: a:8080\r\nAccept: */*\r\nX-Empty:\r\n\r\n",
        [
            .head(
                .make(
                    "GET", "/api/v2/workloads?limit=5&x=%20", [("Host", "a:8080"), ("Accept", "*/*"), ("X-Empty", "")])),
            .end,
        ]
    ),
    .make(
        "POST with Content-Length", "POST /w HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
        [
            .head(.make("POST", "/w", [("Host", "a"), ("Content-Length", "11")], contentLength: 11)),
            .body(wireBytes("hello world")), .end,
        ]
    ),
    .make(
        "Content-Length 0", "PUT /w HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
        [.head(.make("PUT", "/w", [("Host", "a"), ("Content-Length", "0")], contentLength: 0)), .end]
    ),
    .make(
        "POST without framing has no body", "POST /w HTTP/1.1\r\nHost: a\r\n\r\n",
        [.head(.make("POST", "/w")), .end]
    ),
    .make(
        "chunked with extension and trailers",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n",
        [
            .head(.make("POST", "/c", [("Host", "a"), ("Transfer-Encoding", "chunked")], isChunked: true)),
            .body(wireBytes("hello world")), .end,
        ]
    ),
    .make(
        "chunked, upper-case hex, leading zeros, coding name in capitals",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n00A\r\n0123456789\r\n000\r\n\r\n",
        [
            .head(.make("POST", "/c", [("Host", "a"), ("Transfer-Encoding", "CHUNKED")], isChunked: true)),
            .body(wireBytes("0123456789")), .end,
        ]
    ),
    .make(
        "chunked split into 1-byte chunks",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n",
        [
            .head(.make("POST", "/c", [("Host", "a"), ("Transfer-Encoding", "chunked")], isChunked: true)),
            .body(wireBytes("abc")), .end,
        ]
    ),
    .make(
        "empty list elements around chunked",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked ,\r\n\r\n0\r\n\r\n",
        [.head(.make("POST", "/c", [("Host", "a"), ("Transfer-Encoding", ", chunked ,")], isChunked: true)), .end]
    ),
    .make("HTTP/1.0 without Host closes", "GET / HTTP/1.0\r\n\r\n", [.head(.make(version: .http1_0, [])), .end]),
    .make(
        "HTTP/1.0 with a body", "POST /w HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
        [
            .head(.make("POST", "/w", version: .http1_0, [("Content-Length", "3")], contentLength: 3)),
            .body(wireBytes("abc")), .end,
        ]
    ),
    .make(
        "HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
        [.head(.make(version: .http1_0, [("Connection", "Keep-Alive")], keepAlive: true)), .end]
    ),
    .make(
        "HTTP/1.1 Connection: close among other tokens",
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, Close\r\n\r\n",
        [.head(.make("GET", "/", [("Host", "a"), ("Connection", "upgrade, Close")], keepAlive: false)), .end]
    ),
    .make(
        "Expect: 100-continue", "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nhi",
        [
            .head(
                .make(
                    "PUT", "/x", [("Host", "a"), ("Expect", "100-Continue"), ("Content-Length", "2")],
                    expectsContinue: true, contentLength: 2)), .body(wireBytes("hi")), .end,
        ]
    ),
    .make(
        "Expect ignored on HTTP/1.0", "PUT /x HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
        [.head(.make("PUT", "/x", version: .http1_0, [("Expect", "100-continue")])), .end]
    ),
    .make("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", [.head(.make("OPTIONS", "*")), .end]),
    .make(
        "absolute-form reduced to origin-form",
        "GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
        [.head(.make("GET", "/a/b?c=d", [("Host", "example.com:8080")])), .end]
    ),
    .make(
        "absolute-form without path", "GET HTTPS://example.com?q HTTP/1.1\r\nHost: example.com\r\n\r\n",
        [.head(.make("GET", "/?q", [("Host", "example.com")])), .end]
    ),
    .make(
        "absolute-form with authority only", "GET http://a.example HTTP/1.1\r\nHost: a.example\r\n\r\n",
        [.head(.make("GET", "/", [("Host", "a.example")])), .end]
    ),
    .make("leading empty lines ignored", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", [.head(.make()), .end]),
    .make(
        "identical duplicate Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        [
            .head(
                .make("POST", "/", [("Host", "a"), ("Content-Length", "3"), ("Content-Length", "3")], contentLength: 3)),
            .body(wireBytes("abc")), .end,
        ]
    ),
    .make(
        "Content-Length list of identical values", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 03\r\n\r\nabc",
        [
            .head(.make("POST", "/", [("Host", "a"), ("Content-Length", "3, 03")], contentLength: 3)),
            .body(wireBytes("abc")), .end,
        ]
    ),
    .make(
        "OWS trimmed, inner tabs kept, obs-text repaired",
        "GET / HTTP/1.1\r\nHost:a\r\nX-A: \t one\ttwo \t\r\nX-B: caf\u{e9}\r\n\r\n",
        [.head(.make("GET", "/", [("Host", "a"), ("X-A", "one\ttwo"), ("X-B", "caf\u{e9}")])), .end]
    ),
    .make("HTTP/1.2 served as 1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", [.head(.make()), .end]),
    .make("empty Host allowed", "GET / HTTP/1.1\r\nHost:\r\n\r\n", [.head(.make("GET", "/", [("Host", "")])), .end]),
    .make(
        "IPv6 Host", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
        [.head(.make("GET", "/", [("Host", "[::1]:80")])), .end]),
    .make(
        "every token character in a method and a name",
        "!#$%&'*+-.^_`|~09azAZ / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n",
        [.head(.make("!#$%&'*+-.^_`|~09azAZ", "/", [("Host", "a"), ("!#$%&'*+-.^_`|~09azAZ", "v")])), .end]
    ),
    .make(
        "request line exactly at the limit",
        "GET /" + String(repeating: "a", count: 18) + " HTTP/1.1\r\nHost: a\r\n\r\n", limits: smallLimits(),
        [.head(.make("GET", "/" + String(repeating: "a", count: 18))), .end]
    ),
    .make(
        "header section exactly at the limit",
        "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 48) + "\r\n\r\n", limits: smallLimits(),
        [.head(.make("GET", "/", [("Host", "a"), ("X", String(repeating: "b", count: 48))])), .end]
    ),
    .make(
        "header count exactly at the limit", "GET / HTTP/1.1\r\nHost: a\r\nB: b\r\nC: c\r\n\r\n", limits: smallLimits(),
        [.head(.make("GET", "/", [("Host", "a"), ("B", "b"), ("C", "c")])), .end]
    ),
    .make(
        "body exactly at the limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789",
        limits: smallLimits(),
        [
            .head(.make("POST", "/", [("Host", "a"), ("Content-Length", "10")], contentLength: 10)),
            .body(wireBytes("0123456789")), .end,
        ]
    ),
    .make(
        "chunked body exactly at the limit",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
        limits: smallLimits(),
        [
            .head(.make("POST", "/", [("Host", "a"), ("Transfer-Encoding", "chunked")], isChunked: true)),
            .body(wireBytes("0123456789")), .end,
        ]
    ),
    .make(
        "binary body bytes pass untouched", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n\0\r\n\u{7f}",
        [
            .head(.make("POST", "/", [("Host", "a"), ("Content-Length", "4")], contentLength: 4)),
            .body([0, 13, 10, 127]), .end,
        ]
    ),
]

@Suite("RequestParser: valid requests")
struct RequestParserTests {
    @Test(arguments: validCases)
    func validRequestGivesSameEventsInEverySplit(_ c: ValidCase) {
        let outcome = ParserVerifier.verify(c.bytes, limits: c.limits)
        #expect(outcome.events == c.events)
        #expect(outcome.isIdle)
        #expect(!outcome.isReadingHead)
    }

    @Test(arguments: validCases)
    func threePipelinedCopiesInOneBuffer(_ c: ValidCase) {
        let outcome = ParserVerifier.verify(c.bytes + c.bytes + c.bytes, limits: c.limits)
        #expect(outcome.events == c.events + c.events + c.events)
        #expect(outcome.isIdle)
    }

    @Test func allValidRequestsPipelinedInOneBuffer() {
        let defaults = validCases.filter { $0.limits.maxBodyBytes == ParserLimits().maxBodyBytes }
        let outcome = ParserVerifier.verify(defaults.flatMap(\.bytes))
        #expect(outcome.events == defaults.flatMap(\.events))
    }

    @Test func requestAfterAnErrorIsNotParsed() {
        var parser = RequestParser()
        let events = parser.feed(
            wireBytes("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/9.9\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(events.count == 3)
        #expect(events.first == .head(.make()))
        #expect(events.last.map(isError(505)) == true)
        #expect(parser.feed(wireBytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).isEmpty)
        #expect(!parser.isIdle)
        #expect(!parser.isReadingHead)
    }

    @Test func bodyIsHandedOnAsItArrives() {
        var parser = RequestParser()
        let head = parser.feed(wireBytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nab"))
        #expect(
            head == [
                .head(.make("POST", "/", [("Host", "a"), ("Content-Length", "6")], contentLength: 6)),
                .body(wireBytes("ab")),
            ])
        #expect(parser.feed(wireBytes("cd")) == [.body(wireBytes("cd"))])
        #expect(parser.feed(wireBytes("efGET")) == [.body(wireBytes("ef")), .end])
        #expect(parser.isReadingHead)
    }

    @Test func idleAndReadingHeadTrackTheHead() {
        var parser = RequestParser()
        #expect(parser.isIdle && !parser.isReadingHead)
        _ = parser.feed(wireBytes("\r\n"))
        #expect(!parser.isIdle && parser.isReadingHead, "an empty line starts the header timeout")
        _ = parser.feed(wireBytes("GET / HTTP/1.1\r\nHo"))
        #expect(!parser.isIdle && parser.isReadingHead)
        _ = parser.feed(wireBytes("st: a\r\nContent-Length: 2\r\n\r\n"))
        #expect(!parser.isIdle && !parser.isReadingHead, "waiting for the body is neither")
        _ = parser.feed(wireBytes("x"))
        #expect(!parser.isIdle && !parser.isReadingHead)
        _ = parser.feed(wireBytes("y"))
        #expect(parser.isIdle && !parser.isReadingHead)
        _ = parser.feed(wireBytes("P"))
        #expect(!parser.isIdle && parser.isReadingHead)
    }

    @Test func emptyFeedsChangeNothing() {
        var parser = RequestParser()
        #expect(parser.feed([]).isEmpty)
        _ = parser.feed(wireBytes("GET / HTTP/1.1\r\n"))
        #expect(parser.feed([]).isEmpty)
        #expect(parser.feed(wireBytes("Host: a\r\n\r\n")) == [.head(.make()), .end])
    }

    @Test func largeBodyInManyReads() {
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let bytes = wireBytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n") + body
        let outcome = ParserVerifier.run(bytes, sizes: [1000, 4096, 17], limits: ParserLimits())
        #expect(
            outcome.events == [
                .head(.make("POST", "/", [("Host", "a"), ("Content-Length", "100000")], contentLength: 100000)),
                .body(body), .end,
            ])
    }

    @Test func limitsFromConfiguration() {
        var configuration = HTTPServerConfiguration()
        configuration.maxRequestLineBytes = 1
        configuration.maxHeaderBytes = 2
        configuration.maxHeaderCount = 3
        configuration.maxBodyBytes = 4
        let limits = ParserLimits(configuration: configuration)
        #expect(limits.maxRequestLineBytes == 1 && limits.maxHeaderBytes == 2)
        #expect(limits.maxHeaderCount == 3 && limits.maxBodyBytes == 4)
    }
}

private func isError(_ status: Int) -> (ParserEvent) -> Bool {
    { event in
        if case let .error(e) = event { return e.status == status }
        return false
    }
}
