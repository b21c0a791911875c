import JSON

/// One entry of `GET /workloads/{id}/events`. Kept compact (100,000 workloads must fit
/// in memory); the Kubernetes-style `type`, `reason` and `message` are derived.
public struct WorkloadEvent: Sendable {
    public enum Kind: String, Sendable {
        case created, statusChanged, started, stopped, updated, promoted, launchFailed, held, released
        case settingsChanged, replacementStarted, replacementStatusChanged, replacementCompleted, replacementFailed
        case replacementCancelled, candidateStatusChanged, trafficSwitched, statsReset, sharingChanged
    }
    /// The sandbox-wide event number; the 24-hex id is derived from it when rendered
    /// (`World.eventId`), which saves a heap string per event.
    public var number: UInt64
    public var workloadId: String
    public var kind: Kind
    public var at: Int64
    public var actorId: String?
    public var from: WorkloadStatus?
    public var to: WorkloadStatus?
    public var message: String?
    /// The replacement's status after a replacement step.
    public var replacementStatus: Replacement.Status?

    public var isWarning: Bool { kind == .launchFailed || kind == .replacementFailed || to == .errored }

    public var reason: String {
        switch kind {
        case .created: return "Created"
        case .started: return "Started"
        case .stopped: return "Stopping"
        case .updated: return "Updated"
        case .promoted: return "Promoted"
        case .launchFailed: return "LaunchFailed"
        case .held: return "Held"
        case .released: return "Released"
        case .settingsChanged: return "SettingsChanged"
        case .replacementStarted: return "ReplacementStarted"
        case .replacementStatusChanged: return "ReplacementProgressing"
        case .replacementCompleted: return "ReplacementCompleted"
        case .replacementFailed: return "ReplacementFailed"
        case .replacementCancelled: return "ReplacementCancelled"
        case .candidateStatusChanged: return "CandidateStatusChanged"
        case .trafficSwitched: return "TrafficSwitched"
        case .statsReset: return "StatsReset"
        case .sharingChanged: return "SharingChanged"
        case .statusChanged:
            switch to {
            case .provisioning: return "Scheduled"
            case .launching: return "Pulling"
            case .running: return "Running"
            case .stopping: return "Killing"
            case .stopped: return "Stopped"
            case .errored: return "Failed"
            case .submitted: return "Submitted"
            default: return "StatusChanged"
            }
        }
    }

    public var text: String {
        if let message { return message }
        switch kind {
        case .created: return "Workload created"
        case .started: return "Workload start requested"
        case .stopped: return "Workload stop requested"
        case .updated: return "Workload metadata updated"
        case .promoted: return "Workload promoted: artifact locked, TTL removed"
        case .statusChanged:
            return "Status changed from \(from?.rawValue ?? "none") to \(to?.rawValue ?? "none")"
        default: return kind.rawValue
        }
    }

    public func json(id: String) -> JSONValue {
        var details = JSONObject()
        if let from { details.append("from", .string(from.rawValue)) }
        if let to { details.append("to", .string(to.rawValue)) }
        if let message { details.append("message", .string(message)) }
        if let replacementStatus { details.append("replacementStatus", .string(replacementStatus.rawValue)) }
        return [
            "id": .string(id), "workloadId": .string(workloadId), "eventType": .string(kind.rawValue),
            "timestamp": .string(Timestamp.format(at)), "actorId": .optional(actorId), "details": .object(details),
            "type": .string(isWarning ? "Warning" : "Normal"), "reason": .string(reason), "message": .string(text),
        ]
    }
}
