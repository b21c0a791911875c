/// Everything one connection decides, with no sockets and no clock of its own: the event
/// loop feeds it bytes, handler answers, write progress and the time, and executes the
/// actions it returns (after SwiftNIO's `HTTPServerPipelineHandler` and Hummingbird's
/// `HTTPConnectionStateHandler`).
///
/// Rules it keeps:
/// - Requests are handed to the handler one at a time, in order; responses therefore go out
///   in order. Complete requests behind the one being handled wait in a small queue, and
///   reading stops while that queue is full, so a pipelining client cannot make us buffer
///   without bound.
/// - Backpressure on output (as SwiftNIO's pipeline handler does it): while more than
///   `maxQueuedOutputBytes` of responses wait for the client to read them, reading stops
///   and no further request is parsed or dispatched, even from bytes already read. Bytes
///   read but not yet parsed are kept (at most one read's worth) and parsed once the
///   client catches up.
/// - Bodies are charged to the server-wide `BodyBudget`; a large body the budget cannot
///   hold gets 503 with `Retry-After`.
/// - `Expect: 100-continue` is answered only when that request is the next to be served.
/// - A parse error or timeout is answered once, after the responses ahead of it, then the
///   connection closes.
struct ConnectionStateMachine {
    struct Settings {
        var limits: ParserLimits
        var headerTimeoutSeconds: Double
        var idleTimeoutSeconds: Double
        /// Complete requests allowed to wait behind the one being handled before reading stops.
        var maxQueuedRequests: Int = 16
        /// Response bytes waiting for the client above which nothing more is parsed or dispatched.
        var maxQueuedOutputBytes: Int = 1 << 20
        /// Shared by every connection of the server; nil = bodies are not budgeted.
        var bodyBudget: BodyBudget?

        init(
            limits: ParserLimits = ParserLimits(), headerTimeoutSeconds: Double = 10,
            idleTimeoutSeconds: Double = 75, maxQueuedRequests: Int = 16, maxQueuedOutputBytes: Int = 1 << 20,
            bodyBudget: BodyBudget? = nil
        ) {
            self.limits = limits
            self.headerTimeoutSeconds = headerTimeoutSeconds
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.maxQueuedRequests = maxQueuedRequests
            self.maxQueuedOutputBytes = maxQueuedOutputBytes
            self.bodyBudget = bodyBudget
        }

        init(configuration: HTTPServerConfiguration, bodyBudget: BodyBudget?) {
            self.init(
                limits: ParserLimits(configuration: configuration),
                headerTimeoutSeconds: configuration.headerTimeoutSeconds,
                idleTimeoutSeconds: configuration.idleTimeoutSeconds,
                maxQueuedOutputBytes: configuration.maxQueuedResponseBytes, bodyBudget: bodyBudget)
        }
    }

    /// What the engine needs to know about a request to encode, log and route its answer.
    struct RequestContext {
        var sequence: UInt64
        var method: String
        var target: String
        var version: HTTPVersion
        var keepAlive: Bool
        var acceptsGzip: Bool
        var requestID: String
        var startedAt: Double
        var requestBody: [UInt8]
        /// What this request's body holds of the body budget, refunded when it is answered.
        var budgeted: Int = 0

        var isHead: Bool { method == "HEAD" }
    }

    /// A response ready to encode. `request` is nil for errors found before a whole head.
    struct Outgoing {
        var response: HTTPResponse
        var request: RequestContext?
        var requestID: String
        var closeAfter: Bool
    }

    enum Action {
        /// Write `HTTP/1.1 100 Continue`.
        case sendContinue
        /// Call the handler; its answer comes back through `responseReady(sequence:…)`.
        case dispatch(HTTPRequest, sequence: UInt64)
        /// Encode and write this response.
        case write(Outgoing)
        /// Close once everything written so far has gone out.
        case close
        /// Close now, discarding unwritten output. `request` is set when a handler asked for
        /// it (`HTTPResponse.dropConnection`), so the request still gets a log entry.
        case drop(request: RequestContext?)
    }

    private enum Phase {
        /// Reading and serving requests.
        case open
        /// No more reading: answer what was received, then close (client sent
        /// `Connection: close`, half-closed, or the server is shutting down).
        case draining
        /// An error response is owed after the responses ahead of it; then close.
        case failing
        /// Closed or closing; every input is ignored.
        case closed
    }

    private struct Receiving {
        var head: RequestHead
        var body: [UInt8] = []
        var startedAt: Double
        var sawBody = false
        var continueSent = false
        var budgeted = 0
    }

    private struct Queued {
        var request: HTTPRequest
        var context: RequestContext
    }

