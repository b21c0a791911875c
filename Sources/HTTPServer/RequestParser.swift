#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Size limits of one request. Defaults are the engine's; `init(configuration:)` lives in
/// `ParserLimits+Configuration.swift` so the fuzzer can compile the parser on its own.
public struct ParserLimits: Sendable {
    /// Request line without its CRLF; longer → 414.
    public var maxRequestLineBytes = 8192
    /// Header section after the request line, every CRLF included; larger → 431.
    /// Trailers of a chunked body get the same budget of their own.
    public var maxHeaderBytes = 65536
    /// Header fields (and, separately, trailer fields); more → 431.
    public var maxHeaderCount = 100
    /// Body after de-chunking; larger → 413.
    public var maxBodyBytes = 16 * 1024 * 1024

    public init() {}
}

/// Everything of a request but its body.
public struct RequestHead: Sendable, Equatable {
    public var method: String
    /// Origin-form (`/path?query`) or `*`. An absolute-form target (`http://host/p`) is
    /// reduced to its origin form so the router sees a path.
    public var target: String
    /// 1.0 or 1.1; `HTTP/1.2`…`1.9` are served as 1.1 (RFC 9110 §6.2).
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// HTTP/1.1: true unless `Connection: close`. HTTP/1.0: false unless `Connection: keep-alive`.
    public var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request (RFC 9110 §10.1.1: ignored for 1.0).
    /// Set whether or not the request has a body; sending 100 for an empty body is allowed.
    public var expectsContinue: Bool
    /// The declared length; nil when chunked or when the request has no body framing.
    public var contentLength: Int?
    public var isChunked: Bool

    public init(
        method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
        keepAlive: Bool = true, expectsContinue: Bool = false, contentLength: Int? = nil, isChunked: Bool = false
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.contentLength = contentLength
        self.isChunked = isChunked
    }
}

/// Why a request was refused: the status to answer (then close), and a short reason for logs.
public struct ParseError: Error, Sendable, Equatable {
    /// 400, 413, 414, 431, 501 or 505.
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }
}

public enum ParserEvent: Sendable, Equatable {
    case head(RequestHead)
    /// A piece of the (de-chunked) body; never empty. How the body is cut into pieces
    /// depends on how the bytes arrived; their concatenation does not.
    case body([UInt8])
    case end
    /// The parser is dead after this; answer `status` with `Connection: close`.
    case error(ParseError)
}

/// Incremental HTTP/1.1 request parser (RFC 9112): push bytes in, get events out.
///
/// Any split of the same bytes gives the same events, except that body bytes may come in
/// different pieces. Every decision depends only on bytes already complete (a whole line,
/// or the bytes that make a limit overflow), never on where a read happened to end.
/// Head lines are kept until complete (bounded by the limits); body bytes are handed on
/// as they arrive, never buffered. Pipelined requests in one buffer all come out, unless
/// `feed(_:maxMessages:)` is told to stop after some of them.
///
/// Every refusal maps to one status; the connection answers it and closes:
///
/// - 400: a request line that is not `method SP target SP version`; a method or field
///   name that is not a token; a target with controls, spaces or non-ASCII bytes, or not
///   `/…`, `*` (OPTIONS only) or `http(s)://…`; a malformed version; a bare LF or bare
///   CR anywhere in the head, a chunk line or after chunk data; more than 8 empty lines
///   before a request line; whitespace before a colon; obs-fold; a field without a colon
///   or name; a control character (NUL, CR, DEL…) in a field value; HTTP/1.1 without
///   Host, two Hosts, or a Host with `/`, `@`, spaces…; Transfer-Encoding together with
///   Content-Length; a Content-Length that is not 1*DIGIT, or values that differ;
///   Transfer-Encoding on HTTP/1.0, not ending in `chunked`, with `chunked` twice, or not
///   a token list; a chunk size that is not hex, overflows, has a sign or stray
///   whitespace; a chunk-size line over 4 KiB; chunk data not followed by CRLF; a
///   malformed trailer field.
/// - 413: a Content-Length over `maxBodyBytes` (instead of `.head`); a chunk that would
///   take the de-chunked body over it (mid-body, at its size line).
/// - 414: a request line over `maxRequestLineBytes`.
/// - 431: a header section over `maxHeaderBytes` or with more than `maxHeaderCount`
///   fields; the same for trailers.
/// - 501: a transfer coding other than `chunked` before the final `chunked` (`gzip, chunked`).
/// - 505: a well-formed version other than 1.x: `HTTP/2.0`, `HTTP/0.9`, `HTTP/3`.
public struct RequestParser: Sendable {
    /// Longest chunk-size line (size, extensions, CRLF); longer → 400.
    static let maxChunkLineBytes = 4096
    /// Empty lines tolerated before a request line (RFC 9112 §2.2 asks for at least one);
    /// more → 400, so a client cannot keep a connection busy with CRLFs alone.
    static let maxLeadingEmptyLines = 8

