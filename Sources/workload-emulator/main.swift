import DriftCheck
import HTTPServer
import WorkloadAPI

#if canImport(Glibc)
import Glibc
#endif

// The process around the engine: flags, the listening line, exit codes 0/1/2,
// graceful stop on SIGINT/SIGTERM. Parsing and validation live in `ServerOptions`
// (WorkloadAPI) so tests can reach them; this file only acts on the result.

/// stdout is for the one listening line; write(2) rather than print() so it is never
/// left in a buffer when stdout is a pipe.
func writeOut(_ text: String) {
    let bytes = Array(text.utf8)
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(1, raw.baseAddress! + offset, raw.count - offset)
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }
}

/// One line on stderr, whatever the message: errors from other modules may span lines.
func writeErr(_ line: String) {
    let flat = line.split(whereSeparator: \.isNewline).joined(separator: "; ")
    let bytes = Array("workload-emulator: \(flat)\n".utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func fail(_ line: String, exitCode: Int32) -> Never {
    writeErr(line)
    exit(exitCode)
}

/// Only our own variables: the rest of the environment is none of the parser's business.
func emulatorEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var cursor = environ
    while let entry = cursor.pointee {
        let pair = String(cString: entry)
        if pair.hasPrefix(ServerOptions.environmentPrefix), let eq = pair.firstIndex(of: "=") {
            result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        cursor += 1
    }
    return result
}

/// While the graceful stop runs, a second SIGINT/SIGTERM (an impatient Ctrl-C) ends the
/// process at once, as most servers do.
func forceExitOnSecondSignal() {
    var thread = pthread_t()
    pthread_create(
        &thread, nil,
        { _ in
            _ = StopSignals.wait()
            writeErr("second signal: exiting without waiting for requests in flight")
            _exit(1)
        }, nil)
}

func run(_ options: ServerOptions) -> Never {
    _ = HTTPServer.raiseOpenFileLimit()
    // Before the state file is read: start-up's allocations then grow the heaps in
    // large steps too.
    HTTPServer.tuneAllocator()
    StopSignals.block()

    var http = options.httpConfiguration
    var logWriter: RequestLogWriter? = nil
    if options.logLevel <= .info {
        let writer = RequestLogWriter()
        writer.start()
        let format = options.logFormat
        let bodies = options.logLevel == .debug
        http.requestLog = { entry in
            writer.append(RequestLogLine.format(entry, format: format, includeBodies: bodies))
        }
        logWriter = writer
    }

    let application: EmulatorApplication
    do {
        application = try EmulatorApplication(configuration: options.apiConfiguration)
    } catch {
        // Bad fixtures, lifecycle profile or state file: the error names file and field.
        logWriter?.close()
        fail("\(error)", exitCode: (error as? ConfigurationError)?.exitCode ?? 2)
    }

    if options.controlToken == nil && !ServerOptions.isLoopback(options.host) {
        writeErr(
            "warning: --host \(options.host) without --control-token: anyone who can reach the port can read every "
                + "token and change the emulator's state (see Security in the README)")
    }

    let server = HTTPServer(configuration: http, handler: application.handler)
    let port: Int
    do {
        port = try server.start()
    } catch {
        logWriter?.close()
        switch error as? HTTPServerError {
        case let .addressInUse(host, port)?:
            fail(
                "address \(ServerOptions.displayURL(host: host, port: port).dropFirst(7)) is already in use"
                    + " (choose another --port, or 0 for a free one)", exitCode: 1)
        case .invalidAddress?: fail("--host: \(error)", exitCode: 2)
        default:
            fail(
                "cannot listen on \(ServerOptions.displayURL(host: options.host, port: options.port)): \(error)",
                exitCode: 1)
        }
    }

    if let path = options.portFile {
        do throws(PortFile.Failure) {
            try PortFile.write(port: port, to: path)
        } catch {
            server.shutdown(timeoutSeconds: 1)
            logWriter?.close()
            fail("--port-file: \(error)", exitCode: 2)
        }
    }
    writeOut("workload-emulator listening on \(ServerOptions.displayURL(host: options.host, port: port))\n")

    let received = StopSignals.wait()
    if let logWriter {
        let message = "received \(received == SIGINT ? "SIGINT" : "SIGTERM"), finishing requests in flight"
        logWriter.append(RequestLogLine.event(message, format: options.logFormat))
    }
    forceExitOnSecondSignal()
    // A stop takes at most 5 s in all (README); the state file write after the drain is quick.
    server.shutdown(timeoutSeconds: 4)
    let saved = application.shutdown()
    // The port is no longer served: a script polling for the file must not find it
    // stale on the next start.
    if let path = options.portFile { unlink(path) }
    logWriter?.close()
    // The final write of the state file failed: what was acknowledged may be lost.
    exit(saved ? 0 : 1)
}

// `workload-emulator ctl …` drives a running instance instead of being one.
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "ctl" {
    exit(ControlCommandRunner.main(Array(CommandLine.arguments.dropFirst(2)), environment: emulatorEnvironment()))
}

// `record` and `replay` check the emulator against a real tenant (README).
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "record" {
    exit(RecordCommand.main(Array(CommandLine.arguments.dropFirst(2))))
}
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "replay" {
    exit(ReplayCommand.main(Array(CommandLine.arguments.dropFirst(2)), executable: "/proc/self/exe"))
}

let action: CommandLineAction
do {
    action = try ServerOptions.parse(
        arguments: Array(CommandLine.arguments.dropFirst()), environment: emulatorEnvironment())
} catch {
    fail("\(error)", exitCode: 2)
}

switch action {
case .help:
    writeOut(ServerOptions.usage)
    exit(0)
case .version:
    writeOut("workload-emulator \(EmulatorApplication.version)\n")
    exit(0)
case let .healthcheck(options):
    exit(HealthCheck.run(host: options.host, port: options.port, controlToken: options.controlToken) ? 0 : 1)
case let .run(options):
    run(options)
}
