import JSON

/// Phase durations in milliseconds.
public struct LifecycleProfile: Sendable, Equatable {
    public var name: String
    public var submitted: Int64
    public var provisioning: Int64
    public var launching: Int64
    public var stopping: Int64
    public var candidateWarmup: Int64
    public var draining: Int64
    /// An artifact build from PENDING to COMPLETED: an eighth pending, six eighths in
    /// progress, an eighth built.
    public var build: Int64 = 4000

    public static let realistic = LifecycleProfile(
        name: "realistic", submitted: 500, provisioning: 1500, launching: 1000, stopping: 1000,
        candidateWarmup: 2000, draining: 1000, build: 4000)
    public static let instant = LifecycleProfile(
        name: "instant", submitted: 0, provisioning: 0, launching: 0, stopping: 0, candidateWarmup: 0, draining: 0,
        build: 0)

    public static let keys = [
        "submitted", "provisioning", "launching", "stopping", "candidateWarmup", "draining", "build",
    ]

    public init(
        name: String, submitted: Int64, provisioning: Int64, launching: Int64, stopping: Int64,
        candidateWarmup: Int64, draining: Int64, build: Int64 = 4000
    ) {
        self.build = build
        self.name = name
        self.submitted = submitted
        self.provisioning = provisioning
        self.launching = launching
        self.stopping = stopping
        self.candidateWarmup = candidateWarmup
        self.draining = draining
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var field: String
        public var reason: String
        public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
    }

    /// `{"submitted":0.5,"provisioning":1.5,…}` in seconds. Missing keys keep the
    /// `realistic` value; unknown keys and negative or non-numeric values are errors.
    public static func fromJSON(_ value: JSONValue, name: String = "custom") throws(ParseError) -> LifecycleProfile {
        guard let object = value.objectValue else { throw ParseError(field: "", reason: "expected a JSON object") }
        var p = LifecycleProfile.realistic
        p.name = name
        for (key, v) in object {
            if key == "name" { continue }
            guard let seconds = v.numberValue else {
                throw ParseError(field: key, reason: "expected a number of seconds")
            }
            guard seconds >= 0, seconds <= 1e9 else {
                throw ParseError(field: key, reason: "must be between 0 and 1e9")
            }
            let ms = Int64((seconds * 1000).rounded())
            switch key {
            case "submitted": p.submitted = ms
            case "provisioning": p.provisioning = ms
            case "launching": p.launching = ms
            case "stopping": p.stopping = ms
            case "candidateWarmup", "warmup": p.candidateWarmup = ms
            case "draining": p.draining = ms
            case "build": p.build = ms
            default:
                throw ParseError(field: key, reason: "unknown phase (expected one of \(keys.joined(separator: ", ")))")
            }
        }
        return p
    }

    public static func named(_ name: String) -> LifecycleProfile? {
        switch name {
        case "realistic": return .realistic
        case "instant": return .instant
        default: return nil
        }
    }

    public var json: JSONValue {
        func s(_ ms: Int64) -> JSONValue { .double(Double(ms) / 1000) }
        return [
            "name": .string(name), "submitted": s(submitted), "provisioning": s(provisioning),
            "launching": s(launching), "stopping": s(stopping), "candidateWarmup": s(candidateWarmup),
            "draining": s(draining), "build": s(build),
        ]
    }
}