    private enum State: Sendable, Equatable {
        case requestLine
        case headers
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        case trailers
        case dead
    }

    private let limits: ParserLimits
    private var state: State = .requestLine
    /// Bytes received but not yet consumed: always the start of an incomplete line (or
    /// nothing), so it never exceeds the largest line window plus one read.
    private var buffer: [UInt8] = []
    /// How many bytes at the start of `buffer` are known to hold no LF, so a line that
    /// arrives byte by byte is not searched again from its start on every feed.
    private var scanned = 0
    /// Some byte of the current request's head (empty lines included) has arrived.
    private var headStarted = false
    private var emptyLines = 0
    private var head = RequestHeadBuilder()
    /// Bytes and fields of the header (or trailer) section so far.
    private var sectionBytes = 0
    private var sectionCount = 0
    /// De-chunked body bytes so far.
    private var chunkedBodyBytes = 0
    /// Messages `consume` may still finish before it stops (see `feed(_:maxMessages:)`).
    private var messagesLeft = Int.max

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// True between requests: nothing buffered and no message in progress, so the
    /// connection may idle-time-out rather than header-time-out.
    public var isIdle: Bool {
        state == .requestLine && !headStarted && buffer.isEmpty
    }

    /// True when some bytes of a head have arrived but not the whole head (408 timeout).
    public var isReadingHead: Bool {
        switch state {
        case .requestLine, .headers: return headStarted || !buffer.isEmpty
        default: return false
        }
    }

    public mutating func feed(_ bytes: [UInt8]) -> [ParserEvent] {
        bytes.withUnsafeBytes { feed($0) }
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [ParserEvent] {
        if state == .dead { return [] }
        var events: [ParserEvent] = []
        let input = UnsafeBufferPointer(
            start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        if buffer.isEmpty {
            let used = consume(input, into: &events)
            if used < input.count && state != .dead {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: input[used...]))
            }
        } else {
            // Move the buffer out so `consume` may mutate `self` while reading it.
            var pending = buffer
            buffer = []
            pending.append(contentsOf: input)
            let used = pending.withUnsafeBufferPointer { consume($0, into: &events) }
            if state != .dead && used < pending.count {
                pending.removeFirst(used)
                buffer = pending
            }
        }
        return events
    }

