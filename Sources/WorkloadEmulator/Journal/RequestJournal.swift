import JSON
import Synchronization

/// One request as the journal keeps it (`/__emulator/requests`).
public struct JournalEntry: Sendable {
    public var number: UInt64
    /// Sandbox clock time when the request arrived.
    public var at: Int64
    public var method: String
    /// Without the `/sandboxes/NAME` prefix: what routes and fault rules match.
    public var path: String
    public var query: String
    public var headers: [(name: String, value: String)]
    /// At most `RequestJournal.bodyCap` bytes of it.
    public var body: [UInt8]
    public var bodySize: Int
    /// 0 when the connection was dropped without an answer.
    public var status: Int
    /// The fault rule that answered, delayed or dropped it.
    public var injectedRule: String?
    public var injectedAction: String?
    public var durationMicros: Int64

    public init(
        number: UInt64 = 0, at: Int64, method: String, path: String, query: String,
        headers: [(name: String, value: String)], body: [UInt8], status: Int, injectedRule: String?,
        injectedAction: String?, durationMicros: Int64
    ) {
        self.number = number
        self.at = at
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.bodySize = body.count
        self.body = body.count > RequestJournal.bodyCap ? Array(body.prefix(RequestJournal.bodyCap)) : body
        self.status = status
        self.injectedRule = injectedRule
        self.injectedAction = injectedAction
        self.durationMicros = durationMicros
    }

    public var json: JSONValue {
        var o = JSONObject()
        o.append("id", .int(Int64(number)))
        o.append("timestamp", .string(Timestamp.format(at)))
        o.append("method", .string(method))
        o.append("path", .string(path))
        o.append("query", .string(query))
        o.append("headers", .object(JSONObject(headers.map { ($0.name, .string($0.value)) })))
        // A JSON body is shown as JSON; anything else as text.
        if body.isEmpty {
            o.append("body", .null)
        } else if bodySize == body.count, let v = try? JSONParser.parse(body) {
            o.append("body", v)
        } else {
            o.append("body", .string(String(decoding: body, as: UTF8.self)))
        }
        o.append("bodySize", .int(Int64(bodySize)))
        o.append("bodyTruncated", .bool(bodySize > body.count))
        o.append("status", status == 0 ? .null : .int(Int64(status)))
        o.append("dropped", .bool(status == 0))
        o.append("injected", .optional(injectedRule))
        o.append("injectedAction", .optional(injectedAction))
        o.append("durationMs", .double(Double(durationMicros) / 1000))
        return .object(o)
    }
}

/// The sandbox's request journal: the last `capacity` requests, and within the shared
/// `JournalBudget` (bytes across all sandboxes), so its memory is bounded whatever the
/// traffic. Kept outside the `World` on purpose: recording a request is not a change
/// of state (it must not wake persistence) and it must not contend with the world's lock.
public final class RequestJournal: Sendable {
    /// Request bodies beyond this are cut (the entry says so and keeps the full size).
    public static let bodyCap = 64 * 1024

    /// Live entries are `items[start...]`, oldest first; dropping the oldest moves
    /// `start`, and the dead prefix is cut once it is half the array.
    private struct Log: Sendable {
        var items: [(stamp: UInt64, entry: JournalEntry)] = []
        var start = 0
        var number: UInt64 = 0

        var count: Int { items.count - start }

        mutating func dropOldest() -> UInt64 {
            let stamp = items[start].stamp
            start += 1
            if start > 64 && start * 2 > items.count {
                items.removeFirst(start)
                start = 0
            }
            return stamp
        }
    }

    public let capacity: Int
    private let budget: JournalBudget?
    private let log: Mutex<Log>

    public init(capacity: Int, budget: JournalBudget? = nil) {
        self.capacity = max(0, capacity)
        self.budget = budget
        log = Mutex(Log())
    }

    /// What an entry costs the budget: its bytes plus a fixed overhead for the rest.
    static func cost(_ e: JournalEntry) -> Int {
        var n = 256 + e.body.count + e.method.utf8.count + e.path.utf8.count + e.query.utf8.count
        for h in e.headers { n += h.name.utf8.count + h.value.utf8.count + 32 }
        return n
    }

    public func record(_ entry: JournalEntry) {
        guard capacity > 0 else { return }
        let (stamp, dropped): (UInt64, [UInt64]) = log.withLock { l in
            let stamp = budget?.newStamp() ?? 0
            var e = entry
            l.number += 1
            e.number = l.number
            l.items.append((stamp, e))
            var dropped: [UInt64] = []
            while l.count > capacity { dropped.append(l.dropOldest()) }
            return (stamp, dropped)
        }
        guard let budget else { return }
        budget.forget(dropped)
        for (journal, oldest) in budget.admit(stamp: stamp, bytes: Self.cost(entry), journal: self) {
            journal.drop(stamp: oldest)
        }
    }

    /// The budget's eviction: the entry is this journal's oldest unless the journal
    /// already dropped it (then nothing is left to do).
    func drop(stamp: UInt64) {
        log.withLock { l in
            while l.count > 0, l.items[l.start].stamp <= stamp { _ = l.dropOldest() }
        }
    }

    /// Oldest first.
    public func entries() -> [JournalEntry] {
        log.withLock { l in l.items[l.start...].map(\.entry) }
    }

    public func clear() {
        let stamps: [UInt64] = log.withLock { l in
            let stamps = l.items[l.start...].map(\.stamp)
            // Numbers keep counting: a client polling with `after` never sees one twice.
            l = Log(items: [], start: 0, number: l.number)
            return stamps
        }
        budget?.forget(stamps)
    }
}
