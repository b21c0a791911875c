/// What the scheduler can fire. Entries carry the token that was current when they
/// were scheduled; the world ignores an entry whose token has since changed, so
/// cancelling is O(1) and never searches the heap.
public struct ScheduledAction: Sendable, Equatable {
    /// `replacement`: the next step of the workload's replacement; `build`: the next
    /// status of an artifact build (then `workloadId` holds the build's id).
    public enum Kind: Sendable, Equatable { case transition, expiry, replacement, build }
    public var kind: Kind
    public var workloadId: String
    public var token: UInt64
    public init(kind: Kind, workloadId: String, token: UInt64) {
        self.kind = kind
        self.workloadId = workloadId
        self.token = token
    }
}

/// A binary min-heap keyed by (time, sequence): due actions come out in time order,
/// and actions due at the same time come out in the order they were scheduled.
public struct LifecycleScheduler: Sendable {
    public struct Entry: Sendable {
        public var at: Int64
        public var sequence: UInt64
        public var action: ScheduledAction
        @inline(__always) func precedes(_ o: Entry) -> Bool {
            at < o.at || (at == o.at && sequence < o.sequence)
        }
    }

    // Internal so that a state snapshot can save and restore them as they are.
    var heap: [Entry] = []
    var nextSequence: UInt64 = 0
    /// Entries scheduled, and sequences of entries popped, since the state log last took them.
    var added: [Entry] = []
    var popped: [UInt64] = []

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// Time of the earliest entry, if any.
    public var nextDue: Int64? { heap.first?.at }

    public mutating func schedule(_ action: ScheduledAction, at time: Int64) {
        heap.append(Entry(at: time, sequence: nextSequence, action: action))
        added.append(heap[heap.count - 1])
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    /// Puts back an entry read from the state log, with its own sequence number.
    mutating func restore(_ entry: Entry) {
        heap.append(entry)
        siftUp(heap.count - 1)
    }

    /// Drops the entries with these sequences (recovery, once the log is replayed). A
    /// sorted array is a valid heap.
    mutating func forget(_ sequences: Set<UInt64>) {
        guard !sequences.isEmpty else { return }
        heap = heap.filter { !sequences.contains($0.sequence) }.sorted { $0.precedes($1) }
    }

    /// Removes and returns the earliest entry due at or before `time`.
    public mutating func popDue(atOrBefore time: Int64) -> Entry? {
        guard let first = heap.first, first.at <= time else { return nil }
        heap.swapAt(0, heap.count - 1)
        let due = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        popped.append(due.sequence)
        return due
    }

    public mutating func removeAll() {
        heap.removeAll()
    }

    /// Compares fields only: copying a whole entry would retain its String.
    @inline(__always) private func precedes(_ a: Int, _ b: Int) -> Bool {
        let (x, y) = (heap[a].at, heap[b].at)
        return x < y || (x == y && heap[a].sequence < heap[b].sequence)
    }

    // Sifting swaps in place: entries hold a String, and swapping moves it without
    // the retain/release pair a copy would cost (measurable when 40,000 fire at once).
    private mutating func siftUp(_ i0: Int) {
        var i = i0
        while i > 0 {
            let p = (i - 1) / 2
            guard precedes(i, p) else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    private mutating func siftDown(_ i0: Int) {
        var i = i0
        let n = heap.count
        while true {
            let l = 2 * i + 1
            guard l < n else { break }
            var c = l
            if l + 1 < n, precedes(l + 1, l) { c = l + 1 }
            guard precedes(c, i) else { break }
            heap.swapAt(i, c)
            i = c
        }
    }
}
