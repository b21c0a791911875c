/// The ids a command changed, taken out of the world to be freed a piece at a time.
/// After an 8 h advance over 100,000 workloads the change sets hold the last references
/// to some 300,000 ids, allocated by the threads that created the workloads; freeing
/// them at once was ~25 ms of CPU in `free` with no pause (`bench/RESULTS.md`, H3).
public struct ChangedIds: Sendable {
    /// Ids freed between two pauses: a few tenths of a millisecond.
    public static let piece = 4096

    var ids: [String] = []

    public var count: Int { ids.count }

    /// Drops the ids `piece` at a time, calling `pause` between pieces.
    public mutating func release(pause: () -> Void) {
        ids.removeAllInPieces(pause: pause)
    }
}

extension Array {
    /// Empties the array `ChangedIds.piece` elements at a time, calling `pause` between
    /// pieces (a long advance's leftovers, freed without holding a core for milliseconds).
    public mutating func removeAllInPieces(pause: () -> Void) {
        while !isEmpty {
            removeLast(Swift.min(ChangedIds.piece, count))
            if !isEmpty { pause() }
        }
    }
}

extension World {
    /// `discardChanges`, with the changed ids handed back to be freed by the caller.
    mutating func discardChangesKeepingIds() -> ChangedIds {
        var kept = ChangedIds()
        for changed in [
            workloads.takeChanged(), artifacts.takeChanged(), repositories.takeChanged(),
            deployments.takeChanged(), protons.takeChanged(), builds.takeChanged(),
        ] {
            kept.ids.append(contentsOf: changed)
        }
        discardChanges()
        return kept
    }
}
