import JSON
import HTTPServer
import Persistence
import WorkloadEmulator

/// What the emulator keeps around the domain for test control: request metrics, the
/// journal recording, fixtures and the state file. Built before the registry (it
/// supplies the registry's change observer and the fixture users) and attached to it.
final class ControlPlane: Sendable {
    /// What `EmulatorApplication.dispatch` learned about a request, for the journal and metrics.
    struct Seen {
        var sandboxName = "default"
        var path = ""
        var route: String?
        var injected: FaultRule?
        /// The sandbox the request acquired; released once the answer is known.
        var lease: Sandbox?
        /// The state file could not be written, so the emulator answered 507 in the
        /// operation's place: like an injected failure, an answer of the emulator's own
        /// storage, which the real service does not have.
        var refusedByStorage = false
        /// The sandbox's time when the caller was authenticated, if it was.
        var arrivedAt: Int64?
    }

    let metrics = RequestMetrics()
    let fixtures: [FixtureFile]
    /// The state file's store; it holds the file's lock from here on.
    let store: StateStore?

    init(configuration: APIConfiguration) throws(ConfigurationError) {
        do throws(PersistenceError) {
            fixtures = try configuration.fixturesDirectory.map { (dir) throws(PersistenceError) in
                try FixtureFile.loadDirectory(dir, rules: .api)
            } ?? []
            store = try configuration.stateFile.map { (path) throws(PersistenceError) in
                try StateStore(path: path, durability: configuration.durability)
            }
        } catch {
            throw ConfigurationError(message: error.message, exitCode: error.isLockConflict ? 1 : 2)
        }
    }

    /// Every fixture user, known to every sandbox (in strict auth, the valid tokens).
    var users: [User] {
        var seen = Set<String>()
        var out: [User] = []
        for f in fixtures {
            for u in f.users where seen.insert(u.token).inserted { out.append(u) }
        }
        return out
    }

    /// Per sandbox, the built-in platform catalogue with the fixture files' entries applied.
    func platformCatalogues(base: PlatformCatalogue) -> [String: PlatformCatalogue] {
        var out: [String: PlatformCatalogue] = [:]
        for f in fixtures where !f.platform.isEmpty { out[f.sandbox] = f.platform.applied(to: out[f.sandbox] ?? base) }
        return out
    }

    /// Restores the saved sandboxes, then starts recording, then loads fixtures into
    /// the sandboxes the state file did not hold (a restart must not add the fixture
    /// objects twice).
    func attach(_ registry: SandboxRegistry) throws(ConfigurationError) {
        var restored = Set<String>()
        if let store {
            do throws(PersistenceError) {
                let recovered = try StateRecovery.load(store.path, settings: registry.settings)
                for world in recovered.worlds {
                    do throws(DomainError) {
                        try registry.sandbox(named: world.name).replaceWorld { (_, _) throws(DomainError) in world }
                    } catch {
                        throw PersistenceError("--state-file: sandbox '\(world.name)': \(error.detail)")
                    }
                    restored.insert(world.name)
                }
                try store.start(registry, after: recovered)
            } catch {
                throw ConfigurationError(message: error.message)
            }
        }
        for f in fixtures where !restored.contains(f.sandbox) {
            do throws(FixtureError) {
                try f.apply(to: registry.sandbox(named: f.sandbox))
            } catch {
                throw ConfigurationError(message: error.description)
            }
        }
    }

    /// False when the final write failed.
    func shutdown() -> Bool { store?.stop() ?? true }

    /// Why the state cannot be written at the moment, if it cannot.
    var persistenceProblem: String? { store?.problem }

    /// Sends a change's answer: in `sync` durability only once the change is on disk
    /// (507 if writing it failed); otherwise at once.
    func acknowledge(
        _ response: HTTPResponse, method: String, _ send: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        guard let store, store.durability == .sync, method != "GET", method != "HEAD",
            (200..<300).contains(response.status)
        else { return send(response) }
        store.whenDurable { ok in send(ok ? response : ControlPlane.notSaved(store.problem)) }
    }

    static func notSaved(_ problem: String?) -> HTTPResponse {
        Responses.detail(507, "The change was not saved: \(problem ?? "the state file cannot be written").")
    }

    func observe(_ request: HTTPRequest, _ response: HTTPResponse, _ seen: Seen, micros: Int64, registry: SandboxRegistry) {
        let status = response.dropConnection ? 0 : response.status
        metrics.observe(
            method: request.method, route: seen.route ?? "unmatched", status: status, seconds: Double(micros) / 1e6)
        // The journal is of what clients did to the API, not of the control calls.
        guard !seen.path.hasPrefix("/__emulator"), seen.path != "/", !seen.path.isEmpty else { return }
        // Only a sandbox that exists (a failed request to a new name leaves none).
        guard let sandbox = registry.existing(named: seen.sandboxName) else { return }
        // Domain faults that shaped the answer (a partial delete) mark it with the header.
        let rule = seen.injected?.id ?? (response.dropConnection ? nil : response.headers["X-Emulator-Injected"])
        let at: Int64
        let action: String?
        if let arrivedAt = seen.arrivedAt, seen.injected != nil || rule == nil {
            // The common case needs nothing more from the world: no second wait for the
            // sandbox's lock, which a create in another connection may be holding.
            (at, action) = (arrivedAt, seen.injected?.action.rawValue)
        } else {
            (at, action) = sandbox.inspect { w in
                (
                    seen.arrivedAt ?? w.clock.now(),
                    seen.injected?.action.rawValue ?? rule.flatMap { id in w.faults.first { $0.id == id }?.action.rawValue }
                )
            }
        }
        sandbox.journal.record(
            JournalEntry(
                at: at, method: request.method, path: seen.path, query: request.query,
                headers: request.headers.fields, body: request.body, status: status,
                injectedRule: rule, injectedAction: action,
                durationMicros: micros))
    }
}
