import Dispatch
import JSON
import Synchronization
import WorkloadEmulator

#if canImport(Glibc)
import Glibc
#endif

/// `--state-file`: a snapshot of every sandbox plus an append-only log of the changes
/// since (LogFile). Every change hands its record (the objects it touched,
/// `World.takeChangeRecord`) to `record`, under the sandbox's lock, and the record is
/// written to the log there and then (one lock keeps the records in order): once a
/// change is answered, a SIGKILL cannot lose it. A syncer thread fsyncs what has been
/// written, so the records of many requests share one fsync (group commit); in `sync`
/// durability an answer waits for it. Making a change durable costs the size of the
/// change, not of the world. When the log outgrows half the snapshot, the writer thread
/// starts a new log and writes a new snapshot from copies of the worlds on another
/// thread; the older logs are deleted once it is on disk. Recovery: the snapshot, then
/// the logs in order (StateRecovery).
///
/// A write that fails (disk full, I/O error, read-only) is kept and retried by the
/// writer thread; until it succeeds `problem` says why, and the API refuses changes
/// with 507.
public final class StateStore: ChangeRecorder, Sendable {
    public enum Durability: String, Sendable, CaseIterable {
        /// A 2xx leaves at once; its record is on disk within a few milliseconds.
        case batch
        /// A 2xx leaves only once its record is on disk.
        case sync
    }

    public static let format = "workload-emulator/state-file"
    public static let version: Int64 = 2
    /// The log is compacted once it is larger than half the snapshot and than this: a
    /// log's byte costs more to read back at start than a snapshot's (each record holds
    /// whole objects and is applied in turn), so start-up reads no more than half as
    /// many log bytes as snapshot bytes.
    static let minimumCompactionBytes = 4 << 20
    /// Each start opens a log of its own, and a small log never outgrows the snapshot:
    /// past this many log files a compaction folds them in (and deletes them) however
    /// small they are, so restarts cannot pile them up.
    static let maximumLogFiles = 4
    /// How long the writer waits before retrying a write that failed.
    static let retryMilliseconds = 100

    public let path: String
    public let durability: Durability
    private let lock: StateLock

    private struct State: Sendable {
        var active = false
        var stopped = false
        var registry: SandboxRegistry?
        /// Framed records not yet written, and the LSN of the last one.
        var buffer: [UInt8] = []
        var lastLSN: UInt64 = 0
        var durableLSN: UInt64 = 0
        /// Per sandbox, the LSN of its last record: what a snapshot copy includes.
        var cuts: [String: UInt64] = [:]
        var waiters: [(lsn: UInt64, done: @Sendable (Bool) -> Void)] = []
        var writeProblem: String?
        var syncProblem: String?
        var problem: String? { writeProblem ?? syncProblem }
        /// Records up to here were handed to the kernel (a SIGKILL keeps them).
        var writtenLSN: UInt64 = 0
        var generation: UInt64 = 1
        var logSize = 0
        /// Log files on disk that the last snapshot does not cover (the open one included).
        var logFiles = 1
        var snapshotSize = 0
        var compacting = false
        var writerDone = false
        var finalWriteFailed = false
    }
    private let state: Mutex<State>
    private let signalled = Atomic<Bool>(false)
    private let recording = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let syncWake = DispatchSemaphore(value: 0)
    /// The log the syncer fsyncs, and the older ones a rotation left to it to fsync and
    /// close: the writer never waits for an fsync.
    private let syncTargets = Mutex<(current: Int32, retired: [Int32])>((-1, []))
    /// One fsync pass at a time (the syncer's, or the final one at stop).
    private let syncing = Mutex<Void>(())
    /// The log file descriptor: used by the writer thread only.
    private let logFD = Atomic<Int32>(-1)

    /// Takes the lock (a second instance, or a directory that cannot be written, fails
    /// here). Records nothing until `start`.
    public init(path: String, durability: Durability) throws(PersistenceError) {
        self.path = path
        self.durability = durability
        self.lock = try StateLock(statePath: path)
        state = Mutex(State())
    }

    // MARK: - ChangeRecorder

    public var isRecording: Bool { recording.load(ordering: .relaxed) }

    public func record(sandbox: String, change: [UInt8]) {
        append(sandbox: sandbox) { lsn in
            var j = JSONWriter(capacity: change.count + 64)
            j.object { j in
                j.int("lsn", Int64(truncatingIfNeeded: lsn))
                j.string("sandbox", sandbox)
                j.key("change")
                j.raw(change)
            }
            return j.bytes
        }
    }

