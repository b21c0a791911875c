/// Values by id plus their creation order. The creation sequence lives beside each
/// value, so an insert or a removal touches one dictionary, not two.
public struct OrderedStore<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var seq: Int
        var value: Value
        mutating func apply<R>(_ body: (inout Value) -> R) -> R { body(&value) }
    }

    private var byId: [String: Entry] = [:]
    public private(set) var order = OrderedIndex()

    public init() {}

    public var count: Int { byId.count }
    public subscript(id: String) -> Value? { byId[id]?.value }

    /// Reads one part of a value (no copy of the whole of it where the optimizer can help it).
    public func read<R>(_ id: String, _ body: (Value) -> R) -> R? {
        guard let i = byId.index(forKey: id) else { return nil }
        return body(byId.values[i].value)
    }

    /// Changes a value in place with one dictionary lookup.
    @discardableResult
    public mutating func update<R>(_ id: String, _ body: (inout Value) -> R) -> R? {
        byId[id]?.apply(body)
    }

    public mutating func insert(_ value: Value, id: String, seq: Int) {
        byId[id] = Entry(seq: seq, value: value)
        order.append(id, seq: seq)
    }

    @discardableResult
    public mutating func remove(_ id: String) -> Value? {
        guard let e = byId.removeValue(forKey: id) else { return nil }
        order.remove(seq: e.seq)
        return e.value
    }

    /// Values in creation order.
    public var values: [Value] { order.ids.compactMap { byId[$0]?.value } }
}
