import Dispatch
import Glibc
import Synchronization
import Testing

@testable import HTTPServer

/// The resolver's deadline, driven by lookups the test holds: no DNS server is needed,
/// and "hangs" means exactly that (the lookup returns only when the test lets it).
@Suite struct HostResolverTests {
    /// A lookup that records each host asked for; `hung` hosts wait for `gate`, others
    /// answer with the loopback address.
    final class HeldLookup: Sendable {
        let gate = DispatchSemaphore(value: 0)
        /// Signalled as a hung lookup begins.
        let entered = DispatchSemaphore(value: 0)
        let asked = Mutex<[String]>([])
        let hung: Set<String>
        init(hung: Set<String>) { self.hung = hung }

        var lookup: HostResolver.Lookup {
            { [self] host, port in
                asked.withLock { $0.append(host) }
                if hung.contains(host) {
                    entered.signal()
                    gate.wait()
                }
                return HostResolver.systemLookup("127.0.0.1", port)
            }
        }
    }

    @Test func aHungLookupReturnsATimeoutAtTheDeadline() {
        let held = HeldLookup(hung: ["silent.test"])
        let resolver = HostResolver(threads: 2, lookup: held.lookup)
        let result = resolver.resolve(host: "silent.test", port: 80, deadline: HostResolver.now() + 0.2)
        held.gate.signal()
        guard case let .failure(failure) = result else {
            Issue.record("resolved although the lookup never returned: \(result)")
            return
        }
        #expect(failure.timedOut)
        #expect(failure.description == "resolving silent.test took longer than the timeout")
    }

    @Test func aNameResolvesThroughTheThreads() throws {
        let held = HeldLookup(hung: [])
        let resolver = HostResolver(threads: 1, lookup: held.lookup)
        let addresses = try resolver.resolve(host: "upstream.test", port: 8080, deadline: HostResolver.now() + 30).get()
        #expect(held.asked.withLock { $0 } == ["upstream.test"])
        #expect(addresses.first?.family == AF_INET)
    }

    @Test func literalsNeverReachTheLookup() throws {
        let held = HeldLookup(hung: [])
        let resolver = HostResolver(threads: 1, lookup: held.lookup)
        let v4 = try resolver.resolve(host: "127.0.0.1", port: 80, deadline: HostResolver.now() + 30).get()
        let v6 = try resolver.resolve(host: "::1", port: 80, deadline: HostResolver.now() + 30).get()
        #expect(v4.count >= 1 && v6.count >= 1)
        #expect(v4[0].family == AF_INET && v6[0].family == AF_INET6)
        #expect(held.asked.withLock { $0 }.isEmpty)
    }

    /// With every thread held, a later caller still gets its timeout, and its lookup is
    /// dropped unasked once a thread is free (its caller is gone); the next one runs.
    @Test func aQueuedLookupPastItsDeadlineIsDropped() throws {
        let held = HeldLookup(hung: ["first.test"])
        let resolver = HostResolver(threads: 1, lookup: held.lookup)
        let first = Mutex<Result<[HostResolver.Address], HostResolver.Failure>?>(nil)
        let firstDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let r = resolver.resolve(host: "first.test", port: 80, deadline: HostResolver.now() + 60)
            first.withLock { $0 = r }
            firstDone.signal()
        }
        // Wait until the one thread is inside the first lookup.
        #expect(held.entered.wait(timeout: .now() + 60) == .success)
        let late = resolver.resolve(host: "late.test", port: 80, deadline: HostResolver.now() + 0.1)
        #expect((try? late.get()) == nil)
        if case let .failure(f) = late { #expect(f.timedOut) }
        held.gate.signal()
        _ = try resolver.resolve(host: "next.test", port: 80, deadline: HostResolver.now() + 60).get()
        #expect(firstDone.wait(timeout: .now() + 60) == .success)
        #expect((try? first.withLock { $0 }?.get()) != nil)
        #expect(held.asked.withLock { $0 } == ["first.test", "next.test"])
    }

    /// The real getaddrinfo, for a name every host file has.
    @Test func localhostResolvesWithGetaddrinfo() throws {
        let addresses = try HostResolver.shared.resolve(host: "localhost", port: 80, deadline: HostResolver.now() + 30)
            .get()
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0.family == AF_INET || $0.family == AF_INET6 })
    }
}
