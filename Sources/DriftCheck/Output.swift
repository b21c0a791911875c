#if canImport(Glibc)
import Glibc
#endif

/// write(2) on stdout/stderr, so nothing is left in a buffer when the process exits.
enum Output {
    static func out(_ text: String) { write(all: Array(text.utf8), to: 1) }
    static func err(_ line: String) { write(all: Array("workload-emulator: \(line)\n".utf8), to: 2) }

    static func write(all bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }
}
