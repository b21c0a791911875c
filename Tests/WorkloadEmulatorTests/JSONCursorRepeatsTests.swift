import JSON
import Testing

/// The cursor hands back the string or free-form value it read last when the bytes
/// repeat: what it returns must be what reading each one afresh gives, including for
/// neighbours that share a prefix, a length, or the first bytes with the last one.
@Suite struct JSONCursorRepeatsTests {
    /// Reads `{"list": [...]}`: each element a string (as a string) or anything else (as a value).
    static func read(_ text: String) throws -> [JSONValue] {
        try JSONCursor.read(Array(text.utf8)) { (c) throws(JSONPathError) -> [JSONValue] in
            var out: [JSONValue] = []
            try c.members { (c, _) throws(JSONPathError) in
                try c.beginArray()
                while try c.nextElement() {
                    if c.null() {
                        out.append(.null)
                    } else if let s = try? c.string() {
                        out.append(.string(s))
                    } else {
                        out.append(try c.value())
                    }
                }
            }
            return out
        }
    }

    static func parsed(_ text: String) throws -> [JSONValue] {
        let v = try JSONParser.parse(Array(text.utf8))
        return v["list"]?.arrayValue ?? []
    }

    @Test func repeatedAndNearlyRepeatedStringsReadAsWritten() throws {
        let id = "8aa90c20d3be040f5adb1082"
        let text = """
            {"list":["\(id)","\(id)","8aa90c20d3be040f5adb1083","8aa90c20","\(id)x","\(id)",
            "0000000000000005","0000000000000006","\(id)","abcdefghijklmnop","abcdefghijklmnoq",
            "\\u0038aa90c20d3be040f5adb1082","\(id)","é\(id)","é\(id)"]}
            """
        let read = try Self.read(text)
        #expect(read == (try Self.parsed(text)))
        #expect(read.count == 15)
    }

    @Test func repeatedAndNearlyRepeatedValuesReadAsWritten() throws {
        let text = """
            {"list":[{"containerGroups":[]},{"containerGroups":[]},{"containerGroups":[1]},
            {"containerGroups":[]},[1,2],[1,2],[1,2,3],[1,2],{"a":{"b":[true]}},{"a":{"b":[true]}},
            {"a":{"b":[false]}},{},{},[],[[]],{"containerGroups":[]} ,{ "containerGroups":[]}]}
            """
        let read = try Self.read(text)
        #expect(read == (try Self.parsed(text)))
        #expect(read.count == 17)
    }

    /// The same bytes one level deeper are read again, so the depth limit still refuses
    /// them there (a repeat is not passed without the check the first reading had).
    @Test func aRepeatPastTheDepthLimitIsRefused() throws {
        let text = #"{"a":[[1]],"b":{"c":[[1]]}}"#
        func read(maxDepth: Int) throws(JSONPathError) -> [JSONValue] {
            try JSONCursor.read(Array(text.utf8), maxDepth: maxDepth) { (c) throws(JSONPathError) -> [JSONValue] in
                var out: [JSONValue] = []
                try c.members { (c, k) throws(JSONPathError) in
                    if c.matches(k, "a") {
                        out.append(try c.value())
                    } else {
                        try c.members { (c, _) throws(JSONPathError) in out.append(try c.value()) }
                    }
                }
                return out
            }
        }
        #expect(try read(maxDepth: 4) == [.array([.array([.int(1)])]), .array([.array([.int(1)])])])
        #expect(throws: JSONPathError.self) { try read(maxDepth: 3) }
    }
}
