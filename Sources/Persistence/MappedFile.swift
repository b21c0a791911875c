#if canImport(Glibc)
import Glibc
#endif

/// A file's bytes mapped read-only, for start-up's reading of the snapshot and the
/// logs. Reading a 230 MB snapshot into an array costs ~90 ms before parsing can start
/// (the copy, and a fault on every page of the new buffer); mapping the page cache
/// with `MAP_POPULATE` costs ~10–20 ms and copies nothing (`bench/RESULTS.md`).
///
/// The mapping is private and read-only, so nothing another process writes reaches it
/// after it is made, except a truncation: pages past a file's new end would fault. The
/// files read this way are the emulator's own, under its lock (`StateLock`), and the
/// snapshot is only ever replaced by a rename, which leaves a mapped inode whole.
final class MappedFile: Sendable {
    /// Immutable, read-only memory, unmapped only in `deinit`: any thread may read it.
    nonisolated(unsafe) private let base: UnsafeMutableRawPointer?
    let count: Int

    /// Nil when the file cannot be opened, statted or mapped.
    init?(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var s = stat()
        guard fstat(fd, &s) == 0, s.st_size >= 0, let size = Int(exactly: s.st_size) else { return nil }
        count = size
        guard size > 0 else {
            base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
        guard let p, p != MAP_FAILED else { return nil }
        base = p
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// The bytes, valid while this object lives.
    var bytes: UnsafeBufferPointer<UInt8> {
        guard let base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)
    }
}
