import Foundation
import HTTPServer
import Testing
import WorkloadAPI
import WorkloadEmulator

/// `--fixtures DIR`, below the process: the application loads them at start.
@Suite struct FixtureTests {
    static let demo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures").path

    func directory(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    func failure(_ files: [String: String]) throws -> String {
        let dir = try directory(files)
        do {
            _ = try EmulatorApplication(
                configuration: {
                    var c = APIConfiguration.manual()
                    c.fixturesDirectory = dir
                    return c
                }())
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func demoSetLoadsSettled() {
        let t = TestApp { $0.fixturesDirectory = FixtureTests.demo }
        let list = t.send("GET", "/api/v2/workloads?orderBy=name", token: "dashboard").json
        let rows = list["data"]?.arrayValue ?? []
        #expect(
            rows.map { $0["name"]?.stringValue ?? "" } == [
                "hello-api", "hello-batch", "hello-preview", "scratch-notebook",
            ])
        #expect(rows.map { $0["status"]?.stringValue ?? "" } == ["running", "stopped", "running", "stopped"])
        #expect(rows.map { $0["artifact"]?["status"]?.stringValue ?? "" } == ["locked", "locked", "draft", "draft"])
        #expect(rows[0]["artifactId"] == rows[1]["artifactId"])
        #expect(t.send("GET", "/api/v2/account/info/", token: "dashboard").json["username"] == "demo@example.com")
        // Settled: nothing but the draft TTLs is scheduled, and the events show each step.
        let id = rows[0]["id"]?.stringValue ?? ""
        #expect(t.send("GET", "/__emulator/workloads/\(id)", token: nil).json["scheduled"] == [])
        let events = t.send("GET", "/api/v2/workloads/\(id)/events", token: "dashboard").json["data"]?.arrayValue ?? []
        #expect(
            events.compactMap { $0["details"]?["to"]?.stringValue } == [
                "submitted", "provisioning", "launching", "running",
            ])
        // Alice sees only hers.
        let alice = t.send("GET", "/api/v2/workloads", token: "alice-token").json
        #expect(alice["data"]?.arrayValue?.map { $0["name"] } == ["alice-experiment"])
        // Draft workloads expire after 8 hours; locked ones stay.
        _ = t.advance(8 * 3600 + 1)
        #expect(t.send("GET", "/api/v2/workloads", token: "dashboard").json["totalCount"] == 2)
    }

    @Test func strictAuthAcceptsOnlyFixtureTokens() {
        let t = TestApp {
            $0.fixturesDirectory = FixtureTests.demo
            $0.auth = .strict
        }
        #expect(t.send("GET", "/api/v2/workloads", token: "dashboard").status == 200)
        #expect(t.send("GET", "/api/v2/workloads", token: "alice-token").status == 200)
        #expect(t.send("GET", "/api/v2/workloads", token: "someone").status == 401)
        // Fixture users are known in every sandbox (with nothing in it).
        let other = t.send("GET", "/api/v2/workloads", token: "dashboard", headers: [("X-Emulator-Sandbox", "other")])
        #expect(other.status == 200)
        #expect(other.json["totalCount"] == 0)
    }

    @Test func filesLoadInNameOrderIntoTheirSandboxes() throws {
        let dir = try directory([
            "b.json":
                #"{"users":[{"username":"u","token":"t"}],"workloads":[{"name":"second","artifact":{"name":"a"}}]}"#,
            "a.json":
                #"{"users":[{"username":"u","token":"t"}],"workloads":[{"name":"first","artifact":{"name":"a"}}]}"#,
            "c.json":
                #"{"sandbox":"elsewhere","users":[{"username":"v","token":"v"}],"workloads":[{"name":"x","artifact":{"name":"a"}}]}"#,
            "ignored.txt": "not json",
        ])
        let t = TestApp { $0.fixturesDirectory = dir }
        let names = t.send("GET", "/api/v2/workloads", token: "t").json["data"]?.arrayValue?.map { $0["name"] }
        #expect(names == ["first", "second"])
        #expect(
            t.send("GET", "/api/v2/workloads", token: "v", headers: [("X-Emulator-Sandbox", "elsewhere")]).json[
                "totalCount"] == 1)
    }

    @Test func errorsNameFilePathAndReason() throws {
        #expect(try failure(["bad.json": "{nope"]).contains("bad.json: $: not valid JSON"))
        #expect(try failure(["x.json": #"{"users":[],"extra":1}"#]).hasSuffix("x.json: $.extra: unknown field"))
        #expect(
            try failure([
                "x.json":
                    #"{"users":[{"username":"u","token":"t"}],"workloads":[{"name":"w","artifact":{"name":"a"},"status":"paused"}]}"#
            ])
            .hasSuffix("x.json: $.workloads[0].status: expected running or stopped"))
        #expect(
            try failure([
                "x.json":
                    #"{"users":[{"username":"u","token":"t"}],"workloads":[{"name":"w","artifact":{"name":"a"},"runtime":{"containerGroups":[{"replicaCount":0}]}}]}"#
            ]).hasSuffix(
                "x.json: $.workloads[0].runtime.containerGroups[0].replicaCount: Input should be greater than or equal to 1"
            ))
        #expect(
            try failure([
                "x.json": #"{"users":[{"username":"u","token":"t"}],"workloads":[{"name":"w","artifactId":"nope"}]}"#
            ])
            .hasSuffix("x.json: $.workloads[0].artifactId: no artifact with id 'nope' in this file"))
        #expect(
            try failure(["x.json": #"{"workloads":[{"name":"w","artifact":{"name":"a"}}]}"#])
                .contains("x.json: $.workloads[0]: no owner"))
        // A draft artifact can back one workload: the domain's refusal names the entry.
        let twice = try failure([
            "x.json":
                #"{"users":[{"username":"u","token":"t"}],"artifacts":[{"id":"d","name":"d"}],"workloads":[{"name":"a","artifactId":"d"},{"name":"b","artifactId":"d"}]}"#
        ])
        #expect(twice.contains("x.json: $.workloads[1]: Draft artifact"), "\(twice)")
        #expect(!twice.contains("\n"))
    }
}
