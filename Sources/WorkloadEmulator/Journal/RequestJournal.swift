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

/// The sandbox's request journal: a ring buffer of the last `capacity` requests, so
/// its memory is bounded by `capacity × (bodyCap + headers)` whatever the traffic.
/// Kept outside the `World` on purpose: recording a request is not a change of state
/// (it must not wake persistence) and it must not contend with the world's lock.
public final class RequestJournal: Sendable {
    /// Request bodies beyond this are cut (the entry says so and keeps the full size).
    public static let bodyCap = 64 * 1024

    private struct Ring: Sendable {
        var slots: [JournalEntry?]
        var next = 0
        var count = 0
        var number: UInt64 = 0
    }

    public let capacity: Int
    private let ring: Mutex<Ring>

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        ring = Mutex(Ring(slots: []))
    }

    public func record(_ entry: JournalEntry) {
        guard capacity > 0 else { return }
        ring.withLock { r in
            var e = entry
            r.number += 1
            e.number = r.number
            if r.slots.count < capacity {
                r.slots.append(e)
            } else {
                r.slots[r.next] = e
            }
            r.next = (r.next + 1) % capacity
            r.count = min(r.count + 1, capacity)
        }
    }

    /// Oldest first.
    public func entries() -> [JournalEntry] {
        ring.withLock { r in
            if r.slots.count < capacity { return r.slots.compactMap { $0 } }
            return (r.slots[r.next...] + r.slots[..<r.next]).compactMap { $0 }
        }
    }

    public func clear() {
        ring.withLock { r in
            let number = r.number
            r = Ring(slots: [])
            // Numbers keep counting: a client polling with `after` never sees one twice.
            r.number = number
        }
    }
}
