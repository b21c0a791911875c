import JSON

/// Artifacts and their repositories. Repositories are created implicitly with their
/// first artifact; a lock gives the artifact the repository's next version number.
extension World {
    /// 404 without a role; any role reads and uses it (a workload on it, a clone);
    /// `.manage` (change, lock, delete, build, share) needs OWNER.
    public func artifact(_ id: String, for user: User, _ access: Access = .view) throws(DomainError) -> Artifact {
        guard let a = artifacts[id], let role = a.roles.first(where: { $0.userId == user.id })?.role else {
            throw .notFound("Artifact not found.")
        }
        guard access != .manage || role == .owner else {
            throw .forbidden("You do not have permission to perform this action on the artifact.")
        }
        return a
    }

    public func repository(
        _ id: String, for user: User, _ access: Access = .view
    ) throws(DomainError) -> ArtifactRepository {
        guard let r = repositories[id], let role = r.roles.first(where: { $0.userId == user.id })?.role else {
            throw .notFound("Artifact repository not found.")
        }
        guard access != .manage || role == .owner else {
            throw .forbidden("You do not have permission to perform this action on the artifact repository.")
        }
        return r
    }

    public func workloadsUsing(_ artifactId: String) -> [String] { artifacts[artifactId]?.workloadIds ?? [] }

    public mutating func createArtifact(_ input: ArtifactInput, by user: User) throws(DomainError) -> Artifact {
        var repoId: String
        if let rid = input.repositoryId {
            _ = try repository(rid, for: user, .manage)
            repoId = rid
        } else {
            repoId = ids.next()
            let repo = ArtifactRepository(
                id: repoId, name: input.name, description: input.description, lastVersionNumber: 0, creatorId: user.id,
                createdAt: now, updatedAt: now, artifactIds: [], roles: [(user.id, .owner)])
            repositories.insert(repo, id: repoId, seq: newSeq())
        }
        let id = ids.next()
        let a = Artifact(
            id: id, name: input.name, description: input.description, type: input.type, status: .draft, version: nil,
            repositoryId: repoId, spec: input.spec, creatorId: user.id, createdAt: now, updatedAt: now,
            roles: [(user.id, .owner)])
        artifacts.insert(a, id: id, seq: newSeq())
        repositories.update(repoId) {
            $0.artifactIds.append(id)
            $0.updatedAt = now
        }
        if input.status == .locked { lockArtifact(id) }
        touch()
        return artifacts[id]!
    }

    /// Locks in place: next version of its repository; workloads on it lose their TTL.
    mutating func lockArtifact(_ id: String) {
        guard let a = artifacts[id], a.status == .draft else { return }
        var version = 1
        repositories.update(a.repositoryId) {
            $0.lastVersionNumber += 1
            version = $0.lastVersionNumber
            $0.updatedAt = now
        }
        artifacts.update(id) {
            $0.status = .locked
            $0.version = version
            $0.updatedAt = now
        }
        for wid in workloadsUsing(id) {
            guard var w = workloads[wid], w.expiresAt != nil else { continue }
            w.expiresAt = nil
            w.expiryToken = newToken()
            workloads.update(wid) { $0 = w }
        }
        touch()
    }

    public func listArtifacts(
        _ q: ListQuery, statuses: [ArtifactStatus]?, repositoryIds: [String]?, for user: User
    ) -> Page<Artifact> {
        let idSet = q.ids.map(Set.init)
        var matched: [Artifact] = []
        for id in artifacts.order.ids {
            guard let a = artifacts[id], a.roles.contains(where: { $0.userId == user.id }) else { continue }
            if let idSet, !idSet.contains(id) { continue }
            if let s = q.search, !a.name.containsCaseInsensitive(s) { continue }
            if let s = statuses, !s.contains(a.status) { continue }
            if let s = repositoryIds, !s.contains(a.repositoryId) { continue }
            matched.append(a)
        }
        if let (field, descending) = q.orderBy {
            matched = matched.enumerated().sorted { x, y in
                let c: Int
                switch field {
                case .name: c = x.element.name < y.element.name ? -1 : (x.element.name > y.element.name ? 1 : 0)
                case .updatedAt:
                    c =
                        x.element.updatedAt < y.element.updatedAt
                        ? -1 : (x.element.updatedAt > y.element.updatedAt ? 1 : 0)
                case .status:
                    c =
                        x.element.status.rawValue < y.element.status.rawValue
                        ? -1 : (x.element.status.rawValue > y.element.status.rawValue ? 1 : 0)
                default:
                    c =
                        x.element.createdAt < y.element.createdAt
                        ? -1 : (x.element.createdAt > y.element.createdAt ? 1 : 0)
                }
                if c != 0 { return descending ? c > 0 : c < 0 }
                return x.offset < y.offset
            }.map(\.element)
        }
        let start = min(q.offset, matched.count)
        return Page(items: Array(matched[start..<min(start + q.limit, matched.count)]), totalCount: matched.count)
    }

