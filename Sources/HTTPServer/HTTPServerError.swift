public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    case addressInUse(host: String, port: Int)
    case invalidAddress(String)
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case let .addressInUse(host, port): return "address \(host):\(port) is already in use"
        case let .invalidAddress(host): return "cannot bind to '\(host)': not an IPv4 or IPv6 address"
        case let .system(call, errno): return "\(call) failed (errno \(errno))"
        }
    }
}
