/// A dictionary split into 64 by a hash of the key. A Swift dictionary grows by
/// rehashing every key at once: at 65,536 workloads that is one create holding its
/// sandbox's lock for milliseconds per store, and the workload, artifact, repository and
/// proton stores all double on the same create (`bench/RESULTS.md`, POST tail latency).
/// Split, each part grows on its own and at its own moment, 1/64 of the work each time.
struct ShardedDictionary<Value: Sendable>: Sendable {
    private static var shardCount: Int { 64 }
    private var shards: [[String: Value]] = Array(repeating: [:], count: ShardedDictionary.shardCount)

    init() {}

    /// FNV-1a of the key's bytes: cheap, and independent of the dictionaries' own hash.
    private static func shard(_ key: String) -> Int {
        var h: UInt32 = 2_166_136_261
        for b in key.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return Int(h % UInt32(shardCount))
    }

    var count: Int { shards.reduce(0) { $0 + $1.count } }

    subscript(key: String) -> Value? {
        get { shards[ShardedDictionary.shard(key)][key] }
        set { shards[ShardedDictionary.shard(key)][key] = newValue }
    }

    /// Sets the value with one lookup; false when the key was there already (then the
    /// old value is replaced: the callers, reading a saved state, refuse it whole).
    mutating func insertNew(_ key: String, _ value: Value) -> Bool {
        shards[ShardedDictionary.shard(key)].updateValue(value, forKey: key) == nil
    }

    mutating func reserveCapacity(_ n: Int) {
        let each = n / ShardedDictionary.shardCount + 1
        for i in shards.indices { shards[i].reserveCapacity(each) }
    }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        shards[ShardedDictionary.shard(key)].removeValue(forKey: key)
    }

    /// In no particular order (as a dictionary's).
    var values: [Value] { shards.flatMap { $0.values } }
    var keys: [String] { shards.flatMap { $0.keys } }
}
