// libFuzzer target for JSONParser, built by scripts/fuzz.sh json (not part of Package.swift).
//
// Every input is parsed with the default limits and with tiny ones. Whatever parses must
// serialize and parse back to the same value, hold distinct keys in every object, and
// stay within the limits it was parsed under; the tiny limits may only refuse what the
// default ones accept by naming a limit. Any broken rule is a crash, and so is any trap
// inside the parser.

private let defaultLimits = JSONParser.Limits()
private let tinyLimits = JSONParser.Limits(maxDepth: 4, maxBytes: 256, maxKeys: 20)

/// Keys in the whole value and its nesting depth (a scalar is depth 0).
private func measure(_ value: JSONValue) -> (keys: Int, depth: Int) {
    switch value {
    case let .array(items):
        var keys = 0
        var depth = 0
        for item in items {
            let m = measure(item)
            keys += m.keys
            depth = max(depth, m.depth)
        }
        return (keys, depth + 1)
    case let .object(object):
        if Set(object.keys).count != object.count { fatalError("duplicate keys survived parsing") }
        var keys = object.count
        var depth = 0
        for (_, v) in object {
            let m = measure(v)
            keys += m.keys
            depth = max(depth, m.depth)
        }
        return (keys, depth + 1)
    default:
        return (0, 0)
    }
}

private func parse(_ bytes: [UInt8], _ limits: JSONParser.Limits) -> Result<JSONValue, JSONParser.Error> {
    do { return .success(try JSONParser.parse(bytes, limits: limits)) } catch { return .failure(error) }
}

private func checkParsed(_ value: JSONValue, _ limits: JSONParser.Limits) {
    let m = measure(value)
    if m.keys > limits.maxKeys { fatalError("more keys than the limit") }
    if m.depth > limits.maxDepth { fatalError("deeper than the limit") }
    let bytes = JSONSerializer.serialize(value)
    guard case let .success(again) = parse(bytes, defaultLimits) else {
        fatalError("serialized output does not parse")
    }
    // Doubles may come back as integers (1e2 prints as 100.0 or 100): compare bytes.
    if JSONSerializer.serialize(again) != bytes { fatalError("round trip changed the value") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func jsonFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let full = parse(bytes, defaultLimits)
    if case let .success(v) = full { checkParsed(v, defaultLimits) }
    let tiny = parse(bytes, tinyLimits)
    switch (full, tiny) {
    case let (.success(a), .success(b)):
        checkParsed(b, tinyLimits)
        if a != b { fatalError("limits changed the parsed value") }
    case let (.success, .failure(e)):
        if e.limit == nil { fatalError("tiny limits refused valid input without naming a limit: \(e)") }
    case let (.failure(e), .success):
        fatalError("tiny limits accepted what the defaults refused: \(e)")
    case (.failure, .failure):
        break
    }
    if case let .failure(e) = full, e.offset < 0 || e.offset > size { fatalError("error offset outside the input") }
    return 0
}
