import Testing

@testable import WorkloadEmulator

/// `OrderedStore`: values by id in creation order, each id listed once whatever the
/// sequence of inserts and removals.
@Suite struct OrderedStoreTests {
    /// a…e with seq 1…5, value = the id upper-cased.
    static func store(_ ids: [String] = ["a", "b", "c", "d", "e"]) -> OrderedStore<String> {
        var s = OrderedStore<String>()
        for (i, id) in ids.enumerated() { s.insert(id.uppercased(), id: id, seq: i + 1) }
        return s
    }

    /// Everything the store says about its contents, which must agree.
    static func listing(_ s: OrderedStore<String>) -> [String] {
        #expect(s.order.count == s.count, "order \(Array(s.order.ids)) vs count \(s.count)")
        #expect(s.order.page(offset: 0, limit: 1000) == Array(s.order.ids))
        #expect(s.values == Array(s.order.ids).map { s[$0] ?? "missing \($0)" })
        return Array(s.order.ids)
    }

    @Test func iteratesInSequenceOrderNotInsertOrder() {
        var s = OrderedStore<String>()
        s.insert("A", id: "a", seq: 1)
        s.insert("B", id: "b", seq: 5)
        s.insert("C", id: "c", seq: 9)
        #expect(Self.listing(s) == ["a", "b", "c"])
        #expect(s.values == ["A", "B", "C"])
        #expect(s.order.page(offset: 1, limit: 1) == ["b"])
    }

    @Test func insertOverAnExistingIdReplacesTheValueAndListsItOnce() {
        var s = Self.store()
        s.insert("C2", id: "c", seq: 3)
        #expect(s.count == 5)
        #expect(s["c"] == "C2")
        #expect(Self.listing(s) == ["a", "b", "c", "d", "e"], "same seq: the id keeps its place")
        #expect(s.values == ["A", "B", "C2", "D", "E"])
        // Once more over the same id: still listed once.
        s.insert("C3", id: "c", seq: 3)
        #expect(Self.listing(s) == ["a", "b", "c", "d", "e"])
        #expect(s.order.page(offset: 4, limit: 10) == ["e"])
    }

    @Test func insertOverAnExistingIdWithANewSeqMovesItToTheEnd() {
        var s = Self.store()
        s.insert("B2", id: "b", seq: 6)
        #expect(s.count == 5)
        #expect(Self.listing(s) == ["a", "c", "d", "e", "b"])
        #expect(s.values == ["A", "C", "D", "E", "B2"])
        // Its old seq no longer names it: removing by id still works afterwards.
        #expect(s.remove("b") == "B2")
        #expect(Self.listing(s) == ["a", "c", "d", "e"])
    }

    @Test func removeFromTheMiddleKeepsEveryOtherValueReachable() {
        var s = Self.store()
        #expect(s.remove("c") == "C")
        #expect(s["c"] == nil)
        #expect(s.remove("c") == nil, "a second removal is a no-op")
        #expect(s.count == 4)
        #expect(Self.listing(s) == ["a", "b", "d", "e"])
        // The last value moved into the freed slot: it is still found, read and changed.
        #expect(s["e"] == "E")
        #expect(s.read("e") { $0.count } == 1)
        s.update("e") { $0 = "E2" }
        #expect(s.values == ["A", "B", "D", "E2"])
        #expect(s.update("c") { $0 = "X" } == nil, "updating a removed id changes nothing")
        #expect(s.values == ["A", "B", "D", "E2"])
    }

    @Test func removeTheFirstAndTheLast() {
        var s = Self.store()
        #expect(s.remove("a") == "A")
        #expect(s.remove("e") == "E")
        #expect(Self.listing(s) == ["b", "c", "d"])
        #expect(s.remove("zzz") == nil)
        #expect(Self.listing(s) == ["b", "c", "d"])
    }

    @Test func reinsertAfterRemovalGoesLastOnce() {
        var s = Self.store()
        #expect(s.remove("b") == "B")
        s.insert("B2", id: "b", seq: 6)
        #expect(s.count == 5)
        #expect(s["b"] == "B2")
        #expect(Self.listing(s) == ["a", "c", "d", "e", "b"])
        #expect(s.remove("b") == "B2")
        #expect(Self.listing(s) == ["a", "c", "d", "e"])
    }

    /// Random inserts (new ids, overwrites in place, moves), removals and reinserts
    /// against a plain array model, across the index's compactions.
    @Test(arguments: [1, 2, 3] as [UInt64]) func randomOperationsMatchAModel(seed: UInt64) {
        var r = SplitMix64(seed: seed)
        var s = OrderedStore<String>()
        var model: [(id: String, seq: Int, value: String)] = []
        var nextSeq = 1
        for step in 0..<6000 {
            let id = "id\(r.next() % 400)"
            let value = "v\(step)"
            let known = model.firstIndex { $0.id == id }
            switch r.next() % 4 {
            case 0:
                #expect(s.remove(id) == known.map { model[$0].value })
                if let known { model.remove(at: known) }
            case 1 where known != nil:
                // Over an existing id with the seq it has: in place.
                let seq = model[known!].seq
                s.insert(value, id: id, seq: seq)
                model[known!].value = value
            default:
                s.insert(value, id: id, seq: nextSeq)
                if let known { model.remove(at: known) }
                model.append((id, nextSeq, value))
                nextSeq += 1
            }
            if step % 500 == 0 || step == 5999 {
                #expect(s.count == model.count)
                #expect(Self.listing(s) == model.map(\.id), "step \(step)")
                #expect(s.values == model.map(\.value))
                let offset = model.count / 3
                #expect(s.order.page(offset: offset, limit: 7) == Array(model.dropFirst(offset).prefix(7)).map(\.id))
                if s.values != model.map(\.value) { return }  // one report, not one per checkpoint
            }
        }
    }
}
