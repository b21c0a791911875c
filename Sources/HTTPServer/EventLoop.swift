import CSystem
import Glibc
import Synchronization

/// One thread, one epoll instance, many connections. Every loop watches the shared
/// listening socket (`EPOLLEXCLUSIVE`, so a new connection wakes one loop, not all);
/// accepted sockets are spread round-robin over the loops so that a burst of connects
/// does not all land on whichever loop woke first.
///
/// Answers given on the loop's own thread (the usual case: the handler answers at once)
/// are queued locally and handled right after the handler returns; answers from other
/// threads go through the mailbox and an eventfd wake-up.
final class EventLoop: @unchecked Sendable {
    // Safe: every stored property except `mailbox` is read and written only on the loop's
    // thread (inside `run()` and what it calls), or before that thread starts. `mailbox`
    // is a Mutex; `wakeFD` is written to from any thread, which eventfd allows.

    struct Delivery {
        var fd: Int32
        var id: UInt64
        var sequence: UInt64
        var response: HTTPResponse
    }

    private struct Mailbox {
        var deliveries: [Delivery] = []
        var accepted: [(fd: Int32, address: String)] = []
        var shutdownDeadline: Double?
        /// Set when the loop has exited: nothing may be posted and the eventfd is gone.
        var closed = false
    }

    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private let listenFD: Int32
    private let handler: HTTPHandler
    private let configuration: HTTPServerConfiguration
    private let settings: ConnectionStateMachine.Settings
    private let mailbox = Mutex(Mailbox())
    private let balancer: LoopBalancer
    /// All loops of the server, this one included; set before the threads start.
    var peers: [EventLoop] = []

    private var threadID: pthread_t = 0
    private var connections: [Connection?] = []
    private(set) var connectionCount = 0
    private var nextConnectionID: UInt64 = 0
    private var localDeliveries: [Delivery] = []
    private var dirty: [Connection] = []
    private var ids = RequestIDGenerator()
    private var dateCache = HTTPDateCache()
    private var encoder: ResponseEncoder
    private var now: Double = SystemClock.monotonicSeconds()
    private var nextTick: Double = 0
    private let tickInterval: Double
    private var acceptPausedUntil: Double?
    private var listening = true
    private var shutdownDeadline: Double?
    private let readBuffer: UnsafeMutableRawBufferPointer
    private static let readBufferSize = 64 * 1024
    private static let lingerSeconds = 2.0
    /// While shutting down, lingering must not hold up the exit for long.
    private static let shutdownLingerSeconds = 0.25

    private static let epollIn = csystem_epollin()
    private static let epollOut = csystem_epollout()
    private static let epollErrorOrHangUp = csystem_epollerr() | csystem_epollhup()
    /// EPOLLEXCLUSIVE (Linux 4.5+); not among CSystem's helpers, and its value is ABI.
    private static let epollExclusive: UInt32 = 1 << 28

    init(
        index: Int, listenFD: Int32, configuration: HTTPServerConfiguration, balancer: LoopBalancer,
        bodyBudget: BodyBudget? = nil, handler: @escaping HTTPHandler
    ) throws {
        self.index = index
        self.listenFD = listenFD
        self.configuration = configuration
        self.settings = ConnectionStateMachine.Settings(configuration: configuration, bodyBudget: bodyBudget)
        self.handler = handler
        self.balancer = balancer
        self.encoder = ResponseEncoder(gzipMinimumBytes: configuration.gzipMinimumBytes, compressor: GzipCompressor())
        let shortest = min(configuration.headerTimeoutSeconds, configuration.idleTimeoutSeconds)
        self.tickInterval = max(0.01, min(1.0, shortest / 4))
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw HTTPServerError.system(call: "epoll_create1", errno: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let e = errno
            close(epollFD)
            throw HTTPServerError.system(call: "eventfd", errno: e)
        }
        readBuffer = .allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
        guard control(EPOLL_CTL_ADD, wakeFD, EventLoop.epollIn) == 0, watchListener() else {
            let e = errno
            close(epollFD)
            close(wakeFD)
            throw HTTPServerError.system(call: "epoll_ctl", errno: e)
        }
    }

    deinit {
        readBuffer.deallocate()
    }

    // MARK: - Called from other threads

    /// A handler's answer, from any thread.
    func deliver(_ delivery: Delivery) {
        if pthread_equal(pthread_self(), threadID) != 0 {
            localDeliveries.append(delivery)
            return
        }
        let posted = mailbox.withLock { box -> Bool in
            guard !box.closed else { return false }
            box.deliveries.append(delivery)
            return true
        }
        if posted { wake() }
    }

