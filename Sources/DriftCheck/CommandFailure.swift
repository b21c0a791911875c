/// Why `record` or `replay` stopped, and the exit code to stop with (2 for a bad command
/// line or recording, 1 for what went wrong while running).
public struct CommandFailure: Error, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32
    public var description: String { message }

    public init(message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }
}
