import JSON
import Testing

/// A fault rule writes only what every HTTP client can read: header names that are
/// RFC 9110 tokens, values without control characters, a final status.
@Suite struct FaultRuleValidationEndToEndTests {
    static func respond(status: JSONValue = 418, headers: JSONValue) -> JSONValue {
        ["match": ["path": "/api/v2/version"], "action": "respond", "status": status, "headers": headers]
    }

    @Test(arguments: ["Content-Length ", "", "X Bad", "a:b", "é", "X\u{0}", "(x)", "Retry-After\r\nX"])
    func headerNamesThatAreNotTokensGet422(name: String) throws {
        let e = try LiveEmulator()
        let c = try e.client(token: nil)
        let r = try c.send("POST", "/__emulator/faults", Self.respond(headers: .object(JSONObject([(name, "1")]))))
        #expect(r.status == 422, "\(name.debugDescription): \(r.text)")
        #expect(r.issues == ["body.headers.\(name):value_error"])
        #expect(try c.send("GET", "/__emulator/faults").json["count"] == 0)
    }

    @Test(arguments: ["a\r\nX-Injected: 1", "a\nb", "a\rb", "nul\u{0}", "\u{7F}", "\u{1B}[31m"])
    func headerValuesWithControlCharactersGet422(value: String) throws {
        let e = try LiveEmulator()
        let c = try e.client(token: nil)
        let r = try c.send("POST", "/__emulator/faults", Self.respond(headers: ["X-Fault": .string(value)]))
        #expect(r.status == 422, "\(value.debugDescription): \(r.text)")
        #expect(r.issues == ["body.headers.X-Fault:value_error"])
    }

    @Test(arguments: [100, 101, 199, 600, -1])
    func nonFinalStatusesGet422(status: Int) throws {
        let e = try LiveEmulator()
        let c = try e.client(token: nil)
        let r = try c.send("POST", "/__emulator/faults", Self.respond(status: .int(Int64(status)), headers: [:]))
        #expect(r.status == 422)
        #expect(r.issues.count == 1)
        #expect(r.issues.first?.hasPrefix("body.status:") == true)
    }

    @Test func moreThan64HeadersGet422() throws {
        let e = try LiveEmulator()
        let c = try e.client(token: nil)
        let many = JSONObject((0..<65).map { ("X-H\($0)", .string("v")) })
        let r = try c.send("POST", "/__emulator/faults", Self.respond(headers: .object(many)))
        #expect(r.status == 422)
        #expect(r.issues == ["body.headers:value_error"])
        let most = JSONObject((0..<64).map { ("X-H\($0)", .string("v")) })
        #expect(try c.send("POST", "/__emulator/faults", Self.respond(headers: .object(most))).status == 201)
    }

    @Test func validRulesAreSentExactlyOverTheWire() throws {
        let e = try LiveEmulator()
        let c = try e.client(token: nil)
        for status in [200, 599] {
            let headers: JSONValue = ["Retry-After": "7", "X-Odd!#$%&'*+-.^_`|~": "tab\there é"]
            let rule = try c.send(
                "POST", "/__emulator/faults", Self.respond(status: .int(Int64(status)), headers: headers))
            #expect(rule.status == 201, "\(rule.text)")
            let r = try e.client().send("GET", "/api/v2/version")
            #expect(r.status == status)
            #expect(r["Retry-After"] == "7")
            #expect(r["X-Odd!#$%&'*+-.^_`|~"] == "tab\there é")
            #expect(try c.send("DELETE", "/__emulator/faults").status == 204)
        }
    }
}
