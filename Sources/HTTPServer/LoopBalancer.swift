import Synchronization

/// Round-robin choice of the loop that owns the next accepted connection.
final class LoopBalancer: Sendable {
    private let counter = Atomic<Int>(0)
    func next() -> Int { counter.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max }
}
