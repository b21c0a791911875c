/// Limits and behaviour of the engine. Defaults are SPEC §12's.
public struct HTTPServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    /// 0 picks a free port; `HTTPServer.start()` returns the bound one.
    public var port: Int = 8080
    /// Event-loop threads; 0 = one per core.
    public var threads: Int = 0
    public var maxRequestLineBytes: Int = 8 * 1024
    public var maxHeaderBytes: Int = 64 * 1024
    public var maxHeaderCount: Int = 100
    public var maxBodyBytes: Int = 16 * 1024 * 1024
    /// A client that has not sent a whole head this long after starting one gets 408.
    public var headerTimeoutSeconds: Double = 10
    /// Idle keep-alive connections close after this long.
    public var idleTimeoutSeconds: Double = 75
    /// Bodies at least this large are gzipped when `Accept-Encoding` allows it.
    public var gzipMinimumBytes: Int = 1024
    /// Called once per answered request, off the hot path's critical section.
    public var requestLog: (@Sendable (HTTPRequestLogEntry) -> Void)? = nil

    public init() {}
}

public struct HTTPRequestLogEntry: Sendable {
    public var method: String
    public var target: String
    public var status: Int
    public var responseBytes: Int
    public var durationSeconds: Double
    public var remoteAddress: String
    public var requestID: String
    public var requestBody: [UInt8]
    public var responseBody: [UInt8]

    public init(
        method: String, target: String, status: Int, responseBytes: Int, durationSeconds: Double,
        remoteAddress: String, requestID: String, requestBody: [UInt8] = [], responseBody: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        self.status = status
        self.responseBytes = responseBytes
        self.durationSeconds = durationSeconds
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.requestBody = requestBody
        self.responseBody = responseBody
    }
}

public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    case addressInUse(host: String, port: Int)
    case invalidAddress(String)
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case let .addressInUse(host, port): return "address \(host):\(port) is already in use"
        case let .invalidAddress(host): return "cannot bind to '\(host)': not an IPv4 or IPv6 address"
        case let .system(call, errno): return "\(call) failed (errno \(errno))"
        }
    }
}
