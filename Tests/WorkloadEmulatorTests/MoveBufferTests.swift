import JSON
import Synchronization
import Testing

/// `MoveBuffer`: elements come out in the order they went in, each exactly once, and
/// those never taken are dropped with the buffer (none leaked, none dropped twice).
@Suite struct MoveBufferTests {
    final class Counted: Sendable {
        let n: Int
        let drops: Drops
        init(_ n: Int, _ drops: Drops) {
            self.n = n
            self.drops = drops
        }
        deinit { drops.count.add(1, ordering: .relaxed) }
    }

    final class Drops: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func elementsComeOutInOrderAcrossGrowth() {
        let drops = Drops()
        do {
            let buffer = MoveBuffer<Counted>(capacity: 1)
            for i in 0..<1000 { buffer.append(Counted(i, drops)) }
            #expect(buffer.count == 1000)
            var seen: [Int] = []
            while let c = buffer.next() { seen.append(c.n) }
            #expect(seen == Array(0..<1000))
            #expect(buffer.isEmpty)
            #expect(buffer.next() == nil)
        }
        #expect(drops.count.load(ordering: .relaxed) == 1000)
    }

    @Test func elementsNotTakenAreDroppedWithTheBufferOnce() {
        let drops = Drops()
        var taken: [Counted] = []
        do {
            let buffer = MoveBuffer<Counted>()
            for i in 0..<100 { buffer.append(Counted(i, drops)) }
            for _ in 0..<40 { taken.append(buffer.next()!) }
            #expect(drops.count.load(ordering: .relaxed) == 0)
        }
        // The 60 left in the buffer went with it; the 40 taken are still alive.
        #expect(drops.count.load(ordering: .relaxed) == 60)
        #expect(taken.map(\.n) == Array(0..<40))
        taken = []
        #expect(drops.count.load(ordering: .relaxed) == 100)
    }

    @Test func takeAllAndCopiesOfAnArray() {
        let buffer = MoveBuffer(["a", "b", "c"])
        #expect(buffer.next() == "a")
        #expect(buffer.takeAll() == ["b", "c"])
        #expect(buffer.takeAll() == [])
        #expect(MoveBuffer<Int>(capacity: 0).takeAll() == [])
    }
}
