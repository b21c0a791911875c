/// One place where a body differs from its schema.
public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
    /// `$.data[0].spec.type`
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
