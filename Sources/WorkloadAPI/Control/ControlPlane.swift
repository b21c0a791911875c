import HTTPServer
import JSON
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
    }

    let metrics = RequestMetrics()
    let fixtures: [FixtureFile]
    let persister: StatePersister?
    /// Sandboxes read from the state file at start, before the registry existed.
    private let saved: [(name: String, document: JSONValue)]

    init(configuration: APIConfiguration) throws(ConfigurationError) {
        if let dir = configuration.fixturesDirectory {
            fixtures = try FixtureFile.loadDirectory(dir)
        } else {
            fixtures = []
        }
        if let path = configuration.stateFile {
            saved = try StatePersister.load(path)
            persister = StatePersister(path: path)
        } else {
            saved = []
            persister = nil
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

    var changeObserver: (@Sendable (Sandbox, UInt64) -> Void)? {
        guard let persister else { return nil }
        return { _, _ in persister.changed() }
    }

    /// Restores the saved sandboxes, then loads fixtures into the sandboxes the state
    /// file did not hold (a restart must not add the fixture objects twice), then
    /// starts the writer.
    func attach(_ registry: SandboxRegistry) throws(ConfigurationError) {
        var restored = Set<String>()
        for (name, document) in saved {
            do throws(DomainError) {
                try registry.sandbox(named: name).replaceWorld { (n, settings) throws(DomainError) in
                    do throws(JSONPathError) {
                        return try World.restore(document, name: n, settings: settings)
                    } catch {
                        throw .unprocessable(error.description)
                    }
                }
            } catch {
                throw ConfigurationError(message: "--state-file: sandbox '\(name)': \(error.detail)")
            }
            restored.insert(name)
        }
        for f in fixtures where !restored.contains(f.sandbox) {
            do throws(FixtureError) {
                try f.apply(to: registry.sandbox(named: f.sandbox))
            } catch {
                throw ConfigurationError(message: error.description)
            }
        }
        persister?.start(registry)
    }

    func shutdown() { persister?.stop() }

    func observe(
        _ request: HTTPRequest, _ response: HTTPResponse, _ seen: Seen, micros: Int64, registry: SandboxRegistry
    ) {
        let status = response.dropConnection ? 0 : response.status
        metrics.observe(
            method: request.method, route: seen.route ?? "unmatched", status: status, seconds: Double(micros) / 1e6)
        // The journal is of what clients did to the API, not of the control calls.
        guard !seen.path.hasPrefix("/__emulator"), seen.path != "/", !seen.path.isEmpty else { return }
        // Only a sandbox that exists (a failed request to a new name leaves none).
        guard let sandbox = registry.existing(named: seen.sandboxName) else { return }
        // Domain faults that shaped the answer (a partial delete) mark it with the header.
        let rule = seen.injected?.id ?? (response.dropConnection ? nil : response.headers["X-Emulator-Injected"])
        let (at, action) = sandbox.inspect { w in
            (
                w.clock.now(),
                seen.injected?.action.rawValue ?? rule.flatMap { id in w.faults.first { $0.id == id }?.action.rawValue }
            )
        }
        sandbox.journal.record(
            JournalEntry(
                at: at, method: request.method, path: seen.path, query: request.query,
                headers: request.headers.fields, body: request.body, status: status,
                injectedRule: rule, injectedAction: action,
                durationMicros: micros))
    }
}
