// libFuzzer target for RequestParser, built by scripts/fuzz.sh (not part of Package.swift).
//
// Every input is parsed several ways: whole, one byte at a time, and cut where the data
// itself says, each with the default limits and with tiny ones (so the 413/414/431 paths
// are reached by short inputs). All ways must give the same events, once adjacent body
// pieces are merged, and the events must obey the parser's contract. Any disagreement
// or broken rule is a crash, and so is any trap inside the parser.

private let defaultLimits = ParserLimits()

private let tinyLimits: ParserLimits = {
    var l = ParserLimits()
    l.maxRequestLineBytes = 40
    l.maxHeaderBytes = 120
    l.maxHeaderCount = 4
    l.maxBodyBytes = 24
    return l
}()

private struct Outcome: Equatable {
    var events: [ParserEvent]
    var isIdle: Bool
    var isReadingHead: Bool
}

/// Feeds `input` in pieces whose sizes `nextSize` chooses (given the offset).
private func parse(_ input: UnsafeRawBufferPointer, _ limits: ParserLimits, _ nextSize: (Int) -> Int) -> Outcome {
    var parser = RequestParser(limits: limits)
    var events: [ParserEvent] = []
    var offset = 0
    while offset < input.count {
        let n = min(max(nextSize(offset), 1), input.count - offset)
        for event in parser.feed(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + n)])) {
            if case let .body(piece) = event {
                if piece.isEmpty { fatalError("empty body piece") }
                if case let .body(previous)? = events.last {
                    events[events.count - 1] = .body(previous + piece)
                    continue
                }
            }
            events.append(event)
        }
        offset += n
    }
    let outcome = Outcome(events: events, isIdle: parser.isIdle, isReadingHead: parser.isReadingHead)
    // A dead parser stays dead.
    if case .error? = events.last, !parser.feed(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)).isEmpty {
        fatalError("parser spoke after an error")
    }
    return outcome
}

/// The event grammar: (head body* end)* [head body*] [error], with bodies that match
/// their framing and limits.
private func checkContract(_ outcome: Outcome, _ limits: ParserLimits) {
    var inMessage = false
    var head: RequestHead?
    var bodyBytes = 0
    for (i, event) in outcome.events.enumerated() {
        switch event {
        case let .head(h):
            if inMessage { fatalError("head inside a message") }
            if !(h.target.hasPrefix("/") || (h.target == "*" && h.method == "OPTIONS")) {
                fatalError("bad target \(h.target)")
            }
            if h.method.isEmpty { fatalError("empty method") }
            if h.isChunked && h.contentLength != nil { fatalError("chunked with a Content-Length") }
            if let length = h.contentLength, length > limits.maxBodyBytes {
                fatalError("Content-Length past the limit")
            }
            if h.version != .http1_1 && h.version != .http1_0 { fatalError("version \(h.version)") }
            if h.version == .http1_1 && !h.headers.contains("Host") { fatalError("1.1 without Host") }
            if h.headers.count > limits.maxHeaderCount { fatalError("too many fields") }
            inMessage = true
            head = h
            bodyBytes = 0
        case let .body(piece):
            if !inMessage { fatalError("body outside a message") }
            bodyBytes += piece.count
            if bodyBytes > limits.maxBodyBytes { fatalError("body past the limit") }
            if let length = head?.contentLength, bodyBytes > length { fatalError("body past Content-Length") }
            if head?.contentLength == nil && head?.isChunked == false { fatalError("body without framing") }
        case .end:
            if !inMessage { fatalError("end outside a message") }
            if let length = head?.contentLength, bodyBytes != length { fatalError("end before Content-Length") }
            inMessage = false
        case let .error(e):
            if i != outcome.events.count - 1 { fatalError("events after an error") }
            if ![400, 413, 414, 431, 501, 505].contains(e.status) { fatalError("status \(e.status)") }
            if outcome.isIdle || outcome.isReadingHead { fatalError("dead parser claims a state") }
        }
    }
    if outcome.isIdle && inMessage { fatalError("idle inside a message") }
    if outcome.isIdle && outcome.isReadingHead { fatalError("idle and reading a head") }
}

private func check(_ input: UnsafeRawBufferPointer, _ limits: ParserLimits) {
    let whole = parse(input, limits) { _ in input.count }
    checkContract(whole, limits)
    let bytewise = parse(input, limits) { _ in 1 }
    if bytewise != whole { fatalError("byte-at-a-time disagrees with whole input") }
    // Cut sizes taken from the data, so the fuzzer can steer them too.
    let derived = parse(input, limits) { offset in Int(input[offset] % 17) + 1 }
    if derived != whole { fatalError("data-derived split disagrees with whole input") }
    if input.count > 2 {
        let halves = parse(input, limits) { offset in offset == 0 ? input.count / 2 : input.count }
        if halves != whole { fatalError("two halves disagree with whole input") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    check(input, defaultLimits)
    check(input, tinyLimits)
    return 0
}
