import Testing

@testable import HTTPServer

/// A malformed or hostile input and the status the parser must refuse it with.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var status: Int
    var limits = ParserLimits()
    var testDescription: String { "\(status) \(name)" }

    static func make(
        _ status: Int, _ name: String, _ raw: String, limits: ParserLimits = ParserLimits()
    ) -> MalformedCase {
        MalformedCase(name: name, bytes: wireBytes(raw), status: status, limits: limits)
    }

    static func make(
        _ status: Int, _ name: String, bytes: [UInt8], limits: ParserLimits = ParserLimits()
    ) -> MalformedCase {
        MalformedCase(name: name, bytes: bytes, status: status, limits: limits)
    }
}

private let host = "Host: a\r\n"
private let chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

private func limits(
    line: Int = 8192, headerBytes: Int = 65536, count: Int = 100, body: Int = 16 * 1024 * 1024
) -> ParserLimits {
    var l = ParserLimits()
    l.maxRequestLineBytes = line
    l.maxHeaderBytes = headerBytes
    l.maxHeaderCount = count
    l.maxBodyBytes = body
    return l
}

private func get(_ headers: String) -> String { "GET / HTTP/1.1\r\n\(headers)\r\n" }
private func post(_ headers: String, _ body: String = "") -> String { "POST / HTTP/1.1\r\n\(headers)\r\n\(body)" }

