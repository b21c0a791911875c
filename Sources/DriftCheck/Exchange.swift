import JSON

/// One recorded request and its answer: a line of a recording. Bodies are kept as text
/// (what went over the wire, credentials removed) so a recording can be read by eye.
public struct Exchange: Sendable, Equatable {
    public var method: String
    public var path: String
    public var query: String
    public var requestContentType: String?
    public var requestBody: String
    public var status: Int
    /// Only the headers a client acts on (`Exchange.keptResponseHeaders`), lower-case names.
    public var responseHeaders: [String: String]
    public var responseBody: String
    public var upstreamMs: Int64
    /// Who sent it: `user-1`, `user-2`… in order of each credential's first appearance, nil
    /// without one. Never the credential, nor anything derived from it.
    public var user: String? = nil

    public init(
        method: String, path: String, query: String, requestContentType: String?, requestBody: String, status: Int,
        responseHeaders: [String: String], responseBody: String, upstreamMs: Int64
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.requestContentType = requestContentType
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.upstreamMs = upstreamMs
    }

    public static let keptResponseHeaders = ["content-type", "location", "retry-after", "etag"]

    public var json: JSONValue {
        var headers = JSONObject()
        for name in responseHeaders.keys.sorted() { headers.append(name, .string(responseHeaders[name]!)) }
        var fields: [(String, JSONValue)] = []
        if let user { fields.append(("user", .string(user))) }
        return .object(
            JSONObject(
                fields + [
                    ("method", .string(method)), ("path", .string(path)), ("query", .string(query)),
                    ("requestContentType", .optional(requestContentType)), ("requestBody", .string(requestBody)),
                    ("status", .int(Int64(status))), ("responseHeaders", .object(headers)),
                    ("responseBody", .string(responseBody)), ("upstreamMs", .int(upstreamMs)),
                ]))
    }

    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(json value: JSONValue) throws(ReadError) {
        guard let method = value["method"]?.stringValue, let path = value["path"]?.stringValue,
            let status = value["status"]?.exactInt, (100...599).contains(status)
        else { throw ReadError(description: "not a recorded exchange (method, path and status are required)") }
        var headers: [String: String] = [:]
        for (name, v) in value["responseHeaders"]?.objectValue ?? JSONObject() {
            if let s = v.stringValue { headers[name.lowercased()] = s }
        }
        self.init(
            method: method, path: path, query: value["query"]?.stringValue ?? "",
            requestContentType: value["requestContentType"]?.stringValue,
            requestBody: value["requestBody"]?.stringValue ?? "", status: status, responseHeaders: headers,
            responseBody: value["responseBody"]?.stringValue ?? "",
            upstreamMs: value["upstreamMs"]?.intValue ?? 0)
        if let user = value["user"], !user.isNull {
            guard let label = user.stringValue, !label.isEmpty, label.utf8.count <= 64 else {
                throw ReadError(description: "`user` must be a label such as \"user-1\"")
            }
            self.user = label
        }
    }

    /// Every exchange of a recording, in order; a blank line is skipped, anything else
    /// that is not an exchange is an error naming its line.
    public static func read(_ bytes: [UInt8], file: String) throws(ReadError) -> [Exchange] {
        var out: [Exchange] = []
        var number = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            do {
                out.append(try Exchange(json: try JSONParser.parse(Array(line))))
            } catch let error as ReadError {
                throw ReadError(description: "\(file):\(number): \(error.description)")
            } catch {
                throw ReadError(description: "\(file):\(number): not JSON (\(error))")
            }
        }
        return out
    }
}
