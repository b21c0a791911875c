/// The byte-level grammar of a request's lines (RFC 9112, RFC 9110 §5.6), as pure
/// functions over `input[start..<end]` — a line without its CRLF. `RequestParser` finds
/// the lines; this decides what they say. Nothing here allocates except the `String`s of
/// a request line.
enum RequestSyntax {
    struct RequestLine {
        var method: String
        var target: String
        var version: HTTPVersion
    }

    /// Bounds of a field line's name and of its value without surrounding whitespace.
    struct FieldLine {
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
    }

    // MARK: Request line

    /// `method SP request-target SP HTTP-version`, single spaces (RFC 9112 §3). The
    /// method is checked first, then the version (so an HTTP/2 preface gets 505), then
    /// the target.
    static func requestLine(
        _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int
    ) -> Result<RequestLine, ParseError> {
        guard let sp1 = firstIndex(of: Byte.sp, input, start, end), sp1 > start,
            let sp2 = firstIndex(of: Byte.sp, input, sp1 + 1, end)
        else {
            return .failure(ParseError(status: 400, reason: "malformed request line"))
        }
        for i in start..<sp1 where !isTokenByte(input[i]) {
            return .failure(ParseError(status: 400, reason: "invalid character in method"))
        }
        let version: HTTPVersion
        switch httpVersion(input, sp2 + 1, end) {
        case .failure(let error): return .failure(error)
        case .success(let v): version = v
        }
        let targetStart = sp1 + 1
        guard sp2 > targetStart else { return .failure(ParseError(status: 400, reason: "empty request target")) }
        // Visible ASCII only: no controls, spaces or raw non-ASCII (RFC 3986 has none).
        for i in targetStart..<sp2 where !(0x21...0x7E).contains(input[i]) {
            return .failure(ParseError(status: 400, reason: "invalid character in request target"))
        }
        let method = string(input, start, sp1)
        let target: String
        let first = input[targetStart]
        if first == Byte.slash {
            target = string(input, targetStart, sp2)
        } else if first == Byte.asterisk && sp2 == targetStart + 1 {
            guard method == "OPTIONS" else {
                return .failure(ParseError(status: 400, reason: "asterisk-form target on a method other than OPTIONS"))
            }
            target = "*"
        } else if let originForm = originForm(ofAbsolute: input, targetStart, sp2) {
            target = originForm
        } else {
            return .failure(ParseError(status: 400, reason: "request target is not origin-form, absolute-form or *"))
        }
        return .success(RequestLine(method: method, target: target, version: version))
    }

    /// `http://authority/path?q` → `/path?q` (RFC 9112 §3.2.2); nil if not absolute-form.
    /// Authority-form (CONNECT) is not accepted: this server is no proxy.
    static func originForm(ofAbsolute input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        var i = start
        if matchesLowercased(input, i, min(end, i + 7), "http://") {
            i += 7
        } else if matchesLowercased(input, i, min(end, i + 8), "https://") {
            i += 8
        } else {
            return nil
        }
        let authorityStart = i
        while i < end, input[i] != Byte.slash, input[i] != Byte.question { i += 1 }
        guard i > authorityStart else { return nil }
        if i == end { return "/" }
        if input[i] == Byte.question { return "/" + string(input, i, end) }
        return string(input, i, end)
    }

    /// `HTTP/1.0`, `HTTP/1.1`; `HTTP/1.2`…`1.9` are served as 1.1 (RFC 9110 §6.2). Other
    /// well-formed versions (`HTTP/2.0`, `HTTP/0.9`, `HTTP/3`) → 505; anything else → 400.
    static func httpVersion(
        _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int
    ) -> Result<HTTPVersion, ParseError> {
        let malformed = ParseError(status: 400, reason: "malformed HTTP version")
        let count = end - start
        guard count == 8 || count == 6, matchesExactly(input, start, start + 5, "HTTP/"), isDigit(input[start + 5])
        else {
            return .failure(malformed)
        }
        let major = Int(input[start + 5] - 0x30)
        if count == 6 {
            // "HTTP/2", "HTTP/3": a version we do not speak rather than garbage.
            return .failure(major >= 2 ? ParseError(status: 505, reason: "HTTP/\(major) is not supported") : malformed)
        }
        guard input[start + 6] == Byte.dot, isDigit(input[start + 7]) else { return .failure(malformed) }
        let minor = Int(input[start + 7] - 0x30)
        guard major == 1 else {
            return .failure(ParseError(status: 505, reason: "HTTP/\(major).\(minor) is not supported"))
        }
        return .success(minor == 0 ? .http1_0 : .http1_1)
    }

