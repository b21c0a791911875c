#if canImport(Glibc)
import Glibc
#endif

/// The emulator `replay` starts when no `--url` is given: this same binary with the
/// manual clock on a free port, stopped when the replay ends.
final class SpawnedEmulator {
    let pid: pid_t
    let port: Int
    private let directory: String

    init(executable: String) throws(ReplayCommand.Failure) {
        var template = Array("/tmp/workload-emulator-replay-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ReplayCommand.Failure(message: "replay: cannot make a temporary directory", exitCode: 1)
        }
        directory = String(cString: made)
        let portFile = directory + "/port"
        let arguments = [
            executable, "--port", "0", "--port-file", portFile, "--clock", "manual", "--log-level", "error",
        ]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        guard rc == 0 else {
            rmdir(directory)
            throw ReplayCommand.Failure(
                message: "replay: cannot start \(executable): \(String(cString: strerror(rc)))", exitCode: 1)
        }
        pid = child
        // The port file appears once the server listens (written atomically by rename).
        var found: Int? = nil
        for _ in 0..<2000 {
            if let text = SpawnedEmulator.read(portFile), let p = Int(text.filter { $0.isNumber }), p > 0 {
                found = p
                break
            }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child { break }
            usleep(10_000)  // allow-sleep: polls for the child's port file, at most 20 s
        }
        guard let found else {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            rmdir(directory)
            throw ReplayCommand.Failure(message: "replay: the emulator it started did not listen", exitCode: 1)
        }
        port = found
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        unlink(directory + "/port")
        rmdir(directory)
    }
}
