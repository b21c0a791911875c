import JSON
import WorkloadEmulator

#if canImport(Glibc)
import Glibc
#endif

/// Reading the state back at start: the snapshot, then every log from the one the
/// snapshot names, in order, skipping the records the snapshot already holds (a
/// sandbox's copy includes its records up to its cut). A torn tail (the record being
/// written when the process died) is ignored; anything else that does not read or
/// does not pass the checks stops start-up naming the file and the JSON path, and
/// nothing is written.
public enum StateRecovery {
    public struct Result: Sendable {
        public var worlds: [World] = []
        var lastLSN: UInt64 = 0
        var cuts: [String: UInt64] = [:]
        var nextGeneration: UInt64 = 1
        var logBytes = 0
        /// Logs read that hold records (the ones a compaction would fold in).
        var logFiles = 0
        var snapshotBytes = 0
        /// Logs that hold nothing (a process that recorded no change): removed at start.
        var emptyLogs: [String] = []
        /// Logs older than the one the snapshot names (a compaction stopped before
        /// deleting them): the snapshot covers them, so they are removed at start.
        var staleLogs: [String] = []
    }

    /// The state file is the emulator's own, bounded by what it wrote: no key limit
    /// (the default stops at about 37,000 workloads).
    static let limits = JSONParser.Limits(maxDepth: 256, maxBytes: Int.max, maxKeys: Int.max)

    public static func load(_ path: String, settings: SandboxSettings) throws(PersistenceError) -> Result {
        func fail(_ file: String, _ reason: String) -> PersistenceError {
            PersistenceError("--state-file: \(file): \(reason) (the file was left untouched)")
        }
        var result = Result()
        var worlds: [String: World] = [:]
        var order: [String] = []
        var base: UInt64 = 0
        if let bytes = try snapshotBytes(path) {
            result.snapshotBytes = bytes.count
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes, limits: limits)
            } catch {
                throw fail(path, "not valid JSON: \(error)")
            }
            let r = JSONReader(value)
            do throws(JSONPathError) {
                guard try r.string("format") == StateStore.format else {
                    throw JSONPathError(path: "$.format", reason: "expected '\(StateStore.format)'")
                }
                let v = try r.int("version")
                guard v >= 1 else { throw JSONPathError(path: "$.version", reason: "must be at least 1") }
                guard v <= StateStore.version else {
                    throw JSONPathError(
                        path: "$.version",
                        reason: "version \(v) is newer than this emulator understands (\(StateStore.version))")
                }
                if v >= 2 {
                    base = UInt64(try nonNegative(r.required("log")))
                    result.lastLSN = UInt64(try nonNegative(r.required("lsn")))
                    for c in try r.required("cuts").array() {
                        result.cuts[try c.string("sandbox")] = UInt64(try nonNegative(c.required("lsn")))
                    }
                }
                for (i, sb) in try r.required("sandboxes").array().enumerated() {
                    let name = try sb.string("sandbox")
                    guard SandboxRegistry.isValidName(name), worlds[name] == nil else {
                        throw JSONPathError(path: sb.path + ".sandbox", reason: "invalid or duplicate sandbox name")
                    }
                    do throws(JSONPathError) {
                        worlds[name] = try World.restore(
                            sb.value, name: name, settings: settings, checkConsistency: false)
                    } catch {
                        throw JSONPathError(path: "$.sandboxes[\(i)]" + error.path.dropFirst(), reason: error.reason)
                    }
                    order.append(name)
                }
            } catch {
                throw fail(path, error.description)
            }
        }
        let all = LogFile.generations(path)
        result.staleLogs = all.filter { $0 < base }.map { LogFile.name(path, generation: $0) }
        let generations = all.filter { $0 >= base }
        for g in generations {
            let file = LogFile.name(path, generation: g)
            guard let bytes = Files.read(file) else { throw fail(file, "cannot be read") }
            result.logBytes += bytes.count
            if bytes.isEmpty { result.emptyLogs.append(file) } else { result.logFiles += 1 }
            for (n, payload) in LogFile.records(bytes).records.enumerated() {
                let value: JSONValue
                do {
                    value = try JSONParser.parse(Array(payload), limits: limits)
                } catch {
                    throw fail(file, "record \(n + 1): not valid JSON: \(error)")
                }
                let r = JSONReader(value)
                do throws(JSONPathError) {
                    let lsn = UInt64(try nonNegative(r.required("lsn")))
                    let name = try r.string("sandbox")
                    guard SandboxRegistry.isValidName(name) else { throw r.fail("invalid sandbox name") }
                    result.lastLSN = max(result.lastLSN, lsn)
                    if let cut = result.cuts[name], lsn <= cut { continue }
                    result.cuts[name] = lsn
                    if r.optional("drop") != nil {
                        worlds[name] = nil
                        order.removeAll { $0 == name }
                        continue
                    }
                    if worlds[name] == nil {
                        worlds[name] = World(name: name, settings: settings)
                        order.append(name)
                    }
                    try worlds[name]!.apply(changeRecord: r.required("change"))
                } catch {
                    throw fail(file, "record \(n + 1): \(error.description)")
                }
            }
        }
        for name in order {
            do throws(JSONPathError) { try worlds[name]!.finishReplay() } catch {
                throw fail(path, "sandbox '\(name)': \(error.description)")
            }
            result.worlds.append(worlds[name]!)
        }
        result.nextGeneration = (generations.last ?? base) + 1
        return result
    }

    /// The snapshot's bytes; nil when there is none yet.
    private static func snapshotBytes(_ path: String) throws(PersistenceError) -> [UInt8]? {
        var s = stat()
        if stat(path, &s) != 0 {
            if errno == ENOENT { return nil }
            throw PersistenceError("--state-file: \(path): \(Files.lastError)")
        }
        guard let bytes = Files.read(path) else { throw PersistenceError("--state-file: \(path): cannot be read") }
        return bytes
    }

    private static func nonNegative(_ r: JSONReader) throws(JSONPathError) -> Int64 {
        let v = try r.int()
        guard v >= 0 else { throw r.fail("must not be negative") }
        return v
    }
}
