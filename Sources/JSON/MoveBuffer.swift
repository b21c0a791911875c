/// Elements handed from the thread that reads them to the one that keeps them, moved
/// in and moved out, never copied: a copy of a model retains every string and array in
/// it, and dropping the original releases them again (start-up hands over 400,000
/// objects, and reversing an array to pop it in order cost as much as the copies).
///
/// One thread fills it, then hands it over through a queue or a semaphore (which
/// orders the two), and one thread drains it. It is never used from two threads at
/// once: that is why it can be `@unchecked Sendable`, with no lock.
public final class MoveBuffer<Element: Sendable>: @unchecked Sendable {
    // Inlinable, so that each model's moves are specialised where it is stored: the
    // unspecialised code copies and destroys each element through its witness table.
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var capacity: Int
    @usableFromInline var stored = 0
    public var count: Int { stored }
    /// Elements before this index were moved out.
    @usableFromInline var taken = 0

    @inlinable
    public init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    /// A copy of each element of `list`.
    @inlinable
    public convenience init(_ list: [Element]) {
        self.init(capacity: list.count)
        for e in list { append(e) }
    }

    deinit {
        (base + taken).deinitialize(count: stored - taken)
        base.deallocate()
    }

    public var isEmpty: Bool { stored == taken }

    @inlinable
    public func append(_ element: consuming Element) {
        if stored == capacity {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            (bigger + taken).moveInitialize(from: base + taken, count: stored - taken)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        (base + stored).initialize(to: element)
        stored += 1
    }

    /// The elements (moved) as an array.
    @inlinable
    public func takeAll() -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(stored - taken)
        drain { out.append($0) }
        return out
    }

    /// The next element, moved out; nil once all were taken.
    @inlinable
    public func next() -> Element? {
        guard taken < stored else { return nil }
        taken += 1
        return (base + taken - 1).move()
    }

    /// Hands each element to `body` in order, by move (if `body` throws, the rest stay
    /// and are dropped with the buffer).
    @inlinable
    public func drain<E: Error>(_ body: (consuming Element) throws(E) -> Void) throws(E) {
        while let e = next() { try body(e) }
    }
}
