/// Wall time, optionally running `scale` times faster, from an anchor: at wall time
/// `anchorWall` the clock read `anchorVirtual`. Scale 1 is the plain real clock.
public struct ScaledRealClock: Clock {
    public private(set) var anchorVirtual: Int64
    public private(set) var anchorWall: Int64
    public private(set) var scale: Double
    public let wall: any WallClock

    public init(wall: any WallClock, scale: Double = 1, startingAt virtual: Int64? = nil) {
        self.wall = wall
        self.scale = scale
        let w = wall.milliseconds()
        anchorWall = w
        anchorVirtual = virtual ?? w
    }

    public func now() -> Int64 {
        anchorVirtual + Int64((Double(wall.milliseconds() - anchorWall) * scale).rounded(.down))
    }

    /// Jumps forward (clock advance in real mode); never backwards.
    public mutating func advance(to t: Int64) {
        let n = now()
        anchorVirtual = max(n, t)
        anchorWall = wall.milliseconds()
    }

    public mutating func setScale(_ s: Double) {
        anchorVirtual = now()
        anchorWall = wall.milliseconds()
        scale = s
    }
}
