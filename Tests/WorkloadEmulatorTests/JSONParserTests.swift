import JSON
import Testing

@testable import WorkloadEmulator

@Suite struct JSONParserTests {
    @Test func parsesScalarsKeepingIntegersApartFromFloats() throws {
        #expect(try JSONParser.parse("1") == .int(1))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("1.0") == .double(1.0))
        #expect(try JSONParser.parse("1e2") == .double(100))
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONParser.parse(" true ") == .bool(true))
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse(#""a\"b\\c\/\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/\né😀"))
    }

    @Test func objectsKeepKeyOrder() throws {
        let v = try JSONParser.parse(#"{"z":1,"a":2,"m":{"y":[1,2,{"b":null}]}}"#)
        #expect(v.objectValue?.keys == ["z", "a", "m"])
        #expect(JSONSerializer.string(v) == #"{"z":1,"a":2,"m":{"y":[1,2,{"b":null}]}}"#)
    }

    @Test func duplicateKeysTakeTheLastValueAtTheFirstPosition() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(JSONSerializer.string(v) == #"{"a":3,"b":2}"#)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
        "\"abc", "\"\\x\"", "\"\u{01}\"", "[1 2]", "{\"a\" 1}", "1 2", "\"\\ud800\"", "\"\\udc00x\"", "NaN", "Infinity",
        "[", "{\"a\":}", "1e999",
    ])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func enforcesDepthAndSize() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(ok)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse("[1,2,3]", limits: .init(maxBytes: 3)) }
    }

    @Test func serializerEscapesAndIsStable() throws {
        let v: JSONValue = [
            "s": "quote\" back\\ nl\n tab\t ctl\u{01}", "d": 0.5, "i": -3, "b": false, "n": nil, "a": [],
        ]
        let text = JSONSerializer.string(v)
        #expect(text == #"{"s":"quote\" back\\ nl\n tab\t ctl\u0001","d":0.5,"i":-3,"b":false,"n":null,"a":[]}"#)
        #expect(try JSONParser.parse(text) == v)
        #expect(JSONSerializer.serialize(v) == JSONSerializer.serialize(v))
    }
}
