import Synchronization

/// Bytes of request bodies all connections of a server may hold at once. A body is
/// charged when its head announces it (or, chunked, as it grows) and refunded once
/// its response is written or its connection closes, so many clients sending large
/// bodies at the same time get 503 instead of growing the process without bound.
/// Bodies up to `exemptBytes` are always accepted: small requests never wait behind
/// large ones, and connections are bounded in number anyway.
public final class BodyBudget: Sendable {
    public let limitBytes: Int
    public let exemptBytes: Int
    private let used = Atomic<Int>(0)

    public init(limitBytes: Int, exemptBytes: Int = 64 * 1024) {
        self.limitBytes = max(0, limitBytes)
        self.exemptBytes = max(0, exemptBytes)
    }

    public var usedBytes: Int { used.load(ordering: .relaxed) }

    /// Charges `bytes` for a body that will then hold `bodyTotal` bytes; false (and no
    /// charge) when that would pass the limit and the body is not small.
    func reserve(_ bytes: Int, bodyTotal: Int) -> Bool {
        guard bytes > 0 else { return true }
        if bodyTotal <= exemptBytes {
            used.wrappingAdd(bytes, ordering: .relaxed)
            return true
        }
        var current = used.load(ordering: .relaxed)
        while true {
            guard bytes <= limitBytes - min(current, limitBytes) else { return false }
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.wrappingSubtract(bytes, ordering: .relaxed)
    }
}
