import JSON
import Glibc
import WorkloadEmulator

/// A tiny blocking HTTP/1.1 client over one keep-alive connection: enough to drive
/// the emulator over real sockets. Every read has a timeout so a bug fails a test
/// instead of hanging it.
final class TestClient {
    struct Failure: Error, CustomStringConvertible { var description: String }

    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        subscript(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
        var contentType: String? { self["Content-Type"] }
        /// 422 entries as `loc.joined:type`.
        var issues: [String] {
            (json["detail"]?.arrayValue ?? []).map { issue in
                (issue["loc"]?.arrayValue ?? []).map { $0.stringValue ?? String($0.intValue ?? -1) }.joined(
                    separator: ".")
                    + ":" + (issue["type"]?.stringValue ?? "")
            }
        }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    let port: Int
    var token: String? = "alice"
    /// Sent as `X-Emulator-Sandbox` when set.
    var sandbox: String?

    init(port: Int) throws {
        self.port = port
        fd = try connectLoopback(port: port)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { Glibc.close(fd) }

    @discardableResult
    func send(
        _ method: String, _ target: String, _ body: JSONValue? = nil, raw: String? = nil,
        headers: [(String, String)] = []
    ) throws -> Response {
        let bytes = raw.map { Array($0.utf8) } ?? body.map { JSONSerializer.serialize($0) } ?? []
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let sandbox { head += "X-Emulator-Sandbox: \(sandbox)\r\n" }
        for (n, v) in headers { head += "\(n): \(v)\r\n" }
        if !bytes.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            head += "Content-Type: application/json\r\nContent-Length: \(bytes.count)\r\n"
        }
        head += "\r\n"
        try write(Array(head.utf8) + bytes)
        return try readResponse(head: method == "HEAD")
    }

    /// Sends only a head announcing `contentLength` body bytes: for the answers the engine
    /// gives from the head alone (413 past the body limit, 503 past the body budget).
    func sendHead(_ method: String, _ target: String, contentLength: Int) throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        head += "Content-Type: application/json\r\nContent-Length: \(contentLength)\r\n\r\n"
        try write(Array(head.utf8))
        return try readResponse(head: false)
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += n
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure(description: n == 0 ? "connection closed" : "recv: errno \(errno)") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func readResponse(head isHead: Bool) throws -> Response {
        var end: Int?
        while end == nil {
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4)
                where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    end = i
                    break
                }
            }
            if end == nil { try fill() }
        }
        let headText = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingLeadingSpaces))
        }
        let length = isHead ? 0 : Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
        while buffer.count < length { try fill() }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return Response(status: status, headers: headers, body: body)
    }
}

extension String {
    fileprivate var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
