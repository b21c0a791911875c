import JSON
import Testing

/// Many keys: duplicates found through the index (same answers as the small-object
/// scan), and a document-wide key limit of its own.
@Suite struct JSONParserLimitsTests {
    static func object(_ keys: [String]) -> String {
        "{" + keys.enumerated().map { "\"\($0.element)\":\($0.offset)" }.joined(separator: ",") + "}"
    }

    @Test func duplicatesInABigObjectTakeTheLastValueAtTheFirstPosition() throws {
        let keys = (0..<100).map { "k\($0)" } + ["k3", "k50", "k99", "k0"]
        let v = try JSONParser.parse(Self.object(keys))
        let o = try #require(v.objectValue)
        #expect(o.count == 100)
        #expect(o.keys == (0..<100).map { "k\($0)" })
        #expect(o["k3"] == .int(100))
        #expect(o["k50"] == .int(101))
        #expect(o["k99"] == .int(102))
        #expect(o["k0"] == .int(103))
        #expect(o["k1"] == .int(1))
    }

    @Test func aDuplicateJustAsTheIndexIsBuiltIsFound() throws {
        for n in 14...18 {
            let keys = (0..<n).map { "k\($0)" } + ["k\(n - 1)", "k0"]
            let o = try #require(try JSONParser.parse(Self.object(keys)).objectValue)
            #expect(o.count == n)
            #expect(o["k\(n - 1)"] == .int(Int64(n)))
            #expect(o["k0"] == .int(Int64(n + 1)))
        }
    }

    @Test func buildingABigObjectKeepsTheSubscriptsDuplicateRule() {
        let pairs: [(String, JSONValue)] = (0..<40).map { ("k\($0 % 30)", .int(Int64($0))) }
        let o = JSONObject(pairs)
        #expect(o.count == 30)
        #expect(o.keys == (0..<30).map { "k\($0)" })
        #expect(o["k0"] == 30)
        #expect(o["k9"] == 39)
        #expect(o["k10"] == 10)
        var small = JSONObject()
        for (k, v) in pairs { small[k] = v }
        #expect(small == o)
    }

    @Test func theKeyLimitCountsEveryMemberOfTheDocument() throws {
        let limits = JSONParser.Limits(maxKeys: 5)
        _ = try JSONParser.parse(#"{"a":{"b":1,"c":2},"d":[{"e":1}]}"#, limits: limits)
        // Duplicates count as read: they cost parsing work too.
        #expect(throws: JSONParser.Error.self) {
            try JSONParser.parse(#"{"a":1,"a":1,"a":1,"a":1,"a":1,"a":1}"#, limits: limits)
        }
        do {
            _ = try JSONParser.parse(#"{"a":{"b":1,"c":2},"d":[{"e":1,"f":2}]}"#, limits: limits)
            Issue.record("six keys passed a limit of five")
        } catch {
            #expect(error.limit == .keys)
            #expect(error.isTooLarge)
        }
    }

    @Test func limitsSayWhichLimitAndMalformedInputSaysNone() {
        do {
            _ = try JSONParser.parse("[[[]]]", limits: JSONParser.Limits(maxDepth: 2))
            Issue.record("too deep passed")
        } catch {
            #expect(error.limit == .depth)
            #expect(!error.isTooLarge)
        }
        do {
            _ = try JSONParser.parse("[1,2,3]", limits: JSONParser.Limits(maxBytes: 3))
            Issue.record("too big passed")
        } catch {
            #expect(error.limit == .bytes)
        }
        do {
            _ = try JSONParser.parse("{\"a\" 1}")
            Issue.record("malformed passed")
        } catch {
            #expect(error.limit == nil)
        }
    }
}
