import Testing

@testable import WorkloadEmulator

/// `SlotIndex`, the id index of `OrderedStore`, against a plain dictionary: random
/// inserts, removals and lookups, growth over several doublings, and removals whose
/// backward shift wraps around the end of a table.
@Suite struct SlotIndexTests {
    /// Fixed ones, and this run's (what `init()` takes).
    static let seeds = [SlotSeed(a: 0, b: 0, c: 0), SlotSeed(a: 1, b: 2, c: 3), .process]

    /// Keys of every length class: empty, short, sharing long prefixes, exactly 24 bytes
    /// (the most a `StoreKey` holds), 25 and more (the side table), and multi-byte UTF-8
    /// across the 24-byte boundary ("é" is 2 bytes: 12 of them are 24, 13 are 26).
    static let keys: [String] = {
        var keys = ["", "a", "a\u{0}", String(repeating: "é", count: 12), String(repeating: "é", count: 13)]
        for i in 0..<3000 {
            keys.append("w\(i)")
            keys.append("prefix-shared-by-all-\(i)")  // 22–25 bytes
            keys.append(String(format24: i))
            keys.append(String(format24: i) + "x")
        }
        keys.append(String(repeating: "z", count: 200))
        return keys
    }()

    static func home(_ key: String, _ seed: SlotSeed, capacity: Int) -> (shard: Int, bucket: Int) {
        let h = seed.hash(StoreKey(key)!)
        return (SlotSeed.shard(h), SlotSeed.home(h, capacity - 1))
    }

    @Test func aBucketIsHalfACacheLine() {
        #expect(MemoryLayout<SlotBucket>.stride == 32)
        #expect(StoreKey(String(format24: 7))?.string == String(format24: 7))
        #expect(StoreKey(String(format24: 7) + "x") == nil)
        #expect(StoreKey("")?.string == "")
        #expect(StoreKey("a") != StoreKey("a\u{0}"))
    }

