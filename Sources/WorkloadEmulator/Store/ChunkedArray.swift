/// An array stored in chunks of 1,024: appending moves at most one chunk, never what is
/// stored before it. A contiguous array of 65,536 workloads (about 400 bytes each) copies
/// 26 MB into fresh pages when it doubles, under the sandbox's lock.
struct ChunkedArray<Element: Sendable>: Sendable {
    private static var shift: Int { 10 }
    private static var mask: Int { (1 << shift) - 1 }
    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    subscript(i: Int) -> Element {
        // Borrowed, not copied: a read of one field of a workload must not retain all of them.
        _read { yield chunks[i >> ChunkedArray.shift][i & ChunkedArray.mask] }
        _modify { yield &chunks[i >> ChunkedArray.shift][i & ChunkedArray.mask] }
    }

    mutating func append(_ element: consuming Element) {
        // A chunk grows as an array does, to at most 1,024 elements: a sandbox with one
        // workload holds room for a few, not for a whole chunk.
        if count >> ChunkedArray.shift == chunks.count { chunks.append([]) }
        chunks[count >> ChunkedArray.shift].append(element)
        count += 1
    }

    mutating func removeLast() -> Element {
        count -= 1
        let element = chunks[count >> ChunkedArray.shift].removeLast()
        // One empty chunk may stay (no churn at a boundary); more are given back.
        while chunks.count > (count >> ChunkedArray.shift) + 1 { chunks.removeLast() }
        return element
    }
}
