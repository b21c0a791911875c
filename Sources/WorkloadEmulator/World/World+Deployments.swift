/// Deployments (v2.41, under `/console/deployments/`): a named handle on a workload
/// whose artifact is locked.
extension World {
    public func deployment(_ id: String, for user: User) throws(DomainError) -> Deployment {
        guard let d = deployments[id], d.creatorId == user.id else { throw .notFound("Deployment not found.") }
        return d
    }

    public mutating func createDeployment(
        name: String, workloadId: String, description: String?, importance: Importance, by user: User
    ) throws(DomainError) -> Deployment {
        let w = try workload(workloadId, for: user)
        guard artifacts[w.artifactId]?.status == .locked else {
            throw .unprocessable("A deployment needs a workload on a locked artifact.")
        }
        let id = ids.next()
        let seq = newSeq()
        let d = Deployment(
            id: id, seq: seq, name: name, description: description, importance: importance, workloadId: workloadId,
            creatorId: user.id, createdAt: now, updatedAt: now)
        deployments.insert(d, id: id, seq: seq)
        touch()
        return d
    }

    public func listDeployments(_ q: ListQuery, for user: User) -> Page<Deployment> {
        var matched: [Deployment] = []
        let idSet = q.ids.map(Set.init)
        for id in deployments.order.ids {
            guard let d = deployments[id], d.creatorId == user.id else { continue }
            if let idSet, !idSet.contains(id) { continue }
            if let s = q.search, !d.name.containsCaseInsensitive(s) { continue }
            matched.append(d)
        }
        let start = min(q.offset, matched.count)
        return Page(items: Array(matched[start..<min(start + q.limit, matched.count)]), totalCount: matched.count)
    }

    public mutating func updateDeployment(
        _ id: String, name: String?, description: String??, importance: Importance?, by user: User
    ) throws(DomainError) -> Deployment {
        _ = try deployment(id, for: user)
        deployments.update(id) {
            if let name { $0.name = name }
            if let description { $0.description = description }
            if let importance { $0.importance = importance }
            $0.updatedAt = now
        }
        touch()
        return deployments[id]!
    }

    public mutating func deleteDeployment(_ id: String, by user: User) throws(DomainError) {
        _ = try deployment(id, for: user)
        deployments.remove(id)
        touch()
    }
}
