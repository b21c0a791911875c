/// One answered request, as the server hands it to `HTTPServerConfiguration.requestLog`.
public struct HTTPRequestLogEntry: Sendable {
    /// Empty (as is `target`) for a request refused before its head was complete (400, 408, 414, 431…).
    public var method: String
    public var target: String
    /// 0 when the handler dropped the connection without an answer (`HTTPResponse.drop`).
    public var status: Int
    /// Bytes of head and body as written (the body compressed if it was).
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
