/// Workload and proton states. Protons also use the last three.
public enum WorkloadStatus: String, Sendable, CaseIterable, Comparable {
    case unknown, submitted, provisioning, launching, running, stopping, stopped, errored, terminated
    case initializing, warming, draining

    public static let workloadStatuses: [WorkloadStatus] = [
        .unknown, .submitted, .provisioning, .launching, .running, .stopping, .stopped, .errored, .terminated,
    ]

    public static func < (a: WorkloadStatus, b: WorkloadStatus) -> Bool { a.rawValue < b.rawValue }

    /// Starting or running: a start is a no-op (200).
    public var isStartingOrRunning: Bool {
        switch self {
        case .submitted, .provisioning, .launching, .running, .initializing, .warming: return true
        default: return false
        }
    }

    /// Counts against `maxConcurrentWorkloads`.
    public var isActive: Bool { isStartingOrRunning || self == .stopping }

    /// The next state on the way up or down, and how long the current one lasts.
    public func successor(in profile: LifecycleProfile) -> (next: WorkloadStatus, after: Int64)? {
        switch self {
        case .submitted: return (.provisioning, profile.submitted)
        case .provisioning: return (.launching, profile.provisioning)
        case .launching: return (.running, profile.launching)
        case .stopping: return (.stopped, profile.stopping)
        default: return nil
        }
    }
}
