#if canImport(Glibc)
import Glibc
#endif

/// `--port-file`: a reader polling the path sees either nothing or the whole port,
/// never a half-written file, because the text goes to a temporary file in the same
/// directory that is then renamed over the path.
enum PortFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func write(port: Int, to path: String) throws(Failure) {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot write '\(path)': \(reason())") }
        let text = Array("\(port)\n".utf8)
        let written = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let closed = Glibc.close(fd)
        guard written == text.count, closed == 0 else {
            let why = reason()
            unlink(temporary)
            throw Failure(description: "cannot write '\(path)': \(why)")
        }
        guard rename(temporary, path) == 0 else {
            let why = reason()
            unlink(temporary)
            throw Failure(description: "cannot rename into '\(path)': \(why)")
        }
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
