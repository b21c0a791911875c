import HTTPServer
import JSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Test-only: with `WORKLOAD_EMULATOR_RECORD_RESPONSES=DIR`, every answer to an `/api/`
/// request is appended as one NDJSON line `{method, path, query, status, contentType,
/// body, fault}` to `DIR/responses-PID.ndjson`, for the contract conformance test
/// (Tests/ContractCheckTests). One file per process, shared by every application in it.
/// Unset, the application holds no recorder and the response path does not change.
final class ResponseRecorder: Sendable {
    static let environmentVariable = "WORKLOAD_EMULATOR_RECORD_RESPONSES"

    /// Read once: the variable is set by the test scripts before the process starts.
    static let environmentDirectory: String? = {
        guard let value = getenv(environmentVariable) else { return nil }
        let directory = String(cString: value)
        return directory.isEmpty ? nil : directory
    }()

    /// One open file per directory for the whole process.
    private static let shared = Mutex<[String: ResponseRecorder]>([:])

    static func forDirectory(_ directory: String) -> ResponseRecorder? {
        shared.withLock { recorders in
            if let r = recorders[directory] { return r }
            mkdir(directory, 0o755)
            let path = "\(directory)/responses-\(getpid()).ndjson"
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return nil }
            let r = ResponseRecorder(fd: fd)
            recorders[directory] = r
            return r
        }
    }

    /// Lines from several threads go out whole, one at a time. Written unbuffered:
    /// test processes end by signal, and a lost tail would hide responses.
    private let fd: Mutex<Int32>

    private init(fd: Int32) { self.fd = Mutex(fd) }

    /// `path` is the path the sandbox prefix was taken off; only `/api/` answers count.
    /// `fault` marks an answer a `respond` fault rule made up.
    func record(_ request: HTTPRequest, _ response: HTTPResponse, routePath: String, fault: Bool) {
        guard routePath.hasPrefix("/api/"), !response.dropConnection else { return }
        var w = JSONWriter(capacity: 256 + response.body.count)
        w.object { w in
            w.string("method", request.method)
            w.string("path", request.path)
            w.string("query", request.query)
            w.int("status", response.status)
            w.string("contentType", response.headers["Content-Type"])
            w.value("fault", .bool(fault))
            w.string("body", String(decoding: response.body, as: UTF8.self))
        }
        var line = w.bytes
        line.append(UInt8(ascii: "\n"))
        fd.withLock { fd in
            line.withUnsafeBufferPointer { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { return }
                    offset += n
                }
            }
        }
    }
}
