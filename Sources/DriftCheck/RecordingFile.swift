import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The recording being written: one line per exchange, each written whole with one
/// write(2) as soon as it is known, so a proxy stopped at any point leaves only complete lines.
final class RecordingFile: Sendable {
    private let fd: Mutex<Int32>

    init(path: String, mode: mode_t = 0o600) throws(RecordCommand.Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw RecordCommand.Failure(message: "\(path): \(String(cString: strerror(errno)))", exitCode: 2)
        }
        self.fd = Mutex(fd)
    }

    func append(_ line: [UInt8]) {
        fd.withLock { fd in Output.write(all: line + [10], to: fd) }
    }

    /// A whole recording, or nil when it cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = Glibc.close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    func close() {
        fd.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }
}
