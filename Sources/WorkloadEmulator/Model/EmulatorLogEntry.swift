import JSON

/// The sandbox's own log (`/__emulator/events`): what the emulator did by itself.
public struct EmulatorLogEntry: Sendable {
    public var at: Int64
    public var kind: String
    public var workloadId: String?
    public var from: WorkloadStatus?
    public var to: WorkloadStatus?
    public var detail: String?

    public var json: JSONValue {
        var o = JSONObject()
        o.append("timestamp", .string(Timestamp.format(at)))
        o.append("kind", .string(kind))
        o.append("workloadId", .optional(workloadId))
        if let from { o.append("from", .string(from.rawValue)) }
        if let to { o.append("to", .string(to.rawValue)) }
        if let detail { o.append("detail", .string(detail)) }
        return .object(o)
    }
}
