import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct OrderedIndexTests {
    @Test func pagesSkipRemovedIdsAtAnyOffset() {
        var index = OrderedIndex()
        var model: [String] = []
        var r = SplitMix64(seed: 11)
        for seq in 1...5000 {
            index.append("id\(seq)", seq: seq)
            model.append("id\(seq)")
        }
        // Remove most of them in random order, checking pages along the way (this
        // crosses several compactions).
        var order = Array(1...5000)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(r.next() % UInt64(i + 1))) }
        for (n, seq) in order.prefix(4500).enumerated() {
            index.remove(seq: seq)
            model.removeAll { $0 == "id\(seq)" }
            if n % 250 == 0 {
                #expect(index.count == model.count)
                for offset in [0, 1, model.count / 2, max(0, model.count - 3)] {
                    #expect(index.page(offset: offset, limit: 7) == Array(model.dropFirst(offset).prefix(7)))
                }
                #expect(Array(index.ids) == model)
            }
        }
        index.remove(seq: 999_999)  // unknown: no-op
        #expect(index.page(offset: model.count, limit: 10).isEmpty)
        index.append("last", seq: 10_000)
        #expect(index.page(offset: model.count, limit: 10) == ["last"])
    }
}
