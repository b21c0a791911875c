/// Turns a handler's `HTTPResponse` into wire bytes: status line, the handler's headers,
/// then the headers the server owns (`Content-Length`, `Date`, `X-Request-Id`,
/// `Connection`), then the body — appended to one buffer so head and body leave in one write.
struct ResponseEncoder {
    var gzipMinimumBytes: Int
    let compressor: GzipCompressor

    struct Result {
        var status: Int
        /// Bytes appended to the buffer (head and body).
        var bytes: Int
        /// The body as sent (compressed if it was), for the request log.
        var body: [UInt8]
    }

    static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Status lines for every code, built once: the hot path only copies bytes.
    private static let statusLines: [[UInt8]] = (0..<600).map { code in
        Array("HTTP/1.1 \(code) \(HTTPStatus.reasonPhrase(code))\r\n".utf8)
    }

    func encode(_ outgoing: ConnectionStateMachine.Outgoing, dateLine: [UInt8], into buffer: inout [UInt8]) -> Result {
        let start = buffer.count
        let response = outgoing.response
        let status = response.status
        // RFC 9110 §8.6 and §15: no body and no Content-Length on 1xx, 204 and 304.
        let bodyAllowed = !(status < 200 || status == 204 || status == 304)
        var body = bodyAllowed ? response.body : []
        var gzipped = false
        if bodyAllowed, let request = outgoing.request, request.acceptsGzip, body.count >= gzipMinimumBytes,
            !response.headers.contains("Content-Encoding"), let compressed = compressor.compress(body)
        {
            body = compressed
            gzipped = true
        }
        let sendBody = !(outgoing.request?.isHead ?? false)
        // reserveCapacity grows to exactly what is asked; with many pipelined answers
        // queued that recopies the buffer each time, so grow geometrically instead.
        let needed = start + 256 + response.headers.count * 48 + (sendBody ? body.count : 0)
        if needed > buffer.capacity { buffer.reserveCapacity(max(needed, buffer.capacity * 2)) }

        if status >= 100, status < 600 {
            buffer.append(contentsOf: ResponseEncoder.statusLines[status])
        } else {
            buffer.append(contentsOf: "HTTP/1.1 \(status) \(HTTPStatus.reasonPhrase(status))\r\n".utf8)
        }

        var hasDate = false
        var vary: String?
        for field in response.headers {
            let name = field.name
            if name.caseInsensitiveEquals("Content-Length") || name.caseInsensitiveEquals("Transfer-Encoding")
                || name.caseInsensitiveEquals("Connection") || name.caseInsensitiveEquals("X-Request-Id")
            {
                continue  // owned by the server
            }
            if gzipped, name.caseInsensitiveEquals("Vary") {
                vary = field.value
                continue
            }
            if !ResponseEncoder.isSafe(name) || !ResponseEncoder.isSafe(field.value) { continue }
            if name.caseInsensitiveEquals("Date") { hasDate = true }
            buffer.append(contentsOf: name.utf8)
            buffer.append(UInt8(ascii: ":"))
            buffer.append(UInt8(ascii: " "))
            buffer.append(contentsOf: field.value.utf8)
            buffer.append(13)
            buffer.append(10)
        }
        if gzipped {
            buffer.append(contentsOf: "Content-Encoding: gzip\r\n".utf8)
            if let vary, !vary.lowercased().contains("accept-encoding"), ResponseEncoder.isSafe(vary) {
                buffer.append(contentsOf: "Vary: \(vary), Accept-Encoding\r\n".utf8)
            } else if let vary, ResponseEncoder.isSafe(vary) {
                buffer.append(contentsOf: "Vary: \(vary)\r\n".utf8)
            } else {
                buffer.append(contentsOf: "Vary: Accept-Encoding\r\n".utf8)
            }
        }
        if bodyAllowed {
            buffer.append(contentsOf: "Content-Length: ".utf8)
            ResponseEncoder.appendDecimal(body.count, to: &buffer)
            buffer.append(13)
            buffer.append(10)
        }
        if !hasDate { buffer.append(contentsOf: dateLine) }
        buffer.append(contentsOf: "X-Request-Id: ".utf8)
        buffer.append(contentsOf: outgoing.requestID.utf8)
        buffer.append(13)
        buffer.append(10)
        if outgoing.closeAfter {
            buffer.append(contentsOf: "Connection: close\r\n".utf8)
        } else if let request = outgoing.request, request.version == .http1_0 {
            buffer.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        buffer.append(13)
        buffer.append(10)
        if sendBody { buffer.append(contentsOf: body) }
        return Result(status: status, bytes: buffer.count - start, body: body)
    }

    /// No CR, LF or NUL: a header must not be able to start another (response splitting).
    static func isSafe(_ s: String) -> Bool {
        for b in s.utf8 where b == 13 || b == 10 || b == 0 { return false }
        return true
    }

    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(truncatingIfNeeded: 48 + value))
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 {
                d[count] = UInt8(truncatingIfNeeded: 48 + n % 10)
                n /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(d[i]) }
        }
    }
}
