import Glibc

/// A TCP socket on a loopback port the kernel picked (port 0), held for as long as the
/// object lives. Binding keeps the number ours, so no other test (binding port 0 in
/// parallel) can be handed it, as it could a port just freed.
class LoopbackPort {
    let fd: Int32
    let port: Int

    /// `backlog` nil: bound only, so connections are refused; else listening with it.
    fileprivate init(backlog: Int32?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var ready = bound == 0
        if ready, let backlog { ready = listen(fd, backlog) == 0 }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard ready, named == 0 else {
            let error = errno
            close(fd)
            throw HarnessError("bind/listen: errno \(error)")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

/// A loopback port that refuses connections: bound, never listening.
final class RefusedPort: LoopbackPort {
    init() throws { try super.init(backlog: nil) }
}

/// A loopback port that is taken (listening, never accepting): the emulator's bind to it
/// fails, and a client's connection to it is never answered.
final class OccupiedPort: LoopbackPort {
    init() throws { try super.init(backlog: 8) }
}

/// A TCP socket connected to `127.0.0.1:port`; the caller closes it.
func connectLoopback(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard rc == 0 else {
        let error = errno
        close(fd)
        throw HarnessError("connect: errno \(error)")
    }
    return fd
}
