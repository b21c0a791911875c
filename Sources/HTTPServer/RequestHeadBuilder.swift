/// Collects a head's fields as their lines arrive, remembers what framing and connection
/// handling need from them, and judges it all at the empty line that ends the head.
struct RequestHeadBuilder: Sendable {
    var method = ""
    var target = ""
    var version = HTTPVersion.http1_1
    var headers = HTTPHeaders()

    private var hostCount = 0
    private var hostInvalid = false
    private var sawContentLength = false
    /// Saturated at `Int.max`: any larger value is simply "too large" (413).
    private var contentLength: Int?
    private var contentLengthError: String?
    private var sawTransferEncoding = false
    private var chunkedCount = 0
    private var otherCoding = false
    private var invalidCoding = false
    private var lastCodingIsChunked = false
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectContinue = false

    init() {}

    /// Adds a field line that `RequestSyntax.fieldLine` accepted.
    mutating func add(_ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ field: RequestSyntax.FieldLine) {
        note(input, start, field.nameEnd, field.valueStart, field.valueEnd)
        headers.add(
            RequestSyntax.string(input, start, field.nameEnd),
            RequestSyntax.string(input, field.valueStart, field.valueEnd)
        )
    }

    /// Applies the framing rules of RFC 9112 §6 in this order: Host (§3.2), both framings
    /// (§6.1, smuggling), Content-Length syntax and agreement (§6.3), Transfer-Encoding
    /// (§6.1, §6.3), then the body limit.
    func finish(limits: ParserLimits) -> Result<RequestHead, ParseError> {
        func refuse(_ status: Int, _ reason: String) -> Result<RequestHead, ParseError> {
            .failure(ParseError(status: status, reason: reason))
        }
        if version == .http1_1 && hostCount == 0 { return refuse(400, "HTTP/1.1 request without Host") }
        if hostCount > 1 { return refuse(400, "more than one Host field") }
        if hostInvalid { return refuse(400, "invalid Host value") }
        if sawTransferEncoding && sawContentLength { return refuse(400, "both Transfer-Encoding and Content-Length") }
        if let reason = contentLengthError { return refuse(400, reason) }
        if sawTransferEncoding {
            // §6.1: a 1.0 message with Transfer-Encoding has faulty framing.
            if version == .http1_0 { return refuse(400, "Transfer-Encoding in an HTTP/1.0 request") }
            if invalidCoding { return refuse(400, "invalid Transfer-Encoding") }
            // §6.3: without chunked last the body length cannot be known.
            if !lastCodingIsChunked { return refuse(400, "chunked is not the final transfer coding") }
            if chunkedCount > 1 { return refuse(400, "chunked applied more than once") }
            // §6.1: a coding we do not implement (gzip, deflate, …) before chunked.
            if otherCoding { return refuse(501, "unsupported transfer coding") }
        }
        if let length = contentLength, length > limits.maxBodyBytes {
            return refuse(413, "Content-Length larger than \(limits.maxBodyBytes) bytes")
        }
        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return .success(
            RequestHead(
                method: method, target: target, version: version, headers: headers, keepAlive: keepAlive,
                expectsContinue: expectContinue && version == .http1_1,
                contentLength: sawTransferEncoding ? nil : contentLength, isChunked: sawTransferEncoding
            ))
    }

    /// Reads the fields that matter for framing straight from the bytes; names are
    /// compared by length first so most fields cost one switch.
    private mutating func note(
        _ input: UnsafeBufferPointer<UInt8>, _ nameStart: Int, _ nameEnd: Int, _ start: Int, _ end: Int
    ) {
        typealias S = RequestSyntax
        switch nameEnd - nameStart {
        case 4 where S.matchesLowercased(input, nameStart, nameEnd, "host"):
            hostCount += 1
            for i in start..<end where !S.isHostByte(input[i]) { hostInvalid = true }

        case 6 where S.matchesLowercased(input, nameStart, nameEnd, "expect"):
            if S.matchesLowercased(input, start, end, "100-continue") { expectContinue = true }

        case 10 where S.matchesLowercased(input, nameStart, nameEnd, "connection"):
            S.forEachListElement(input, start, end) { s, e in
                if S.matchesLowercased(input, s, e, "close") { connectionClose = true }
                if S.matchesLowercased(input, s, e, "keep-alive") { connectionKeepAlive = true }
            }

        case 14 where S.matchesLowercased(input, nameStart, nameEnd, "content-length"):
            sawContentLength = true
            // A list ("5, 5") is allowed if all values agree (RFC 9110 §8.6); empty
            // elements are not, since "5," is more likely an attack than a list.
            S.forEachListElement(input, start, end, keepEmpty: true) { s, e in
                guard s < e else {
                    contentLengthError = "empty Content-Length"
                    return
                }
                var value = 0
                for i in s..<e {
                    let b = input[i]
                    guard S.isDigit(b) else {
                        contentLengthError = "invalid Content-Length"
                        return
                    }
                    let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(Int(b - 0x30))
                    value = (o1 || o2) ? Int.max : sum
                }
                if let previous = contentLength, previous != value {
                    contentLengthError = "differing Content-Length values"
                }
                contentLength = value
            }

        case 17 where S.matchesLowercased(input, nameStart, nameEnd, "transfer-encoding"):
            sawTransferEncoding = true
            S.forEachListElement(input, start, end) { s, e in
                if S.matchesLowercased(input, s, e, "chunked") {
                    chunkedCount += 1
                    lastCodingIsChunked = true
                } else {
                    for i in s..<e where !S.isTokenByte(input[i]) { invalidCoding = true }
                    otherCoding = true
                    lastCodingIsChunked = false
                }
            }

        default:
            break
        }
    }
}