    public func dropped(sandbox: String) {
        append(sandbox: sandbox) { lsn in
            var j = JSONWriter(capacity: 96)
            j.object { j in
                j.int("lsn", Int64(truncatingIfNeeded: lsn))
                j.string("sandbox", sandbox)
                j.key("drop")
                j.value(.bool(true))
            }
            return j.bytes
        }
    }

    private func append(sandbox: String, _ payload: (UInt64) -> [UInt8]) {
        var done: [(@Sendable (Bool) -> Void, Bool)] = []
        let outcome = state.withLock { s -> Written? in
            guard s.active, !s.stopped else { return nil }
            s.lastLSN += 1
            s.cuts[sandbox] = s.lastLSN
            // Behind a failed write the record waits in the buffer (the order is kept)
            // for the writer's retry.
            guard s.buffer.isEmpty, s.writeProblem == nil else {
                LogFile.frame(payload(s.lastLSN), into: &s.buffer)
                return .buffered
            }
            // Otherwise it is handed to the kernel before the change is answered: a
            // SIGKILL cannot lose it, whatever the scheduler does to other threads.
            var bytes: [UInt8] = []
            LogFile.frame(payload(s.lastLSN), into: &bytes)
            return writeLocked(&s, bytes, upTo: s.lastLSN, &done)
        }
        finish(outcome, done)
    }

    private enum Written { case written, buffered, failed(first: Bool), recovered }

    /// Appends to the log; the caller holds the state lock, so records reach the file in
    /// LSN order. On failure the bytes go back to the front of the buffer (the log is cut
    /// back to where it was) and the waiters are told: their changes are kept and
    /// retried, but not acknowledged.
    private func writeLocked(
        _ s: inout State, _ bytes: [UInt8], upTo lsn: UInt64, _ done: inout [(@Sendable (Bool) -> Void, Bool)]
    ) -> Written {
        let fd = logFD.load(ordering: .acquiring)
        if let error = StateStore.writeAll(fd, bytes) {
            _ = ftruncate(fd, off_t(s.logSize))
            s.buffer = bytes + s.buffer
            let first = s.writeProblem != error
            s.writeProblem = error
            done += s.waiters.filter { $0.lsn <= lsn }.map { ($0.done, false) }
            s.waiters.removeAll { $0.lsn <= lsn }
            return .failed(first: first)
        }
        let was = s.problem != nil
        s.logSize += bytes.count
        s.writtenLSN = max(s.writtenLSN, lsn)
        s.writeProblem = nil
        return was && s.problem == nil ? .recovered : .written
    }

    private func finish(_ outcome: Written?, _ done: [(@Sendable (Bool) -> Void, Bool)]) {
        switch outcome {
        case nil: break
        case .written: syncWake.signal()
        case .recovered:
            StateStore.warn("writing again")
            syncWake.signal()
        case .buffered:
            if !signalled.exchange(true, ordering: .acquiringAndReleasing) { wake.signal() }
        case let .failed(first):
            if first, let problem = self.problem { StateStore.warn(problem) }
        }
        for (callback, ok) in done { callback(ok) }
    }

    // MARK: - Running

    /// Starts recording and the writer, once the recovered worlds are installed:
    /// records from here on go to a new log.
    public func start(_ registry: SandboxRegistry, after recovered: StateRecovery.Result) throws(PersistenceError) {
        Files.removeStaleTemporaryFiles(of: path)
        for file in recovered.emptyLogs + recovered.staleLogs { unlink(file) }
        let fd = try openLog(recovered.nextGeneration)
        logFD.store(fd, ordering: .releasing)
        syncTargets.withLock { $0.current = fd }
        state.withLock { s in
            s.lastLSN = recovered.lastLSN
            s.writtenLSN = recovered.lastLSN
            s.durableLSN = recovered.lastLSN
            s.cuts = recovered.cuts
            s.generation = recovered.nextGeneration
            s.logSize = recovered.logBytes
            s.logFiles = recovered.logFiles + 1
            s.snapshotSize = recovered.snapshotBytes
            s.registry = registry
            s.active = true
        }
        // Before the writer runs: a rotation changes the log it writes to.
        if recovered.snapshotBytes != 0 { maybeCompact() }
        recording.store(true, ordering: .relaxed)
        let thread = DispatchQueue(label: "workload-emulator.state-log")
        thread.async { [self] in writerLoop() }
        DispatchQueue(label: "workload-emulator.state-sync").async { [self] in syncerLoop() }
        // A first start: the snapshot exists from the beginning (it is small then).
        if recovered.snapshotBytes == 0 {
            state.withLock { $0.compacting = true }
            DispatchQueue.global(qos: .utility).async { [self] in compact(base: recovered.nextGeneration) }
        }
    }

