import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

/// Regressions for server bugs that Schemathesis found through the OpenAPI document
/// (scripts/schemathesis.sh), each as the smallest request sequence that showed it.
@Suite struct OpenAPIFoundBugsTests {
    /// `POST /replacement` with `"runtime": null` left the workload with a null runtime
    /// (a `nil` literal beside a JSONValue reads as `JSONValue.null`).
    @Test func replacementWithANullRuntimeKeepsTheCurrentRuntime() {
        let app = TestApp()
        let id = app.createWorkload()
        _ = app.advance(10)
        let before = app.send("GET", "/api/v2/workloads/\(id)/settings").json["runtime"]
        #expect(before?.objectValue != nil)
        let artifactId = app.send("GET", "/api/v2/workloads/\(id)").json["artifactId"]?.stringValue ?? ""
        let r = app.send(
            "POST", "/api/v2/workloads/\(id)/replacement", ["artifactId": .string(artifactId), "runtime": nil])
        #expect(r.status == 202, "\(r.text)")
        #expect(r.json["runtime"] == before)
        _ = app.advance(60)
        #expect(app.send("GET", "/api/v2/workloads/\(id)/settings").json["runtime"] == before)
    }

    /// Advancing past year 9999 wrapped the four-digit year (the clock read as gone back).
    @Test func theClockStopsAtTheLastRFC3339Year() {
        let app = TestApp()
        let end = app.send("POST", "/__emulator/clock/advance", ["to": "9999-12-31T23:59:59.999Z"], token: nil)
        #expect(end.status == 200)
        let past = app.send("POST", "/__emulator/clock/advance", ["seconds": 1], token: nil)
        #expect(past.status == 422, "\(past.text)")
        #expect(app.send("GET", "/__emulator/clock", token: nil).json["now"] == "9999-12-31T23:59:59.999Z")
    }
}
