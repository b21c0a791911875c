public struct HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// One complete request as handlers see it: head plus the whole (de-chunked) body.
public struct HTTPRequest: Sendable {
    /// The method token as sent (case-sensitive, RFC 9110 §9.1).
    public var method: String
    /// The raw request-target, e.g. `/api/v2/workloads?limit=5`.
    public var target: String
    /// `target` up to `?`, not percent-decoded.
    public var path: String
    /// `target` after `?`, not decoded; empty when there is none.
    public var query: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Filled by `Router` from `{name}` segments of the matched pattern (percent-decoded).
    public var pathParameters: [String: String]
    /// `ip:port` of the peer, for logs.
    public var remoteAddress: String
    /// The value the server puts in `X-Request-Id` of the response.
    public var requestID: String

    public init(
        method: String,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        remoteAddress: String = "",
        requestID: String = ""
    ) {
        self.method = method
        self.target = target
        if let q = target.firstIndex(of: "?") {
            self.path = String(target[..<q])
            self.query = String(target[target.index(after: q)...])
        } else {
            self.path = target
            self.query = ""
        }
        self.version = version
        self.headers = headers
        self.body = body
        self.pathParameters = [:]
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }

    /// Query items in order, `+` and percent-escapes decoded. A key without `=` has value "".
    public var queryItems: [(name: String, value: String)] {
        guard !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (
                    name: PercentDecoding.decode(pair[..<eq], plusIsSpace: true),
                    value: PercentDecoding.decode(pair[pair.index(after: eq)...], plusIsSpace: true)
                )
            }
            return (name: PercentDecoding.decode(pair, plusIsSpace: true), value: "")
        }
    }
}

public enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` when asked); invalid escapes are kept literally,
    /// invalid UTF-8 is repaired, so this never fails.
    public static func decode<S: StringProtocol>(_ text: S, plusIsSpace: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
                let hi = hexValue(bytes[bytes.startIndex]),
                let lo = hexValue(bytes[bytes.startIndex + 1])
            {
                out.append(hi << 4 | lo)
                bytes = bytes.dropFirst(2)
            } else if b == UInt8(ascii: "+"), plusIsSpace {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        case 97...102: return b - 87
        default: return nil
        }
    }
}
