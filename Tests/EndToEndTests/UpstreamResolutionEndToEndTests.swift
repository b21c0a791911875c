import Dispatch
import HTTPServer
import JSON
import Synchronization
import Testing
import WorkloadAPI

/// An upstream named by host name: the lookup is part of the upstream timeout. The
/// application's resolver is one whose lookups the test controls, so a name that
/// "hangs" needs no DNS server and hangs exactly until the test lets it go.
@Suite struct UpstreamResolutionEndToEndTests {
    final class Names: Sendable {
        let gate = DispatchSemaphore(value: 0)
        let asked = Mutex<[String]>([])
        /// `silent.test` waits for `gate`; every other name is the loopback address.
        var lookup: HostResolver.Lookup {
            { [self] host, port in
                asked.withLock { $0.append(host) }
                if host == "silent.test" { gate.wait() }
                return HostResolver.systemLookup("127.0.0.1", port)
            }
        }
    }

    @Test func aLookupThatHangsIsAnsweredAt504WithinTheTimeout() throws {
        let names = Names()
        let live = try LiveEmulator {
            $0.upstreamResolver = HostResolver(threads: 1, lookup: names.lookup)
            $0.upstreamTimeoutSeconds = 0.5
        }
        defer { names.gate.signal() }
        let c = try live.client()
        let id = try c.createWorkload()
        try c.advance(3)
        let upstream = "http://silent.test:9"
        #expect(try c.send("PUT", "/__emulator/workloads/\(id)/upstream", ["url": .string(upstream)]).status == 200)
        let r = try c.send("POST", "/api/v2/endpoints/workloads/\(id)/predict", raw: "x")
        #expect(r.status == 504)
        #expect(r.json == ["message": .string("Upstream \(upstream) did not answer within 0.5 s.")])
        #expect(names.asked.withLock { $0 } == ["silent.test"])
    }

    @Test func aNameThatResolvesIsForwarded() throws {
        let upstream = try SlowUpstream()
        let names = Names()
        let live = try LiveEmulator { $0.upstreamResolver = HostResolver(threads: 1, lookup: names.lookup) }
        let c = try live.client()
        let id = try c.createWorkload()
        try c.advance(3)
        let url = "http://upstream.test:\(upstream.port)"
        #expect(try c.send("PUT", "/__emulator/workloads/\(id)/upstream", ["url": .string(url)]).status == 200)
        let r = try c.send("POST", "/api/v2/endpoints/workloads/\(id)/predict", raw: "hello")
        #expect(r.status == 200)
        #expect(r.json["seenPath"] == "/predict")
        #expect(r.json["seenBody"] == "hello")
        #expect(names.asked.withLock { $0 } == ["upstream.test"])
    }
}
