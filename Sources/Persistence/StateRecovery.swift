import Dispatch
import JSON
import Synchronization
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

    public static func load(_ path: String, settings: SandboxSettings) throws(PersistenceError) -> Result {
        func fail(_ file: String, _ reason: String) -> PersistenceError {
            PersistenceError("--state-file: \(file): \(reason) (the file was left untouched)")
        }
        var result = Result()
        // The logs' records are decoded on a second thread once the snapshot is read
        // (while it reads, both cores are busy with it), and applied here in order as
        // they come: applying overlaps decoding.
        let all = LogFile.generations(path)
        let snapshot = try snapshotBytes(path)
        var base: UInt64 = 0
        var snapshotState: Snapshot?
        if let file = snapshot {
            result.snapshotBytes = file.count
            do throws(JSONPathError) {
                snapshotState = try readSnapshot(file.bytes, settings: settings)
            } catch {
                throw fail(path, error.description)
            }
        }
        if let s = snapshotState {
            result.lastLSN = s.lsn
            result.cuts = s.cuts
            base = s.log
        }
        let generations = all.filter { $0 >= base }
        result.staleLogs = all.filter { $0 < base }.map { LogFile.name(path, generation: $0) }
        let logFiles = generations.map { LogFile.name(path, generation: $0) }
        let reading = LogReading()
        reading.start(logFiles, cuts: result.cuts)
        var worlds: [String: World] = [:]
        var order: [String] = []
        for (i, (name, staged)) in (snapshotState?.sandboxes ?? []).enumerated() {
            do throws(JSONPathError) {
                worlds[name] = try staged.world()
            } catch {
                throw fail(path, "$.sandboxes[\(i)]" + error.path.dropFirst() + ": " + error.reason)
            }
            order.append(name)
        }
        var fileIndex = -1
        var n = 0
        while let event = reading.next() {
            let entries: [LogEntry]
            switch event {
            case let .file(bytes):
                fileIndex += 1
                n = 0
                let file = logFiles[fileIndex]
                guard let bytes else { throw fail(file, "cannot be read") }
                result.logBytes += bytes
                if bytes == 0 { result.emptyLogs.append(file) } else { result.logFiles += 1 }
                continue
            case let .records(batch): entries = batch.take()
            }
            let file = logFiles[fileIndex]
            for entry in entries {
                n += 1
                do throws(JSONPathError) {
                    guard let lsn = entry.lsn, let name = entry.sandbox else {
                        throw entry.failure ?? JSONPathError(path: "$", reason: "not a record")
                    }
                    guard SandboxRegistry.isValidName(name) else {
                        throw JSONPathError(path: "$.sandbox", reason: "invalid sandbox name")
                    }
                    result.lastLSN = max(result.lastLSN, lsn)
                    if let cut = result.cuts[name], lsn <= cut { continue }
                    if let failure = entry.failure { throw failure }
                    result.cuts[name] = lsn
                    if entry.drop {
                        worlds[name] = nil
                        order.removeAll { $0 == name }
                        continue
                    }
                    guard let change = entry.change else {
                        throw JSONPathError(path: "$.change", reason: "required field is missing")
                    }
                    if worlds[name] == nil {
                        worlds[name] = World(name: name, settings: settings)
                        order.append(name)
                    }
                    try worlds[name]!.apply(change)
                } catch {
                    throw fail(file, "record \(n): \(error.description)")
                }
            }
        }
        for name in order {
            do throws(JSONPathError) {
                try worlds[name]!.finishReplay(check: false)
                // The check reads the world only: its halves run on both cores.
                let world = worlds[name]!
                let parts = Mutex<[[String]]>([[], []])
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    let found = world.invariantViolations(part: i, of: 2)
                    parts.withLock { $0[i] = found }
                }
                if let problem = parts.withLock({ $0.joined().first }) {
                    throw JSONPathError(path: "$", reason: "inconsistent: \(problem)")
                }
            } catch {
                throw fail(path, "sandbox '\(name)': \(error.description)")
            }
            result.worlds.append(worlds[name]!)
        }
        result.nextGeneration = (generations.last ?? base) + 1
        // What was read to get here (the mapped files, the decoded records) is dropped
        // on another thread, while the server starts: 15–20 ms at 100,000 workloads.
        let leftovers = Leftovers(snapshot: snapshot, staged: snapshotState?.sandboxes ?? [])
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(leftovers) {} }
        return result
    }

    private struct Leftovers: Sendable {
        let snapshot: MappedFile?
        let staged: [(String, StagedRestore)]
    }

    /// The snapshot's members, its sandboxes read (and being rebuilt).
    struct Snapshot {
        var log: UInt64 = 0
        var lsn: UInt64 = 0
        var cuts: [String: UInt64] = [:]
        var sandboxes: [(String, StagedRestore)] = []
    }

    /// A sandbox's world rebuilt on a queue of its own from the sections of its
    /// document as they are read: the rebuilding overlaps the reading of the rest.
    final class StagedRestore: Sendable {
        private let queue = DispatchQueue(label: "workload-emulator.state-restore")
        private struct State: Sendable {
            var restorer: World.Restorer?
            var failure: JSONPathError?
            var world: World?
        }
        private let state = Mutex(State())
        private let settings: SandboxSettings

        init(settings: SandboxSettings) { self.settings = settings }

        /// The sink of `World.readDocument`. The name is the one in the document
        /// (checked once it is read); the sections come in the document's order.
        func send(_ name: String?, _ section: World.Section) {
            queue.async { [self] in
                state.withLock { s in
                    guard s.failure == nil else { return }
                    if s.restorer == nil { s.restorer = World.Restorer(name: name ?? "", settings: settings, at: "$") }
                    do throws(JSONPathError) { try s.restorer!.add(section) } catch { s.failure = error }
                }
            }
        }

        /// Once the document is read: the checks that need all of it.
        func finish() {
            queue.async { [self] in
                state.withLock { s in
                    guard s.failure == nil, let r = s.restorer else { return }
                    s.restorer = nil
                    do throws(JSONPathError) { s.world = try r.finish(checkConsistency: false) } catch {
                        s.failure = error
                    }
                }
            }
        }

        /// Waits for the rebuilding; its world, or why it refused the document.
        func world() throws(JSONPathError) -> World {
            queue.sync {}
            // Taken out, not copied: the caller's world is then the only holder of its
            // stores, and the log's records change them in place.
            let (world, failure) = state.withLock { s in
                defer { s.world = nil }
                return (s.world, s.failure)
            }
            if let failure { throw failure }
            guard let world else { throw JSONPathError(path: "$", reason: "not rebuilt") }
            return world
        }
    }

    static func readSnapshot(
        _ bytes: UnsafeBufferPointer<UInt8>, settings: SandboxSettings
    ) throws(JSONPathError) -> Snapshot {
        try JSONCursor.read(bytes) { (c) throws(JSONPathError) -> Snapshot in
            var s = Snapshot()
            var format: String?
            var version: Int64?
            var sawLog = false
            var sawLSN = false
            var sawCuts = false
            var sawSandboxes = false
            try c.members { (c, k) throws(JSONPathError) in
                if c.matches(k, "format") {
                    format = try c.string()
                    guard format == StateStore.format else { throw c.fail("expected '\(StateStore.format)'") }
                } else if c.matches(k, "version") {
                    let v = try c.int()
                    guard v >= 1 else { throw c.fail("must be at least 1") }
                    guard v <= StateStore.version else {
                        throw c.fail("version \(v) is newer than this emulator understands (\(StateStore.version))")
                    }
                    version = v
                } else if c.matches(k, "log") {
                    s.log = UInt64(try nonNegative(&c))
                    sawLog = true
                } else if c.matches(k, "lsn") {
                    s.lsn = UInt64(try nonNegative(&c))
                    sawLSN = true
                } else if c.matches(k, "cuts") {
                    sawCuts = true
                    try c.beginArray()
                    while try c.nextElement() {
                        var name: String?
                        var lsn: UInt64?
                        try c.members { (c, k) throws(JSONPathError) in
                            if c.matches(k, "sandbox") {
                                name = try c.string()
                            } else if c.matches(k, "lsn") {
                                lsn = UInt64(try nonNegative(&c))
                            } else {
                                try c.skip()
                            }
                        }
                        guard let name else { throw c.missing("sandbox") }
                        guard let lsn else { throw c.missing("lsn") }
                        s.cuts[name] = lsn
                    }
                } else if c.matches(k, "sandboxes") {
                    sawSandboxes = true
                    try c.beginArray()
                    while try c.nextElement() {
                        let start = c.position
                        let staged = StagedRestore(settings: settings)
                        var doc = try World.readDocument(&c, sink: staged.send)
                        guard let name = doc.sandbox else { throw c.missing("sandbox") }
                        guard SandboxRegistry.isValidName(name), !s.sandboxes.contains(where: { $0.0 == name }) else {
                            throw JSONPathError(path: c.path + ".sandbox", reason: "invalid or duplicate sandbox name")
                        }
                        if doc.headerLate {
                            // Written by hand, its header after its lists: read again, whole.
                            let again = StagedRestore(settings: settings)
                            doc = try JSONCursor.read(UnsafeBufferPointer(rebasing: bytes[start..<c.position]), root: c.path) {
                                (c) throws(JSONPathError) in try World.readDocument(&c)
                            }
                            let d = doc
                            for section in World.sections(of: d) { again.send(name, section) }
                            again.finish()
                            s.sandboxes.append((name, again))
                            continue
                        }
                        staged.finish()
                        s.sandboxes.append((name, staged))
                    }
                } else {
                    try c.skip()
                }
            }
            guard format != nil else { throw c.missing("format") }
            guard let version else { throw c.missing("version") }
            if version >= 2 {
                guard sawLog else { throw c.missing("log") }
                guard sawLSN else { throw c.missing("lsn") }
                guard sawCuts else { throw c.missing("cuts") }
            }
            guard sawSandboxes else { throw c.missing("sandboxes") }
            return s
        }
    }

    struct LogEntry: Sendable {
        var lsn: UInt64?
        var sandbox: String?
        var drop = false
        var change: World.ChangeRecord?
        var failure: JSONPathError?
    }

    /// The logs' records, decoded on two other threads and handed over in order, in
    /// batches, as they are decoded (decoding is most of a long log's replay, and the
    /// records are independent until they are applied).
    final class LogReading: Sendable {
        enum Event: Sendable {
            /// The next file begins: its size, or nil when it cannot be read.
            case file(bytes: Int?)
            case records(Batch)
        }

        /// Consecutive records of a file, decoded by whichever thread takes them first.
        final class Batch: Sendable {
            let entries = Mutex<[LogEntry]>([])
            let decoded = DispatchSemaphore(value: 0)

            /// The records, once decoded (taken out: each batch is applied once).
            func take() -> [LogEntry] {
                decoded.wait()
                return entries.withLock { list in
                    var out: [LogEntry] = []
                    swap(&out, &list)
                    return out
                }
            }
        }

        private struct Queue: Sendable {
            var events: [Event] = []
            var head = 0
        }
        private let queue = Mutex(Queue())
        /// Signalled once per event, and once more after the last.
        private let posted = DispatchSemaphore(value: 0)
        private static let batch = 256

        /// `cuts`: what the snapshot holds of each sandbox (records at or below their
        /// sandbox's cut are not decoded further than their sequence number).
        func start(_ files: [String], cuts: [String: UInt64]) {
            DispatchQueue.global(qos: .userInitiated).async { [self] in
                for file in files {
                    guard let mapped = MappedFile(file) else {
                        post(.file(bytes: nil))
                        continue
                    }
                    post(.file(bytes: mapped.count))
                    let payloads = LogFile.records(mapped.bytes).records
                    let count = (payloads.count + LogReading.batch - 1) / LogReading.batch
                    let batches = (0..<count).map { _ in Batch() }
                    for b in batches { post(.records(b)) }
                    // Both threads take the next batch not yet taken, so batches finish
                    // about in order, as they are applied. The mapping lives until both end.
                    let next = Atomic<Int>(0)
                    DispatchQueue.concurrentPerform(iterations: min(2, count)) { _ in
                        while true {
                            let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                            guard k < count else { return }
                            let part = payloads[(k * LogReading.batch)..<min(payloads.count, (k + 1) * LogReading.batch)]
                            let bytes = mapped.bytes
                            let entries = part.map { r in
                                StateRecovery.entry(UnsafeBufferPointer(rebasing: bytes[r]), cuts: cuts)
                            }
                            batches[k].entries.withLock { $0 = entries }
                            batches[k].decoded.signal()
                        }
                    }
                }
                posted.signal()
            }
        }

        private func post(_ event: Event) {
            queue.withLock { $0.events.append(event) }
            posted.signal()
        }

        /// The next event, waiting for it; nil after the last.
        func next() -> Event? {
            posted.wait()
            return queue.withLock { q in
                guard q.head < q.events.count else { return nil }
                let event = q.events[q.head]
                q.events[q.head] = .file(bytes: 0)
                q.head += 1
                return event
            }
        }
    }

    /// `{"lsn", "sandbox", "change" | "drop"}`.
    static func entry(_ payload: UnsafeBufferPointer<UInt8>, cuts: [String: UInt64] = [:]) -> LogEntry {
        var e = LogEntry()
        do throws(JSONPathError) {
            try JSONCursor.read(payload) { (c) throws(JSONPathError) in
                try c.members { (c, k) throws(JSONPathError) in
                    if c.matches(k, "lsn") {
                        e.lsn = UInt64(try nonNegative(&c))
                    } else if c.matches(k, "sandbox") {
                        e.sandbox = try c.string()
                    } else if c.matches(k, "drop") {
                        e.drop = true
                        try c.skip()
                    } else if c.matches(k, "change") {
                        if let lsn = e.lsn, let name = e.sandbox, let cut = cuts[name], lsn <= cut {
                            // The snapshot holds it: skipped whole, as the replay will skip it.
                            try c.skip()
                        } else {
                            e.change = try World.readChangeRecord(&c)
                        }
                    } else {
                        try c.skip()
                    }
                }
                if e.lsn == nil { throw c.missing("lsn") }
                if e.sandbox == nil { throw c.missing("sandbox") }
            }
        } catch {
            e.failure = error
            e.change = nil
        }
        return e
    }

    /// The snapshot's bytes; nil when there is none yet.
    private static func snapshotBytes(_ path: String) throws(PersistenceError) -> MappedFile? {
        var s = stat()
        if stat(path, &s) != 0 {
            if errno == ENOENT { return nil }
            throw PersistenceError("--state-file: \(path): \(Files.lastError)")
        }
        guard let file = MappedFile(path) else { throw PersistenceError("--state-file: \(path): cannot be read") }
        return file
    }

    private static func nonNegative(_ c: inout JSONCursor) throws(JSONPathError) -> Int64 {
        let v = try c.int()
        guard v >= 0 else { throw c.fail("must not be negative") }
        return v
    }
}
