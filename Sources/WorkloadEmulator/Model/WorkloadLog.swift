/// One line of the emulated containers' output, `GET /api/v2/otel/workload/{id}/logs/`.
public struct WorkloadLogLine: Sendable, Equatable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug = 10, info = 20, warning = 30, error = 40, critical = 50

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var name: String {
            switch self {
            case .debug: return "debug"
            case .info: return "info"
            case .warning: return "warning"
            case .error: return "error"
            case .critical: return "critical"
            }
        }

        /// The names clients send; `warn` is DataRobot's CLI's alias of `warning`.
        public init?(name: String) {
            switch name.lowercased() {
            case "debug": self = .debug
            case "info": self = .info
            case "warn", "warning": self = .warning
            case "error": self = .error
            case "critical", "fatal": self = .critical
            default: return nil
            }
        }
    }

    /// An invoke's access line: also what traces are derived from.
    public struct Access: Sendable, Equatable {
        public var method: String
        public var path: String
        public var status: Int
        public var latencyMs: Double
        /// Sandbox time the request arrived (the line is written when it finishes).
        public var startedAt: Int64
    }

    /// Per workload, from 1: the order lines were written in (several share a millisecond).
    public var number: UInt64
    public var at: Int64
    public var level: Level
    public var message: String
    public var protonId: String?
    public var access: Access?
}

/// A workload's log: the newest `capacity` lines in a ring, oldest dropped first. It is
/// kept inside the workload, so it goes when the workload is deleted or expires.
public struct WorkloadLog: Sendable {
    public static let capacity = 10_000

    private var storage: [WorkloadLogLine] = []
    /// Index in `storage` of the oldest line once the ring is full.
    private var head = 0
    public private(set) var written: UInt64 = 0

    public init() {}

    public var count: Int { storage.count }
    public var dropped: UInt64 { written - UInt64(storage.count) }

    /// The i-th oldest line kept.
    public subscript(i: Int) -> WorkloadLogLine { storage[(head + i) % storage.count] }

    public mutating func append(
        at: Int64, level: WorkloadLogLine.Level, _ message: String, protonId: String?,
        access: WorkloadLogLine.Access? = nil
    ) {
        written &+= 1
        let line = WorkloadLogLine(
            number: written, at: at, level: level, message: message, protonId: protonId, access: access)
        if storage.count < WorkloadLog.capacity {
            storage.append(line)
        } else {
            storage[head] = line
            head = (head + 1) % storage.count
        }
    }

    /// A log as saved (World+Snapshot): `lines` oldest first with increasing numbers, at
    /// most `capacity` of them, none numbered above `written`. The caller checks that.
    init(restoring lines: [WorkloadLogLine], written: UInt64) {
        storage = lines
        self.written = written
    }

    /// The lines of a log made by `init(restoring:written:)`, oldest first (its ring
    /// has not turned yet).
    var savedLines: [WorkloadLogLine] { storage }

    /// Appends a line as a state log record saved it, number and all (replay).
    mutating func restore(_ line: WorkloadLogLine) {
        written = line.number
        if storage.count < WorkloadLog.capacity {
            storage.append(line)
        } else {
            storage[head] = line
            head = (head + 1) % storage.count
        }
    }

    /// What a log page is asked for. `level` is a minimum; `includes` must all occur in the
    /// message and `excludes` none (case-sensitive); `attributes` are `searchKeys` /
    /// `searchValues` pairs, each of which must match.
    public struct Query: Sendable {
        public var level: WorkloadLogLine.Level?
        public var from: Int64?
        public var to: Int64?
        public var includes: [String] = []
        public var excludes: [String] = []
        public var attributes: [(key: String, value: String)] = []
        public var traceId: String?
        public var spanId: String?
        public var offset = 0
        public var limit = 100
        public init() {}

        var filters: Bool {
            level != nil || !includes.isEmpty || !excludes.isEmpty || !attributes.isEmpty || traceId != nil
                || spanId != nil
        }
    }

    /// Newest first. `traceId(line)` renders a line's trace id for the trace filters.
    public func page(
        _ q: Query, traceId: (WorkloadLogLine) -> String?, spanId: (WorkloadLogLine) -> String?
    )
        -> (lines: [WorkloadLogLine], total: Int)
    {
        // Lines are written in time order: the window is a range found by bisection.
        let lower = q.from.map { t in firstIndex { $0.at >= t } } ?? 0
        let upper = q.to.map { t in firstIndex { $0.at > t } } ?? count
        guard lower < upper else { return ([], 0) }
        let offset = max(0, q.offset)
        let limit = max(0, q.limit)
        if !q.filters {
            let total = upper - lower
            var out: [WorkloadLogLine] = []
            var i = upper - 1 - min(offset, total)
            while i >= lower, out.count < limit {
                out.append(self[i])
                i -= 1
            }
            return (out, total)
        }
        var total = 0
        var out: [WorkloadLogLine] = []
        var i = upper - 1
        while i >= lower {
            let line = self[i]
            if matches(line, q, traceId, spanId) {
                if total >= offset, out.count < limit { out.append(line) }
                total += 1
            }
            i -= 1
        }
        return (out, total)
    }

    private func matches(
        _ line: WorkloadLogLine, _ q: Query, _ traceId: (WorkloadLogLine) -> String?,
        _ spanId: (WorkloadLogLine) -> String?
    ) -> Bool {
        if let level = q.level, line.level < level { return false }
        for s in q.includes where !ByteNeedle.found(s, in: line.message) { return false }
        for s in q.excludes where ByteNeedle.found(s, in: line.message) { return false }
        if let t = q.traceId, traceId(line) != t { return false }
        if let s = q.spanId, spanId(line) != s { return false }
        for (key, value) in q.attributes where WorkloadLog.attribute(key, of: line, traceId, spanId) != value {
            return false
        }
        return true
    }

    /// The attributes `searchKeys` can name.
    static func attribute(
        _ key: String, of line: WorkloadLogLine, _ traceId: (WorkloadLogLine) -> String?,
        _ spanId: (WorkloadLogLine) -> String?
    ) -> String? {
        switch key {
        case "level": return line.level.name
        case "message": return line.message
        case "proton_id", "protonId": return line.protonId
        case "trace_id", "traceId": return traceId(line)
        case "span_id", "spanId": return spanId(line)
        case "http.method": return line.access?.method
        case "http.route", "http.target", "url.path": return line.access?.path
        case "http.status_code": return line.access.map { String($0.status) }
        default: return nil
        }
    }

    /// The first index whose line satisfies `p`, for a `p` false-then-true over time.
    private func firstIndex(_ p: (WorkloadLogLine) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if p(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// Oldest first: the access lines, for traces.
    public var accessLines: [WorkloadLogLine] {
        var out: [WorkloadLogLine] = []
        for i in 0..<count where self[i].access != nil { out.append(self[i]) }
        return out
    }
}

/// Case-sensitive substring search over UTF-8 bytes: the standard library's
/// `String.contains` compares grapheme clusters, about 100 times slower on a full log.
enum ByteNeedle {
    static func found(_ needle: String, in text: String) -> Bool {
        var needle = needle
        var text = text
        return needle.withUTF8 { n in
            text.withUTF8 { h in
                guard let first = n.first else { return true }
                guard h.count >= n.count else { return false }
                var i = 0
                let last = h.count - n.count
                while i <= last {
                    if h[i] == first {
                        var j = 1
                        while j < n.count, h[i + j] == n[j] { j += 1 }
                        if j == n.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }
}
