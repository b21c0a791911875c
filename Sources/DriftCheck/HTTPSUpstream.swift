import CUpstreamTLS
import HTTPServer

#if canImport(Glibc)
import Glibc
#endif

/// `record`'s client for an https upstream: one exchange per call on the calling thread,
/// through the system's libcurl (loaded on first use, so the server never maps it). The
/// certificate is checked against the system's CA store, or only against `--upstream-ca`.
struct HTTPSUpstream: Sendable {
    /// `https://host[:port]` and the base path, without a trailing slash.
    let base: String
    let caPath: String?

    /// `https://host[:port][/base]`; nil for anything else.
    init?(url: String, caPath: String?) {
        guard url.hasPrefix("https://") else { return nil }
        let rest = url.dropFirst("https://".count)
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty, !authority.contains("@"),
            url.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") })
        else { return nil }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port),
                colon != authority.startIndex
            else { return nil }
        }
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.caPath = caPath
    }

    /// libcurl can be loaded, or the reason it cannot.
    static func load() -> String? {
        var error = [CChar](repeating: 0, count: 512)
        guard upstream_tls_load(&error, error.count) != 0 else { return nil }
        return String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Why `path` cannot serve as a CA bundle, or nil when it can: readable, and holding
    /// at least one PEM certificate.
    static func checkCA(_ path: String) -> String? {
        guard let bytes = RecordingFile.read(path) else { return "\(path): \(String(cString: strerror(errno)))" }
        guard String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            return "\(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        let timedOut: Bool
        /// The TLS handshake or the certificate check failed: the upstream never saw the request.
        let tls: Bool
    }

    /// Headers that describe one hop: never forwarded either way.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
        "content-length", "expect", "host", "date",
    ]

    func send(
        method: String, path: String, headers: HTTPHeaders, body: [UInt8], timeoutSeconds: Double
    ) throws(Failure) -> HTTPResponse {
        var lines: [String] = []
        var hasContentType = false
        for (name, value) in headers where !Self.hopByHop.contains(name.lowercased()) {
            // A header that would end the line early is not sent at all.
            guard !value.utf8.contains(where: { $0 == 10 || $0 == 13 }) else { continue }
            if name.lowercased() == "content-type" { hasContentType = true }
            lines.append("\(name): \(value)")
        }
        let sendBody = !body.isEmpty || !["GET", "HEAD", "DELETE", "OPTIONS"].contains(method)
        // Else curl would name a form type the client never sent.
        if sendBody && !hasContentType { lines.append("Content-Type:") }
        let timeoutMs = Int(min(max(timeoutSeconds, 0.001), 3600) * 1000)
        var result = upstream_tls_result()
        defer { upstream_tls_result_free(&result) }
        let cLines: [UnsafePointer<CChar>?] = lines.map { UnsafePointer(strdup($0)) }
        defer { for p in cLines { free(UnsafeMutablePointer(mutating: p)) } }
        let rc = cLines.withUnsafeBufferPointer { pointers in
            body.withUnsafeBufferPointer { bodyBuffer in
                upstream_tls_exchange(
                    method, base + path, pointers.baseAddress, pointers.count, bodyBuffer.baseAddress,
                    bodyBuffer.count, sendBody ? 1 : 0, caPath, timeoutMs, &result)
            }
        }
        guard rc == 0 else {
            let message = withUnsafeBytes(of: result.error) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw Failure(description: message, timedOut: result.timed_out != 0, tls: result.tls_failed != 0)
        }
        var response = HTTPResponse(status: Int(result.status))
        if let head = result.headers {
            let text = String(
                decoding: UnsafeRawBufferPointer(start: head, count: result.headers_length), as: UTF8.self)
            for line in text.split(separator: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = String(line[..<colon])
                guard !Self.hopByHop.contains(name.lowercased()) else { continue }
                response.headers.add(name, String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }))
            }
        }
        if let bytes = result.body {
            response.body = Array(UnsafeBufferPointer(start: bytes, count: result.body_length))
        }
        return response
    }
}
