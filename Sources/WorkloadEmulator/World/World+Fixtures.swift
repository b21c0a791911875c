/// Fixture loading: objects that start settled instead of going through the
/// clock, so a demo or a test begins with a world already in shape.
extension World {
    /// Creates the workload, then walks it through every state up to `running` (and on
    /// to `stopped` when asked) at the current time: the events show each step, and
    /// nothing is left scheduled but the draft TTL.
    public mutating func createSettledWorkload(
        _ input: WorkloadInput, by user: User, status: WorkloadStatus
    ) throws(DomainError) -> Workload {
        let id = try createWorkload(input, by: user).id
        var s = WorkloadStatus.submitted
        while s != .running, let (next, _) = s.successor(in: profile) {
            enter(id, next)
            s = next
        }
        if status == .stopped {
            addEvent(id, .stopped, actor: user.id)
            enter(id, .stopping, actor: user.id)
            enter(id, .stopped, actor: user.id)
        }
        touch()
        return workloads[id]!
    }
}
