import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct BuildTests {
    let t = TestApp()

    @Test func buildGoesThroughEveryStatusOnTheClock() {
        let a = t.artifact()
        let trigger = t.send("POST", "/api/v2/artifacts/\(a)/builds")
        #expect(trigger.status == 202)
        #expect(trigger.json.objectValue?.keys == ["buildIds"])
        let bid = trigger.json["buildIds"]![0]!.stringValue!
        let path = "/api/v2/artifacts/\(a)/builds/\(bid)"
        var seen: [String] = []
        for _ in 0..<20 {
            let b = t.send("GET", path).json
            let s = b["status"]!.stringValue!
            if seen.last != s { seen.append(s) }
            #expect(b.objectValue?.keys == ["id", "name", "artifactId", "status", "creator", "createdAt", "updatedAt"])
            let container = t.send("GET", "/api/v2/artifacts/\(a)").json["spec"]?["containerGroups"]?[0]?[
                "containers"]?[0]
            if s != "COMPLETED" { #expect(container?["imageUri"]?.stringValue?.hasSuffix(":\(bid)") != true) }
            #expect(container?["build"]?["artifactImageBuildId"] == .string(bid))
            #expect(container?["build"]?["status"] == .string(s))
            _ = t.advance(0.25)
        }
        // realistic: 0.5 s pending, 3 s in progress, 0.5 s built.
        #expect(seen == ["PENDING", "IN_PROGRESS", "BUILT", "COMPLETED"])
        let done = t.send("GET", path).json
        #expect(done["name"]?.stringValue?.hasPrefix("next-build-") == true)
        #expect(done["updatedAt"] == "2026-01-01T00:00:04.000Z")
        // The finished image is the container's.
        let built = t.send("GET", "/api/v2/artifacts/\(a)").json["spec"]?["containerGroups"]?[0]?["containers"]?[0]
        #expect(built?["imageUri"]?.stringValue?.hasSuffix(":\(bid)") == true)
        let list = t.send("GET", "/api/v2/artifacts/\(a)/builds?limit=100&offset=0").json
        #expect(list["totalCount"] == 1)
        #expect(list["data"]![0]! == done)

        let logs = t.send("GET", path + "/logs")
        #expect(logs.status == 200)
        #expect(logs.contentType == "text/plain")
        let lines = logs.text.split(separator: "\n").map { (try? JSONParser.parse(Array($0.utf8))) ?? .null }
        #expect(lines.count == 4)
        for line in lines {
            #expect(line.objectValue?.keys == ["asctime", "levelname", "name", "message", "build_id"])
            #expect(line["build_id"] == .string(bid))
            #expect(line["levelname"] == "INFO")
        }
        #expect(lines.map { $0["asctime"]?.stringValue ?? "" }.first == "2026-01-01T00:00:00.000Z")
        #expect(lines.last?["message"]?.stringValue?.hasPrefix("Build completed: ") == true)
        #expect(logs.text.hasSuffix("\n"))
        #expect(t.send("GET", "/api/v2/artifacts/\(a)/builds/nope").status == 404)
        #expect(t.send("GET", "/api/v2/registry/artifacts/\(a)/builds/\(bid)").json == done)
        #expect(t.send("DELETE", path).status == 204)
        #expect(t.send("GET", path).status == 404)
    }

    @Test func workloadsWaitForTheLatestBuild() {
        let a = t.artifact()
        // Never built: usable as before.
        let other = t.artifact("other")
        #expect(t.send("POST", "/api/v2/workloads", ["name": "o", "artifactId": .string(other)]).status == 201)

        _ = t.send("POST", "/api/v2/artifacts/\(a)/builds")
        let refused = t.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": .string(a)])
        #expect(refused.status == 422)
        // An HTTPValidationError whose message names `runtime_image_uri` (drtools' hint).
        #expect(refused.issues == ["body:value_error"])
        #expect(refused.text.contains("runtime_image_uri") == true)
        _ = t.advance(3.6)
        #expect(t.send("GET", "/api/v2/artifacts/\(a)/builds").json["data"]![0]!["status"] == "BUILT")
        #expect(t.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": .string(a)]).status == 422)
        _ = t.advance(0.4)
        #expect(t.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": .string(a)]).status == 201)

        // A replacement onto an artifact whose build is running: 422 too.
        let running = t.runningWorkload("r")
        let next = t.artifact("next")
        _ = t.send("POST", "/api/v2/artifacts/\(next)/builds")
        #expect(t.send("POST", "/api/v2/workloads/\(running)/replacement", ["artifactId": .string(next)]).status == 422)
        _ = t.advance(4)
        #expect(t.send("POST", "/api/v2/workloads/\(running)/replacement", ["artifactId": .string(next)]).status == 202)
    }

    @Test func instantProfileBuildsAtOnce() {
        let t = TestApp { $0.lifecycle = "instant" }
        let a = t.artifact()
        let bid = t.send("POST", "/api/v2/artifacts/\(a)/builds").json["buildIds"]![0]!.stringValue!
        #expect(t.send("GET", "/api/v2/artifacts/\(a)/builds/\(bid)").json["status"] == "COMPLETED")
        #expect(t.send("GET", "/__emulator/lifecycle", token: nil).json["build"] == 0.0)
    }
}
