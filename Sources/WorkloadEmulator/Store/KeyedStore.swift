/// A dictionary that remembers which keys were written since it was last asked: the
/// state log records the objects a command touched, not the world.
public struct KeyedStore<Value: Sendable>: Sendable {
    private var values_: [String: Value] = [:]
    /// Keys set or removed since `takeChanged()`.
    public private(set) var changed: Set<String> = []

    public init() {}

    public var count: Int { values_.count }
    public var values: Dictionary<String, Value>.Values { values_.values }
    public var keys: Dictionary<String, Value>.Keys { values_.keys }

    public subscript(key: String) -> Value? {
        get { values_[key] }
        set {
            values_[key] = newValue
            changed.insert(key)
        }
    }

    /// The keys written since the last call, and forgets them.
    public mutating func takeChanged() -> Set<String> {
        defer { changed = [] }
        return changed
    }
}
