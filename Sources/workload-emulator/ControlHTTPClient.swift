import HTTPServer

#if canImport(Glibc)
import Glibc
#endif

/// The one HTTP/1.1 exchange `ctl` needs: a blocking request with `Connection: close`
/// over a plain socket, read to the end. Glibc only, so the server binary's start path
/// never loads Foundation.
enum ControlHTTPClient {
    struct Response: Equatable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        static func == (a: Response, b: Response) -> Bool {
            a.status == b.status && a.body == b.body && a.headers.elementsEqual(b.headers) { $0 == $1 }
        }

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A state export can be large; past this the answer is refused rather than kept.
    static let maxResponseBytes = 1 << 30

    static func send(
        host: String, port: Int, method: String, target: String, headers: [(String, String)], body: [UInt8]?,
        timeoutSeconds: Int = 60
    ) throws(Failure) -> Response {
        let fd = try connect(host: host, port: port, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\n"
        head += "User-Agent: workload-emulator-ctl\r\nAccept: application/json\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        }
        var bytes = Array((head + "\r\n").utf8)
        if let body { bytes += body }
        try writeAll(fd, bytes, to: hostHeader)

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw Failure(description: "\(hostHeader) did not answer within \(timeoutSeconds) s")
                }
                throw Failure(description: "reading from \(hostHeader): \(reason())")
            }
            guard received.count <= maxResponseBytes - n else {
                throw Failure(description: "the answer from \(hostHeader) is larger than \(maxResponseBytes) bytes")
            }
            received += buffer[0..<n]
        }
        return try parse(received, from: hostHeader)
    }

    /// Status line, headers, and a body by Content-Length, chunks, or to the end.
    static func parse(_ bytes: [UInt8], from source: String) throws(Failure) -> Response {
        let crlfcrlf: [UInt8] = [13, 10, 13, 10]
        guard let split = firstIndex(of: crlfcrlf, in: bytes, from: 0) else {
            throw Failure(description: "\(source) closed the connection without a complete HTTP answer")
        }
        let lines = String(decoding: bytes[0..<split], as: UTF8.self).split(
            separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw Failure(description: "\(source) did not answer HTTP: '\(statusLine.prefix(80))'")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })))
        }
        var response = Response(status: status, headers: headers, body: Array(bytes[(split + 4)...]))
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = try dechunk(response.body, from: source)
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }), length >= 0,
            length < response.body.count
        {
            response.body = Array(response.body.prefix(length))
        }
        return response
    }

    static func dechunk(_ bytes: [UInt8], from source: String) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = firstIndex(of: [13, 10], in: bytes, from: i) else {
                throw Failure(description: "\(source) sent a truncated chunked body")
            }
            let sizeText = String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard sizeText.count <= 8, let size = Int(sizeText.trimmingSpaces, radix: 16) else {
                throw Failure(description: "\(source) sent a bad chunk size")
            }
            i = lineEnd + 2
            if size == 0 { return out }
            guard size <= bytes.count - i else { throw Failure(description: "\(source) sent a truncated chunked body") }
            out += bytes[i..<(i + size)]
            i += size + 2
        }
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        var i = start
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    /// Any address the name resolves to (a CI service container is reached by its
    /// name), tried in order. The timeout bounds the lookup as well as each connect.
    private static func connect(host: String, port: Int, timeoutSeconds: Int) throws(Failure) -> Int32 {
        let addresses: [HostResolver.Address]
        switch HostResolver.shared.resolve(
            host: host, port: port, deadline: HostResolver.now() + Double(timeoutSeconds))
        {
        case let .success(found): addresses = found
        case let .failure(failure): throw Failure(description: failure.description)
        }
        var lastError = "no address"
        for entry in addresses {
            let fd = socket(entry.family, entry.socketType | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                lastError = reason()
                continue
            }
            // On Linux SO_SNDTIMEO also bounds connect(2).
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if entry.withSocketAddress({ Glibc.connect(fd, $0, $1) }) == 0 { return fd }
            lastError = reason()
            close(fd)
        }
        let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        throw Failure(description: "cannot connect to \(shown): \(lastError) (is the emulator running?)")
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], to source: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw Failure(description: "writing to \(source): \(reason())")
            }
        }
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
