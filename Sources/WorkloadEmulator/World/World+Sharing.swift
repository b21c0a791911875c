/// Sharing: roles on workloads, artifacts and repositories.
extension World {
    public enum SharedObject: String, Sendable {
        case workload, artifact, repository
    }

    /// One entry of a PATCH: a user by id or username, and a role (nil: NO_ROLE).
    public struct RoleGrant: Sendable {
        public var userId: String?
        public var username: String?
        public var role: Role?
        public init(userId: String? = nil, username: String? = nil, role: Role?) {
            self.userId = userId
            self.username = username
            self.role = role
        }
    }

    /// The grants of an object, in order (any role that may read it may list them).
    public func sharedRoles(
        _ kind: SharedObject, _ id: String, for user: User
    ) throws(DomainError) -> [(userId: String, role: Role)] {
        switch kind {
        case .workload: return try workload(id, for: user).roles
        case .artifact: return try artifact(id, for: user).roles
        case .repository: return try repository(id, for: user).roles
        }
    }

    public func user(byId id: String?, username: String?) -> User? {
        if let id { return usersById[id] }
        guard let username else { return nil }
        let lower = username.lowercased()
        return usersById.values.first { $0.username.lowercased() == lower }
    }

    /// Applies the grants in order. Only an OWNER may share; the last OWNER cannot go.
    public mutating func updateSharedRoles(
        _ kind: SharedObject, _ id: String, _ grants: [RoleGrant], by user: User
    ) throws(DomainError) {
        var roles: [(userId: String, role: Role)]
        switch kind {
        case .workload: roles = try workload(id, for: user, .manage).roles
        case .artifact: roles = try artifact(id, for: user, .manage).roles
        case .repository: roles = try repository(id, for: user, .manage).roles
        }
        let before = roles
        for g in grants {
            guard let target = self.user(byId: g.userId, username: g.username) else {
                throw .notFound(
                    "User '\(g.username ?? g.userId ?? "")' not found: a user is known once they have made a request.")
            }
            roles.removeAll { $0.userId == target.id }
            if let role = g.role { roles.append((target.id, role)) }
        }
        guard roles.contains(where: { $0.role == .owner }) else {
            throw .unprocessable("The last owner cannot be removed: grant OWNER to someone else first.")
        }
        switch kind {
        case .workload:
            workloads.update(id) {
                $0.roles = roles
                $0.updatedAt = now
            }
            reindexVisibility(workload: id, before: before, after: roles)
            addEvent(id, .sharingChanged, actor: user.id, message: "Shared roles updated (\(roles.count) grants)")
        case .artifact:
            artifacts.update(id) { $0.roles = roles }
        case .repository:
            repositories.update(id) { $0.roles = roles }
        }
        touch()
    }

    /// Lists show what a user may read: OWNER and USER, not CONSUMER.
    static func listsShow(_ role: Role?) -> Bool { role == .owner || role == .user }

    mutating func reindexVisibility(
        workload id: String, before: [(userId: String, role: Role)], after: [(userId: String, role: Role)]
    ) {
        guard let seq = workloads.seq(of: id) else { return }
        var users = Set(before.map(\.userId))
        users.formUnion(after.map(\.userId))
        for u in users {
            let was = World.listsShow(before.first { $0.userId == u }?.role)
            let now = World.listsShow(after.first { $0.userId == u }?.role)
            if was == now { continue }
            if !now {
                visible[u]?.remove(seq: seq)
            } else {
                insertVisible(u, id: id, seq: seq)
            }
        }
    }

    /// The per-user index is append-only in creation order: an older workload shared
    /// later means rebuilding that user's index (sharing is rare; lists stay O(page)).
    private mutating func insertVisible(_ userId: String, id: String, seq: Int) {
        var index = visible[userId] ?? OrderedIndex()
        let ids = Array(index.ids)
        if let last = ids.last, let lastSeq = workloads[last]?.seq, lastSeq > seq {
            var entries = ids.compactMap { i in workloads[i].map { (i, $0.seq) } }
            entries.append((id, seq))
            entries.sort { $0.1 < $1.1 }
            index = OrderedIndex()
            for (i, s) in entries { index.append(i, seq: s) }
        } else {
            index.append(id, seq: seq)
        }
        visible[userId] = index
    }
}
