import JSON

/// The sandbox's document written straight to bytes with `JSONWriter` (no `JSONValue`
/// tree: 100,000 workloads must be written well inside the stop budget), from the
/// members of `World.documentMembers` and the models' state forms. The snapshot, the
/// state log's records and `GET /__emulator/state` all come from here.
extension World {
    /// `capacity`: a guess of the size (the previous document's), to avoid regrowing.
    /// `encoding`: `compact` for the state file (members at their defaults left out).
    public func snapshotBytes(capacity: Int = 4096, encoding: StateEncoding = .full) -> [UInt8] {
        var j = JSONWriter(capacity: capacity)
        writeSnapshot(&j, encoding)
        return j.bytes
    }

    func writeSnapshot(_ j: inout JSONWriter, _ e: StateEncoding) {
        StateTable.write(World.documentMembers, self, &j, e)
    }
}
