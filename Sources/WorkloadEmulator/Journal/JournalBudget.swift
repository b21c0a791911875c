import Synchronization

/// The bytes all request journals of a registry may hold together (`--journal-bytes`).
/// Each journal caps its own entry count; this caps their sum, so a thousand sandboxes
/// cannot hold a thousand full journals. Past the limit the oldest entries, whichever
/// sandbox they belong to, are dropped first.
///
/// Every recorded entry gets a stamp (increasing across journals) and a ticket here.
/// A journal that drops an entry itself (its own cap, a clear) returns the ticket; the
/// budget, when over its limit, takes the oldest live tickets and tells their journals
/// to drop those entries. Locks are never nested: a journal calls in here after
/// releasing its own lock, and the budget calls journals after releasing its own.
public final class JournalBudget: Sendable {
    public let limit: Int

    private struct Ticket: Sendable {
        let bytes: Int
        let journal: Weak
    }

    /// A journal reference that does not keep a deleted sandbox's journal alive.
    private struct Weak: @unchecked Sendable {
        // Safe: the reference is only read (to call the journal's own locked methods);
        // `weak` itself is thread-safe in Swift.
        weak var journal: RequestJournal?
    }

    private struct State: Sendable {
        var live: [UInt64: Ticket] = [:]
        /// Stamps in order; some may be dead (returned). Compacted when mostly dead.
        var order: [UInt64] = []
        var head = 0
        var total = 0
    }

    private let state = Mutex(State())

    public init(limit: Int) { self.limit = max(0, limit) }

    /// Bytes held by live entries of all journals.
    public var totalBytes: Int { state.withLock { $0.total } }

    private let stamps = Atomic<UInt64>(0)

    /// Lock-free, so a journal can take one inside its own lock (its entries are then
    /// in stamp order).
    func newStamp() -> UInt64 { stamps.add(1, ordering: .relaxed).newValue }

    /// Takes an entry on; returns the (journal, stamp) pairs to drop to stay in the limit.
    func admit(stamp: UInt64, bytes: Int, journal: RequestJournal) -> [(RequestJournal, UInt64)] {
        state.withLock { s in
            s.live[stamp] = Ticket(bytes: bytes, journal: Weak(journal: journal))
            s.order.append(stamp)
            s.total += bytes
            var evict: [(RequestJournal, UInt64)] = []
            while s.total > limit, s.head < s.order.count {
                let oldest = s.order[s.head]
                s.head += 1
                guard let t = s.live.removeValue(forKey: oldest) else { continue }
                s.total -= t.bytes
                if let j = t.journal.journal { evict.append((j, oldest)) }
            }
            compact(&s)
            return evict
        }
    }

    /// A journal dropped these entries itself.
    func forget(_ stamps: [UInt64]) {
        guard !stamps.isEmpty else { return }
        state.withLock { s in
            for stamp in stamps {
                if let t = s.live.removeValue(forKey: stamp) { s.total -= t.bytes }
            }
            compact(&s)
        }
    }

    private func compact(_ s: inout State) {
        if s.head > 1024 && s.head * 2 > s.order.count {
            s.order.removeFirst(s.head)
            s.head = 0
        }
        // Dead stamps in the middle (clears, per-journal caps) are pruned once they
        // outnumber the live ones, so `order` stays proportional to what is held.
        if s.order.count - s.head > 2 * s.live.count + 1024 {
            s.order = s.order[s.head...].filter { s.live[$0] != nil }
            s.head = 0
        }
    }
}
