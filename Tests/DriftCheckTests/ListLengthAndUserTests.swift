import HTTPServer
import JSON
import Testing

@testable import DriftCheck

@Suite struct ListLengthTests {
    func differences(_ real: String, _ emulator: String) -> [[String]] {
        ShapeComparison.compare(realStatus: 200, realBody: real, emulatorStatus: 200, emulatorBody: emulator).map {
            [$0.path, $0.what, $0.real, $0.emulator]
        }
    }

    @Test func aShorterPageAndASmallerCollectionAreEachReportedOnce() {
        let real = #"{"count":2,"totalCount":5,"next":"u","data":[{"id":"a"},{"id":"b"}]}"#
        let emulator = #"{"count":1,"totalCount":1,"next":null,"data":[{"id":"c"}]}"#
        #expect(
            differences(real, emulator) == [
                ["$.data", "list length", "2", "1"],
                ["$.totalCount", "total count", "5", "1"],
                ["$.next", "nullability", "string", "null"],
            ])
    }

    @Test func fullPagesOfOneLengthDifferOnlyInTheirTotal() {
        let real = #"{"count":1,"totalCount":9,"data":[{"id":"a"}]}"#
        let emulator = #"{"count":1,"totalCount":3,"data":[{"id":"b"}]}"#
        #expect(differences(real, emulator) == [["$.totalCount", "total count", "9", "3"]])
    }

    @Test func equalListsAndOtherArraysDifferInNothing() {
        #expect(differences(#"{"count":0,"totalCount":0,"data":[]}"#, #"{"count":0,"totalCount":0,"data":[]}"#) == [])
        // Arrays other than a list's `data` follow the data: their length is not a shape.
        #expect(differences(#"{"tags":["a","b"],"history":[1,2,3]}"#, #"{"tags":[],"history":[4]}"#) == [])
    }

    @Test func countAloneIsComparedWhenThereIsNoData() {
        #expect(differences(#"{"count":3}"#, #"{"count":4}"#) == [["$.count", "list length", "3", "4"]])
    }
}

@Suite struct UserLabelTests {
    @Test func eachCredentialGetsTheNextLabelAndNothingOfItReachesTheLabel() {
        let labels = UserLabels()
        func label(_ headers: [(String, String)]) -> String? { labels.label(for: HTTPHeaders(headers)) }
        #expect(label([("Authorization", "Bearer bob-token")]) == "user-1")
        #expect(label([("Authorization", "Bearer alice-token")]) == "user-2")
        #expect(label([("authorization", "Bearer bob-token")]) == "user-1")
        #expect(label([("X-Api-Key", "k1")]) == "user-3")
        #expect(label([("Accept", "application/json")]) == nil)
        // The control token names the emulator's operator, not a user of the service.
        #expect(label([("X-Emulator-Token", "ctl")]) == nil)
    }

    @Test func theLabelIsWrittenAndReadBackAndABadOneIsRefused() throws {
        var e = Exchange(
            method: "GET", path: "/api/v2/workloads", query: "", requestContentType: nil, requestBody: "", status: 200,
            responseHeaders: [:], responseBody: "", upstreamMs: 1)
        #expect(e.json["user"] == nil)
        e.user = "user-2"
        #expect(try Exchange(json: e.json) == e)
        var bad = e.json.objectValue!
        bad["user"] = 7
        #expect(throws: Exchange.ReadError.self) { try Exchange(json: .object(bad)) }
    }

    @Test func upstreamCAIsForHTTPSAndHTTPSURLsAreChecked() throws {
        let o = try RecordCommand.parse(["--upstream", "https://h:8443/base/", "--upstream-ca", "ca.pem", "--out", "f"])
        #expect(o?.upstreamCA == "ca.pem")
        #expect(HTTPSUpstream(url: "https://h:8443/base/", caPath: nil)?.base == "https://h:8443/base")
        for bad in ["https://", "https://h:0", "https://u@h", "https://h/a b", "https://h/?q"] {
            #expect(HTTPSUpstream(url: bad, caPath: nil) == nil, "\(bad)")
        }
        #expect(throws: RecordCommand.Failure.self) {
            try RecordCommand.parse(["--upstream", "http://h", "--upstream-ca", "ca.pem", "--out", "f"])
        }
    }
}
