import JSON

/// One thing the scheduler did, as `POST /__emulator/clock/advance` reports it.
public struct FiredAction: Sendable, Equatable {
    public var at: Int64
    public var kind: String
    public var workloadId: String
    public var from: WorkloadStatus?
    public var to: WorkloadStatus?

    public var json: JSONValue {
        var o = JSONObject()
        o.append("at", .string(Timestamp.format(at)))
        o.append("kind", .string(kind))
        o.append("workloadId", .string(workloadId))
        if let from { o.append("from", .string(from.rawValue)) }
        if let to { o.append("to", .string(to.rawValue)) }
        return .object(o)
    }
}
