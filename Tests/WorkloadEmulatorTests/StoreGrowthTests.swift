import Testing

@testable import WorkloadEmulator

/// The chunked array behind the stores and the keyed store, across chunk
/// boundaries (1,024) and with thousands of keys, against a plain dictionary and array.
@Suite struct StoreGrowthTests {
    @Test func chunkedArrayAppendsReadsWritesAndShrinksAcrossChunks() {
        var a = ChunkedArray<Int>()
        var reference: [Int] = []
        for i in 0..<3000 {
            a.append(i)
            reference.append(i)
        }
        #expect(a.count == 3000)
        for i in stride(from: 0, to: 3000, by: 7) {
            a[i] += 1_000_000
            reference[i] += 1_000_000
        }
        // Down past two chunk boundaries (2048 and 1024), then up again.
        for _ in 0..<2100 { #expect(a.removeLast() == reference.removeLast()) }
        #expect(a.count == 900)
        for i in 0..<500 {
            a.append(-i)
            reference.append(-i)
        }
        #expect(a.count == reference.count)
        #expect((0..<a.count).map { a[$0] } == reference)
    }

    /// Removal moves the last value into the freed slot, as in `OrderedStore`.
    @Test func keyedStoreMatchesADictionary() {
        var d = KeyedStore<Int>()
        var reference: [String: Int] = [:]
        for i in 0..<5000 {
            d["id-\(i)"] = i
            reference["id-\(i)"] = i
        }
        for i in stride(from: 0, to: 5000, by: 3) {
            d["id-\(i)"] = nil
            reference["id-\(i)"] = nil
        }
        d["id-1"] = nil
        reference["id-1"] = nil
        d["id-2"] = -2
        reference["id-2"] = -2
        d[""] = -1
        reference[""] = -1
        let long = String(repeating: "x", count: 40)
        d[long] = 40
        reference[long] = 40
        d["never"] = nil
        #expect(d.count == reference.count)
        #expect(d.keys.sorted() == reference.keys.sorted())
        #expect(d.values.sorted() == reference.values.sorted())
        for (k, v) in reference { #expect(d[k] == v) }
        for i in 0..<5000 { #expect(d.contains("id-\(i)") == (reference["id-\(i)"] != nil)) }
        #expect(d.read("id-2") { $0 * 10 } == -20)
        #expect(d.read("id-3") { $0 } == nil)
        let changed = d.takeChanged()
        #expect(changed.count == 5000 + 3, "every key written, removed ones and \"never\" included")
        let again = d.takeChanged()
        #expect(again.isEmpty)
        var restored = KeyedStore<Int>()
        restored.reserveCapacity(10)
        let first = restored.restore(1, key: "a")
        let second = restored.restore(2, key: "a")
        #expect(first)
        #expect(!second, "a key twice: refused")
        #expect(restored["a"] == 1)
        let restoredChanges = restored.takeChanged()
        #expect(restoredChanges.isEmpty, "restored values are not changes")
    }

    /// Removal moves the last entry into the freed slot: across chunk boundaries the
    /// store still answers every id with its own value, in creation order.
    @Test func orderedStoreAcrossChunkBoundaries() {
        var s = OrderedStore<String>()
        for i in 0..<2500 { s.insert("v\(i)", id: "w\(i)", seq: i + 1) }
        for i in stride(from: 0, to: 2500, by: 2) { #expect(s.remove("w\(i)") == "v\(i)") }
        #expect(s.count == 1250)
        let expected = stride(from: 1, to: 2500, by: 2).map { "w\($0)" }
        #expect(Array(s.order.ids) == expected)
        #expect(s.values == expected.map { "v" + $0.dropFirst() })
        for i in 0..<2500 { #expect(s[("w\(i)")] == (i % 2 == 1 ? "v\(i)" : nil)) }
    }
}
