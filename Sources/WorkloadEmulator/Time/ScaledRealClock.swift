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
        // In Double, then clamped: a huge scale (or a wall clock far from the anchor)
        // reads as the last instant, never as a trap or a wrapped year.
        let elapsed = (Double(wall.milliseconds()) - Double(anchorWall)) * scale
        let reading = Double(anchorVirtual) + elapsed.rounded(.down)
        guard reading.isFinite, reading < Double(TimeBounds.latest) else { return TimeBounds.latest }
        return max(anchorVirtual, Int64(reading))
    }

    /// Jumps forward (clock advance in real mode); never backwards.
    public mutating func advance(to t: Int64) {
        let n = now()
        anchorVirtual = max(n, min(t, TimeBounds.latest))
        anchorWall = wall.milliseconds()
    }

    public mutating func setScale(_ s: Double) {
        anchorVirtual = now()
        anchorWall = wall.milliseconds()
        scale = s
    }
}
