#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `STATE.lock`, held for the life of the process: two
/// emulators on one state file would each overwrite the other's changes. The file
/// holds the holder's pid, for the second one's message. (The lock is on a file of its
/// own because compaction replaces the state file itself.)
public final class StateLock: Sendable {
    public let path: String
    private let fd: Int32

    /// Fails when the directory cannot be written (exit 2) or another process holds the
    /// lock (`isLockConflict`, exit 1).
    public init(statePath: String) throws(PersistenceError) {
        let dir = Files.directory(of: statePath)
        guard access(dir, W_OK | X_OK) == 0 else {
            throw PersistenceError("--state-file: \(statePath): the directory \(dir) cannot be written: \(Files.lastError)")
        }
        path = statePath + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PersistenceError("--state-file: \(statePath): cannot create \(path): \(Files.lastError)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Files.read(path).map { String(decoding: $0, as: UTF8.self) }?
                .split(whereSeparator: \.isWhitespace).first.flatMap { Int32($0) }
            close(fd)
            throw PersistenceError(
                "--state-file: \(statePath) is in use by another workload-emulator"
                    + (holder.map { " (pid \($0))" } ?? ""), isLockConflict: true)
        }
        _ = ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}
