import CSystem
import Glibc

/// The bound, listening, non-blocking server socket.
struct ListeningSocket {
    let fd: Int32
    let port: Int

    static func open(host: String, port: Int, backlog: Int32 = 4096) throws -> ListeningSocket {
        var address = try SocketAddress(host: host, port: port)
        let fd = socket(
            Int32(address.family),
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError.system(call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        if bound != 0 {
            let error = errno
            close(fd)
            if error == EADDRINUSE { throw HTTPServerError.addressInUse(host: host, port: port) }
            throw HTTPServerError.system(call: "bind", errno: error)
        }
        guard listen(fd, backlog) == 0 else {
            let error = errno
            close(fd)
            throw HTTPServerError.system(call: "listen", errno: error)
        }
        var actual = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        address = SocketAddress(storage: actual)
        return ListeningSocket(fd: fd, port: address.port)
    }
}
