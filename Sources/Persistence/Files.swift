#if canImport(Glibc)
import Glibc
#endif

/// Small file helpers shared by the state file, fixtures and the lifecycle profile.
public enum Files {
    /// The whole file, or nil when it cannot be opened or read.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var s = stat()
        guard fstat(fd, &s) == 0 else { return nil }
        // One buffer of the file's size, read into in place (a state file is 100s of MB:
        // growing an array chunk by chunk copied it several times). A file that grows
        // meanwhile is read on past it.
        var out = [UInt8](unsafeUninitializedCapacity: max(Int(s.st_size), 0)) { buf, count in
            count = 0
            while count < buf.count {
                let n = Glibc.read(fd, buf.baseAddress! + count, buf.count - count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                count += n
            }
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// The directory part of a path (`.` when there is none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// fsync of a directory, so that a file created or renamed in it survives power loss.
    static func syncDirectory(of path: String) {
        let dfd = open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Temporary file in the same directory, fsync, rename, fsync of the directory: after
    /// a crash the file is either the old one or the new one. Nil on success, else why.
    static func writeAtomically(_ bytes: [UInt8], to path: String) -> String? {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot create \(temp): \(lastError)" }
        if let error = StateStore.writeAll(fd, bytes) ?? (fsync(fd) == 0 ? nil : lastError) {
            close(fd)
            unlink(temp)
            return "cannot write \(temp): \(error)"
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let reason = lastError
            unlink(temp)
            return "cannot rename \(temp) to \(path): \(reason)"
        }
        syncDirectory(of: path)
        return nil
    }

    /// A SIGKILL in the middle of a snapshot leaves its temporary file behind (the state
    /// file itself is whole): those of earlier processes are removed at start.
    static func removeStaleTemporaryFiles(of path: String) {
        let dir = directory(of: path)
        let prefix = (path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path) + ".tmp-"
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

    /// The text of the last `errno`.
    static var lastError: String { String(cString: strerror(errno)) }
}
