import JSON

#if canImport(Glibc)
import Glibc
#endif

/// The real API's published structure (`contract/workload-api-11.5.json`): its
/// operations, their documented statuses and the schemas of their bodies.
public struct Contract: Sendable {
    public let document: JSONValue
    public let operations: [Operation]

    /// One method on one path of the document, e.g. `GET /workloads/{workload_id}`.
    public struct Operation: Sendable {
        public let id: String
        public let method: String
        /// The path as the document writes it, relative to `/api/v2`.
        public let path: String
        /// Status code → media type → schema (`.null` where the document gives none).
        /// An empty media-type map means the status is documented without a body shape.
        public let responses: [Int: [String: JSONValue]]

        public var successStatuses: [Int] { responses.keys.filter { (200..<300).contains($0) }.sorted() }
        public var clientErrorStatuses: [Int] { responses.keys.filter { (400..<500).contains($0) }.sorted() }

        public init(id: String, method: String, path: String, responses: [Int: [String: JSONValue]]) {
            self.id = id
            self.method = method
            self.path = path
            self.responses = responses
        }
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(document: JSONValue) throws(LoadError) {
        guard let paths = document["paths"]?.objectValue else { throw LoadError(description: "contract: no paths") }
        var operations: [Operation] = []
        for (path, item) in paths {
            guard let item = item.objectValue else { continue }
            for (method, op) in item where Contract.methods.contains(method) {
                guard let id = op["operationId"]?.stringValue else {
                    throw LoadError(description: "contract: \(method) \(path) has no operationId")
                }
                var responses: [Int: [String: JSONValue]] = [:]
                for (code, response) in op["responses"]?.objectValue ?? JSONObject() {
                    guard let status = Int(code) else { continue }
                    var media: [String: JSONValue] = [:]
                    for (type, content) in response["content"]?.objectValue ?? JSONObject() {
                        media[type] = content["schema"] ?? .null
                    }
                    responses[status] = media
                }
                operations.append(Operation(id: id, method: method.uppercased(), path: path, responses: responses))
            }
        }
        self.document = document
        self.operations = operations.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// Reads and parses the file; a missing or malformed file is an error naming it.
    public static func load(path: String) throws(LoadError) -> Contract {
        guard let bytes = readFile(path) else { throw LoadError(description: "contract: cannot read \(path)") }
        do {
            return try Contract(document: try JSONParser.parse(bytes))
        } catch let error as JSONParser.Error {
            throw LoadError(description: "contract: \(path): \(error.description)")
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError(description: "contract: \(path): \(error)")
        }
    }

    /// References the document makes but does not define, and the schema each one means.
    /// The real document's generator wrote pydantic's internal name for `RelatedItem.type`;
    /// the only schema of that name is `ResourceTypes`.
    public static let danglingReferences: [String: String] = [
        "#/components/schemas/workload_api__schemas__permissions__entities__ResourceTypes-Input__1":
            "#/components/schemas/ResourceTypes"
    ]

    /// `#/components/schemas/Name` → the schema; nil for anything else.
    public func resolve(_ ref: String) -> JSONValue? {
        if let meant = Contract.danglingReferences[ref] { return resolve(meant) }
        guard ref.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for part in ref.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = String(part).replacingEscapes()
            node = node?[key]
        }
        return node
    }

    public func schema(named name: String) -> JSONValue? { document["components"]?["schemas"]?[name] }

    static let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
        return ferror(file) == 0 ? bytes : nil
    }
}

extension String {
    /// JSON Pointer unescaping (RFC 6901): `~1` is `/`, `~0` is `~`.
    fileprivate func replacingEscapes() -> String {
        guard contains("~") else { return self }
        var out = ""
        var it = makeIterator()
        while let c = it.next() {
            if c == "~", let n = it.next() {
                out.append(n == "1" ? "/" : n == "0" ? "~" : n)
            } else {
                out.append(c)
            }
        }
        return out
    }
}
