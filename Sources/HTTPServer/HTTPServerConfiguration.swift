/// Limits and behaviour of the engine. Defaults are the documented ones.
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
    /// Request bodies all connections may hold at once; past it a new large body gets 503.
    public var maxBufferedBodyBytes: Int = 256 * 1024 * 1024
    /// Response bytes a connection may have waiting for its client before it stops
    /// reading and parsing requests (backpressure).
    public var maxQueuedResponseBytes: Int = 1 << 20
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
