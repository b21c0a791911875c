import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `workload-emulator` binary for the process tests.
enum EmulatorBinary {
    /// `EMULATOR_TEST_BINARY` wins (to test an installed or release binary). Otherwise
    /// the binary SwiftPM built beside this test bundle: `swift test` builds every
    /// product into the same `.build/<triple>/<config>/` folder as the `.xctest`
    /// executable, which is the running process (`/proc/self/exe`).
    static func path() throws -> String {
        if let override = ProcessInfo.processInfo.environment["EMULATOR_TEST_BINARY"], !override.isEmpty {
            return override
        }
        var candidates: [URL] = []
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(exe.deletingLastPathComponent().appendingPathComponent("workload-emulator"))
        for argument in CommandLine.arguments.prefix(2) where argument.contains(".xctest") {
            let bundle = URL(fileURLWithPath: argument).resolvingSymlinksInPath()
            candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("workload-emulator"))
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        throw HarnessError(
            "workload-emulator binary not found beside the test bundle (\(candidates.map(\.path))); "
                + "run `swift build` with the same --scratch-path first, or set EMULATOR_TEST_BINARY")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Everything a pipe has produced so far, with a way to wait until it says something.
final class OutputCollector: @unchecked Sendable {
    // Safe: `data` and `closed` are only read or written with `condition` locked.
    private let condition = NSCondition()
    private var data = Data()
    private var closed = false

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty { closed = true } else { data.append(chunk) }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { return }
            }
        }
        thread.start()
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits until `predicate` holds for the text so far, the pipe closes, or the deadline.
    @discardableResult
    func wait(timeout: TimeInterval, until predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let text = String(decoding: data, as: UTF8.self)
            if predicate(text) { return text }
            if closed || !condition.wait(until: deadline) { return predicate(text) ? text : nil }
        }
    }

    /// Waits for EOF (the process and its children closed the pipe).
    func waitForEnd(timeout: TimeInterval) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !closed && condition.wait(until: deadline) {}
        return String(decoding: data, as: UTF8.self)
    }
}

/// One emulator process.
final class EmulatorProcess: @unchecked Sendable {
    // Safe: `process` is configured before `run()` and afterwards only used through
    // its own thread-safe methods; `exited` is a semaphore.
    let process = Process()
    let stdout: OutputCollector
    let stderr: OutputCollector
    private let exited = DispatchSemaphore(value: 0)

    /// Starts the binary with `arguments`. The environment is the test's own minus any
    /// `WORKLOAD_EMULATOR_*` (so a developer's shell cannot change the outcome), plus `environment`.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: try EmulatorBinary.path())
        process.arguments = arguments
        // The response recorder of the contract conformance test passes through.
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("WORKLOAD_EMULATOR_") || $0.key == "WORKLOAD_EMULATOR_RECORD_RESPONSES"
        }
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        stdout = OutputCollector(out.fileHandleForReading)
        stderr = OutputCollector(err.fileHandleForReading)
    }

    /// The port from the listening line, once the server accepts connections.
    func waitUntilListening(timeout: TimeInterval = 20) throws -> Int {
        let text = stdout.wait(timeout: timeout) { $0.contains("\n") }
        guard let line = text?.split(separator: "\n").first,
            line.hasPrefix("workload-emulator listening on http://"),
            let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...])
        else {
            throw HarnessError("no listening line; stdout: \(stdout.text); stderr: \(stderr.text)")
        }
        return port
    }

    /// The exit status, or nil if it did not exit in time (it is then killed).
    func waitForExit(timeout: TimeInterval) -> Int32? {
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            return nil
        }
        return process.terminationStatus
    }

    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Runs to completion: for flags that exit at once.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 20
    )
        throws -> (status: Int32?, stdout: String, stderr: String)
    {
        let p = try EmulatorProcess(arguments, environment: environment)
        let status = p.waitForExit(timeout: timeout)
        return (status, p.stdout.waitForEnd(timeout: 5), p.stderr.waitForEnd(timeout: 5))
    }
}

/// A minimal HTTP/1.1 client over a real socket: one request, `Connection: close`.
enum LoopbackHTTP {
    static func get(port: Int, path: String, host: String = "127.0.0.1") throws -> (status: Int, body: String) {
        try request(port: port, method: "GET", path: path, host: host)
    }

    static func request(
        port: Int, method: String, path: String, body: String = "", host: String = "127.0.0.1"
    ) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw HarnessError("connect to \(host):\(port): errno \(errno)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        let bytes = Array((head + "\r\n" + body).utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1."), let status = Int(text.dropFirst(9).prefix(3)) else {
            throw HarnessError("not an HTTP response: \(text.prefix(200))")
        }
        let responseBody = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, responseBody)
    }

    /// Sends the request on another thread; `result` waits for its answer.
    final class Pending: @unchecked Sendable {
        // Safe: `outcome` is written once before `done` is signalled and read only after.
        private var outcome: Result<(status: Int, body: String), any Error>?
        private let done = DispatchSemaphore(value: 0)

        init(port: Int, method: String, path: String) {
            let thread = Thread { [self] in
                outcome = Result { try LoopbackHTTP.request(port: port, method: method, path: path) }
                done.signal()
            }
            thread.start()
        }

        func result(timeout: TimeInterval) throws -> (status: Int, body: String) {
            guard done.wait(timeout: .now() + timeout) == .success, let outcome else {
                throw HarnessError("no answer within \(timeout) s")
            }
            return try outcome.get()
        }
    }
}

/// A fresh directory under the system temporary folder, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-process-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
