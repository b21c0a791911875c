/// Values by id plus their creation order. The creation sequence lives beside each
/// value, so an insert or a removal touches one entry, not two structures' worth.
///
/// Values sit densely in an array and an index maps an id to its slot. A
/// dictionary of whole values keeps 25–62 % of its buckets empty, and every bucket is as
/// large as a value (a `Workload` is about 350 bytes): at 100,000 workloads (262,144
/// buckets) the workloads, artifacts and repositories dictionaries alone took ~180 MiB
/// (massif, `bench/RESULTS.md`). Here the slack is at most half of a dense array, and the
/// index's buckets are 32 bytes (`SlotIndex`).
public struct OrderedStore<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var id: String
        var seq: Int
        var value: Value
    }

    /// Chunked and sharded: neither grows by copying everything under the lock at once.
    private var entries = ChunkedArray<Entry>()
    /// Int32: 100,000s of values, never 2^31; the slot fits beside the key in 32 bytes.
    private var slotById = SlotIndex()
    public private(set) var order = OrderedIndex()
    /// Ids inserted, updated or removed since `takeChanged()`: what the state log writes.
    public private(set) var changed: Set<String> = []

    public init() {}

    public var count: Int { entries.count }
    public subscript(id: String) -> Value? { slotById[id].map { entries[Int($0)].value } }

    /// Reads one part of a value (no copy of the whole of it where the optimizer can help it).
    public func read<R>(_ id: String, _ body: (Value) -> R) -> R? {
        guard let slot = slotById[id] else { return nil }
        return body(entries[Int(slot)].value)
    }

    /// Visits the values in the slots of `range` (of `0..<count`) with no lookup of
    /// their ids: the consistency check's walk over every object. Slots are in creation
    /// order until a removal moves the last value into a freed one.
    func forEachSlot(_ range: Range<Int>, _ body: (String, borrowing Value) -> Void) {
        for slot in range.clamped(to: 0..<entries.count) { body(entries[slot].id, entries[slot].value) }
    }

    /// Changes a value in place with one index lookup.
    @discardableResult
    public mutating func update<R>(_ id: String, _ body: (inout Value) -> R) -> R? {
        guard let slot = slotById[id] else { return nil }
        changed.insert(id)
        return body(&entries[Int(slot)].value)
    }

    /// A new id goes last in creation order; `seq` must be larger than any used before
    /// (`OrderedIndex.append`). Over an existing id the value is replaced and the id stays
    /// listed once: in its place when `seq` is the one it had, else moved to `seq`.
    public mutating func insert(_ value: Value, id: String, seq: Int) {
        let entry = Entry(id: id, seq: seq, value: value)
        changed.insert(id)
        if let slot = slotById[id].map(Int.init) {
            let previous = entries[slot].seq
            entries[slot] = entry
            if previous == seq { return }
            order.remove(seq: previous)
        } else {
            slotById[id] = Int32(entries.count)
            entries.append(entry)
        }
        order.append(id, seq: seq)
    }

    public func contains(_ id: String) -> Bool { slotById.contains(id) }

    /// Appends a value read from a saved state with one lookup, not counted as a change
    /// (the state it came from holds it). False when the id was there already: the
    /// store is then broken and the caller refuses the state.
    mutating func restore(_ value: consuming Value, id: String, seq: Int) -> Bool {
        guard slotById.insertNew(id, Int32(entries.count)) else { return false }
        entries.append(Entry(id: id, seq: seq, value: value))
        order.append(id, seq: seq)
        return true
    }

    /// Room for `n` values in the id index (a saved state's), so it does not regrow.
    mutating func reserveCapacity(_ n: Int) { slotById.reserveCapacity(n) }

    /// The last entry moves into the freed slot, so removal is O(1) and leaves no hole.
    @discardableResult
    public mutating func remove(_ id: String) -> Value? {
        guard let slot = slotById.removeValue(forKey: id).map(Int.init) else { return nil }
        changed.insert(id)
        let removed = entries[slot]
        let last = entries.removeLast()
        if slot < entries.count {
            entries[slot] = last
            slotById[last.id] = Int32(slot)
        }
        order.remove(seq: removed.seq)
        return removed.value
    }

    /// The creation sequence of a stored value.
    public func seq(of id: String) -> Int? { slotById[id].map { entries[Int($0)].seq } }

    /// The ids written since the last call, and forgets them.
    public mutating func takeChanged() -> Set<String> {
        defer { changed = [] }
        return changed
    }

    /// Values in creation order.
    public var values: [Value] { order.ids.compactMap { id in slotById[id].map { entries[Int($0)].value } } }
}
