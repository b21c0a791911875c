import JSON

/// A rule of the fault API. The domain actions (`protonStopFailure`,
/// `launchFailure`, `replacementFailure`, `hold`) are applied by the world; the
/// request-level ones (`respond`, `delay`, `drop`) by the API layer before routing.
public struct FaultRule: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case respond, delay, drop, protonStopFailure, launchFailure, replacementFailure, hold
        public var isDomainAction: Bool {
            switch self {
            case .protonStopFailure, .launchFailure, .replacementFailure, .hold: return true
            default: return false
            }
        }
    }

    public struct Match: Sendable, Equatable {
        public var method: String?
        /// `*` matches any run of characters (including `/`).
        public var path: String?
        public var workloadId: String?
        public init(method: String? = nil, path: String? = nil, workloadId: String? = nil) {
            self.method = method
            self.path = path
            self.workloadId = workloadId
        }

        public func matches(method m: String?, path p: String?, workloadId w: String?) -> Bool {
            if let method, let m, method.uppercased() != m.uppercased() { return false }
            if let path, let p, !Glob.matches(pattern: path, p) { return false }
            if let workloadId, workloadId != w { return false }
            return true
        }
    }

    /// The states a hold rule can stop in: those a workload leaves by itself.
    public static let holdStates: [WorkloadStatus] = [.submitted, .provisioning, .launching, .stopping]

    public var id: String
    public var match: Match
    public var action: Action
    public var status: Int?
    public var body: JSONValue?
    public var headers: [(name: String, value: String)]
    public var delayMs: Int?
    public var state: WorkloadStatus?
    public var message: String?
    public var times: Int?
    public var probability: Double?
    public var fired: Int
    public var createdAt: Int64

    public init(
        id: String = "", match: Match = Match(), action: Action, status: Int? = nil, body: JSONValue? = nil,
        headers: [(name: String, value: String)] = [], delayMs: Int? = nil, state: WorkloadStatus? = nil,
        message: String? = nil, times: Int? = nil, probability: Double? = nil
    ) {
        self.id = id
        self.match = match
        self.action = action
        self.status = status
        self.body = body
        self.headers = headers
        self.delayMs = delayMs
        self.state = state
        self.message = message
        self.times = times
        self.probability = probability
        self.fired = 0
        self.createdAt = 0
    }

    public var exhausted: Bool { times.map { fired >= $0 } ?? false }
}