    let settings: Settings
    let remoteAddress: String
    private var parser: RequestParser
    private var phase = Phase.open
    private var receiving: Receiving?
    private var queue: [Queued] = []
    private var queueStart = 0
    private var inFlight: RequestContext?
    private var pendingError: Outgoing?
    private var nextSequence: UInt64 = 0
    /// When the head now being received started; nil when none is incomplete.
    private var headStartedAt: Double?
    /// Last byte read, response written or write progress.
    private var lastActivity: Double
    /// Set by the loop while written bytes wait for the socket to drain.
    private(set) var outputPending = false
    /// How many response bytes wait for the socket, as the loop last said.
    private(set) var outputBytes = 0
    /// Bytes read but not parsed yet (backpressure), from `unparsedStart` on.
    private var unparsed: [UInt8] = []
    private var unparsedStart = 0
    /// Everything this connection holds of the body budget.
    private var budgeted = 0

    init(settings: Settings, remoteAddress: String = "", now: Double) {
        self.settings = settings
        self.remoteAddress = remoteAddress
        self.parser = RequestParser(limits: settings.limits)
        self.lastActivity = now
    }

    // MARK: - Queries the loop uses

    private var queuedCount: Int { queue.count - queueStart }

    private var hasUnparsed: Bool { unparsedStart < unparsed.count }

    /// Whether the output waiting for the client is small enough to take more requests.
    private var outputHasRoom: Bool { outputBytes <= settings.maxQueuedOutputBytes }

    /// Whether the loop should watch the socket for input.
    var wantsToRead: Bool {
        phase == .open && !outputPending && outputHasRoom && queuedCount < settings.maxQueuedRequests
            && !hasUnparsed
    }

    /// Bytes read from the client that wait for the output to drain before being parsed.
    var unparsedCount: Int { unparsed.count - unparsedStart }

    var isClosed: Bool { phase == .closed }

    /// True when no request is anywhere between its first byte and its response.
    var isIdle: Bool {
        inFlight == nil && queuedCount == 0 && receiving == nil && parser.isIdle && pendingError == nil
            && !hasUnparsed
    }

    // MARK: - Inputs