    /// Why writing fails at the moment, if it does: the API then refuses changes (507)
    /// and health reports it.
    public var problem: String? { state.withLock { $0.problem } }

    /// Calls `done(true)` once every change made so far is on disk, or `done(false)` if
    /// writing it failed. At once when nothing is waiting to be written.
    public func whenDurable(_ done: @escaping @Sendable (Bool) -> Void) {
        let now: Bool? = state.withLock { s in
            if s.durableLSN >= s.lastLSN { return true }
            s.waiters.append((s.lastLSN, done))
            return nil
        }
        if let now { done(now) }
    }

    /// The final write, after the server has drained. False when it failed: what was
    /// acknowledged may not be on disk, and the process must say so (exit 1).
    public func stop() -> Bool {
        recording.store(false, ordering: .relaxed)
        let running = state.withLock { s -> Bool in
            s.stopped = true
            return s.active
        }
        guard running else { return true }
        wake.signal()
        finished.wait()
        return state.withLock { !$0.finalWriteFailed }
    }

    /// Writes what has gathered as soon as it is there: once `write` returns, a
    /// SIGKILL cannot lose it. The fsync is the syncer's, so a slow disk delays only
    /// what waits for the disk (`sync` answers), never the next write.
    private func writerLoop() {
        while true {
            // A record wakes the writer at once; the timeout retries a failed write.
            _ = wake.wait(timeout: .now() + .milliseconds(StateStore.retryMilliseconds))
            signalled.store(false, ordering: .releasing)
            let stopping = state.withLock { $0.stopped }
            writeBuffered()
            if stopping {
                // The final write: what is left, then one fsync here.
                writeBuffered()
                syncNow()
                let failed = state.withLock { s -> Bool in
                    if !s.buffer.isEmpty || s.writeProblem != nil || s.syncProblem != nil { s.finalWriteFailed = true }
                    s.writerDone = true
                    return s.finalWriteFailed
                }
                if failed, let problem = self.problem { StateStore.warn("final write failed: \(problem)") }
                syncWake.signal()
                finished.signal()
                return
            }
            maybeCompact()
        }
    }

    /// fsyncs what was written, for as long as anything written is not yet synced:
    /// records of many requests share one fsync.
    private func syncerLoop() {
        while true {
            _ = syncWake.wait(timeout: .now() + .milliseconds(StateStore.retryMilliseconds))
            if state.withLock({ $0.writerDone }) { return }
            syncNow()
        }
    }

    private func syncNow() {
        syncing.withLock { _ in syncPass() }
    }

    private func syncPass() {
        let target = state.withLock { $0.writtenLSN }
        let (fd, retired) = syncTargets.withLock { t -> (Int32, [Int32]) in
            let r = t.retired
            t.retired = []
            return (t.current, r)
        }
        guard !retired.isEmpty || state.withLock({ $0.durableLSN < target || $0.syncProblem != nil }) else { return }
        var error: String?
        for old in retired {
            if fdatasync(old) != 0 { error = "cannot sync \(path): \(Files.lastError)" }
            close(old)
        }
        if fdatasync(fd) != 0 { error = "cannot sync \(path): \(Files.lastError)" }
        var done: [(@Sendable (Bool) -> Void, Bool)] = []
        let (first, recovered) = state.withLock { s -> (Bool, Bool) in
            let was = s.problem != nil
            if let error {
                let first = s.syncProblem != error
                s.syncProblem = error
                done = s.waiters.filter { $0.lsn <= target }.map { ($0.done, false) }
                s.waiters.removeAll { $0.lsn <= target }
                return (first, false)
            }
            s.syncProblem = nil
            s.durableLSN = max(s.durableLSN, target)
            done = s.waiters.filter { $0.lsn <= s.durableLSN }.map { ($0.done, true) }
            s.waiters.removeAll { $0.lsn <= s.durableLSN }
            return (false, was && s.problem == nil)
        }
        if let error, first { StateStore.warn(error) }
        if recovered { StateStore.warn("writing again") }
        for (callback, ok) in done { callback(ok) }
    }

