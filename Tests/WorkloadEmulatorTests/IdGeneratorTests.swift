import Synchronization
import Testing

@testable import WorkloadEmulator

@Suite struct IdGeneratorTests {
    @Test func idsAre24LowerHexAndDeterministic() {
        var a = IdGenerator(seed: 0, sandbox: "default")
        var b = IdGenerator(seed: 0, sandbox: "default")
        for _ in 0..<100 {
            let id = a.next()
            #expect(id.utf8.count == 24)
            #expect(id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
            #expect(id == b.next())
        }
    }

    @Test func seedSandboxAndStreamChangeTheSequence() {
        var base = IdGenerator(seed: 0, sandbox: "default")
        var otherSeed = IdGenerator(seed: 1, sandbox: "default")
        var otherName = IdGenerator(seed: 0, sandbox: "other")
        var otherStream = IdGenerator(seed: 0, sandbox: "default", stream: 1)
        let first = base.next()
        #expect(first != otherSeed.next())
        #expect(first != otherName.next())
        #expect(first != otherStream.next())
    }

    @Test func derivedUsersAreStable() {
        #expect(User.derived(fromToken: "abc") == User.derived(fromToken: "abc"))
        #expect(User.derived(fromToken: "abc").id != User.derived(fromToken: "abd").id)
        #expect(User.derived(fromToken: "abc").id.utf8.count == 24)
    }
}
