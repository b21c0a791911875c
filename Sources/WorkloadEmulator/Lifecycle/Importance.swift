public enum Importance: String, Sendable, CaseIterable {
    case critical, high, moderate, low
    /// Ascending order for `orderBy=importance`: low first, critical last.
    public var rank: Int {
        switch self {
        case .low: return 0
        case .moderate: return 1
        case .high: return 2
        case .critical: return 3
        }
    }
}
