import DriftCheck
import JSON
import Testing

@Suite struct RedactionTests {
    @Test func credentialFieldsAreReplacedAtAnyDepthAndTheRestIsKept() throws {
        let body =
            #"{"name":"w","apiToken":"t1","nested":{"client_secret":"s","password":"p","items":[{"X-Api-Key":"k"}]},"tokenless":null}"#
        let scrubbed = try JSONParser.parse(Redaction.scrubBody(Array(body.utf8)))
        #expect(
            scrubbed
                == [
                    "name": "w", "apiToken": "[redacted]",
                    "nested": [
                        "client_secret": "[redacted]", "password": "[redacted]", "items": [["X-Api-Key": "[redacted]"]],
                    ],
                    "tokenless": nil,
                ])
    }

    @Test func aNonJSONBodyThatMentionsASecretIsDroppedWhole() {
        #expect(Redaction.scrubBody(Array("user=a&password=b".utf8)) == "[redacted]")
        #expect(Redaction.scrubBody(Array("plain text".utf8)) == "plain text")
        #expect(Redaction.scrubBody([]) == "")
    }

    @Test func credentialQueryParametersKeepOnlyTheirName() {
        #expect(
            Redaction.scrubQuery("limit=10&access_token=abc&offset=0") == "limit=10&access_token=[redacted]&offset=0")
        #expect(Redaction.scrubQuery("") == "")
    }
}

@Suite struct ShapeComparisonTests {
    func diff(_ real: String, _ emulator: String, _ rs: Int = 200, _ es: Int = 200) -> [String] {
        ShapeComparison.compare(realStatus: rs, realBody: real, emulatorStatus: es, emulatorBody: emulator).map {
            "\($0.path) \($0.what) \($0.real)/\($0.emulator)"
        }
    }

    @Test func valuesThatDifferByNatureAreNotDifferences() {
        #expect(
            diff(
                #"{"id":"a1","createdAt":"2026-01-01T00:00:00Z","n":1,"items":[{"x":1}]}"#,
                #"{"id":"b2","createdAt":"2027-05-05T00:00:00Z","n":2.5,"items":[{"x":3},{"x":4}]}"#) == [])
    }

    @Test func statusesTypesNullabilityAndStateValuesAre() {
        #expect(
            diff(
                #"{"status":"running","a":1,"b":null,"c":{"phaseStatus":"x"}}"#,
                #"{"status":"stopped","a":"1","b":{},"c":{"phaseStatus":"y"}}"#, 200, 202)
                == [
                    "status status code 200/202", "$.status value running/stopped", "$.a type number/string",
                    "$.b nullability null/object", "$.c.phaseStatus value x/y",
                ])
        #expect(diff("", "") == [])
        #expect(diff("", #"{"a":1}"#) == ["$ body empty/JSON"])
    }
}

@Suite struct IdMapTests {
    @Test func idsPairByPlaceAndAreSubstitutedLongestFirst() throws {
        var map = IdMap()
        map.learn(
            real: ["id": "real0001", "artifactId": "real0001x", "protonIds": ["realp001"]],
            emulator: ["id": "emu1", "artifactId": "emu2", "protonIds": ["emu3"]])
        #expect(map.apply("/workloads/real0001/x?a=real0001x&p=realp001") == "/workloads/emu1/x?a=emu2&p=emu3")
        #expect(map.template("/workloads/real0001") == "/workloads/{id}")
    }
}

@Suite struct CommandParseTests {
    @Test func recordNeedsAnHTTPUpstreamAndAFile() throws {
        #expect(throws: RecordCommand.Failure.self) { try RecordCommand.parse(["--out", "f"]) }
        #expect(throws: RecordCommand.Failure.self) {
            try RecordCommand.parse(["--upstream", "http://h:1", "--port", "70000", "--out", "f"])
        }
        #expect(throws: RecordCommand.Failure.self) {
            try RecordCommand.parse(["--upstream", "ftp://h", "--out", "f"])
        }
        #expect(try RecordCommand.parse(["--upstream", "http://h:1/base", "--out", "f", "--port", "0"])?.port == 0)
    }

    @Test func replayNeedsOneFile() throws {
        #expect(throws: ReplayCommand.Failure.self) { try ReplayCommand.parse([]) }
        #expect(throws: ReplayCommand.Failure.self) { try ReplayCommand.parse(["a", "b"]) }
        #expect(throws: ReplayCommand.Failure.self) { try ReplayCommand.parse(["a", "--max-advance", "-1"]) }
        #expect(try ReplayCommand.parse(["a", "--json"])?.json == true)
    }

    @Test func aRecordingLineThatIsNotAnExchangeNamesItsLine() {
        do {
            _ = try Exchange.read(Array("\n{\"method\":\"GET\"}\n".utf8), file: "r.ndjson")
            Issue.record("accepted a line without path and status")
        } catch {
            #expect(error.description.hasPrefix("r.ndjson:2: not a recorded exchange"))
        }
    }
}
