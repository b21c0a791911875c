/// A dictionary split into 64 by a hash of the key. A Swift dictionary grows by
/// rehashing every key at once: at 65,536 workloads that is one create holding its
/// sandbox's lock for milliseconds per store, and the workload, artifact, repository and
/// proton stores all double on the same create (`bench/RESULTS.md`, POST tail latency).
/// Split, each part grows on its own and at its own moment, 1/64 of the work each time.
struct ShardedDictionary<Value: Sendable>: Sendable {
    private static var shardCount: Int { 64 }
    private var shards: [[StoreKey: Value]] = Array(repeating: [:], count: ShardedDictionary.shardCount)
    /// Keys longer than a `StoreKey` holds (no id the emulator makes is).
    private var long: [String: Value] = [:]

    init() {}

    var count: Int { shards.reduce(long.count) { $0 + $1.count } }

    subscript(key: String) -> Value? {
        get {
            guard let k = StoreKey(key) else { return long[key] }
            return shards[k.shard][k]
        }
        set {
            guard let k = StoreKey(key) else { return long[key] = newValue }
            shards[k.shard][k] = newValue
        }
    }

    /// Reads one part of a value, borrowed from the dictionary's storage.
    func read<R>(_ key: String, _ body: (borrowing Value) -> R) -> R? {
        guard let k = StoreKey(key) else { return long.index(forKey: key).map { body(long.values[$0]) } }
        let shard = k.shard
        return shards[shard].index(forKey: k).map { body(shards[shard].values[$0]) }
    }

    /// Whether the key is there, without a copy of its value.
    func contains(_ key: String) -> Bool {
        guard let k = StoreKey(key) else { return long.index(forKey: key) != nil }
        return shards[k.shard].index(forKey: k) != nil
    }

    /// Sets the value with one lookup; false when the key was there already (then the
    /// old value is replaced: the callers, reading a saved state, refuse it whole).
    mutating func insertNew(_ key: String, _ value: consuming Value) -> Bool {
        guard let k = StoreKey(key) else { return long.updateValue(value, forKey: key) == nil }
        return shards[k.shard].updateValue(value, forKey: k) == nil
    }

    mutating func reserveCapacity(_ n: Int) {
        let each = n / ShardedDictionary.shardCount + 1
        for i in shards.indices { shards[i].reserveCapacity(each) }
    }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let k = StoreKey(key) else { return long.removeValue(forKey: key) }
        return shards[k.shard].removeValue(forKey: k)
    }

    /// In no particular order (as a dictionary's).
    var values: [Value] { shards.flatMap { $0.values } + long.values }
    var keys: [String] { shards.flatMap { $0.keys.map(\.string) } + long.keys }
}

/// A key of up to 24 bytes (every id the emulator makes) as three words: a probe that
/// meets another key compares words, where two strings' comparison is a call to
/// `memcmp` (start-up looks up each of 100,000 ids several times, and a dictionary
/// compares the key of every bucket it passes), and a bucket is smaller than a string's.
struct StoreKey: Hashable, Sendable {
    let w0: UInt64
    let w1: UInt64
    let w2: UInt64
    let count: UInt8

    /// Nil for a key longer than 24 bytes.
    @inline(__always)
    init?(_ s: String) {
        // A native string's bytes in one copy; byte by byte only for the others.
        if let key = s.utf8.withContiguousStorageIfAvailable({ StoreKey(bytes: UnsafeRawBufferPointer($0)) }) {
            guard let key else { return nil }
            self = key
            return
        }
        var bytes: [UInt8] = []
        for b in s.utf8 {
            guard bytes.count < 24 else { return nil }
            bytes.append(b)
        }
        self = bytes.withUnsafeBytes { StoreKey(bytes: $0)! }
    }

    @inline(__always)
    private init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= 24 else { return nil }
        var w: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &w) { $0.copyMemory(from: bytes) }
        (w0, w1, w2) = w
        count = UInt8(bytes.count)
    }

    private init(w0: UInt64, w1: UInt64, w2: UInt64, count: UInt8) {
        (self.w0, self.w1, self.w2, self.count) = (w0, w1, w2, count)
    }

    /// The count of `none`: no key's (at most 24).
    static var noneCount: UInt8 { 0xFF }
    /// No key: what an empty bucket of `SlotIndex` holds.
    static var none: StoreKey { StoreKey(w0: 0, w1: 0, w2: 0, count: noneCount) }

    /// One of 64, from the words (independent of the dictionaries' own hash).
    var shard: Int { Int(truncatingIfNeeded: ((w0 ^ w1 &* 31 ^ w2 &* 961) &* 0x9E37_79B9_7F4A_7C15) >> 58) }

    var string: String {
        var w = (w0, w1, w2)
        return withUnsafeBytes(of: &w) { String(decoding: $0.prefix(Int(count)), as: UTF8.self) }
    }
}
