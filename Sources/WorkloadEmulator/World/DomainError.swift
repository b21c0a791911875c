/// A refusal by the domain; the API layer turns each case into one status code with
/// a `{"detail": "..."}` body.
public enum DomainError: Error, Equatable, Sendable {
    case notFound(String)
    case conflict(String)
    case forbidden(String)
    case unprocessable(String)
    case badRequest(String)

    public var status: Int {
        switch self {
        case .notFound: return 404
        case .conflict: return 409
        case .forbidden: return 403
        case .unprocessable: return 422
        case .badRequest: return 400
        }
    }

    public var detail: String {
        switch self {
        case let .notFound(s), let .conflict(s), let .forbidden(s), let .unprocessable(s), let .badRequest(s): return s
        }
    }
}
