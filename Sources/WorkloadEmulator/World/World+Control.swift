/// The clock, users and the lifecycle profile: what the emulator control API changes.
extension World {
    /// Moves the clock forward (never back) and fires everything due in the window;
    /// `pause` as in `sync(to:pause:)`.
    public mutating func advanceClock(to target: Int64, pause: () -> Void = {}) -> [FiredAction] {
        clock.advance(to: target)
        let fired = sync(to: clock.now(), pause: pause)
        touch()
        return fired
    }

    public mutating func setClock(mode: SandboxClock.Mode, scale: Double) {
        syncToClock()
        clock.setMode(mode, scale: scale)
        touch()
    }

    public mutating func setProfile(_ p: LifecycleProfile) {
        profile = p
        touch()
    }

    /// Open mode: any token names its own (derived) user, created on first use.
    /// Strict mode: only users added explicitly (fixtures).
    public mutating func authenticate(token: String) -> User? {
        if let u = usersByToken[token] { return u }
        guard !settings.strictAuth else { return nil }
        let u = User.derived(fromToken: token)
        addUser(u)
        return u
    }

    public mutating func addUser(_ u: User) {
        usersByToken[u.token] = u
        usersById[u.id] = u
        changes.users = true
        touch()
    }

    public var counts: (workloads: Int, artifacts: Int, repositories: Int, deployments: Int) {
        (workloads.count, artifacts.count, repositories.count, deployments.count)
    }
}
