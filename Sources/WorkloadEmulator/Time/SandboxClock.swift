/// A sandbox's clock: manual or (scaled) real, switchable at run time without ever
/// going backwards.
public struct SandboxClock: Clock {
    public enum Mode: String, Sendable { case manual, real }
    private enum Storage: Sendable {
        case manual(ManualClock)
        case real(ScaledRealClock)
    }
    private var storage: Storage
    public let wall: any WallClock

    public init(mode: Mode, scale: Double = 1, wall: any WallClock = SystemWallClock()) {
        self.wall = wall
        switch mode {
        case .manual: storage = .manual(ManualClock())
        case .real: storage = .real(ScaledRealClock(wall: wall, scale: scale))
        }
    }

    /// A clock as a state snapshot saved it: manual at `now`; real running on from
    /// `now`, or from the wall clock if that is later (time passed while it was saved).
    public init(restoring mode: Mode, now: Int64, scale: Double, wall: any WallClock) {
        self.wall = wall
        switch mode {
        case .manual: storage = .manual(ManualClock(start: now))
        case .real:
            storage = .real(ScaledRealClock(wall: wall, scale: scale, startingAt: max(now, wall.milliseconds())))
        }
    }

    public var mode: Mode {
        if case .manual = storage { return .manual }
        return .real
    }

    public var scale: Double {
        if case let .real(c) = storage { return c.scale }
        return 1
    }

    public func now() -> Int64 {
        switch storage {
        case let .manual(c): return c.now()
        case let .real(c): return c.now()
        }
    }

    public mutating func advance(to t: Int64) {
        switch storage {
        case var .manual(c):
            c.advance(to: t)
            storage = .manual(c)
        case var .real(c):
            c.advance(to: t)
            storage = .real(c)
        }
    }

    /// Freezes at the current time, or runs on from it.
    public mutating func setMode(_ mode: Mode, scale: Double) {
        let n = now()
        switch mode {
        case .manual: storage = .manual(ManualClock(start: n))
        case .real: storage = .real(ScaledRealClock(wall: wall, scale: scale, startingAt: n))
        }
    }
}
