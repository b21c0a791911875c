import JSON
import WorkloadEmulator

/// One operation of the document. `responses` are the operation's own;
/// `OpenAPIBuilder.add` adds the ones every operation of its kind can answer (401 with
/// a token, 400/422 with a body).
struct APIOperation {
    var method: String
    var path: String
    var id: String
    var summary: String
    var tag: String
    var authenticated = true
    var parameters: [JSONValue] = []
    /// The request body's schema; `bodyOptional` for action routes (no body = `{}`).
    var body: JSONValue?
    var bodyOptional = false
    /// The real API's name for the body's schema (`CreateWorkloadRequest`): the body is
    /// then a `$ref` to `components.schemas` under that name.
    var bodyName: String? = nil
    var responses: [(String, JSONValue)]
    var description: String?
}
