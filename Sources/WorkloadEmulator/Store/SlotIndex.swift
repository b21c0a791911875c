/// Ids to slots (the index of `OrderedStore` and `KeyedStore`), as 64 open-addressing
/// tables.
///
/// A Swift dictionary keeps its occupancy bitmap, keys and values in three arrays, so a
/// hit touches three, and it hashes each key with SipHash: at start-up with 100,000
/// workloads those probes were the largest single cost (`bench/RESULTS.md`). Here a
/// bucket holds the key's words and the slot together, 32 bytes, two to a cache line,
/// and a hit usually reads one line. The hash is a few multiplies, seeded per process so
/// that ids chosen by a state file cannot be lined up into long probe runs (the seed is
/// not a cryptographic key, but without it nothing outside can aim).
///
/// 64 tables: a single table would grow by rehashing every key at once, at 65,536
/// workloads one create holding its sandbox's lock for milliseconds per store, with the
/// stores doubling on the same create (`bench/RESULTS.md`, POST tail latency). Each of
/// the 64 doubles on its own, at its own moment, moving 1/64 of the keys. Linear
/// probing, at most 9/16 full, removal by backward shift (no tombstones, so a table that
/// sees many removals does not slow down).
struct SlotIndex: Sendable {
    fileprivate static var shardBits: Int { 6 }
    private static var shardCount: Int { 1 << shardBits }
    private var shards: [SlotTable] = Array(repeating: SlotTable(), count: SlotIndex.shardCount)
    /// Ids longer than a `StoreKey` holds (no id the emulator makes is).
    private var long: [String: Int32] = [:]
    private let seed: SlotSeed

    init() { seed = .process }

    /// A chosen seed, so a test can place keys at chosen buckets.
    init(seed: SlotSeed) { self.seed = seed }

    var count: Int { shards.reduce(long.count) { $0 + $1.count } }

    subscript(id: String) -> Int32? {
        get {
            guard let k = StoreKey(id) else { return long[id] }
            return find(k, seed.hash(k))
        }
        set {
            guard let k = StoreKey(id) else { return long[id] = newValue }
            let h = seed.hash(k)
            if let slot = newValue {
                _ = shards[SlotSeed.shard(h)].insert(k, h, slot, replacing: true, seed)
            } else {
                _ = shards[SlotSeed.shard(h)].remove(k, h, seed)
            }
        }
    }

    func contains(_ id: String) -> Bool { self[id] != nil }

    /// Adds the id with one probe; false when it was there already (then its slot is
    /// left as it was: the callers, reading a saved state, refuse the state whole).
    mutating func insertNew(_ id: String, _ slot: Int32) -> Bool {
        guard let k = StoreKey(id) else {
            if long[id] != nil { return false }
            long[id] = slot
            return true
        }
        let h = seed.hash(k)
        return shards[SlotSeed.shard(h)].insert(k, h, slot, replacing: false, seed)
    }

    @discardableResult
    mutating func removeValue(forKey id: String) -> Int32? {
        guard let k = StoreKey(id) else { return long.removeValue(forKey: id) }
        let h = seed.hash(k)
        return shards[SlotSeed.shard(h)].remove(k, h, seed)
    }

    /// Room for `n` ids, so that filling to `n` does not regrow. Each table gets an
    /// eighth more than its even share: with 100,000 ids a table holds ~1,560 ± 40.
    mutating func reserveCapacity(_ n: Int) {
        let share = max(n, 0) / SlotIndex.shardCount
        let each = share + share / 8 + 1
        for i in shards.indices { shards[i].reserve(each, seed) }
    }

    @inline(__always)
    private func find(_ k: StoreKey, _ h: UInt64) -> Int32? {
        // Through buffer pointers: a probe copies 32-byte buckets, never retains a buffer.
        shards.withUnsafeBufferPointer { shards in
            shards[SlotSeed.shard(h)].buckets.withUnsafeBufferPointer { b in
                if b.isEmpty { return nil }
                let mask = b.count - 1
                var i = SlotSeed.home(h, mask)
                while true {
                    let bucket = b[i]
                    if bucket.key == k { return bucket.slot }
                    if bucket.isEmpty { return nil }
                    i = (i &+ 1) & mask
                }
            }
        }
    }

    /// Each table's number of buckets, for tests of growth.
    var capacities: [Int] { shards.map(\.buckets.count) }

    /// Whether every table is sound: each key reachable from its home bucket without
    /// passing an empty one, each at most once, the counts right. For tests.
    func isConsistent() -> Bool {
        shards.enumerated().allSatisfy { s, table in
            let b = table.buckets
            let mask = b.count - 1
            var seen = Set<StoreKey>()
            for (i, bucket) in b.enumerated() where !bucket.isEmpty {
                let h = seed.hash(bucket.key)
                guard SlotSeed.shard(h) == s, seen.insert(bucket.key).inserted else { return false }
                var j = SlotSeed.home(h, mask)
                while j != i {
                    if b[j].isEmpty { return false }
                    j = (j + 1) & mask
                }
            }
            return seen.count == table.count
        }
    }
}

