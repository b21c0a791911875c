import CSystem
import Dispatch
import Glibc
import Synchronization

/// Name resolution that gives up at a deadline. `getaddrinfo` itself has no timeout (a
/// silent DNS server holds it for the resolver's own retries, many seconds), so a lookup
/// runs on one of a few resolver threads and the caller waits for it only until its
/// deadline; a lookup still running then finishes on its thread and is thrown away.
/// Literal addresses never reach the threads: they cannot block.
///
/// Shared by the upstream client (invoke forwarding) and the control client of the
/// executable, so both keep their timeouts however slow the resolver is.
public final class HostResolver: Sendable {
    /// One address to try, as `getaddrinfo` gave it.
    public struct Address: Sendable {
        public var family: Int32
        public var socketType: Int32
        public var socketProtocol: Int32
        /// The `sockaddr` bytes (at most a `sockaddr_storage`).
        public var bytes: [UInt8]

        /// Calls `body` with the address as a `sockaddr` pointer and its length.
        public func withSocketAddress<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
            // Copied into a `sockaddr_storage`, which has the alignment every sockaddr needs.
            var storage = sockaddr_storage()
            let n = min(bytes.count, MemoryLayout<sockaddr_storage>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes[0..<n]) }
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(n)) }
            }
        }
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
        /// The deadline passed before the lookup finished.
        public var timedOut: Bool
    }

    /// host, port → addresses, or a failure: `getaddrinfo` unless a test gives another.
    public typealias Lookup = @Sendable (_ host: String, _ port: Int) -> Result<[Address], Failure>

    /// The process's resolver: four threads, enough for lookups of several hosts at
    /// once; callers beyond that queue (and still give up at their deadlines).
    public static let shared = HostResolver(threads: 4)

    private final class Pending: Sendable {
        let host: String
        let port: Int
        let deadline: Double
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<[Address], Failure>?>(nil)
        init(host: String, port: Int, deadline: Double) {
            self.host = host
            self.port = port
            self.deadline = deadline
        }
    }

    private struct Queue {
        var waiting: [Pending] = []
        var threads = 0
    }

    public let threads: Int
    private let lookup: Lookup
    private let queue = Mutex(Queue())

    public init(threads: Int, lookup: @escaping Lookup = HostResolver.systemLookup) {
        self.threads = max(1, threads)
        self.lookup = lookup
    }

    /// Seconds on `CLOCK_MONOTONIC`: the clock of `resolve`'s deadline.
    public static func now() -> Double { SystemClock.monotonicSeconds() }

    /// The addresses of `host` (a name or an IPv4/IPv6 literal) for TCP `port`, or a
    /// failure; returns by `deadline` (`HostResolver.now()` seconds) whatever happens.
    public func resolve(host: String, port: Int, deadline: Double) -> Result<[Address], Failure> {
        if HostResolver.isLiteral(host) { return HostResolver.systemLookup(host, port) }
        let pending = Pending(host: host, port: port, deadline: deadline)
        let spawn = queue.withLock { q -> Bool in
            q.waiting.append(pending)
            guard q.threads < threads else { return false }
            q.threads += 1
            return true
        }
        if spawn && !startThread() {
            queue.withLock { $0.threads -= 1 }
            // No thread to be had: resolve here rather than fail (blocking, as before).
            work()
        }
        let left = deadline - SystemClock.monotonicSeconds()
        let nanos = left <= 0 ? 0 : Int(min(left, 86_400) * 1e9)
        _ = pending.done.wait(timeout: .now() + .nanoseconds(nanos))
        if let result = pending.result.withLock({ $0 }) { return result }
        return .failure(Failure(description: "resolving \(host) took longer than the timeout", timedOut: true))
    }

    /// Takes waiting lookups until none is left. One whose caller has given up (its
    /// deadline passed while it waited) is dropped unresolved.
    private func work() {
        while true {
            let next = queue.withLock { q -> Pending? in
                if q.waiting.isEmpty {
                    q.threads -= 1
                    return nil
                }
                return q.waiting.removeFirst()
            }
            guard let next else { return }
            if SystemClock.monotonicSeconds() >= next.deadline {
                next.done.signal()
                continue
            }
            let result = lookup(next.host, next.port)
            next.result.withLock { $0 = result }
            next.done.signal()
        }
    }

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private func startThread() -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // getaddrinfo with NSS modules wants more than the smallest stacks.
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        let context = Unmanaged.passRetained(Body { [self] in self.work() }).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, &attributes,
            { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, context)
        if rc != 0 { Unmanaged<Body>.fromOpaque(context).release() }
        return rc == 0
    }

    /// An IPv4 or IPv6 literal: resolved without the resolver threads.
    public static func isLiteral(_ host: String) -> Bool {
        var probe = in6_addr()
        return inet_pton(AF_INET, host, &probe) == 1 || inet_pton(AF_INET6, host, &probe) == 1
    }

    /// `getaddrinfo` for a TCP port, any family; literals with `AI_NUMERICHOST`.
    public static let systemLookup: Lookup = { host, port in
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        if isLiteral(host) { hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let reason = rc == 0 ? "no address" : String(cString: gai_strerror(rc))
            return .failure(Failure(description: "cannot resolve \(host): \(reason)", timedOut: false))
        }
        defer { freeaddrinfo(first) }
        var addresses: [Address] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let a = node {
            node = a.pointee.ai_next
            guard let raw = a.pointee.ai_addr else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: raw, count: Int(a.pointee.ai_addrlen)))
            addresses.append(
                Address(
                    family: a.pointee.ai_family, socketType: a.pointee.ai_socktype,
                    socketProtocol: a.pointee.ai_protocol, bytes: bytes))
        }
        guard !addresses.isEmpty else {
            return .failure(Failure(description: "cannot resolve \(host): no address", timedOut: false))
        }
        return .success(addresses)
    }
}
