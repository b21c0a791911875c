import Synchronization
import Testing

@testable import WorkloadEmulator

extension SandboxSettings {
    static func make(
        seed: UInt64 = 0, profile: LifecycleProfile = .realistic, wall: any WallClock = FakeWallClock()
    ) -> SandboxSettings {
        var s = SandboxSettings()
        s.seed = seed
        s.clockMode = .manual
        s.profile = profile
        s.wall = wall
        return s
    }
}

extension World {
    static func make(_ settings: SandboxSettings = .make()) -> World { World(name: "test", settings: settings) }

    /// The random command sequences' replacement step: onto a new artifact (always while
    /// there are fewer than `upTo`, else every other time) or one of those made before.
    mutating func randomReplacement(
        _ id: String, step: Int, artifacts: inout [String], upTo: Int, _ random: inout SplitMix64
    ) throws(DomainError) -> Replacement {
        if artifacts.count < upTo || random.next() % 2 == 0 {
            artifacts.append(try createArtifact(ArtifactInput(name: "a\(step)"), by: alice).id)
        }
        let target = artifacts[Int(random.next() % UInt64(artifacts.count))]
        return try startReplacement(
            id,
            ReplacementRequest(
                artifactId: target, runtime: nil, warmupMinutes: Int(random.next() % 2),
                keepMinutes: Int(random.next() % 2)), by: alice)
    }
}

let alice = User.derived(fromToken: "alice")
let bob = User.derived(fromToken: "bob")

func draftInput(_ name: String = "w") -> WorkloadInput {
    WorkloadInput(name: name, artifact: ArtifactInput(name: "art"))
}
