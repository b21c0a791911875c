import JSON

/// A rolling replacement of a workload's proton: a candidate proton comes
/// up on the new artifact and runtime, traffic switches to it, the old proton drains.
public struct Replacement: Sendable {
    public enum Status: String, Sendable, CaseIterable {
        case submitted, initializing, switching
        case cleaningUp = "cleaning_up"
        case completed, errored, cancelled

        /// Blocks another replacement, a settings change and a promote (409 / 422).
        public var inFlight: Bool {
            switch self {
            case .submitted, .initializing, .switching, .cleaningUp: return true
            default: return false
            }
        }
    }

    public var id: String
    public var status: Status
    public var strategy: String = "rolling"
    /// `settings` for a PATCH /settings, `artifact` for a POST /replacement.
    public var trigger: String
    public var fromArtifactId: String
    public var toArtifactId: String
    public var fromRuntime: JSONValue
    public var toRuntime: JSONValue
    public var warmupMinutes: Int
    public var keepMinutes: Int
    public var oldProtonId: String?
    public var candidateProtonId: String?
    public var actorId: String
    public var createdAt: Int64
    public var updatedAt: Int64
    public var completedAt: Int64?
    public var failureMessage: String?
    /// The next scheduled step; the scheduler's entry carries this token.
    public var token: UInt64 = 0
    public var pendingAt: Int64?
}
