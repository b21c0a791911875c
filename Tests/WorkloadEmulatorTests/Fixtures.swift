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
}

let alice = User.derived(fromToken: "alice")
let bob = User.derived(fromToken: "bob")

func draftInput(_ name: String = "w") -> WorkloadInput {
    WorkloadInput(name: name, artifact: ArtifactInput(name: "art"))
}