    /// A socket another loop accepted for this one.
    func adopt(fd: Int32, address: String) {
        let posted = mailbox.withLock { box -> Bool in
            guard !box.closed else { return false }
            box.accepted.append((fd, address))
            return true
        }
        if posted { wake() } else { close(fd) }
    }

    func requestShutdown(deadline: Double) {
        let posted = mailbox.withLock { box -> Bool in
            guard !box.closed else { return false }
            box.shutdownDeadline = deadline
            return true
        }
        if posted { wake() }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: - The loop

    func run(started: @Sendable () -> Void) {
        threadID = pthread_self()
        started()
        let capacity: Int32 = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        defer { events.deallocate() }
        now = SystemClock.monotonicSeconds()
        dateCache.refresh(wallSeconds: SystemClock.wallSeconds())
        nextTick = now + tickInterval
        while true {
            var waitUntil = nextTick
            if let resume = acceptPausedUntil { waitUntil = min(waitUntil, resume) }
            let timeout = Int32(max(0, min(1000, (waitUntil - now) * 1000)).rounded(.up))
            let count = epoll_wait(epollFD, events, capacity, timeout)
            now = SystemClock.monotonicSeconds()
            dateCache.refresh(wallSeconds: SystemClock.wallSeconds())
            if count > 0 {
                for i in 0..<Int(count) {
                    let event = events[i]
                    let fd = event.data.fd
                    if fd == wakeFD {
                        drainMailbox()
                    } else if fd == listenFD {
                        acceptConnections()
                    } else if Int(fd) < connections.count, let connection = connections[Int(fd)] {
                        handle(connection, events: event.events)
                    }
                    settle()
                }
            }
            if let resume = acceptPausedUntil, now >= resume, shutdownDeadline == nil {
                acceptPausedUntil = nil
                listening = watchListener()
            }
            if now >= nextTick {
                // Shutting down: check lingering closes and the deadline often.
                nextTick = now + (shutdownDeadline == nil ? tickInterval : 0.05)
                tickConnections()
                settle()
            }
            if let deadline = shutdownDeadline, connectionCount == 0 || now >= deadline {
                break
            }
        }
        finish()
    }

    private func finish() {
        let leftover = mailbox.withLock { box -> [(fd: Int32, address: String)] in
            box.closed = true
            let accepted = box.accepted
            box.accepted = []
            box.deliveries = []
            return accepted
        }
        for (fd, _) in leftover { close(fd) }
        for case let connection? in connections { closeConnection(connection) }
        close(wakeFD)
        close(epollFD)
        peers = []
    }

    // MARK: - Events

    private func handle(_ connection: Connection, events: UInt32) {
        if events & EventLoop.epollErrorOrHangUp != 0, events & EventLoop.epollIn == 0 {
            closeConnection(connection)
            return
        }
        if events & EventLoop.epollOut != 0 {
            flush(connection)
        }
        if events & EventLoop.epollIn != 0, !connection.isClosed {
            readFrom(connection)
        }
    }

    private func readFrom(_ connection: Connection) {
        let n = read(connection.fd, readBuffer.baseAddress, readBuffer.count)
        if connection.lingerDeadline != nil {
            // Half-closed by us: discard input until the peer closes too.
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { closeConnection(connection) }
            return
        }
        var actions: [ConnectionStateMachine.Action] = []
        if n > 0 {
            connection.machine.received(
                UnsafeRawBufferPointer(start: readBuffer.baseAddress, count: n), now: now, ids: &ids, into: &actions)
        } else if n == 0 {
            connection.machine.readClosed(into: &actions)
        } else {
            let error = errno
            if error == EAGAIN || error == EINTR { return }
            closeConnection(connection)  // ECONNRESET and friends
            return
        }
        execute(actions, on: connection)
    }

    private func execute(_ actions: [ConnectionStateMachine.Action], on connection: Connection) {
        for action in actions {
            if connection.isClosed { return }
            switch action {
            case .sendContinue:
                connection.outbound.append(contentsOf: ResponseEncoder.continueBytes)
            case let .dispatch(request, sequence):
                let fd = connection.fd
                let id = connection.id
                let responder = HTTPResponder { [self] response in
                    self.deliver(Delivery(fd: fd, id: id, sequence: sequence, response: response))
                }
                handler(request, responder)
            case let .write(outgoing):
                let result = encoder.encode(outgoing, dateLine: dateCache.headerLine, into: &connection.outbound)
                connection.machine.outputQueued(pendingBytes: connection.outbound.count - connection.outboundOffset)
                log(
                    outgoing.request, status: result.status, responseBytes: result.bytes, requestID: outgoing.requestID,
                    responseBody: outgoing.response.body, connection: connection)
            case .close:
                connection.closeWhenFlushed = true
            case let .drop(request):
                if let request {
                    log(
                        request, status: 0, responseBytes: 0, requestID: request.requestID, responseBody: [],
                        connection: connection)
                }
                closeConnection(connection)
                return
            }
        }
        markDirty(connection)
    }

    private func log(
        _ request: ConnectionStateMachine.RequestContext?, status: Int, responseBytes: Int, requestID: String,
        responseBody: [UInt8], connection: Connection
    ) {
        guard let sink = configuration.requestLog else { return }
        sink(
            HTTPRequestLogEntry(
                method: request?.method ?? "", target: request?.target ?? "", status: status,
                responseBytes: responseBytes,
                durationSeconds: max(0, SystemClock.monotonicSeconds() - (request?.startedAt ?? now)),
                remoteAddress: connection.machine.remoteAddress, requestID: requestID,
                requestBody: request?.requestBody ?? [], responseBody: responseBody))
    }

    /// Answers given on this thread, and the writes they cause, until none is left: a
    /// write that drains may let a held-back request go on, whose answer may come at once.
    private func settle() {
        repeat {
            drainLocalDeliveries()
            flushDirty()
        } while !localDeliveries.isEmpty || !dirty.isEmpty
    }

    private func drainLocalDeliveries() {
        var i = 0
        while i < localDeliveries.count {
            let delivery = localDeliveries[i]
            i += 1
            apply(delivery)
        }
        if i > 0 { localDeliveries.removeAll(keepingCapacity: true) }
    }

    private func apply(_ delivery: Delivery) {
        guard Int(delivery.fd) < connections.count, let connection = connections[Int(delivery.fd)],
            connection.id == delivery.id, !connection.isClosed
        else { return }
        var actions: [ConnectionStateMachine.Action] = []
        connection.machine.responseReady(
            sequence: delivery.sequence, delivery.response, now: now, ids: &ids, into: &actions)
        execute(actions, on: connection)
    }

    private func drainMailbox() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        let (deliveries, accepted, deadline) = mailbox.withLock { box in
            defer {
                box.deliveries = []
                box.accepted = []
            }
            return (box.deliveries, box.accepted, box.shutdownDeadline)
        }
        for (fd, address) in accepted { register(fd: fd, address: address) }
        for delivery in deliveries { apply(delivery) }
        if let deadline, shutdownDeadline == nil {
            beginShutdown(deadline: deadline)
            nextTick = min(nextTick, now + 0.05)
        }
    }

