/// A dictionary that remembers which keys were written since it was last asked: the
/// state log records the objects a command touched, not the world.
public struct KeyedStore<Value: Sendable>: Sendable {
    /// Sharded: no single rehash of every key under the sandbox's lock.
    private var values_ = ShardedDictionary<Value>()
    /// Keys set or removed since `takeChanged()`.
    public private(set) var changed: Set<String> = []

    public init() {}

    public var count: Int { values_.count }
    /// In no particular order.
    public var values: [Value] { values_.values }
    public var keys: [String] { values_.keys }

    public subscript(key: String) -> Value? {
        get { values_[key] }
        set {
            values_[key] = newValue
            changed.insert(key)
        }
    }

    public func contains(_ key: String) -> Bool { values_.contains(key) }

    /// Reads one part of a value, borrowed (no copy of the whole of it).
    func read<R>(_ key: String, _ body: (borrowing Value) -> R) -> R? { values_.read(key, body) }

    /// Adds a value read from a saved state, not counted as a change; false when the key
    /// was there already (the caller refuses the state).
    mutating func restore(_ value: consuming Value, key: String) -> Bool { values_.insertNew(key, value) }

    mutating func reserveCapacity(_ n: Int) { values_.reserveCapacity(n) }

    /// The keys written since the last call, and forgets them.
    public mutating func takeChanged() -> Set<String> {
        defer { changed = [] }
        return changed
    }
}
