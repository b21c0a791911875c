/// Ids in creation order, so a default-ordered page costs the same whatever the total
/// and whatever the offset. Removal leaves a tombstone (found by binary search on the
/// creation sequence) and a Fenwick tree over live slots finds the k-th live id in
/// O(log n); tombstones are compacted away once they outnumber the live ids. So a
/// removal is O(log n) amortized, even when 10,000 drafts expire in one clock advance.
public struct OrderedIndex: Sendable {
    private var slots: [String?] = []
    private var seqs: [Int] = []
    /// 1-based Fenwick tree of live counts per slot.
    private var tree: [Int32] = [0]
    public private(set) var count = 0

    public init() {}

    /// Live ids in creation order.
    public var ids: LazyMapSequence<LazyFilterSequence<[String?]>, String> {
        slots.lazy.filter { $0 != nil }.map { $0! }
    }

    /// The largest sequence appended (kept by removals until a compaction): what the
    /// next `append` must exceed.
    public var lastSeq: Int? { seqs.last }

    /// `seq` must be larger than every sequence already present.
    public mutating func append(_ id: String, seq: Int) {
        slots.append(id)
        seqs.append(seq)
        count += 1
        // New node i covers (i - lowbit(i), i]: its value is 1 plus the live slots
        // in (i - lowbit(i), i - 1].
        let i = slots.count
        let low = i & -i
        tree.append(Int32(1 + prefix(i - 1) - prefix(i - low)))
    }

    public mutating func remove(seq: Int) {
        var lo = 0
        var hi = seqs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if seqs[mid] < seq { lo = mid + 1 } else { hi = mid }
        }
        guard lo < seqs.count, seqs[lo] == seq, slots[lo] != nil else { return }
        slots[lo] = nil
        count -= 1
        var i = lo + 1
        while i < tree.count {
            tree[i] -= 1
            i += i & -i
        }
        if slots.count - count > max(1024, count) { compact() }
    }

    public func page(offset: Int, limit: Int) -> [String] {
        guard offset < count, limit > 0 else { return [] }
        var out: [String] = []
        out.reserveCapacity(min(limit, count - offset))
        // Find the first live slot after `offset` live ones, then walk; compaction
        // bounds the tombstones we can meet on the way.
        var slot = kth(offset + 1)
        while out.count < limit, slot < slots.count {
            if let id = slots[slot] { out.append(id) }
            slot += 1
        }
        return out
    }

    /// Live slots in [1, i].
    private func prefix(_ i0: Int) -> Int {
        var i = i0
        var s = 0
        while i > 0 {
            s += Int(tree[i])
            i -= i & -i
        }
        return s
    }

    /// 0-based slot of the k-th (1-based) live id.
    private func kth(_ k0: Int) -> Int {
        var k = k0
        var pos = 0
        var step = 1
        while step * 2 < tree.count { step *= 2 }
        while step > 0 {
            let next = pos + step
            if next < tree.count, Int(tree[next]) < k {
                pos = next
                k -= Int(tree[next])
            }
            step /= 2
        }
        return pos  // 1-based pos + 1 is the slot; 0-based that is `pos`
    }

    private mutating func compact() {
        var live: [(String, Int)] = []
        live.reserveCapacity(count)
        for (i, s) in slots.enumerated() { if let s { live.append((s, seqs[i])) } }
        self = OrderedIndex()
        slots.reserveCapacity(live.count)
        for (id, seq) in live { append(id, seq: seq) }
    }
}
