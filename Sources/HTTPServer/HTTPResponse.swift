/// What a handler answers. The server adds `Date`, `Content-Length`, `X-Request-Id`
/// and `Connection`, and compresses with gzip when the client allows it.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Close the connection without writing a byte (the fault API's `drop`).
    public var dropConnection: Bool
    /// Close the connection after writing this response.
    public var closeConnection: Bool

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.dropConnection = false
        self.closeConnection = false
    }

    /// `Content-Type: application/json` exactly: the official Python client compares it literally.
    public static func json(_ status: Int, _ body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h.set("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: h, body: body)
    }

    public static func json(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        json(status, Array(body.utf8), headers: headers)
    }

    public static var drop: HTTPResponse {
        var r = HTTPResponse(status: 0)
        r.dropConnection = true
        return r
    }
}

/// Hands a handler's answer back to the connection. It may be called on any thread,
/// now or later (delayed faults, upstream forwarding); only the first call counts.
public struct HTTPResponder: Sendable {
    private let deliver: @Sendable (HTTPResponse) -> Void
    public init(_ deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.deliver = deliver
    }
    public func respond(_ response: HTTPResponse) { deliver(response) }
}

/// The one entry point the server calls for every complete request.
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void

/// Reason phrases for the status line; the exact phrase is not significant (RFC 9112 §4).
public enum HTTPStatus {
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}
