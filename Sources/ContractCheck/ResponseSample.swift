/// One response as the emulator sent it (a line of a recording).
public struct ResponseSample: Sendable {
    public var method: String
    public var path: String
    public var query: String
    public var status: Int
    public var contentType: String?
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", status: Int, contentType: String?, body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}
