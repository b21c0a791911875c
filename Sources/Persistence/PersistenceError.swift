/// A state file, fixture or lock the process cannot start with: one line that names
/// the file (and the JSON path where there is one). The executable exits 2 with it,
/// or 1 when another process holds the state file.
public struct PersistenceError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Another instance holds the state file: a conflict, not bad input.
    public var isLockConflict = false
    public init(_ message: String, isLockConflict: Bool = false) {
        self.message = message
        self.isLockConflict = isLockConflict
    }
    public var description: String { message }
}
