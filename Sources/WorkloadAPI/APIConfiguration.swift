import HTTPServer
import JSON
import Persistence
import WorkloadEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Everything the executable needs to know to build the application. Owned by the
/// API module; the executable fills it from flags and environment.
public struct APIConfiguration: Sendable {
    public enum AuthMode: String, Sendable { case open, strict }
    public enum ClockMode: String, Sendable { case real, manual }

    public var publicURL: String? = nil
    public var clockMode: ClockMode = .real
    public var timeScale: Double = 1
    /// `realistic`, `instant`, or a path to a JSON profile.
    public var lifecycle: String = "realistic"
    public var fixturesDirectory: String? = nil
    public var stateFile: String? = nil
    /// `--durability`: when a change's answer may leave (see StateStore.Durability).
    public var durability: StateStore.Durability = .batch
    public var auth: AuthMode = .open
    public var seed: UInt64 = 0
    public var partialDeleteStatus: Int = 502
    public var maxConcurrentWorkloads: Int = 0
    public var maxReplicas: Int = 0
    /// Tests substitute a fake wall clock; everything else uses the system's.
    public var wallClock: any WallClock = SystemWallClock()
    /// How often real-clock sandboxes fire due transitions without a request (ms).
    public var tickIntervalMilliseconds: Int = 50
    /// Requests kept per sandbox by the journal (`--journal-size`).
    public var journalSize: Int = 1000
    /// Bytes all sandboxes' journals hold together (`--journal-bytes`).
    public var journalBytes: Int = 64 * 1024 * 1024
    /// Sandboxes the emulator holds at most (`--max-sandboxes`).
    public var maxSandboxes: Int = 1000
    /// When set, every `/__emulator` route and the dashboard need it (`--control-token`).
    public var controlToken: String? = nil
    /// Invokes forwarded to upstreams at once (`--max-upstream-invokes`); more get 503.
    public var maxUpstreamInvokes: Int = 64
    /// An upstream that has not answered by then gets 504 (`--upstream-timeout`).
    public var upstreamTimeoutSeconds: Double = 30
    /// Resolves upstream host names within that timeout; tests give one whose lookups hang.
    public var upstreamResolver: HostResolver = .shared
    /// Test-only response recording for the contract conformance test (`ResponseRecorder`).
    public var recordResponsesDirectory: String? = ResponseRecorder.environmentDirectory

    public init() {}

    /// A convenience for tests and the manual-clock CLI: manual clock, realistic profile.
    public static func manual(seed: UInt64 = 0) -> APIConfiguration {
        var c = APIConfiguration()
        c.clockMode = .manual
        c.seed = seed
        return c
    }

    /// Resolves `lifecycle` to a profile; a file is read once, here, at start-up.
    public func lifecycleProfile() throws(ConfigurationError) -> LifecycleProfile {
        if let p = LifecycleProfile.named(lifecycle) { return p }
        guard let bytes = APIConfiguration.readFile(lifecycle) else {
            throw ConfigurationError(
                message: "--lifecycle: '\(lifecycle)' is neither 'realistic', 'instant' nor a readable JSON file")
        }
        do {
            let value = try JSONParser.parse(bytes)
            return try LifecycleProfile.fromJSON(value, name: lifecycle)
        } catch let e as JSONParser.Error {
            throw ConfigurationError(message: "--lifecycle: \(lifecycle): \(e.description)")
        } catch let e as LifecycleProfile.ParseError {
            throw ConfigurationError(message: "--lifecycle: \(lifecycle): \(e.description)")
        } catch {
            throw ConfigurationError(message: "--lifecycle: \(lifecycle): \(error)")
        }
    }

    var sandboxSettings: SandboxSettings {
        get throws(ConfigurationError) {
            var s = SandboxSettings()
            s.seed = seed
            s.clockMode = clockMode == .manual ? .manual : .real
            s.timeScale = timeScale
            s.profile = try lifecycleProfile()
            s.strictAuth = auth == .strict
            s.maxConcurrentWorkloads = maxConcurrentWorkloads
            s.maxReplicas = maxReplicas
            s.wall = wallClock
            s.journalCapacity = journalSize
            s.journalBudget = JournalBudget(limit: journalBytes)
            s.maxSandboxes = maxSandboxes
            return s
        }
    }

    static func readFile(_ path: String) -> [UInt8]? { Files.read(path) }
}

/// A configuration the application cannot start with; `description` is the one-line
/// message the executable prints before exiting with 2.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// 2 for bad input; 1 when the state file is held by another process.
    public var exitCode: Int32 = 2
    public var description: String { message }
}
