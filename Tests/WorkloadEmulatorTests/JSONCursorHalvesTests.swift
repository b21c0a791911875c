import JSON
import Testing

/// `JSONCursor.elements`: a long array written one element a line is read in two halves
/// on two threads, with the result and the first refusal of reading it in order.
@Suite struct JSONCursorHalvesTests {
    /// Past `JSONCursor.splitBytes` (1 MiB), so that the halves are taken.
    static let count = 20_000
    static let pad = String(repeating: "p", count: 60)

    /// `{"list":[…]}`, each element `{"n":i,"pad":…}` (`bad`: that one's `n` a string).
    static func document(lines: Bool, bad: Set<Int> = []) -> [UInt8] {
        var j = JSONWriter()
        j.object { j in
            let body: (inout JSONWriter) -> Void = { j in
                for i in 0..<count {
                    if lines { j.line() }
                    j.object { j in
                        if bad.contains(i) { j.string("n", "x") } else { j.int("n", Int64(i)) }
                        j.string("pad", pad)
                    }
                }
            }
            if lines { j.lines("list", body) } else { j.array("list", body) }
            j.int("after", 1)
        }
        return j.bytes
    }

    static let element: @Sendable (inout JSONCursor) throws(JSONPathError) -> Int = { (c) throws(JSONPathError) in
        var n = -1
        try c.members { (c, k) throws(JSONPathError) in
            if c.matches(k, "n") { n = Int(try c.int()) } else { try c.skip() }
        }
        return n
    }

    static func read(_ bytes: [UInt8]) -> Result<([Int], Int64), JSONPathError> {
        do throws(JSONPathError) {
            return .success(
                try JSONCursor.read(bytes) { (c) throws(JSONPathError) -> ([Int], Int64) in
                    var out: [Int] = []
                    var after: Int64 = 0
                    try c.members { (c, k) throws(JSONPathError) in
                        if c.matches(k, "list") {
                            // Chunks of an odd size: the halves' chunks meet mid-chunk.
                            try c.elements(element, chunk: 997) { part in
                                while let n = part.next() { out.append(n) }
                            }
                        } else if c.matches(k, "after") {
                            after = try c.int()
                        } else {
                            try c.skip()
                        }
                    }
                    return (out, after)
                })
        } catch { return .failure(error) }
    }

    @Test func linesReadInOrderAsOneArray() throws {
        let bytes = Self.document(lines: true)
        #expect(bytes.count > 1 << 20)
        #expect(bytes.contains(0x0A))
        let (list, after) = try Self.read(bytes).get()
        #expect(list == Array(0..<Self.count))
        #expect(after == 1)
        // The same as the one-thread layout, element for element.
        #expect(try Self.read(Self.document(lines: false)).get().0 == list)
    }

    /// A refusal in the second half names its element, as reading in order does; with
    /// one in each half, the first half's comes first.
    @Test(arguments: [[Self.count - 10], [Self.count / 2], [Self.count / 2 - 1], [Self.count / 2 + 1], [3, Self.count - 3]])
    func refusalsAreTheOneThreadReadingsOnes(bad: [Int]) {
        let halves = Self.read(Self.document(lines: true, bad: Set(bad)))
        let inOrder = Self.read(Self.document(lines: false, bad: Set(bad)))
        guard case let .failure(e) = halves, case let .failure(expected) = inOrder else {
            Issue.record("accepted: \(halves)")
            return
        }
        #expect(e == expected)
        #expect(e.path == "$.list[\(bad[0])].n")
    }

    /// Lines that are not one element each (a hand-edited file): two lines an element,
    /// the second starting inside it. With an odd count the halves' guess is that
    /// second line (the other thread's reading is dropped), with an even one an
    /// element's start; both read as in order.
    @Test(arguments: [8001, 8002])
    func linesInsideElementsStillReadInOrder(count: Int) throws {
        var text = "{\"list\":[\n"
        for i in 0..<count {
            text += "{\"n\":\(i),\"pad\":\"\(Self.pad)\",\"sub\":[{\"n\":-1,\"pad\":\"\(Self.pad)\"},\n{\"n\":-2}]}"
            text += i == count - 1 ? "\n" : ",\n"
        }
        text += "],\"after\":1}"
        let bytes = Array(text.utf8)
        #expect(bytes.count > 1 << 20)
        let (list, after) = try Self.read(bytes).get()
        #expect(list == Array(0..<count))
        #expect(after == 1)
    }
}
