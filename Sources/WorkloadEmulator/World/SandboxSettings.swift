/// How new sandboxes start: taken from the command line once.
public struct SandboxSettings: Sendable {
    public var seed: UInt64 = 0
    public var clockMode: SandboxClock.Mode = .real
    public var timeScale: Double = 1
    public var profile: LifecycleProfile = .realistic
    public var strictAuth: Bool = false
    /// 0 = unlimited.
    public var maxConcurrentWorkloads: Int = 0
    /// 0 = unlimited.
    public var maxReplicas: Int = 0
    /// Draft workloads expire this long after their most recent start.
    public var draftTTL: Int64 = 8 * 3_600_000
    /// Cap of the emulator event log per sandbox.
    public var logCapacity: Int = 10_000
    /// Cap of the request journal per sandbox (`--journal-size`).
    public var journalCapacity: Int = 1000
    /// Bytes all journals of the sandboxes made with these settings hold together
    /// (`--journal-bytes`): one budget, shared by reference.
    public var journalBudget = JournalBudget(limit: 64 * 1024 * 1024)
    /// Sandboxes a registry holds at most (`--max-sandboxes`).
    public var maxSandboxes: Int = 1000
    /// Users every sandbox knows from the start (fixture users): in strict auth, the only valid tokens.
    public var users: [User] = []
    public var wall: any WallClock = SystemWallClock()
    /// Bundles, credentials and execution environments of every sandbox, unless a fixture
    /// file gave its sandbox its own.
    public var platform = PlatformCatalogue.builtIn
    public var platformBySandbox: [String: PlatformCatalogue] = [:]

    public func platform(for sandbox: String) -> PlatformCatalogue { platformBySandbox[sandbox] ?? platform }

    public init() {}
}
