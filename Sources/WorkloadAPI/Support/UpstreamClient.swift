import Glibc
import HTTPServer

/// A small blocking HTTP/1.1 client for invoke forwarding: one request per
/// connection (`Connection: close`), IPv4/IPv6 literal or resolvable host, plain
/// HTTP only. Always called off the event loops, on the invoke pool (see `InvokeRoutes`).
/// One deadline covers resolving, connecting, sending and the whole answer.
enum UpstreamClient {
    struct Target: Sendable, Equatable {
        var host: String
        var port: Int
        /// Path prefix of the upstream URL, without a trailing slash ("" for none).
        var basePath: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// The deadline passed before the upstream answered (504, not 502).
        var timedOut = false
    }

    /// `http://host[:port][/base]`; nil for anything else (https is not supported).
    static func parse(_ url: String) -> Target? {
        guard url.hasPrefix("http://") else { return nil }
        var rest = Substring(url.dropFirst(7))
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        rest = rest.dropFirst(authority.count)
        var base = String(rest.prefix { $0 != "?" })
        while base.hasSuffix("/") { base.removeLast() }
        var host = Substring(authority)
        var port = 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]) else { return nil }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        return Target(host: String(host), port: port, basePath: base)
    }

    /// Headers that describe one hop, not the message: never forwarded either way.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
        "content-length", "expect", "host",
    ]

    static func send(
        _ target: Target, method: String, path: String, headers: HTTPHeaders, body: [UInt8],
        timeoutSeconds: Double = 30, resolver: HostResolver = .shared
    ) throws(Failure) -> HTTPResponse {
        let deadline = monotonicSeconds() + timeoutSeconds
        let fd = try connect(target, deadline: deadline, resolver: resolver)
        defer { close(fd) }
        var head = "\(method) \(target.basePath)\(path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\n"
        for (name, value) in headers where !hopByHop.contains(name.lowercased()) {
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
        head += "Connection: close\r\n\r\n"
        try write(fd, Array(head.utf8) + body, deadline: deadline)
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            try wait(fd, for: Int16(POLLIN), until: deadline)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                throw Failure(description: "read failed (errno \(errno))")
            }
            data.append(contentsOf: chunk[0..<n])
            if data.count > 64 << 20 { throw Failure(description: "response larger than 64 MiB") }
        }
        return try parseResponse(data, method: method)
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Waits until `fd` is ready for `events`, or throws once the deadline has passed.
    private static func wait(_ fd: Int32, for events: Int16, until deadline: Double) throws(Failure) {
        while true {
            let left = deadline - monotonicSeconds()
            if left <= 0 { throw Failure(description: "no answer in time", timedOut: true) }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&p, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw Failure(description: "poll failed (errno \(errno))") }
        }
    }

    private static func connect(_ target: Target, deadline: Double, resolver: HostResolver) throws(Failure) -> Int32 {
        // The deadline covers resolution too: a silent DNS server must not hold the
        // pool's thread past the timeout (HostResolver gives up at the deadline).
        let addresses: [HostResolver.Address]
        switch resolver.resolve(host: target.host, port: target.port, deadline: deadline) {
        case let .success(found): addresses = found
        case let .failure(failure): throw Failure(description: failure.description, timedOut: failure.timedOut)
        }
        var lastError = "no address"
        for a in addresses {
            let fd = socket(a.family, a.socketType, a.socketProtocol)
            if fd < 0 { continue }
            // Connect without blocking, then wait at most the timeout for it.
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = a.withSocketAddress { Glibc.connect(fd, $0, $1) }
            if result != 0 && errno == EINPROGRESS {
                do throws(Failure) {
                    try wait(fd, for: Int16(POLLOUT), until: deadline)
                } catch {
                    close(fd)
                    throw error
                }
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                result = error == 0 ? 0 : -1
                if error != 0 { errno = error }
            }
            if result == 0 {
                // The socket stays non-blocking: every read and write waits in `poll`,
                // against the one deadline.
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            lastError = errno == ECONNREFUSED ? "connection refused" : "connect failed (errno \(errno))"
            close(fd)
        }
        throw Failure(description: lastError)
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8], deadline: Double) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            try wait(fd, for: Int16(POLLOUT), until: deadline)
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { throw Failure(description: "write failed (errno \(errno))") }
            offset += n
        }
    }

    /// Status line, headers, and a body by `Content-Length`, chunks, or up to the close.
    static func parseResponse(_ data: [UInt8], method: String) throws(Failure) -> HTTPResponse {
        guard let end = find(data, [13, 10, 13, 10], from: 0) else {
            throw Failure(description: data.isEmpty ? "empty response" : "malformed response head")
        }
        let head = String(decoding: data[0..<end], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]),
            (100...599).contains(status)
        else { throw Failure(description: "malformed status line") }
        var headers = HTTPHeaders()
        var length: Int?
        var chunked = false
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
            switch name.lowercased() {
            case "content-length": length = Int(value)
            case "transfer-encoding": chunked = value.lowercased().contains("chunked")
            default: break
            }
            if !hopByHop.contains(name.lowercased()) && name.lowercased() != "date" {
                headers.add(name, value)
            }
        }
        var body = Array(data[(end + 4)...])
        if method == "HEAD" || status == 204 || status == 304 {
            body = []
        } else if chunked {
            body = try dechunk(body)
        } else if let length {
            guard body.count >= length else { throw Failure(description: "response body cut short") }
            body = Array(body[0..<length])
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: [UInt8]) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = find(data, [13, 10], from: i) else { throw Failure(description: "bad chunk") }
            let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(), radix: 16) else {
                throw Failure(description: "bad chunk size")
            }
            i = lineEnd + 2
            if size == 0 { return out }
            guard i + size <= data.count else { throw Failure(description: "chunk cut short") }
            out += data[i..<(i + size)]
            i += size + 2
        }
    }

    private static func find(_ data: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        guard data.count >= needle.count else { return nil }
        var i = from
        while i + needle.count <= data.count {
            if data[i] == needle[0] && Array(data[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
