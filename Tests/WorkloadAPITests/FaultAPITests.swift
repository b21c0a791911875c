import Dispatch
import Glibc
import HTTPServer
import Synchronization
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct FaultAPITests {
    let t = TestApp()

    @Test func createListDelete() {
        let r = t.send(
            "POST", "/__emulator/faults",
            ["match": ["method": "DELETE", "path": "/api/v2/workloads/*"], "action": "protonStopFailure", "times": 2],
            token: nil)
        #expect(r.status == 201)
        #expect(r.json.objectValue?.keys == ["id", "match", "action", "times", "probability", "fired", "createdAt"])
        #expect(t.send("GET", "/__emulator/faults", token: nil).json["count"] == 1)
        let id = r.json["id"]!.stringValue!
        #expect(t.send("GET", "/__emulator/faults/\(id)", token: nil).json == r.json)
        #expect(t.send("DELETE", "/__emulator/faults/\(id)", token: nil).status == 204)
        #expect(t.send("DELETE", "/__emulator/faults/\(id)", token: nil).status == 404)
        _ = t.send("POST", "/__emulator/faults", ["action": "drop"], token: nil)
        #expect(t.send("DELETE", "/__emulator/faults", token: nil).status == 204)
        #expect(t.send("GET", "/__emulator/faults", token: nil).json["count"] == 0)
    }

    @Test func validation() {
        #expect(t.send("POST", "/__emulator/faults", ["action": "explode"], token: nil).issues == ["body.action:enum"])
        #expect(t.send("POST", "/__emulator/faults", ["action": "hold"], token: nil).issues == ["body.state:missing"])
        #expect(
            t.send("POST", "/__emulator/faults", ["action": "hold", "state": "running"], token: nil).issues == [
                "body.state:enum"
            ])
        #expect(
            t.send("POST", "/__emulator/faults", ["action": "hold", "state": "launching", "message": "x"], token: nil)
                .issues == ["body.message:value_error"])
        #expect(
            t.send("POST", "/__emulator/faults", ["action": "drop", "match": ["verb": "GET"]], token: nil).issues == [
                "body.match.verb:extra_forbidden"
            ])
        #expect(
            t.send("POST", "/__emulator/faults", ["action": "drop", "probability": 2], token: nil).issues == [
                "body.probability:less_than_equal"
            ])
        #expect(t.send("GET", "/__emulator/faults", token: nil).json["count"] == 0)
    }

    @Test func respondAndTimes() {
        _ = t.send(
            "POST", "/__emulator/faults",
            [
                "match": ["method": "GET", "path": "/api/v2/workloads"], "action": "respond", "status": 429,
                "body": ["detail": "slow down"], "headers": ["Retry-After": "2"], "times": 2,
            ], token: nil)
        for _ in 0..<2 {
            let r = t.send("GET", "/api/v2/workloads")
            #expect(r.status == 429)
            #expect(r.headers["Retry-After"] == "2")
            #expect(r.headers["X-Emulator-Injected"] != nil)
            #expect(r.text == #"{"detail":"slow down"}"#)
        }
        #expect(t.send("GET", "/api/v2/workloads").status == 200)
    }
}