    private func beginShutdown(deadline: Double) {
        shutdownDeadline = deadline
        if listening {
            _ = control(EPOLL_CTL_DEL, listenFD, 0)
            listening = false
        }
        acceptPausedUntil = nil
        for case let connection? in connections where !connection.isClosed {
            if let linger = connection.lingerDeadline {
                connection.lingerDeadline = min(linger, now + EventLoop.shutdownLingerSeconds)
                continue
            }
            var actions: [ConnectionStateMachine.Action] = []
            connection.machine.beginShutdown(into: &actions)
            execute(actions, on: connection)
        }
    }

    private func tickConnections() {
        for case let connection? in connections where !connection.isClosed {
            if let linger = connection.lingerDeadline {
                if now >= linger { closeConnection(connection) }
                continue
            }
            var actions: [ConnectionStateMachine.Action] = []
            connection.machine.tick(now: now, ids: &ids, into: &actions)
            if !actions.isEmpty { execute(actions, on: connection) }
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    csystem_accept4(listenFD, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop watching the listener for a moment rather than
                    // spin on a socket that stays readable.
                    if listening {
                        _ = control(EPOLL_CTL_DEL, listenFD, 0)
                        listening = false
                    }
                    acceptPausedUntil = now + 0.1
                    return
                default:
                    return  // EAGAIN: another loop took it, or the backlog is empty
                }
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let address = SocketAddress(storage: storage).description
            let target = peers.isEmpty ? self : peers[balancer.next() % peers.count]
            if target === self {
                register(fd: fd, address: address)
            } else {
                target.adopt(fd: fd, address: address)
            }
        }
    }

    private func register(fd: Int32, address: String) {
        if shutdownDeadline != nil {
            close(fd)
            return
        }
        let slot = Int(fd)
        if slot >= connections.count {
            connections.append(
                contentsOf: repeatElement(nil, count: max(slot + 1, connections.count * 2) - connections.count))
        }
        nextConnectionID &+= 1
        let machine = ConnectionStateMachine(settings: settings, remoteAddress: address, now: now)
        let connection = Connection(fd: fd, id: nextConnectionID, machine: machine, registered: EventLoop.epollIn)
        guard control(EPOLL_CTL_ADD, fd, EventLoop.epollIn) == 0 else {
            close(fd)
            return
        }
        connections[slot] = connection
        connectionCount += 1
    }