    // MARK: Field lines

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5). No whitespace before the colon
    /// (§5.1), no obs-fold (§5.2), no controls but HT in the value (RFC 9110 §5.5).
    static func fieldLine(
        _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int
    ) -> Result<FieldLine, ParseError> {
        let first = input[start]
        if first == Byte.sp || first == Byte.tab {
            return .failure(ParseError(status: 400, reason: "obs-fold or whitespace before a field name"))
        }
        var i = start
        while i < end, isTokenByte(input[i]) { i += 1 }
        guard i < end, input[i] == Byte.colon else {
            if i < end, input[i] == Byte.sp || input[i] == Byte.tab {
                return .failure(ParseError(status: 400, reason: "whitespace between field name and colon"))
            }
            return .failure(
                ParseError(
                    status: 400, reason: i < end ? "invalid character in field name" : "field line without a colon"))
        }
        guard i > start else { return .failure(ParseError(status: 400, reason: "empty field name")) }
        let nameEnd = i
        var valueStart = i + 1
        while valueStart < end, isWhitespace(input[valueStart]) { valueStart += 1 }
        var valueEnd = end
        while valueEnd > valueStart, isWhitespace(input[valueEnd - 1]) { valueEnd -= 1 }
        for j in valueStart..<valueEnd where isControl(input[j]) {
            return .failure(ParseError(status: 400, reason: "control character in field value"))
        }
        return .success(FieldLine(nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd))
    }

    // MARK: Chunked coding

    /// `chunk-size [ chunk-ext ]` (RFC 9112 §7.1). Extensions are only checked for
    /// controls, then ignored. Overflow, signs, `0x`, and stray whitespace → 400.
    static func chunkSize(_ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Result<Int, ParseError> {
        var i = start
        var size = 0
        while i < end, let digit = hexValue(input[i]) {
            guard size <= (Int.max - digit) >> 4 else {
                return .failure(ParseError(status: 400, reason: "chunk size overflows"))
            }
            size = size << 4 | digit
            i += 1
        }
        guard i > start else { return .failure(ParseError(status: 400, reason: "invalid chunk size")) }
        if i == end { return .success(size) }
        // BWS is allowed only before the ";" that starts an extension.
        while i < end, isWhitespace(input[i]) { i += 1 }
        guard i < end, input[i] == Byte.semicolon else {
            return .failure(ParseError(status: 400, reason: "invalid chunk size"))
        }
        for j in i..<end where isControl(input[j]) {
            return .failure(ParseError(status: 400, reason: "control character in chunk extension"))
        }
        return .success(size)
    }

    // MARK: Lists and comparisons

    /// Calls `body` with the bounds of each comma-separated element, OWS trimmed.
    /// Empty elements are skipped (RFC 9110 §5.6.1) unless `keepEmpty`.
    static func forEachListElement(
        _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, keepEmpty: Bool = false,
        _ body: (Int, Int) -> Void
    ) {
        var s = start
        while s <= end {
            var e = s
            while e < end, input[e] != Byte.comma { e += 1 }
            var a = s
            var b = e
            while a < b, isWhitespace(input[a]) { a += 1 }
            while b > a, isWhitespace(input[b - 1]) { b -= 1 }
            if a < b || keepEmpty { body(a, b) }
            s = e + 1
        }
    }

    /// ASCII case-insensitive comparison of `input[start..<end]` with a lowercase literal.
    static func matchesLowercased(
        _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString
    ) -> Bool {
        guard end - start == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for k in 0..<(end - start) {
            var b = input[start + k]
            if b >= 0x41 && b <= 0x5A { b += 0x20 }
            if b != p[k] { return false }
        }
        return true
    }

    static func matchesExactly(
        _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString
    ) -> Bool {
        guard end - start == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for k in 0..<(end - start) where input[start + k] != p[k] { return false }
        return true
    }

    static func string(_ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: input[start..<end]), as: UTF8.self)
    }

    static func firstIndex(of byte: UInt8, _ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        while i < end {
            if input[i] == byte { return i }
            i += 1
        }
        return nil
    }

    // MARK: Byte classes

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == Byte.sp || b == Byte.tab }

    /// CTLs but HT, and DEL: never allowed in a field value or chunk extension.
    @inline(__always)
    static func isControl(_ b: UInt8) -> Bool { (b < 0x20 && b != Byte.tab) || b == 0x7F }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        default: return nil
        }
    }

    /// tchar (RFC 9110 §5.6.2).
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    /// Bytes of `uri-host [ ":" port ]` (RFC 3986 reg-name, IP-literal, IPv4): unreserved,
    /// sub-delims, `%` escapes, `:`, `[` and `]`. No `@`, `/`, whitespace or controls.
    @inline(__always)
    static func isHostByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x2D, 0x2E, 0x5F, 0x7E: return true  // - . _ ~
        case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3B, 0x3D: return true  // sub-delims
        case 0x25, 0x3A, 0x5B, 0x5D: return true  // % : [ ]
        default: return false
        }
    }
}

extension RequestSyntax {
    /// The bytes the grammar names.
    enum Byte {
        static let cr: UInt8 = 0x0D
        static let lf: UInt8 = 0x0A
        static let sp: UInt8 = 0x20
        static let tab: UInt8 = 0x09
        static let colon: UInt8 = 0x3A
        static let semicolon: UInt8 = 0x3B
        static let comma: UInt8 = 0x2C
        static let slash: UInt8 = 0x2F
        static let question: UInt8 = 0x3F
        static let asterisk: UInt8 = 0x2A
        static let dot: UInt8 = 0x2E
    }
}
