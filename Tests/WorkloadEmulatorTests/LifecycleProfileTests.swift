import JSON
import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct LifecycleProfileTests {
    @Test func builtInProfiles() {
        #expect(LifecycleProfile.named("realistic") == .realistic)
        #expect(LifecycleProfile.named("instant")?.submitted == 0)
        #expect(LifecycleProfile.named("nope") == nil)
        #expect(LifecycleProfile.realistic.submitted == 500)
        #expect(LifecycleProfile.realistic.provisioning == 1500)
        #expect(LifecycleProfile.realistic.launching == 1000)
        #expect(LifecycleProfile.realistic.stopping == 1000)
    }

    @Test func parsesSecondsAndRejectsUnknownKeys() throws {
        let p = try LifecycleProfile.fromJSON(try JSONParser.parse(#"{"submitted":0.25,"provisioning":2}"#))
        #expect(p.submitted == 250)
        #expect(p.provisioning == 2000)
        #expect(p.launching == 1000)
        #expect(throws: LifecycleProfile.ParseError.self) { try LifecycleProfile.fromJSON(["bogus": 1]) }
        #expect(throws: LifecycleProfile.ParseError.self) { try LifecycleProfile.fromJSON(["submitted": -1]) }
        #expect(throws: LifecycleProfile.ParseError.self) { try LifecycleProfile.fromJSON(["submitted": "1"]) }
        #expect(throws: LifecycleProfile.ParseError.self) { try LifecycleProfile.fromJSON([1]) }
    }

    @Test func globMatching() {
        #expect(Glob.matches(pattern: "/api/v2/workloads/*", "/api/v2/workloads/abc/start"))
        #expect(Glob.matches(pattern: "*", ""))
        #expect(!Glob.matches(pattern: "/api/v2/workloads/*", "/api/v2/artifacts/x"))
        #expect(Glob.matches(pattern: "/a/*/c", "/a/b/c"))
        #expect(!Glob.matches(pattern: "/a/*/c", "/a/b/d"))
    }
}
