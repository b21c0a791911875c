/// What the check says about one response.
public struct CheckResult: Sendable {
    public let operation: Contract.Operation
    public let status: Int
    public let mismatches: [Mismatch]
    /// The difference row that admitted the status or operation, if any.
    public let difference: String?
}