    /// Bytes read from the socket.
    mutating func received(
        _ bytes: UnsafeRawBufferPointer, now: Double, ids: inout RequestIDGenerator, into actions: inout [Action]
    ) {
        guard phase == .open else { return }
        lastActivity = now
        if hasUnparsed || !mayParse {
            unparsed.append(contentsOf: bytes)
        } else {
            let used = parse(bytes, now: now, ids: &ids)
            if used < bytes.count {
                unparsed.removeAll(keepingCapacity: true)
                unparsedStart = 0
                unparsed.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...]))
            }
        }
        pump(now: now, ids: &ids, into: &actions)
    }

    /// Convenience for tests.
    mutating func received(_ bytes: [UInt8], now: Double, ids: inout RequestIDGenerator, into actions: inout [Action]) {
        bytes.withUnsafeBytes { received($0, now: now, ids: &ids, into: &actions) }
    }

    /// The peer sent EOF. Requests already complete are still answered (a client may
    /// half-close after its last request); a partial one is forgotten.
    mutating func readClosed(into actions: inout [Action]) {
        switch phase {
        case .open:
            phase = .draining
            dropReceiving()
            headStartedAt = nil
            advance(into: &actions)
        case .draining, .failing, .closed:
            break
        }
    }

    /// A handler answered. Only the first answer for the request being handled counts;
    /// late or repeated answers are ignored.
    mutating func responseReady(
        sequence: UInt64, _ response: HTTPResponse, now: Double, ids: inout RequestIDGenerator,
        into actions: inout [Action]
    ) {
        guard phase != .closed, let context = inFlight, context.sequence == sequence else { return }
        inFlight = nil
        refund(context.budgeted)
        lastActivity = now
        if response.dropConnection {
            phase = .closed
            actions.append(.drop(request: context))
            return
        }
        let last = phase == .draining && queuedCount == 0
        let close = !context.keepAlive || response.closeConnection || last
        actions.append(
            .write(Outgoing(response: response, request: context, requestID: context.requestID, closeAfter: close)))
        if close {
            phase = .closed
            actions.append(.close)
            return
        }
        // A head that was waiting behind this response gets its full time from now.
        if headStartedAt != nil { headStartedAt = now }
        pump(now: now, ids: &ids, into: &actions)
    }

    /// The loop's write state: `pending` while bytes wait for the socket. Progress counts
    /// as activity, so a client reading a big response slowly is not timed out.
    mutating func outputChanged(pending: Bool, now: Double) {
        outputPending = pending
        if !pending { outputBytes = 0 }
        lastActivity = now
    }

    /// The loop's write state after a flush: `pendingBytes` still wait for the socket.
    /// When that drops to the bound, requests held back by backpressure go on.
    mutating func outputChanged(
        pendingBytes: Int, progressed: Bool, now: Double, ids: inout RequestIDGenerator, into actions: inout [Action]
    ) {
        let wasFull = !outputHasRoom
        outputBytes = pendingBytes
        if outputPending != (pendingBytes > 0) || progressed {
            outputPending = pendingBytes > 0
            lastActivity = now
        }
        if wasFull, outputHasRoom, phase != .closed { pump(now: now, ids: &ids, into: &actions) }
    }

    /// The loop encoded a response: `pendingBytes` now wait for the socket. Only recorded;
    /// the flush that follows reports progress through `outputChanged`.
    mutating func outputQueued(pendingBytes: Int) {
        outputBytes = pendingBytes
    }

    /// The connection is gone: gives back what it held of the body budget.
    mutating func releaseBudget() {
        if budgeted > 0 { settings.bodyBudget?.release(budgeted) }
        budgeted = 0
    }

    /// Graceful shutdown: stop reading, answer what was received, then close.
    mutating func beginShutdown(into actions: inout [Action]) {
        guard phase == .open else { return }
        phase = .draining
        dropReceiving()
        headStartedAt = nil
        advance(into: &actions)
    }

    /// Timeouts; the loop calls this a few times a second at most.
    mutating func tick(now: Double, ids: inout RequestIDGenerator, into actions: inout [Action]) {
        switch phase {
        case .closed:
            return
        case .open:
            // While a handler works on an earlier request, reading may be paused by us: the
            // client is not to blame for a head or body that stalls meanwhile.
            let clientsTurn = inFlight == nil
            if clientsTurn, let started = headStartedAt, now - started >= settings.headerTimeoutSeconds {
                fail(status: 408, reason: "request headers were not received in time", ids: &ids)
                advance(into: &actions)
                return
            }
            if clientsTurn, receiving != nil, now - lastActivity >= settings.idleTimeoutSeconds {
                fail(status: 408, reason: "request body was not received in time", ids: &ids)
                advance(into: &actions)
                return
            }
            if isIdle, !outputPending, now - lastActivity >= settings.idleTimeoutSeconds {
                phase = .closed
                actions.append(.close)
                return
            }
            fallthrough
        case .draining, .failing:
            // A peer that stopped reading our output must not hold the connection forever.
            if outputPending, now - lastActivity >= settings.idleTimeoutSeconds {
                phase = .closed
                actions.append(.drop(request: nil))
            }
        }
    }

    // MARK: - Internals

    /// Parsing may go on: reading is open, the queue has room and the output is not backed up.
    private var mayParse: Bool {
        phase == .open && queuedCount < settings.maxQueuedRequests && outputHasRoom
    }

    /// Parses no more messages than the queue has room for; returns the bytes used.
    private mutating func parse(_ bytes: UnsafeRawBufferPointer, now: Double, ids: inout RequestIDGenerator) -> Int {
        let room = settings.maxQueuedRequests - queuedCount
        let (events, used) = parser.feed(bytes, maxMessages: room)
        process(events, now: now, ids: &ids)
        if phase == .open, receiving == nil, headStartedAt == nil, !parser.isIdle, parser.isReadingHead {
            headStartedAt = now
        }
        return used
    }

    /// Dispatches what can be, and parses held-back bytes while there is room for them.
    private mutating func pump(now: Double, ids: inout RequestIDGenerator, into actions: inout [Action]) {
        while true {
            advance(into: &actions)
            guard hasUnparsed, mayParse else { break }
            let before = unparsedStart
            let used = unparsed.withUnsafeBytes { all in
                parse(UnsafeRawBufferPointer(rebasing: all[unparsedStart...]), now: now, ids: &ids)
            }
            unparsedStart += used
            if !hasUnparsed {
                unparsed.removeAll(keepingCapacity: unparsed.capacity <= 64 * 1024)
                unparsedStart = 0
            }
            if phase != .open {
                // A parse error or `Connection: close`: nothing after it is read.
                unparsed = []
                unparsedStart = 0
            }
            if unparsedStart == before && hasUnparsed { break }
        }
    }

    private mutating func refund(_ bytes: Int) {
        guard bytes > 0 else { return }
        settings.bodyBudget?.release(bytes)
        budgeted -= bytes
    }

    /// Forgets a request whose body was still arriving, refunding what it held.
    private mutating func dropReceiving() {
        if let r = receiving { refund(r.budgeted) }
        receiving = nil
    }

    /// Charges `bytes` more of a body to the budget; false when it cannot hold them.
    private mutating func charge(_ bytes: Int, bodyTotal: Int) -> Bool {
        guard let budget = settings.bodyBudget, bytes > 0 else { return true }
        guard budget.reserve(bytes, bodyTotal: bodyTotal) else { return false }
        budgeted += bytes
        receiving?.budgeted += bytes
        return true
    }

    private mutating func refuseForBudget(ids: inout RequestIDGenerator) {
        fail(
            status: 503, reason: "the server holds too many request bodies right now; retry shortly", ids: &ids,
            retryAfter: true)
    }

    private mutating func process(_ events: [ParserEvent], now: Double, ids: inout RequestIDGenerator) {
        for event in events {
            guard phase == .open else { return }
            switch event {
            case let .head(head):
                headStartedAt = nil
                receiving = Receiving(head: head, startedAt: now)
                if let length = head.contentLength, length > 0, length <= settings.limits.maxBodyBytes {
                    receiving!.body.reserveCapacity(min(length, 1 << 20))
                }
                if let length = head.contentLength, length > settings.limits.maxBodyBytes {
                    fail(
                        status: 413, reason: "request body is larger than \(settings.limits.maxBodyBytes) bytes",
                        ids: &ids)
                } else if let length = head.contentLength, !charge(length, bodyTotal: length) {
                    refuseForBudget(ids: &ids)
                }
            case let .body(bytes):
                guard let r = receiving else { continue }
                if r.head.contentLength == nil {
                    // Chunked: the size is known only as it grows.
                    let total = r.body.count + bytes.count
                    if !charge(bytes.count, bodyTotal: total) {
                        refuseForBudget(ids: &ids)
                        continue
                    }
                }
                receiving!.sawBody = true
                receiving!.body.append(contentsOf: bytes)
            case .end:
                guard let r = receiving else { continue }
                receiving = nil
                enqueue(r, ids: &ids)
            case let .error(error):
                fail(status: error.status, reason: error.reason, ids: &ids)
            }
        }
    }

    private mutating func enqueue(_ r: Receiving, ids: inout RequestIDGenerator) {
        let head = r.head
        let requestID = ids.id(clientSupplied: head.headers["X-Request-Id"])
        let context = RequestContext(
            sequence: nextSequence, method: head.method, target: head.target, version: head.version,
            keepAlive: head.keepAlive, acceptsGzip: AcceptEncoding.allowsGzip(head.headers["Accept-Encoding"]),
            requestID: requestID, startedAt: r.startedAt, requestBody: r.body, budgeted: r.budgeted)
        nextSequence &+= 1
        let request = HTTPRequest(
            method: head.method, target: head.target, version: head.version, headers: head.headers,
            body: r.body, remoteAddress: remoteAddress, requestID: requestID)
        if queueStart > 0, queueStart == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueStart = 0
        }
        queue.append(Queued(request: request, context: context))
        if !head.keepAlive {
            // Nothing after a `Connection: close` request is read.
            phase = .draining
        }
    }

    private mutating func fail(
        status: Int, reason: String, ids: inout RequestIDGenerator, retryAfter: Bool = false
    ) {
        phase = .failing
        dropReceiving()
        headStartedAt = nil
        var response = HTTPResponse.json(status, "{\"detail\":\(JSONString.quote(reason))}")
        if retryAfter { response.headers.add("Retry-After", "1") }
        response.closeConnection = true
        pendingError = Outgoing(response: response, request: nil, requestID: ids.next(), closeAfter: true)
    }

    /// Dispatches the next request, sends an owed error or 100 Continue, or closes — whatever
    /// the head of the line allows now.
    private mutating func advance(into actions: inout [Action]) {
        guard inFlight == nil else { return }
        if queuedCount > 0 {
            // Backpressure: the next answer waits until the client reads what it has.
            guard outputHasRoom else { return }
            let next = queue[queueStart]
            queue[queueStart] = Queued(request: HTTPRequest(method: "", target: ""), context: next.context)
            queueStart += 1
            if queueStart == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueStart = 0
            }
            inFlight = next.context
            actions.append(.dispatch(next.request, sequence: next.context.sequence))
            return
        }
        switch phase {
        case .failing:
            if let error = pendingError {
                pendingError = nil
                actions.append(.write(error))
            }
            phase = .closed
            actions.append(.close)
        case .draining:
            phase = .closed
            actions.append(.close)
        case .open:
            if var r = receiving, r.head.expectsContinue, !r.sawBody, !r.continueSent {
                r.continueSent = true
                receiving = r
                actions.append(.sendContinue)
            }
        case .closed:
            break
        }
    }
}
