/// A dictionary that remembers which keys were written since it was last asked: the
/// state log records the objects a command touched, not the world.
///
/// As `OrderedStore` without the order: values dense in chunks, a `SlotIndex` from key
/// to slot, and a removal moves the last value into the freed slot.
public struct KeyedStore<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var key: String
        var value: Value
    }

    /// Chunked and sharded: neither grows by copying everything under the lock at once.
    private var entries = ChunkedArray<Entry>()
    private var slotByKey = SlotIndex()
    /// Keys set or removed since `takeChanged()`.
    public private(set) var changed: Set<String> = []

    public init() {}

    public var count: Int { entries.count }
    /// In no particular order.
    public var values: [Value] { (0..<entries.count).map { entries[$0].value } }
    public var keys: [String] { (0..<entries.count).map { entries[$0].key } }

    public subscript(key: String) -> Value? {
        get { slotByKey[key].map { entries[Int($0)].value } }
        set {
            changed.insert(key)
            guard let newValue else { return remove(key) }
            if let slot = slotByKey[key] {
                entries[Int(slot)].value = newValue
            } else {
                slotByKey[key] = Int32(entries.count)
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    public func contains(_ key: String) -> Bool { slotByKey.contains(key) }

    /// Reads one part of a value (no copy of the whole of it where the optimizer can help it).
    func read<R>(_ key: String, _ body: (borrowing Value) -> R) -> R? {
        guard let slot = slotByKey[key] else { return nil }
        return body(entries[Int(slot)].value)
    }

    /// Adds a value read from a saved state, not counted as a change; false when the key
    /// was there already (the caller refuses the state).
    mutating func restore(_ value: consuming Value, key: String) -> Bool {
        guard slotByKey.insertNew(key, Int32(entries.count)) else { return false }
        entries.append(Entry(key: key, value: value))
        return true
    }

    /// Room for `n` values in the key index, so it does not regrow.
    mutating func reserveCapacity(_ n: Int) { slotByKey.reserveCapacity(n) }

    /// The keys written since the last call, and forgets them.
    public mutating func takeChanged() -> Set<String> {
        defer { changed = [] }
        return changed
    }

    private mutating func remove(_ key: String) {
        guard let slot = slotByKey.removeValue(forKey: key).map(Int.init) else { return }
        let last = entries.removeLast()
        if slot < entries.count {
            slotByKey[last.key] = Int32(slot)
            entries[slot] = last
        }
    }
}