    // MARK: - Writing and closing

    private func markDirty(_ connection: Connection) {
        if !connection.isDirty {
            connection.isDirty = true
            dirty.append(connection)
        }
    }

    private func flushDirty() {
        // A flush may mark connections dirty again (a request released by backpressure).
        while !dirty.isEmpty {
            let batch = dirty
            dirty.removeAll(keepingCapacity: true)
            for connection in batch {
                connection.isDirty = false
                flush(connection)
            }
        }
    }

    /// Writes what the kernel takes now; the rest waits for EPOLLOUT.
    private func flush(_ connection: Connection) {
        guard !connection.isClosed else { return }
        var progressed = false
        if connection.hasPendingOutput {
            let fd = connection.fd
            let failed: Bool = connection.outbound.withUnsafeBytes { bytes in
                while connection.outboundOffset < bytes.count {
                    let n = send(
                        fd, bytes.baseAddress! + connection.outboundOffset, bytes.count - connection.outboundOffset,
                        Int32(MSG_NOSIGNAL))
                    if n > 0 {
                        connection.outboundOffset += n
                        progressed = true
                    } else if n < 0, errno == EINTR {
                        continue
                    } else if n < 0, errno == EAGAIN {
                        return false
                    } else {
                        return true  // EPIPE, ECONNRESET: the peer is gone
                    }
                }
                return false
            }
            if failed {
                closeConnection(connection)
                return
            }
            if !connection.hasPendingOutput {
                // Keep a modest buffer for the next response; give big ones back.
                connection.outbound.removeAll(keepingCapacity: connection.outbound.capacity <= 64 * 1024)
                connection.outboundOffset = 0
            } else if connection.outboundOffset >= 256 * 1024,
                connection.outboundOffset >= connection.outbound.count / 2
            {
                // A client that reads steadily but never catches up: drop what it has read,
                // or the buffer would keep every byte ever sent to it.
                connection.outbound.removeFirst(connection.outboundOffset)
                connection.outboundOffset = 0
            }
        }
        let pending = connection.hasPendingOutput
        var actions: [ConnectionStateMachine.Action] = []
        connection.machine.outputChanged(
            pendingBytes: connection.outbound.count - connection.outboundOffset, progressed: pending && progressed,
            now: now, ids: &ids, into: &actions)
        if !actions.isEmpty {
            // Requests held back by backpressure go on; `execute` marks the connection
            // dirty, so the close and interest below happen on the next flush.
            execute(actions, on: connection)
            return
        }
        if !pending, connection.closeWhenFlushed, connection.lingerDeadline == nil {
            shutdown(connection.fd, Int32(SHUT_WR))
            let linger = shutdownDeadline == nil ? EventLoop.lingerSeconds : EventLoop.shutdownLingerSeconds
            connection.lingerDeadline = min(now + linger, shutdownDeadline ?? .infinity)
        }
        updateInterest(connection)
    }

    private func updateInterest(_ connection: Connection) {
        var desired: UInt32 = 0
        if connection.lingerDeadline != nil || connection.machine.wantsToRead { desired |= EventLoop.epollIn }
        if connection.hasPendingOutput { desired |= EventLoop.epollOut }
        if desired != connection.registered {
            connection.registered = desired
            _ = control(EPOLL_CTL_MOD, connection.fd, desired)
        }
    }

    private func closeConnection(_ connection: Connection) {
        guard !connection.isClosed else { return }
        connection.isClosed = true
        connection.machine.releaseBudget()
        close(connection.fd)  // also removes it from the epoll set
        connections[Int(connection.fd)] = nil
        connectionCount -= 1
        connection.outbound = []
    }

    /// Adds the listening socket to this loop's epoll set: exclusive wake-ups where the
    /// kernel has them (4.5+), plain ones otherwise (every loop wakes; all but one get EAGAIN).
    private func watchListener() -> Bool {
        if control(EPOLL_CTL_ADD, listenFD, EventLoop.epollIn | EventLoop.epollExclusive) == 0 { return true }
        return errno == EINVAL && control(EPOLL_CTL_ADD, listenFD, EventLoop.epollIn) == 0
    }

    private func control(_ op: Int32, _ fd: Int32, _ events: UInt32) -> Int32 {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        return epoll_ctl(epollFD, op, fd, &event)
    }
}