let malformedCases: [MalformedCase] = [
    // Request line (RFC 9112 §3)
    .make(400, "request line without spaces", "GET\r\n\r\n"),
    .make(400, "HTTP/0.9 request line without version", "GET /\r\n\r\n"),
    .make(400, "two spaces after method", "GET  / HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "space after version", "GET / HTTP/1.1 \r\n\(host)\r\n"),
    .make(400, "space before method", " GET / HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "tab as separator", "GET\t/ HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "delimiter in method", "G(T / HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "NUL in method", "GE\0T / HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "non-ASCII method", "GÉT / HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "NUL in target", "GET /a\0b HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "empty target between two spaces", "GET  HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "space inside target", "GET /a b HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "DEL in target", "GET /\u{7f} HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "raw UTF-8 in target", "GET /café HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "target without leading slash", "GET foo HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "asterisk target on GET", "GET * HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "authority-form target", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
    .make(400, "absolute-form with empty authority", "GET http:///x HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "unknown scheme", "GET ftp://a/ HTTP/1.1\r\n\(host)\r\n"),
    .make(505, "HTTP/2.0", "GET / HTTP/2.0\r\n\(host)\r\n"),
    .make(505, "HTTP/3", "GET / HTTP/3\r\n\(host)\r\n"),
    .make(505, "HTTP/9.9", "GET / HTTP/9.9\r\n\(host)\r\n"),
    .make(400, "CR CR LF after the version", "GET / HTTP/1.1\r\r\n\(host)\r\n"),
    .make(505, "HTTP/0.9 with version", "GET / HTTP/0.9\r\n\(host)\r\n"),
    .make(505, "HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    .make(400, "lower-case version", "GET / http/1.1\r\n\(host)\r\n"),
    .make(400, "version with three numbers", "GET / HTTP/1.1.1\r\n\(host)\r\n"),
    .make(400, "two-digit major", "GET / HTTP/11.1\r\n\(host)\r\n"),
    .make(400, "version without minor", "GET / HTTP/1\r\n\(host)\r\n"),
    .make(400, "non-digit minor", "GET / HTTP/1.x\r\n\(host)\r\n"),
    .make(400, "unknown protocol", "GET / FOO/1.1\r\n\(host)\r\n"),
    .make(414, "request line over 8 KiB", "GET /\(String(repeating: "a", count: 8200)) HTTP/1.1\r\n\(host)\r\n"),
    .make(414, "endless request line", "GET /" + String(repeating: "a", count: 9000)),
    .make(
        414, "request line one byte over a small limit",
        "GET /\(String(repeating: "a", count: 19)) HTTP/1.1\r\n\(host)\r\n", limits: limits(line: 32)),
    .make(400, "bare LF after request line", "GET / HTTP/1.1\n\(host)\r\n"),
    .make(400, "bare CR after request line", "GET / HTTP/1.1\r\(host)\r\n"),
    .make(
        400, "too many empty lines before the request line",
        String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\n\(host)\r\n"),
    .make(400, "bare LF before the request line", "\nGET / HTTP/1.1\r\n\(host)\r\n"),

    // Header fields (RFC 9112 §5, RFC 9110 §5.5)
    .make(400, "space between field name and colon", get("Host : a\r\n")),
    .make(400, "tab between field name and colon", get("Host\t: a\r\n")),
    .make(400, "obs-fold with space", get("\(host)X-A: one\r\n two\r\n")),
    .make(400, "obs-fold with tab", get("\(host)X-A: one\r\n\ttwo\r\n")),
    .make(400, "whitespace before the first field", get(" Host: a\r\n")),
    .make(400, "field line without colon", get("\(host)X-A value\r\n")),
    .make(400, "empty field name", get("\(host): value\r\n")),
    .make(400, "delimiter in field name", get("\(host)X(A): v\r\n")),
    .make(400, "non-ASCII field name", get("\(host)X-Ä: v\r\n")),
    .make(400, "NUL in field name", get("\(host)X\0A: v\r\n")),
    .make(400, "NUL in field value", get("\(host)X-A: a\0b\r\n")),
    .make(400, "bare CR in field value", get("\(host)X-A: a\rb\r\n")),
    .make(400, "CR before CRLF", get("\(host)X-A: a\r\r\n")),
    .make(400, "control character in field value", get("\(host)X-A: a\u{1}b\r\n")),
    .make(400, "escape in field value", get("\(host)X-A: \u{1b}[31m\r\n")),
    .make(400, "DEL in field value", get("\(host)X-A: a\u{7f}\r\n")),
    .make(400, "bare LF ends a field", get("Host: a\nX-A: b\r\n")),
    .make(400, "bare LF ends the head", "GET / HTTP/1.1\r\nHost: a\r\n\n"),
    .make(400, "LF LF ends the head", "GET / HTTP/1.1\n\n"),
    .make(400, "HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n"),
    .make(400, "two Host fields", get("Host: a\r\nHost: b\r\n")),
    .make(400, "Host with a space", get("Host: a b\r\n")),
    .make(400, "Host with userinfo", get("Host: user@a\r\n")),
    .make(400, "Host with a path", get("Host: a/b\r\n")),
    .make(
        431, "header section over 64 KiB",
        get(host + (0..<70).map { "X-\($0): \(String(repeating: "v", count: 1000))\r\n" }.joined())),
    .make(431, "one field over 64 KiB", get(host + "X-A: " + String(repeating: "v", count: 70000) + "\r\n")),
    .make(431, "endless header section", "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 66000)),
    .make(431, "101 header fields", get(host + (0..<100).map { "X-\($0): v\r\n" }.joined())),
    .make(
        431, "header section one byte over a small limit", get(host + "X: \(String(repeating: "b", count: 49))\r\n"),
        limits: limits(headerBytes: 64)),
    .make(431, "one field over a small count", get(host + "B: b\r\nC: c\r\nD: d\r\n"), limits: limits(count: 3)),

    // Message framing and smuggling (RFC 9112 §6.1, §6.3)
    .make(
        400, "Content-Length then Transfer-Encoding",
        post("\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
    .make(
        400, "Transfer-Encoding then Content-Length",
        post("\(host)Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n")),
    .make(
        400, "Transfer-Encoding with Content-Length 0",
        post("\(host)Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", "0\r\n\r\n")),
    .make(
        400, "Transfer-Encoding with invalid Content-Length",
        post("\(host)Transfer-Encoding: chunked\r\nContent-Length: x\r\n", "0\r\n\r\n")),
    .make(
        400, "two differing Content-Length fields", post("\(host)Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")),
    .make(400, "differing Content-Length list", post("\(host)Content-Length: 5, 6\r\n", "hello!")),
    .make(400, "Content-Length list with empty element", post("\(host)Content-Length: 5,\r\n", "hello")),
    .make(400, "negative Content-Length", post("\(host)Content-Length: -1\r\n")),
    .make(400, "Content-Length with plus sign", post("\(host)Content-Length: +5\r\n", "hello")),
    .make(400, "hexadecimal Content-Length", post("\(host)Content-Length: 0x5\r\n", "hello")),
    .make(400, "empty Content-Length", post("\(host)Content-Length:\r\n")),
    .make(400, "Content-Length with inner space", post("\(host)Content-Length: 1 2\r\n")),
    .make(400, "Content-Length with a fraction", post("\(host)Content-Length: 5.0\r\n", "hello")),
    .make(400, "non-numeric Content-Length", post("\(host)Content-Length: abc\r\n")),
    .make(400, "space before colon in Content-Length", post("\(host)Content-Length : 5\r\n", "hello")),
    .make(400, "space before colon in Transfer-Encoding", post("\(host)Transfer-Encoding : chunked\r\n", "0\r\n\r\n")),
    .make(
        400, "Transfer-Encoding hidden in obs-fold",
        post("\(host)X-A: a\r\n Transfer-Encoding: chunked\r\n", "0\r\n\r\n")),
    .make(413, "Content-Length over 16 MiB", post("\(host)Content-Length: 16777217\r\n")),
    .make(413, "Content-Length past Int.max", post("\(host)Content-Length: 99999999999999999999999999\r\n")),
    .make(
        413, "Content-Length one over a small limit", post("\(host)Content-Length: 11\r\n", "01234567890"),
        limits: limits(body: 10)),
    .make(400, "gzip alone", post("\(host)Transfer-Encoding: gzip\r\n", "x")),
    .make(400, "chunked not the final coding", post("\(host)Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n")),
    .make(501, "gzip before chunked", post("\(host)Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n")),
    .make(
        501, "unknown coding on its own line before chunked",
        post("\(host)Transfer-Encoding: x-custom\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
    .make(400, "chunked twice in one field", post("\(host)Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n")),
    .make(
        400, "chunked twice in two fields",
        post("\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")),
    .make(400, "identity coding", post("\(host)Transfer-Encoding: identity\r\n", "x")),
    .make(400, "chunked with a parameter", post("\(host)Transfer-Encoding: chunked;q=1\r\n", "0\r\n\r\n")),
    .make(400, "empty Transfer-Encoding", post("\(host)Transfer-Encoding:\r\n", "0\r\n\r\n")),
    .make(400, "coding that only contains chunked", post("\(host)Transfer-Encoding: xchunked\r\n", "0\r\n\r\n")),
    .make(400, "coding with a vertical tab", post("\(host)Transfer-Encoding: \u{0b}chunked\r\n", "0\r\n\r\n")),
    .make(400, "commas but no coding", post("\(host)Transfer-Encoding: , ,\r\n", "0\r\n\r\n")),
    .make(501, "deflate before chunked", post("\(host)Transfer-Encoding: deflate, chunked\r\n", "0\r\n\r\n")),
    .make(400, "Content-Length with trailing letters", post("\(host)Content-Length: 5abc\r\n", "hello")),
    .make(400, "Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),

    // Chunked coding (RFC 9112 §7.1)
    .make(400, "non-hex chunk size", chunkedHead + "zz\r\n"),
    .make(400, "negative chunk size", chunkedHead + "-1\r\nx\r\n0\r\n\r\n"),
    .make(400, "chunk size overflows", chunkedHead + "ffffffffffffffffff\r\n"),
    .make(400, "chunk size just past Int.max", chunkedHead + "8000000000000000\r\n"),
    .make(400, "empty chunk size", chunkedHead + "\r\n"),
    .make(400, "chunk size with 0x prefix", chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n"),
    .make(400, "space before chunk size", chunkedHead + " 5\r\nhello\r\n0\r\n\r\n"),
    .make(400, "space after chunk size without extension", chunkedHead + "5 \r\nhello\r\n0\r\n\r\n"),
    .make(400, "chunk size with a plus sign", chunkedHead + "+5\r\nhello\r\n0\r\n\r\n"),
    .make(400, "chunk data longer than its size", chunkedHead + "3\r\nabcde\r\n0\r\n\r\n"),
    .make(400, "chunk data followed by LF only", chunkedHead + "3\r\nabc\n0\r\n\r\n"),
    .make(400, "chunk data followed by CR only", chunkedHead + "3\r\nabc\r0\r\n\r\n"),
    .make(400, "bare LF after chunk size", chunkedHead + "3\nabc\r\n0\r\n\r\n"),
    .make(400, "NUL in chunk extension", chunkedHead + "3;a=\0\r\nabc\r\n0\r\n\r\n"),
    .make(400, "bare CR in chunk extension", chunkedHead + "3;a\rb\r\nabc\r\n0\r\n\r\n"),
    .make(
        400, "chunk-size line over 4 KiB",
        chunkedHead + "3;" + String(repeating: "e", count: 5000) + "\r\nabc\r\n0\r\n\r\n"),
    .make(400, "bare LF after last chunk", chunkedHead + "0\n\r\n"),
    .make(413, "one chunk over 16 MiB", chunkedHead + "1000001\r\n"),
    .make(
        413, "chunks adding up past a small limit", chunkedHead + "5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n",
        limits: limits(body: 10)),
    .make(400, "trailer with obs-fold", chunkedHead + "0\r\nX-T: a\r\n b\r\n\r\n"),
    .make(400, "trailer with space before colon", chunkedHead + "0\r\nX-T : a\r\n\r\n"),
    .make(400, "bare LF in a trailer", chunkedHead + "0\r\nX-T: a\n\r\n"),
    .make(400, "trailer without colon", chunkedHead + "0\r\ngarbage\r\n\r\n"),
    .make(400, "NUL in trailer value", chunkedHead + "0\r\nX-T: \0\r\n\r\n"),
    .make(
        431, "trailer fields over a small count", chunkedHead + "0\r\nA: a\r\nB: b\r\nC: c\r\nD: d\r\n\r\n",
        limits: limits(count: 3)),
    .make(
        431, "trailer section over 64 KiB",
        chunkedHead + "0\r\nX-T: " + String(repeating: "t", count: 66000) + "\r\n\r\n"),

    // Errors after a good request in the same buffer
    .make(
        400, "smuggled request after a good one",
        "GET / HTTP/1.1\r\n\(host)\r\n" + post("\(host)Content-Length: 1\r\nContent-Length: 2\r\n", "ab")),
    .make(
        400, "binary garbage",
        bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a]),
]

@Suite("RequestParser: malformed and hostile requests")
struct RequestParserMalformedTests {
    @Test func tableIsLargeEnough() {
        #expect(malformedCases.count >= 50)
        #expect(Set(malformedCases.map(\.name)).count == malformedCases.count, "names are unique")
    }

    @Test(arguments: malformedCases)
    func refusedWithItsStatusInEverySplit(_ c: MalformedCase) {
        let outcome = ParserVerifier.verify(c.bytes, limits: c.limits)
        let errors = outcome.events.filter { if case .error = $0 { return true } else { return false } }
        #expect(errors.count == 1, "exactly one error")
        guard case let .error(error)? = outcome.events.last else {
            Issue.record("no error; events: \(outcome.events)")
            return
        }
        #expect(error.status == c.status, "\(error.reason)")
        #expect(!outcome.isIdle && !outcome.isReadingHead, "a dead parser is neither idle nor reading")
    }
}