    /// The writer's part: what waits in the buffer (behind a failed write), written in order.
    @discardableResult
    private func writeBuffered() -> Bool {
        var done: [(@Sendable (Bool) -> Void, Bool)] = []
        let outcome = state.withLock { s -> Written? in
            guard !s.buffer.isEmpty else { return nil }
            let bytes = s.buffer
            s.buffer = []
            return writeLocked(&s, bytes, upTo: s.lastLSN, &done)
        }
        finish(outcome, done)
        if case .failed = outcome { return false }
        return true
    }

    // MARK: - Compaction

    private func maybeCompact() {
        let due = state.withLock { s -> UInt64? in
            guard !s.compacting, s.problem == nil,
                s.logSize > max(s.snapshotSize / 2, StateStore.minimumCompactionBytes)
                    || s.logFiles > StateStore.maximumLogFiles
            else { return nil }
            s.compacting = true
            return s.generation + 1
        }
        guard let next = due else { return }
        // The writer switches to the new log first: everything after this point goes
        // there, and the snapshot's copies include everything before it.
        let fd: Int32
        do throws(PersistenceError) { fd = try openLog(next) } catch {
            state.withLock { $0.compacting = false }
            StateStore.warn(error.message)
            return
        }
        // The syncer fsyncs and closes the old log on its next pass, before it counts
        // anything written so far as durable.
        state.withLock { s in
            syncTargets.withLock { t in
                t.retired.append(t.current)
                t.current = fd
            }
            logFD.store(fd, ordering: .releasing)
            s.generation = next
            s.logSize = 0
            s.logFiles += 1
        }
        syncWake.signal()
        DispatchQueue.global(qos: .utility).async { [self] in compact(base: next) }
    }

    private func compact(base: UInt64) {
        guard let registry = state.withLock({ $0.registry }) else { return }
        var parts: [[UInt8]] = []
        var cuts: [(String, UInt64)] = []
        for sandbox in registry.all() {
            // A copy under the sandbox's lock (copy-on-write: cheap), with the LSN of the
            // last record it includes; encoded outside the lock.
            let (world, cut) = sandbox.inspect { w in (w, state.withLock { $0.cuts[sandbox.name] ?? 0 }) }
            parts.append(world.snapshotBytes(encoding: .compact))
            cuts.append((sandbox.name, cut))
        }
        let lsn = state.withLock { $0.lastLSN }
        let bytes = StateStore.snapshotDocument(parts, cuts: cuts, log: base, lsn: lsn)
        if let error = Files.writeAtomically(bytes, to: path) {
            StateStore.warn("compaction: \(error)")
            state.withLock { $0.compacting = false }
            return
        }
        // The snapshot (fsynced, renamed, directory fsynced) covers every older log.
        for g in LogFile.generations(path) where g < base { unlink(LogFile.name(path, generation: g)) }
        state.withLock {
            $0.snapshotSize = bytes.count
            $0.logFiles = LogFile.generations(path).count
            $0.compacting = false
        }
    }

    static func snapshotDocument(_ parts: [[UInt8]], cuts: [(String, UInt64)], log: UInt64, lsn: UInt64) -> [UInt8] {
        var j = JSONWriter(capacity: parts.reduce(256) { $0 + $1.count + 1 })
        j.object { j in
            j.string("format", StateStore.format)
            j.int("version", StateStore.version)
            j.int("log", Int64(truncatingIfNeeded: log))
            j.int("lsn", Int64(truncatingIfNeeded: lsn))
            j.array("cuts") { j in
                for (name, cut) in cuts {
                    j.object { j in
                        j.string("sandbox", name)
                        j.int("lsn", Int64(truncatingIfNeeded: cut))
                    }
                }
            }
            j.array("sandboxes") { j in for p in parts { j.raw(p) } }
        }
        return j.bytes + [UInt8(ascii: "\n")]
    }

    // MARK: - Files

    private func openLog(_ generation: UInt64) throws(PersistenceError) -> Int32 {
        let name = LogFile.name(path, generation: generation)
        let fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PersistenceError("--state-file: cannot create \(name): \(Files.lastError)") }
        Files.syncDirectory(of: path)
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
        var offset = 0
        return bytes.withUnsafeBytes { raw -> String? in
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return "cannot write the state log: \(n < 0 ? Files.lastError : "no progress")"
                }
            }
            return nil
        }
    }

    static func warn(_ message: String) {
        let line = "workload-emulator: --state-file: \(message)\n"
        _ = Array(line.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
