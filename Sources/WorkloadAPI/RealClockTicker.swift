import Dispatch
import HTTPServer
import Synchronization
import WorkloadEmulator

/// Fires due transitions of real-clock sandboxes every few milliseconds, so events
/// and expiries happen even when nobody reads. Holds the registry weakly: an
/// application dropped without `shutdown()` stops its ticker by itself.
final class RealClockTicker: Sendable {
    private weak let registry: SandboxRegistry?
    private let running = Atomic<Bool>(false)
    private let interval: Int

    init(registry: SandboxRegistry, intervalMilliseconds: Int) {
        self.registry = registry
        self.interval = max(1, intervalMilliseconds)
    }

    func start() {
        running.store(true, ordering: .relaxed)
        schedule()
    }

    func stop() { running.store(false, ordering: .relaxed) }

    private func schedule() {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(interval)) { [weak self] in
            guard let self, self.running.load(ordering: .relaxed), let registry = self.registry else { return }
            registry.tick()
            self.schedule()
        }
    }
}