    /// Like `feed`, but stops right after the `maxMessages`-th message ends and hands back
    /// how many input bytes it used: the caller keeps the rest and feeds it again later.
    /// This is how a connection parses no more requests than it is ready to queue.
    public mutating func feed(
        _ bytes: UnsafeRawBufferPointer, maxMessages: Int
    ) -> (events: [ParserEvent], consumed: Int) {
        if state == .dead { return ([], bytes.count) }
        messagesLeft = max(1, maxMessages)
        defer { messagesLeft = Int.max }
        var events: [ParserEvent] = []
        let input = UnsafeBufferPointer(
            start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        if buffer.isEmpty {
            let used = consume(input, into: &events)
            if messagesLeft == 0 || state == .dead { return (events, state == .dead ? input.count : used) }
            if used < input.count {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: input[used...]))
            }
            return (events, input.count)
        }
        var pending = buffer
        let held = buffer.count
        buffer = []
        pending.append(contentsOf: input)
        let used = pending.withUnsafeBufferPointer { consume($0, into: &events) }
        if state == .dead { return (events, input.count) }
        if messagesLeft == 0 {
            // A message cannot end inside the held bytes (they are the start of one line),
            // but if it did, they stay here and are searched again from their start.
            if used < held {
                buffer = Array(pending[used..<held])
                scanned = 0
            }
            return (events, max(0, used - held))
        }
        if used < pending.count {
            pending.removeFirst(used)
            buffer = pending
        }
        return (events, input.count)
    }

    // MARK: - The state machine

    /// Consumes as much of `input` as can be decided now and returns how many bytes that
    /// was; the rest is the start of an incomplete line (or of the CRLF after chunk data).
    private mutating func consume(_ input: UnsafeBufferPointer<UInt8>, into events: inout [ParserEvent]) -> Int {
        let end = input.count
        var pos = 0
        var hint = scanned
        scanned = 0
        while pos < end {
            if messagesLeft == 0 { return pos }
            switch state {
            case .dead:
                return end

            case .requestLine:
                headStarted = true
                switch findLine(input, from: pos, hint: &hint, window: limits.maxRequestLineBytes + 2) {
                case .needMore:
                    return pos
                case .tooLong:
                    return fail(414, "request line longer than \(limits.maxRequestLineBytes) bytes", &events, end)
                case .bareLF:
                    return fail(400, "bare LF in request line", &events, end)
                case let .line(contentEnd, next):
                    if contentEnd == pos {
                        emptyLines += 1
                        if emptyLines > Self.maxLeadingEmptyLines {
                            return fail(400, "too many empty lines before the request line", &events, end)
                        }
                    } else {
                        switch RequestSyntax.requestLine(input, pos, contentEnd) {
                        case .failure(let error):
                            return fail(error, &events, end)
                        case .success(let line):
                            head.method = line.method
                            head.target = line.target
                            head.version = line.version
                            state = .headers
                        }
                    }
                    pos = next
                }

            case .headers, .trailers:
                let isTrailer = state == .trailers
                let budget = limits.maxHeaderBytes - sectionBytes
                switch findLine(input, from: pos, hint: &hint, window: budget) {
                case .needMore:
                    return pos
                case .tooLong:
                    return fail(
                        431, "\(isTrailer ? "trailer" : "header") section larger than \(limits.maxHeaderBytes) bytes",
                        &events, end)
                case .bareLF:
                    return fail(400, "bare LF in \(isTrailer ? "trailer" : "header") section", &events, end)
                case let .line(contentEnd, next):
                    sectionBytes += next - pos
                    if contentEnd == pos {
                        pos = next
                        if isTrailer {
                            finishMessage(&events)
                        } else {
                            switch head.finish(limits: limits) {
                            case .failure(let error):
                                return fail(error, &events, end)
                            case .success(let finished):
                                startBody(of: finished, &events)
                            }
                        }
                        continue
                    }
                    sectionCount += 1
                    if sectionCount > limits.maxHeaderCount {
                        return fail(
                            431, "more than \(limits.maxHeaderCount) \(isTrailer ? "trailer" : "header") fields",
                            &events, end)
                    }
                    switch RequestSyntax.fieldLine(input, pos, contentEnd) {
                    case .failure(let error):
                        return fail(error, &events, end)
                    case .success(let field):
                        // Trailers are checked like headers, then dropped.
                        if !isTrailer { head.add(input, pos, field) }
                    }
                    pos = next
                }

            case let .body(remaining):
                let n = min(remaining, end - pos)
                appendBody(input, pos, pos + n, &events)
                pos += n
                if n == remaining {
                    finishMessage(&events)
                } else {
                    state = .body(remaining: remaining - n)
                }

            case .chunkSize:
                switch findLine(input, from: pos, hint: &hint, window: Self.maxChunkLineBytes) {
                case .needMore:
                    return pos
                case .tooLong:
                    return fail(400, "chunk-size line longer than \(Self.maxChunkLineBytes) bytes", &events, end)
                case .bareLF:
                    return fail(400, "bare LF in chunk-size line", &events, end)
                case let .line(contentEnd, next):
                    switch RequestSyntax.chunkSize(input, pos, contentEnd) {
                    case .failure(let error):
                        return fail(error, &events, end)
                    case .success(let size):
                        if size > limits.maxBodyBytes - chunkedBodyBytes {
                            return fail(413, "chunked body larger than \(limits.maxBodyBytes) bytes", &events, end)
                        }
                        chunkedBodyBytes += size
                        if size == 0 {
                            state = .trailers
                            sectionBytes = 0
                            sectionCount = 0
                        } else {
                            state = .chunkData(remaining: size)
                        }
                    }
                    pos = next
                }

            case let .chunkData(remaining):
                let n = min(remaining, end - pos)
                appendBody(input, pos, pos + n, &events)
                pos += n
                state = n == remaining ? .chunkDataCR : .chunkData(remaining: remaining - n)

            case .chunkDataCR:
                guard input[pos] == RequestSyntax.Byte.cr else {
                    return fail(400, "chunk data not followed by CRLF", &events, end)
                }
                pos += 1
                state = .chunkDataLF

            case .chunkDataLF:
                guard input[pos] == RequestSyntax.Byte.lf else {
                    return fail(400, "chunk data not followed by CRLF", &events, end)
                }
                pos += 1
                state = .chunkSize
            }
        }
        return pos
    }

    /// Adds body bytes, joining them to a body piece just before (tiny chunks would
    /// otherwise cost an event and an allocation each).
    private func appendBody(
        _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ events: inout [ParserEvent]
    ) {
        let bytes = UnsafeBufferPointer(rebasing: input[start..<end])
        if case .body(var piece)? = events.last {
            events.removeLast()  // so `piece` is the only reference and grows in place
            piece.append(contentsOf: bytes)
            events.append(.body(piece))
        } else {
            events.append(.body(Array(bytes)))
        }
    }

    private mutating func fail(_ status: Int, _ reason: String, _ events: inout [ParserEvent], _ end: Int) -> Int {
        fail(ParseError(status: status, reason: reason), &events, end)
    }

    private mutating func fail(_ error: ParseError, _ events: inout [ParserEvent], _ end: Int) -> Int {
        events.append(.error(error))
        state = .dead
        buffer = []
        head = RequestHeadBuilder()
        return end
    }

    /// `.end`, then back to waiting for a request line.
    private mutating func finishMessage(_ events: inout [ParserEvent]) {
        events.append(.end)
        messagesLeft &-= 1
        state = .requestLine
        headStarted = false
        emptyLines = 0
        sectionBytes = 0
        sectionCount = 0
        chunkedBodyBytes = 0
        head = RequestHeadBuilder()
    }

    /// Emits `.head`, then expects the body its framing announced, or ends the message.
    private mutating func startBody(of finished: RequestHead, _ events: inout [ParserEvent]) {
        events.append(.head(finished))
        head = RequestHeadBuilder()
        if finished.isChunked {
            state = .chunkSize
            chunkedBodyBytes = 0
        } else if let length = finished.contentLength, length > 0 {
            state = .body(remaining: length)
        } else {
            finishMessage(&events)
        }
    }

    private enum LineSearch {
        case line(contentEnd: Int, next: Int)
        case needMore
        case tooLong
        case bareLF
    }

    /// Finds the line starting at `start`, which must end with CRLF within `window` bytes
    /// (CRLF included). `hint` is where to resume searching; it is used once.
    private mutating func findLine(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, hint: inout Int, window: Int
    ) -> LineSearch {
        let end = input.count
        let limitEnd = window >= end - start ? end : start + max(window, 0)
        let searchFrom = min(start + hint, limitEnd)
        hint = 0
        if let i = indexOfLF(input, searchFrom, limitEnd) {
            if i == start || input[i - 1] != RequestSyntax.Byte.cr { return .bareLF }
            return .line(contentEnd: i - 1, next: i + 1)
        }
        if end - start >= window { return .tooLong }
        scanned = end - start
        return .needMore
    }

    @inline(__always)
    private func indexOfLF(_ input: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        guard from < to, let base = input.baseAddress else { return nil }
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        guard let found = memchr(base + from, Int32(RequestSyntax.Byte.lf), to - from) else { return nil }
        return UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
        #else
        var i = from
        while i < to {
            if base[i] == RequestSyntax.Byte.lf { return i }
            i += 1
        }
        return nil
        #endif
    }
}
