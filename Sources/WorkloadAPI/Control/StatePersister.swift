import Dispatch
import JSON
import Synchronization
import WorkloadEmulator

#if canImport(Glibc)
import Glibc
#endif

/// `--state-file`: every sandbox in one JSON document, written atomically
/// (temporary file in the same directory, fsync, rename, fsync of the directory) on a
/// queue of its own, at most `coalesceMilliseconds` after a change, and once more at
/// shutdown. A change only sets a flag and maybe schedules a write: the event loops
/// never touch the disk. After a SIGKILL the file is always a complete earlier state.
final class StatePersister: Sendable {
    static let format = "workload-emulator/state-file"
    static let version: Int64 = 1
    /// Changes within this window share one write; well inside the 100 ms promise.
    static let coalesceMilliseconds = 20

    let path: String
    private let queue = DispatchQueue(label: "workload-emulator.state-file")
    private let scheduled = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private struct Cache: Sendable {
        var registry: SandboxRegistry?
        /// Each sandbox's document at the revision it was encoded: unchanged sandboxes
        /// are not encoded again.
        var encoded: [String: (revision: UInt64, bytes: [UInt8])] = [:]
        var lastError: String?
        var writes = 0
    }
    private let cache = Mutex(Cache())

    init(path: String) { self.path = path }

    func start(_ registry: SandboxRegistry) {
        cache.withLock { $0.registry = registry }
        removeStaleTemporaryFiles()
        // The loaded (or fixture) state is written at once, so the file exists from the start.
        changed()
    }

    /// Called by the registry's observer, on whatever thread made the change.
    func changed() {
        guard !stopped.load(ordering: .relaxed) else { return }
        if scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            queue.asyncAfter(deadline: .now() + .milliseconds(StatePersister.coalesceMilliseconds)) { [self] in
                scheduled.store(false, ordering: .releasing)
                // After the final write nothing more: the process is on its way out.
                if !stopped.load(ordering: .relaxed) { writeNow() }
            }
        }
    }

    /// The final write, after the server has drained.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        queue.sync { writeNow() }
    }

    var writeCount: Int { cache.withLock { $0.writes } }

    private func writeNow() {
        guard let registry = cache.withLock({ $0.registry }) else { return }
        var parts: [[UInt8]] = []
        for sandbox in registry.all() {
            let cached = cache.withLock { $0.encoded[sandbox.name] }
            let revision = sandbox.inspect { $0.revision }
            if let cached, cached.revision == revision {
                parts.append(cached.bytes)
                continue
            }
            // A copy of the value under the lock (copy-on-write: cheap), encoded outside
            // it, so a big world does not stall the sandbox's requests while it is written.
            let (rev, world) = sandbox.inspect { ($0.revision, $0) }
            // Written straight to bytes (no JSONValue tree): the same bytes, several times
            // faster; the previous size saves regrowing the buffer.
            let bytes = world.snapshotBytes(capacity: (cached?.bytes.count ?? 0) + 4096)
            cache.withLock { $0.encoded[sandbox.name] = (rev, bytes) }
            parts.append(bytes)
        }
        let names = Set(registry.all().map(\.name))
        cache.withLock { c in c.encoded = c.encoded.filter { names.contains($0.key) } }
        var out = Array(
            "{\"format\":\"\(StatePersister.format)\",\"version\":\(StatePersister.version),\"sandboxes\":[".utf8)
        out.reserveCapacity(out.count + parts.reduce(parts.count + 3) { $0 + $1.count })
        for (i, p) in parts.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: p)
        }
        out.append(contentsOf: Array("]}\n".utf8))
        let error = StatePersister.writeAtomically(out, to: path)
        cache.withLock {
            $0.writes += 1
            if let error, $0.lastError != error {
                // Once per distinct problem: a full disk must not flood stderr.
                let line = "workload-emulator: --state-file: \(error)\n"
                _ = Array(line.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            }
            $0.lastError = error
        }
    }

    /// A SIGKILL in the middle of a write leaves its temporary file behind (the state
    /// file itself is whole): remove those of earlier processes.
    private func removeStaleTemporaryFiles() {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let prefix = (slash.map { String(path[path.index(after: $0)...]) } ?? path) + ".tmp-"
        guard let d = opendir(dir) else { return }
        var stale: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(prefix), name.dropFirst(prefix.count).allSatisfy(\.isNumber) { stale.append(name) }
        }
        closedir(d)
        for name in stale { unlink(dir + "/" + name) }
    }

    /// Returns nil on success, else the reason.
    static func writeAtomically(_ bytes: [UInt8], to path: String) -> String? {
        let dir: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            dir = "."
        }
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot create \(temp): \(String(cString: strerror(errno)))" }
        var offset = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temp)
            return "cannot write \(temp): \(reason)"
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            return "cannot rename \(temp) to \(path): \(reason)"
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
        return nil
    }

    /// The sandboxes of an existing state file; none when it does not exist. A file
    /// that cannot be read, is not JSON, or has another format or a newer version
    /// stops start-up (and is left as it is).
    static func load(_ path: String) throws(ConfigurationError) -> [(name: String, document: JSONValue)] {
        var s = stat()
        if stat(path, &s) != 0 {
            if errno == ENOENT { return [] }
            throw ConfigurationError(message: "--state-file: \(path): \(String(cString: strerror(errno)))")
        }
        guard let bytes = APIConfiguration.readFile(path) else {
            throw ConfigurationError(message: "--state-file: \(path): cannot be read")
        }
        func fail(_ reason: String) -> ConfigurationError {
            ConfigurationError(message: "--state-file: \(path): \(reason) (the file was left untouched)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: JSONParser.Limits(maxDepth: 256, maxBytes: Int.max))
        } catch {
            throw fail("not valid JSON: \(error)")
        }
        let r = JSONReader(value)
        do throws(JSONPathError) {
            guard try r.string("format") == format else {
                throw JSONPathError(path: "$.format", reason: "expected '\(format)'")
            }
            let v = try r.int("version")
            guard v <= version else {
                throw JSONPathError(
                    path: "$.version", reason: "version \(v) is newer than this emulator understands (\(version))")
            }
            var out: [(String, JSONValue)] = []
            var names = Set<String>()
            for sb in try r.required("sandboxes").array() {
                let name = try sb.string("sandbox")
                guard SandboxRegistry.isValidName(name), names.insert(name).inserted else {
                    throw JSONPathError(path: sb.path + ".sandbox", reason: "invalid or duplicate sandbox name")
                }
                out.append((name, sb.value))
            }
            return out
        } catch {
            throw fail(error.description)
        }
    }
}
