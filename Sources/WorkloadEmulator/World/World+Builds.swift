/// Artifact builds: `PENDING → IN_PROGRESS → BUILT → COMPLETED` on the
/// clock, then `imageUri` is filled.
///
/// An artifact for which no build was ever requested counts as built (its images are
/// taken as given); once one is requested, its latest build must be `COMPLETED`
/// before a workload or a replacement can use it.
extension World {
    /// 422 while the artifact's latest build has not completed. The text names
    /// `runtime_image_uri`, which DataRobot's client recognises (CLIENTS.md D8).
    func requireDeployable(_ a: Artifact) throws(DomainError) {
        guard let last = a.buildIds.last, let b = builds[last], b.status != .completed else { return }
        throw .unprocessable(
            "Artifact \(a.id) has no completed build: runtime_image_uri is None "
                + "(build \(b.id) is \(b.status.rawValue); wait for COMPLETED).")
    }

    public mutating func triggerBuild(_ artifactId: String, by user: User) throws(DomainError) -> ArtifactBuild {
        let a = try artifact(artifactId, for: user, .manage)
        let id = ids.next()
        let b = ArtifactBuild(
            id: id, artifactId: a.id, status: .pending, createdAt: now, updatedAt: now, creatorId: user.id,
            imageUri: nil, transitions: [(.pending, now)])
        builds[id] = b
        artifacts.update(a.id) { $0.buildIds.append(id) }
        scheduleBuild(id, after: buildPhase(.pending))
        appendLog(EmulatorLogEntry(at: now, kind: "buildRequested", workloadId: nil, detail: "\(a.id) \(id)"))
        touch()
        return b
    }

    public func builds(of artifactId: String, for user: User) throws(DomainError) -> [ArtifactBuild] {
        try artifact(artifactId, for: user).buildIds.compactMap { builds[$0] }
    }

    public func build(_ buildId: String, of artifactId: String, for user: User) throws(DomainError) -> ArtifactBuild {
        let a = try artifact(artifactId, for: user)
        guard a.buildIds.contains(buildId), let b = builds[buildId] else { throw .notFound("Build not found.") }
        return b
    }

    public mutating func deleteBuild(_ buildId: String, of artifactId: String, by user: User) throws(DomainError) {
        let a = try artifact(artifactId, for: user, .manage)
        guard a.buildIds.contains(buildId), builds[buildId] != nil else { throw .notFound("Build not found.") }
        builds[buildId] = nil
        artifacts.update(a.id) { $0.buildIds.removeAll { $0 == buildId } }
        touch()
    }

    /// How long a build stays in `status`: an eighth of the profile's build time
    /// pending, six eighths in progress, an eighth built.
    func buildPhase(_ status: ArtifactBuild.Status) -> Int64 {
        switch status {
        case .pending, .built: return profile.build / 8
        case .inProgress: return profile.build - 2 * (profile.build / 8)
        case .completed: return 0
        }
    }

    private mutating func scheduleBuild(_ id: String, after: Int64) {
        // Builds need no cancel token: a deleted build is simply gone when its step is due.
        scheduler.schedule(
            ScheduledAction(kind: .build, workloadId: id, token: 0), at: TimeBounds.adding(after, to: now))
    }

    mutating func advanceBuild(_ id: String, token: UInt64) -> FiredAction? {
        guard var b = builds[id], let next = b.status.next, artifacts[b.artifactId] != nil else { return nil }
        b.status = next
        b.updatedAt = now
        b.transitions.append((next, now))
        if next == .completed, let a = artifacts[b.artifactId] {
            b.imageUri = "registry.emulator.local/\(a.repositoryId)/\(a.id):\(id)"
        }
        builds[id] = b
        if next != .completed { scheduleBuild(id, after: buildPhase(next)) }
        appendLog(EmulatorLogEntry(at: now, kind: "build", workloadId: nil, detail: "\(id) \(next.rawValue)"))
        return FiredAction(at: now, kind: "build", workloadId: id)
    }
}
