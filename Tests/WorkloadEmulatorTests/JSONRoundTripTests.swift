import JSON
import Testing

@testable import WorkloadEmulator

@Suite struct JSONRoundTripTests {
    static func random(_ r: inout SplitMix64, depth: Int) -> JSONValue {
        switch r.next() % (depth > 4 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(r.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: r.next()))
        case 3: return .double(Double(Int64(bitPattern: r.next() >> 12)) / 1024 + 0.5)
        case 4:
            let alphabet = Array("aZ09 \"\\/\n\t\u{01}é😀_-")
            return .string(
                String((0..<Int(r.next() % 12)).map { _ in alphabet[Int(r.next() % UInt64(alphabet.count))] }))
        case 5: return .array((0..<Int(r.next() % 5)).map { _ in random(&r, depth: depth + 1) })
        default:
            var o = JSONObject()
            for i in 0..<Int(r.next() % 5) { o["k\(i)_\(r.next() % 100)"] = random(&r, depth: depth + 1) }
            return .object(o)
        }
    }

    @Test func randomValuesRoundTrip() throws {
        var r = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            let v = Self.random(&r, depth: 0)
            let bytes = JSONSerializer.serialize(v)
            #expect(try JSONParser.parse(bytes) == v)
        }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var r = SplitMix64(seed: 5)
        let pieces = Array(#"{}[]",:0123456789.eE+-truefalsenull\u"#.utf8) + [0xFF, 0x00, 0x20]
        var parsed = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int(r.next() % 24)).map { _ in pieces[Int(r.next() % UInt64(pieces.count))] }
            if (try? JSONParser.parse(bytes)) != nil { parsed += 1 }
        }
        // A crash is the failure this looks for; the counts show the input reached both
        // the accepting and the rejecting paths, so the run was not vacuous.
        #expect(parsed > 0 && parsed < 20_000, "parsed \(parsed) of 20000")
    }
}
