import ContractCheck
import HTTPServer
import JSON
import WorkloadAPI

#if canImport(Glibc)
import Glibc
#endif

/// `workload-emulator replay FILE [--url URL] [--json]`: sends a recording's requests to a
/// fresh sandbox of an emulator (the one at URL, or one it starts with the manual clock)
/// and reports where the emulator's answers differ from the recorded ones.
public enum ReplayCommand {
    public typealias Failure = CommandFailure

    public struct Options: Sendable, Equatable {
        public var file = ""
        public var url: String? = nil
        public var json = false
        public var controlToken: String? = nil
        public var token = "replay"
        /// How far the clock may be advanced for one run of polls before giving up.
        public var maxAdvanceSeconds = 86_400
        /// Where the recording is kept as a regression case of the project's suite.
        public var asTest: String? = nil
    }

    public static let usage = """
        usage: workload-emulator replay FILE [--url URL] [--json] [--token T] [--control-token T]
                                       [--max-advance SECONDS] [--as-test DIR]
          Replays the requests recorded by `record` against a fresh sandbox of the emulator at
          URL (else one it starts with the manual clock), maps ids, turns polls into clock
          advances, and compares status codes and shapes, list lengths included. The recording's
          first user (user-1) is sent as --token (default `replay`), user-2 as TOKEN-2, and so on.
          Exit 0: no difference; 1: some; 2: bad input.
          --as-test DIR also writes the recording to DIR/NAME.ndjson (NAME: the file's), where
          the project's suite replays every recording (tests/recordings) and expects no difference.

        """

    public static func parse(_ arguments: [String]) throws(Failure) -> Options? {
        var o = Options()
        var i = 0
        func value(_ flag: String) throws(Failure) -> String {
            i += 1
            guard i < arguments.count else { throw Failure(message: "replay: \(flag) needs a value", exitCode: 2) }
            return arguments[i]
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "--help", "-h": return nil
            case "--url": o.url = try value(a)
            case "--json": o.json = true
            case "--control-token": o.controlToken = try value(a)
            case "--token": o.token = try value(a)
            case "--as-test": o.asTest = try value(a)
            case "--max-advance":
                let v = try value(a)
                guard let s = Int(v), (1...31_536_000).contains(s) else {
                    throw Failure(message: "replay: --max-advance must be 1…31536000 seconds, not '\(v)'", exitCode: 2)
                }
                o.maxAdvanceSeconds = s
            default:
                guard !a.hasPrefix("-"), o.file.isEmpty else {
                    throw Failure(message: "replay: unknown argument '\(a)' (see replay --help)", exitCode: 2)
                }
                o.file = a
            }
            i += 1
        }
        guard !o.file.isEmpty else { throw Failure(message: "replay: the recording FILE is required", exitCode: 2) }
        if let url = o.url, ForwardingClient(url: url) == nil {
            throw Failure(message: "replay: --url must be http://host[:port][/base], not '\(url)'", exitCode: 2)
        }
        return o
    }

    /// The whole subcommand; `executable` is this binary, started when there is no `--url`.
    public static func main(_ arguments: [String], executable: String) -> Int32 {
        do throws(Failure) {
            guard let options = try parse(arguments) else {
                Output.out(usage)
                return 0
            }
            let report = try run(options, executable: executable)
            if let directory = options.asTest { try keep(options.file, in: directory) }
            Output.out(options.json ? JSONSerializer.string(report.json) + "\n" : report.table)
            return report.rows.isEmpty ? 0 : 1
        } catch {
            Output.err(error.message)
            return error.exitCode
        }
    }

    /// The recording as a regression case: copied (its lines re-read, so only exchanges are
    /// kept) into `directory` under its own name.
    static func keep(_ file: String, in directory: String) throws(Failure) {
        guard let bytes = RecordingFile.read(file) else { throw Failure(message: "replay: cannot read \(file)", exitCode: 2) }
        let exchanges: [Exchange]
        do throws(Exchange.ReadError) {
            exchanges = try Exchange.read(bytes, file: file)
        } catch {
            throw Failure(message: "replay: \(error.description)", exitCode: 2)
        }
        var name = String(file.split(separator: "/").last ?? "recording")
        if name.hasSuffix(".ndjson") { name.removeLast(".ndjson".count) }
        let target = directory + "/" + name + ".ndjson"
        let out: RecordingFile
        do throws(RecordCommand.Failure) {
            out = try RecordingFile(path: target, mode: 0o644)
        } catch {
            throw Failure(message: "replay: --as-test: \(error.message)", exitCode: 2)
        }
        for e in exchanges { out.append(JSONSerializer.serialize(e.json)) }
        out.close()
        Output.err("replay: kept as a regression case in \(target)")
    }

    public static func run(_ options: Options, executable: String) throws(Failure) -> DriftReport {
        guard let bytes = RecordingFile.read(options.file) else {
            throw Failure(message: "replay: cannot read \(options.file)", exitCode: 2)
        }
        let exchanges: [Exchange]
        do throws(Exchange.ReadError) {
            exchanges = try Exchange.read(bytes, file: options.file)
        } catch {
            throw Failure(message: "replay: \(error.description)", exitCode: 2)
        }
        var spawned: SpawnedEmulator? = nil
        let client: ForwardingClient
        if let url = options.url {
            client = ForwardingClient(url: url)!
        } else {
            let started = try SpawnedEmulator(executable: executable)
            spawned = started
            client = ForwardingClient(url: "http://127.0.0.1:\(started.port)")!
        }
        defer { spawned?.stop() }
        var replayer = Replayer(
            client: client, sandbox: "replay-\(getpid())-\(Int64(ForwardingClient.monotonicSeconds() * 1000))",
            controlToken: options.controlToken, token: options.token, maxAdvanceSeconds: options.maxAdvanceSeconds)
        return try replayer.replay(exchanges)
    }
}
