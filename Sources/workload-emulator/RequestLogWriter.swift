#if canImport(Glibc)
import Glibc
#endif

/// Request log lines go to stderr through one background thread, so an event loop never
/// waits on a slow terminal or a full pipe: it appends under a lock and moves on. Lines
/// arriving while a write is in progress are written together in the next one.
///
/// `@unchecked Sendable` is safe: `pending`, `dropped` and `closing` are only touched
/// with `mutex` held, and the thread handle only by `start` and `close`, which the
/// main thread calls once each.
final class RequestLogWriter: @unchecked Sendable {
    /// Past this much unwritten text (nobody reads stderr), new lines are dropped and
    /// counted rather than growing memory without bound.
    private static let maxPendingBytes = 8 * 1024 * 1024

    private let fd: Int32
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var pending: [UInt8] = []
    private var dropped = 0
    private var closing = false
    private var thread: pthread_t?

    init(fd: Int32 = 2) {
        self.fd = fd
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        pending.reserveCapacity(64 * 1024)
    }

    func start() {
        let unmanaged = Unmanaged.passRetained(self)
        var handle = pthread_t()
        let rc = pthread_create(
            &handle, nil,
            { context in
                let writer = Unmanaged<RequestLogWriter>.fromOpaque(context!).takeRetainedValue()
                writer.run()
                return nil
            }, unmanaged.toOpaque())
        if rc == 0 { thread = handle } else { unmanaged.release() }
    }

    /// `line` must end with a newline.
    func append(_ line: [UInt8]) {
        pthread_mutex_lock(&mutex)
        if pending.count + line.count > Self.maxPendingBytes {
            dropped += 1
        } else {
            pending.append(contentsOf: line)
        }
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Writes what is left and stops the thread. Called once, at exit.
    func close() {
        pthread_mutex_lock(&mutex)
        closing = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
        if let thread { pthread_join(thread, nil) } else { flushInline() }
    }

    private func run() {
        var batch: [UInt8] = []
        batch.reserveCapacity(64 * 1024)
        pthread_mutex_lock(&mutex)
        while true {
            while pending.isEmpty && dropped == 0 && !closing {
                pthread_cond_wait(&condition, &mutex)
            }
            if pending.isEmpty && dropped == 0 && closing { break }
            swap(&batch, &pending)
            let lost = dropped
            dropped = 0
            pthread_mutex_unlock(&mutex)
            if lost > 0 {
                batch.append(contentsOf: Array("workload-emulator: \(lost) log lines dropped (stderr not read)\n".utf8))
            }
            writeAll(batch)
            batch.removeAll(keepingCapacity: true)
            pthread_mutex_lock(&mutex)
        }
        pthread_mutex_unlock(&mutex)
    }

    private func flushInline() {
        pthread_mutex_lock(&mutex)
        let rest = pending
        pending = []
        pthread_mutex_unlock(&mutex)
        writeAll(rest)
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stderr closed or broken: logs are best effort
                }
            }
        }
    }
}
