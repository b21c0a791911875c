import CSystem
import Dispatch
import Glibc
import Synchronization

/// The HTTP/1.1 server: one listening socket, `threads` event loops.
///
///     let server = HTTPServer(configuration: config) { request, responder in
///         responder.respond(.json(200, #"{"ok":true}"#))
///     }
///     let port = try server.start()
///     …
///     server.shutdown()
///
/// The handler runs on an event-loop thread and must return quickly; it may answer then or
/// later from any thread through the responder.
public final class HTTPServer: Sendable {
    private struct State {
        var listener: ListeningSocket?
        var loops: [EventLoop] = []
        var threads: [pthread_t] = []
        var stopped = false
    }

    public let configuration: HTTPServerConfiguration
    private let handler: HTTPHandler
    private let state = Mutex(State())

    public init(configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    deinit {
        shutdown(timeoutSeconds: 0)
    }

    /// Binds, listens and starts the event loops; returns the bound port once connections
    /// are being accepted. Throws `HTTPServerError.addressInUse` when the port is taken.
    @discardableResult
    public func start() throws -> Int {
        // A peer that resets mid-write must give EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        HTTPServer.tuneAllocator()
        return try state.withLock { state -> Int in
            if let listener = state.listener { return listener.port }
            let listener = try ListeningSocket.open(host: configuration.host, port: configuration.port)
            let count = configuration.threads > 0 ? configuration.threads : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            let balancer = LoopBalancer()
            let budget = BodyBudget(limitBytes: configuration.maxBufferedBodyBytes)
            var loops: [EventLoop] = []
            do {
                for i in 0..<count {
                    loops.append(
                        try EventLoop(
                            index: i, listenFD: listener.fd, configuration: configuration, balancer: balancer,
                            bodyBudget: budget, handler: handler))
                }
            } catch {
                close(listener.fd)
                throw error
            }
            for loop in loops { loop.peers = loops }
            let ready = DispatchSemaphore(value: 0)
            var threads: [pthread_t] = []
            for loop in loops {
                threads.append(LoopThread.start { loop.run(started: { ready.signal() }) })
            }
            for _ in loops { ready.wait() }
            state.listener = listener
            state.loops = loops
            state.threads = threads
            return listener.port
        }
    }

    /// Stops accepting, lets requests in progress finish for up to `timeoutSeconds`, then
    /// closes every connection and joins the loop threads. Safe to call more than once.
    public func shutdown(timeoutSeconds: Double = 5) {
        let (listener, loops, threads) = state.withLock { state -> (ListeningSocket?, [EventLoop], [pthread_t]) in
            guard !state.stopped, state.listener != nil else { return (nil, [], []) }
            state.stopped = true
            return (state.listener, state.loops, state.threads)
        }
        guard let listener else { return }
        let deadline = SystemClock.monotonicSeconds() + max(0, timeoutSeconds)
        for loop in loops { loop.requestShutdown(deadline: deadline) }
        // Refuse new connections now rather than leave them in the backlog until close.
        Glibc.shutdown(listener.fd, Int32(SHUT_RDWR))
        for thread in threads { pthread_join(thread, nil) }
        close(listener.fd)
    }

    /// Two glibc settings, so that a thread freeing what the loops allocated (an 8 h
    /// advance drops 100,000 workloads they created) does not stall the loops.
    ///
    /// No fast bins (`M_MXFAST` 0); small chunks still go through each thread's cache. A
    /// fast bin takes a freed chunk without merging it, and the merging happens later, all
    /// at once, in whichever malloc next asks that arena for a large block: the next
    /// request on a loop spent 20–50 ms in `malloc_consolidate`. Without fast bins each
    /// free merges its own chunk, on the freeing thread.
    ///
    /// A top pad of 64 MiB (`M_TOP_PAD`), the size of a thread arena's heap. A free that
    /// leaves such a heap empty unmaps it (64 MiB, ~5 ms of page freeing in `munmap`)
    /// while it holds that arena's lock, and the loop whose arena it is waits in malloc
    /// for every heap unmapped (three in a row, 10–13 ms, at the end of that advance). A
    /// heap is kept while the pad exceeds what it could give back, so with this pad
    /// none is unmapped or shrunk: freed memory stays with its arena for the next
    /// allocations, and RSS stays at its peak rather than falling after a mass removal.
    /// Main-arena growth asks the kernel for 64 MiB more address space each time; pages
    /// not touched cost no memory. `bench/RESULTS.md`, H3, has the measurements.
    public static func tuneAllocator() {
        _ = HTTPServer.allocatorTuned
    }
    private static let allocatorTuned: Bool = {
        let fastBinsOff = csystem_disable_fast_bins() == 1
        let heapsKept = csystem_keep_arena_heaps() == 1
        return fastBinsOff && heapsKept
    }()

    /// Raises the soft open-file limit to the hard one (10,000 connections are a target).
    /// Returns the limit now in force.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { return Int(clamping: raised.rlim_cur) }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
