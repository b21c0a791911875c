import HTTPServer
import WorkloadEmulator

/// A response that ends a handler early (bad body, validation errors).
struct ResponseError: Error {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}

extension Result where Failure == ResponseError {
    /// `switch`-free unwrapping for handlers: `guard let body = r.value else { return r.failure! }`.
    var value: Success? {
        if case let .success(v) = self { return v }
        return nil
    }
    var failure: HTTPResponse? {
        if case let .failure(r) = self { return r.response }
        return nil
    }
}