    /// PUT: replaces the definition of a draft artifact.
    public mutating func replaceArtifact(
        _ id: String, with input: ArtifactInput, by user: User
    ) throws(DomainError) -> Artifact {
        let a = try artifact(id, for: user, .manage)
        // 400: the contract documents no 409 for PUT or PATCH.
        guard a.status == .draft else { throw .badRequest("A locked artifact cannot be modified.") }
        artifacts.update(id) {
            $0.name = input.name
            $0.description = input.description
            $0.type = input.type
            $0.spec = input.spec
            $0.updatedAt = now
        }
        if input.status == .locked { lockArtifact(id) }
        touch()
        return artifacts[id]!
    }

    public mutating func patchArtifact(
        _ id: String, name: String?, description: String??, spec: JSONValue?, status: ArtifactStatus?, by user: User
    ) throws(DomainError) -> Artifact {
        let a = try artifact(id, for: user, .manage)
        if a.status == .locked {
            if spec != nil { throw .badRequest("A locked artifact cannot be modified.") }
            if status == .draft { throw .unprocessable("A locked artifact cannot be unlocked.") }
        }
        artifacts.update(id) {
            if let name { $0.name = name }
            if let description { $0.description = description }
            if let spec { $0.spec = spec }
            $0.updatedAt = now
        }
        if status == .locked { lockArtifact(id) }
        touch()
        return artifacts[id]!
    }

    public mutating func deleteArtifact(_ id: String, by user: User) throws(DomainError) {
        let a = try artifact(id, for: user, .manage)
        guard a.status == .draft else { throw .conflict("A locked artifact cannot be deleted.") }
        let users = workloadsUsing(id)
        guard users.isEmpty else {
            throw .conflict("Artifact is in use by workload(s) \(users.joined(separator: ", ")).")
        }
        removeArtifact(id)
    }

    mutating func removeArtifact(_ id: String) {
        guard let a = artifacts.remove(id) else { return }
        repositories.update(a.repositoryId) {
            $0.artifactIds.removeAll { $0 == id }
            $0.updatedAt = now
        }
        touch()
    }

    /// A new draft with the same definition, in the same repository.
    public mutating func cloneArtifact(_ id: String, name: String?, by user: User) throws(DomainError) -> Artifact {
        let a = try artifact(id, for: user)
        return try createArtifact(
            ArtifactInput(
                name: name ?? a.name, description: a.description, type: a.type, spec: a.spec,
                repositoryId: a.repositoryId),
            by: user)
    }

    public func listRepositories(_ q: ListQuery, for user: User) -> Page<ArtifactRepository> {
        let idSet = q.ids.map(Set.init)
        var matched: [ArtifactRepository] = []
        for id in repositories.order.ids {
            guard let r = repositories[id], r.roles.contains(where: { $0.userId == user.id }) else { continue }
            if let idSet, !idSet.contains(id) { continue }
            if let s = q.search, !r.name.containsCaseInsensitive(s) { continue }
            matched.append(r)
        }
        if let (field, descending) = q.orderBy, field == .name {
            matched = matched.enumerated().sorted { x, y in
                if x.element.name != y.element.name {
                    return descending ? x.element.name > y.element.name : x.element.name < y.element.name
                }
                return x.offset < y.offset
            }.map(\.element)
        } else if let (_, descending) = q.orderBy, descending {
            matched.reverse()
        }
        let start = min(q.offset, matched.count)
        return Page(items: Array(matched[start..<min(start + q.limit, matched.count)]), totalCount: matched.count)
    }

    /// Its draft artifacts that back no workload go with it (the real API's cascade);
    /// a locked one is a 409 unless `cascade`; one that backs a workload is always a 409.
    public mutating func deleteRepository(_ id: String, cascade: Bool, by user: User) throws(DomainError) {
        let r = try repository(id, for: user, .manage)
        if !r.artifactIds.isEmpty {
            let locked = r.artifactIds.filter { artifacts[$0]?.status == .locked }
            guard cascade || locked.isEmpty else {
                throw .conflict(
                    "Artifact repository has \(locked.count) locked artifact(s); delete them first or pass cascade=true."
                )
            }
            for aid in r.artifactIds where !workloadsUsing(aid).isEmpty {
                throw .conflict(
                    "Artifact \(aid) is in use by workload(s) \(workloadsUsing(aid).joined(separator: ", ")).")
            }
            for aid in r.artifactIds { artifacts.remove(aid) }
        }
        repositories.remove(id)
        touch()
    }
}
