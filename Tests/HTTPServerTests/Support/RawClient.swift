import Glibc

/// A blocking TCP client that speaks raw bytes, for tests that must control exactly what
/// goes on the wire (pipelining, split writes, malformed requests) and see exactly what
/// comes back. Every read has a timeout, so a server bug fails a test instead of hanging it.
///
/// Self-contained (Glibc only) so other test targets can copy it as is.
final class RawClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One parsed response.
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        /// Head and body exactly as received.
        var raw: [UInt8]

        subscript(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1", timeoutSeconds: Double = 5) throws {
        let isV6 = host.contains(":")
        fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(
            tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if isV6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            let e = errno
            Glibc.close(fd)
            throw Failure(description: "connect to \(host):\(port): errno \(e)")
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "send: errno \(errno)")
            }
            offset += n
        }
    }

    /// Half-close: tell the server we will send nothing more.
    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads one response. `bodyless` for the answer to HEAD. A response without
    /// Content-Length is read to EOF.
    func readResponse(bodyless: Bool = false) throws -> Response {
        let headEnd = try fill { Self.find([13, 10, 13, 10], in: $0) }
        let headBytes = Array(buffer[..<headEnd])
        let lines = String(decoding: headBytes, as: UTF8.self).split(
            separator: "\r\n" as Character, omittingEmptySubsequences: false)
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line: \(lines[0])")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header line: \(line)") }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((String(line[..<colon]), String(value)))
        }
        var consumed = headEnd + 4
        var body: [UInt8] = []
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) }
        if bodyless || status < 200 || status == 204 || status == 304 {
            // no body
        } else if let length {
            _ = try fill { $0.count >= consumed + length ? 0 : nil }
            body = Array(buffer[consumed..<consumed + length])
            consumed += length
        } else {
            let head = Array(buffer[..<consumed])
            buffer.removeFirst(consumed)
            body = readUntilClose()
            return Response(status: status, headers: headers, body: body, raw: head + body)
        }
        let raw = Array(buffer[..<consumed])
        buffer.removeFirst(consumed)
        return Response(status: status, headers: headers, body: body, raw: raw)
    }

    /// Everything until the server closes (or the timeout).
    func readUntilClose() -> [UInt8] {
        var out = buffer
        buffer = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                out.append(contentsOf: chunk[..<n])
                continue
            }
            if n < 0, errno == EINTR { continue }
            return out
        }
    }

    /// True when the server closed the connection with nothing more to read (EOF or reset)
    /// within the timeout; false if bytes arrived or the read timed out.
    func isClosedByServer() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n > 0 {
                buffer.append(byte)
                return false
            }
            if errno == EINTR { continue }
            return errno == ECONNRESET
        }
    }

    /// Waits until `done` finds what it wants in the buffer; returns its answer.
    private func fill(_ done: ([UInt8]) -> Int?) throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let found = done(buffer) { return found }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[..<n])
            } else if n == 0 {
                throw Failure(
                    description:
                        "connection closed after \(buffer.count) bytes: \(String(decoding: buffer, as: UTF8.self))")
            } else if errno != EINTR {
                throw Failure(description: "recv: errno \(errno) after \(buffer.count) bytes")
            }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        outer: for i in 0...(haystack.count - needle.count) {
            for j in 0..<needle.count where haystack[i + j] != needle[j] { continue outer }
            return i
        }
        return nil
    }
}
