import HTTPServer

/// The invoke forwarder's blocking client, opened to the drift check (`record` and
/// `replay`), so that one HTTP/1.1 client serves every outgoing request.
public struct ForwardingClient: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public let timedOut: Bool
    }

    private let target: UpstreamClient.Target
    public var host: String { target.host }
    public var port: Int { target.port }
    public var basePath: String { target.basePath }

    /// `http://host[:port][/base]`; nil for anything else.
    public init?(url: String) {
        guard let target = UpstreamClient.parse(url) else { return nil }
        self.target = target
    }

    /// One request on its own connection; `path` is appended to the URL's base path.
    public func send(
        method: String, path: String, headers: HTTPHeaders, body: [UInt8], timeoutSeconds: Double = 30
    ) throws(Failure) -> HTTPResponse {
        do throws(UpstreamClient.Failure) {
            return try UpstreamClient.send(
                target, method: method, path: path, headers: headers, body: body, timeoutSeconds: timeoutSeconds)
        } catch {
            throw Failure(description: error.description, timedOut: error.timedOut)
        }
    }

    public static func monotonicSeconds() -> Double { UpstreamClient.monotonicSeconds() }
}

/// Jobs run one at a time, in the order submitted, off the event loops.
public final class SerialWorker: Sendable {
    private let pool = WorkerPool(maxThreads: 1, maxWaiting: nil)
    public init() {}
    public func submit(_ job: @escaping @Sendable () -> Void) { _ = pool.submit(job) }
}