    @Test(arguments: 0..<3) func randomOperationsMatchADictionary(seedIndex: Int) {
        var g = SplitMix64(seed: UInt64(seedIndex) &* 1_000_003)
        var index = SlotIndex(seed: Self.seeds[seedIndex])
        var model: [String: Int32] = [:]
        for step in 0..<40_000 {
            // Draw from a growing prefix of the keys, so the index grows while keys are
            // both inserted and removed.
            let pool = min(Self.keys.count, 200 + step / 2)
            let key = Self.keys[Int.random(in: 0..<pool, using: &g)]
            let slot = Int32.random(in: 0...Int32.max, using: &g)
            switch Int.random(in: 0..<10, using: &g) {
            case 0..<3:
                let added = index.insertNew(key, slot)
                #expect(added == (model[key] == nil), "insertNew \(key)")
                if added { model[key] = slot }
            case 3..<5:
                index[key] = slot
                model[key] = slot
            case 5..<8:
                let removed = index.removeValue(forKey: key)
                #expect(removed == model.removeValue(forKey: key), "remove \(key)")
            default:
                #expect(index[key] == model[key], "get \(key)")
                #expect(index.contains(key) == (model[key] != nil))
            }
            if step % 5000 == 0 { #expect(index.isConsistent()) }
        }
        #expect(index.isConsistent())
        #expect(index.count == model.count)
        for key in Self.keys { #expect(index[key] == model[key], "final \(key)") }
        // Setting nil removes, as a dictionary's subscript does.
        for key in model.keys { index[key] = nil }
        #expect(index.count == 0)
        #expect(index.isConsistent())
        for key in Self.keys { #expect(index[key] == nil) }
    }

    /// 20,000 ids: each table, starting at 8 buckets, doubles 6 or 7 times.
    @Test func growsOverSeveralDoublings() {
        var index = SlotIndex(seed: Self.seeds[1])
        #expect(index.capacities.allSatisfy { $0 == 0 }, "no room until the first insert")
        for i in 0..<20_000 {
            let added = index.insertNew("id-\(i)", Int32(i))
            #expect(added)
        }
        #expect(index.count == 20_000)
        #expect(index.capacities.allSatisfy { $0 >= 512 }, "\(index.capacities)")
        #expect(index.isConsistent())
        for i in 0..<20_000 { #expect(index["id-\(i)"] == Int32(i)) }
        let again = index.insertNew("id-5", 99)
        #expect(!again, "present: refused")
        #expect(index["id-5"] == 5, "and left as it was")
        for i in stride(from: 0, to: 20_000, by: 2) {
            let removed = index.removeValue(forKey: "id-\(i)")
            #expect(removed == Int32(i))
        }
        #expect(index.count == 10_000)
        #expect(index.isConsistent())
        for i in 0..<20_000 { #expect(index["id-\(i)"] == (i % 2 == 1 ? Int32(i) : nil)) }
    }

    /// Reserved room is taken at once, and filling to it grows nothing.
    @Test func reserveCapacityLeavesNoGrowthForItsCount() {
        var index = SlotIndex(seed: Self.seeds[2])
        index.reserveCapacity(100_000)
        let reserved = index.capacities
        #expect(reserved.allSatisfy { $0 >= 2048 }, "\(reserved)")
        for i in 0..<100_000 {
            let added = index.insertNew(String(format24: i), Int32(i))
            #expect(added)
        }
        #expect(index.capacities == reserved)
        #expect(index.count == 100_000)
    }

    /// Keys whose probes start at the last buckets of one 8-bucket table run over its end
    /// into bucket 0; each of them removed first, in every order, the rest stay found.
    @Test func removalShiftsBackAroundTheEndOfATable() {
        let seed = Self.seeds[1]
        // A table of 8 buckets holds 4 keys (9/16 full at most). In shard 0: two keys
        // homed at 7, one at 6 and one at 0, so the run is 6, 7 | 0, 1.
        func keys(homedAt bucket: Int, _ n: Int) -> [String] {
            Array((0...).lazy.map { "k\($0)" }.filter { Self.home($0, seed, capacity: 8) == (0, bucket) }.prefix(n))
        }
        let chosen = keys(homedAt: 7, 2) + keys(homedAt: 6, 1) + keys(homedAt: 0, 1)
        for order in permutations(Array(chosen.indices)) {
            var index = SlotIndex(seed: seed)
            var model: [String: Int32] = [:]
            for (slot, key) in chosen.enumerated() {
                let added = index.insertNew(key, Int32(slot))
                #expect(added)
                model[key] = Int32(slot)
            }
            #expect(index.capacities[0] == 8)
            #expect(index.isConsistent())
            for i in order {
                let removed = index.removeValue(forKey: chosen[i])
                #expect(removed == model.removeValue(forKey: chosen[i]))
                #expect(index.isConsistent(), "order \(order)")
                for key in chosen { #expect(index[key] == model[key], "order \(order), \(key)") }
            }
            #expect(index.count == 0)
        }
    }

    /// The same with a long run over the end of a 1,024-bucket table: 300 keys homed in
    /// its last 16 buckets or its first 16, removed in random orders.
    @Test func removalShiftsBackAroundTheEndOfALargeTable() {
        let seed = Self.seeds[0]
        var index = SlotIndex(seed: seed)
        index.reserveCapacity(64 * 500)
        let capacity = index.capacities[0]
        #expect(capacity == 1024)
        let chosen = Array(
            (0...).lazy.map { "key-\($0)" }.filter {
                let (shard, bucket) = Self.home($0, seed, capacity: capacity)
                return shard == 0 && (bucket >= capacity - 16 || bucket < 16)
            }.prefix(300))
        var g = SplitMix64(seed: 42)
        for round in 0..<5 {
            var model: [String: Int32] = [:]
            for (slot, key) in chosen.enumerated() {
                let added = index.insertNew(key, Int32(slot))
                #expect(added)
                model[key] = Int32(slot)
            }
            #expect(index.capacities[0] == capacity, "did not grow")
            for key in chosen.shuffled(using: &g) {
                let removed = index.removeValue(forKey: key)
                #expect(removed == model.removeValue(forKey: key))
                if model.count % 25 == 0 {
                    #expect(index.isConsistent(), "round \(round)")
                    for k in chosen { #expect(index[k] == model[k]) }
                }
            }
            #expect(index.count == 0)
        }
    }

    func permutations(_ xs: [Int]) -> [[Int]] {
        if xs.count <= 1 { return [xs] }
        return xs.indices.flatMap { i in
            var rest = xs
            let x = rest.remove(at: i)
            return permutations(rest).map { [x] + $0 }
        }
    }
}

extension String {
    /// A 24-byte id like the emulator's: 24 hex digits.
    init(format24 i: Int) {
        let hex = String(i, radix: 16)
        self = String(repeating: "0", count: 24 - hex.count) + hex
    }
}