/// One table: buckets in one array, a power of two of them (or none, until the first
/// insert: a sandbox with one workload does not hold 64 tables' worth of room).
struct SlotTable: Sendable {
    fileprivate(set) var buckets: ContiguousArray<SlotBucket> = []
    fileprivate(set) var count = 0

    /// At most 9/16 full: linear probing's runs grow quickly past about 0.6.
    @inline(__always)
    private static func fits(_ n: Int, in capacity: Int) -> Bool { n &* 16 <= capacity &* 9 }

    /// Puts the key in, or finds it there: false when it was there (its slot replaced
    /// when `replacing`).
    @inline(__always)
    fileprivate mutating func insert(
        _ k: StoreKey, _ h: UInt64, _ slot: Int32, replacing: Bool, _ seed: SlotSeed
    ) -> Bool {
        if !SlotTable.fits(count + 1, in: buckets.count) { resize(max(8, buckets.count * 2), seed) }
        let added = buckets.withUnsafeMutableBufferPointer { b in
            let mask = b.count - 1
            var i = SlotSeed.home(h, mask)
            while true {
                if b[i].key == k {
                    if replacing { b[i].slot = slot }
                    return false
                }
                if b[i].isEmpty {
                    b[i] = SlotBucket(key: k, slot: slot)
                    return true
                }
                i = (i &+ 1) & mask
            }
        }
        if added { count += 1 }
        return added
    }

    /// Backward shift: each bucket after the freed one moves back into the gap when
    /// that keeps it at or after its home, until an empty bucket ends the run.
    fileprivate mutating func remove(_ k: StoreKey, _ h: UInt64, _ seed: SlotSeed) -> Int32? {
        if buckets.isEmpty { return nil }
        let removed: Int32? = buckets.withUnsafeMutableBufferPointer { b in
            let mask = b.count - 1
            var i = SlotSeed.home(h, mask)
            while b[i].key != k {
                if b[i].isEmpty { return nil }
                i = (i &+ 1) & mask
            }
            let slot = b[i].slot
            var gap = i
            var j = (i &+ 1) & mask
            while !b[j].isEmpty {
                let home = SlotSeed.home(seed.hash(b[j].key), mask)
                // The distance from home to j, against from the gap to j, around the end.
                if (j &- home) & mask >= (j &- gap) & mask {
                    b[gap] = b[j]
                    gap = j
                }
                j = (j &+ 1) & mask
            }
            b[gap] = .empty
            return slot
        }
        if removed != nil { count -= 1 }
        return removed
    }

    /// Room for `n` keys without growing (never shrinks).
    fileprivate mutating func reserve(_ n: Int, _ seed: SlotSeed) {
        var capacity = max(8, buckets.count)
        while !SlotTable.fits(n, in: capacity) { capacity *= 2 }
        if capacity > buckets.count { resize(capacity, seed) }
    }

    private mutating func resize(_ capacity: Int, _ seed: SlotSeed) {
        var fresh = ContiguousArray(repeating: SlotBucket.empty, count: capacity)
        fresh.withUnsafeMutableBufferPointer { b in
            let mask = capacity - 1
            for bucket in buckets where !bucket.isEmpty {
                var i = SlotSeed.home(seed.hash(bucket.key), mask)
                while !b[i].isEmpty { i = (i &+ 1) & mask }
                b[i] = bucket
            }
        }
        buckets = fresh
    }
}

/// 32 bytes: the key's 25 and the slot (at offset 28), two buckets to a cache line.
struct SlotBucket: Sendable {
    var key: StoreKey
    var slot: Int32

    static var empty: SlotBucket { SlotBucket(key: .none, slot: -1) }
    var isEmpty: Bool { key.count == StoreKey.noneCount }
}

/// The hash of a key for `SlotIndex`: three rounds of xor and multiply, one per word,
/// with the process's seed xored in. The top 6 bits pick the table; bits from 26 up
/// pick the bucket (a product's high bits depend on all of its input's low ones).
struct SlotSeed: Sendable {
    let a: UInt64
    let b: UInt64
    let c: UInt64

    /// Drawn once per process, from the system's random source.
    static let process: SlotSeed = {
        var g = SystemRandomNumberGenerator()
        return SlotSeed(a: g.next(), b: g.next(), c: g.next())
    }()

    @inline(__always)
    func hash(_ k: StoreKey) -> UInt64 {
        var h = (k.w0 ^ a) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ k.w1 ^ b) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 32) ^ k.w2 ^ c ^ UInt64(k.count)) &* 0x94D0_49BB_1331_11EB
        return h
    }

    @inline(__always)
    static func shard(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> (64 - SlotIndex.shardBits)) }

    @inline(__always)
    static func home(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: h >> 26) & mask }
}
