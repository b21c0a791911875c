import JSON
import Testing

@testable import WorkloadEmulator

/// Numbers that used to trap, answered 4xx over real sockets with the server still
/// serving; and other values of the same kinds.
@Suite struct InputHardeningEndToEndTests {
    static let int64Max = JSONValue.int(Int64.max)

    static func runtime(_ counts: [JSONValue]) -> JSONValue {
        ["containerGroups": .array(counts.map { ["replicaCount": $0] })]
    }

    static func createBody(_ runtime: JSONValue) -> JSONValue {
        ["name": "w", "artifact": ["name": "a", "spec": ["containerGroups": []]], "runtime": runtime]
    }

    func alive(_ c: TestClient) throws {
        #expect(try c.send("GET", "/__emulator/health").status == 200)
    }

    @Test func replicaCountsPastInt32AreRefusedNamingTheirPath() throws {
        let e = try LiveEmulator()
        let c = try e.client()
        let r = try c.send("POST", "/api/v2/workloads", Self.createBody(Self.runtime([Self.int64Max, 1])))
        #expect(r.status == 422)
        #expect(r.issues == ["body.runtime.containerGroups.0.replicaCount:less_than_equal"])
        let policy: JSONValue = [
            "containerGroups": [
                [
                    "autoscaling": [
                        "enabled": true,
                        "policies": [
                            [
                                "scalingMetric": "httpRequestsConcurrency", "target": 1, "minCount": Self.int64Max,
                                "maxCount": 1,
                            ]
                        ],
                    ]
                ]
            ]
        ]
        let p = try c.send("POST", "/api/v2/workloads", Self.createBody(policy))
        #expect(p.issues == ["body.runtime.containerGroups.0.autoscaling.policies.0.minCount:less_than_equal"])
        try alive(c)
        // Two groups at the maximum: their sum saturates, the workload starts.
        let most = JSONValue.int(2_147_483_647)
        let ok = try c.send("POST", "/api/v2/workloads", Self.createBody(Self.runtime([most, most])))
        #expect(ok.status == 201, "\(ok.text)")
        try c.advance(600)
        #expect(try c.status(ok.json["id"]!.stringValue!) == "running")
    }

    @Test func aStoppedWorkloadsOversizedSettingsAreRefusedAndItStillStarts() throws {
        let e = try LiveEmulator()
        let c = try e.client()
        let id = try c.createWorkload()
        try c.advance(600)
        #expect(try c.send("POST", "/api/v2/workloads/\(id)/stop").status == 202)
        try c.advance(600)
        #expect(try c.status(id) == "stopped")
        let r = try c.send("PATCH", "/api/v2/workloads/\(id)/settings", ["runtime": Self.runtime([Self.int64Max, 1])])
        #expect(r.status == 422)
        #expect(r.issues == ["body.runtime.containerGroups.0.replicaCount:less_than_equal"])
        #expect(
            try c.send("GET", "/api/v2/workloads/\(id)/settings").json["runtime"] != Self.runtime([Self.int64Max, 1]))
        #expect(try c.send("POST", "/api/v2/workloads/\(id)/start").status == 202)
        try c.advance(600)
        #expect(try c.status(id) == "running")
    }

    @Test func stateImportsWithValuesThatWouldTrapAreRefused() throws {
        let e = try LiveEmulator()
        let c = try e.client()
        _ = try c.createWorkload()
        let state = try c.send("GET", "/__emulator/state").json
        func edited(_ path: [String], _ value: JSONValue) -> JSONValue {
            func set(_ v: JSONValue, _ rest: ArraySlice<String>) -> JSONValue {
                guard let k = rest.first, var o = v.objectValue else { return value }
                o[k] = set(o[k] ?? .null, rest.dropFirst())
                return .object(o)
            }
            return set(state, path[...])
        }
        let cases: [([String], JSONValue, String)] = [
            (["clock", "scale"], 1e18, "$.clock"),
            (["clock", "scale"], 1e308, "$.clock"),
            (["generators", "nextSeq"], Self.int64Max, "$.generators.nextSeq"),
            (["generators", "nextEventNumber"], Self.int64Max, "$.generators.nextEventNumber"),
        ]
        for (path, value, named) in cases {
            var doc = edited(path, value)
            if path == ["clock", "scale"] {
                doc = edited(["clock", "mode"], "real").objectValue.map { o in
                    var o = o
                    var clock = o["clock"]!.objectValue!
                    clock["scale"] = value
                    o["clock"] = .object(clock)
                    return .object(o)
                }!
            }
            let r = try c.send("PUT", "/__emulator/state", doc)
            #expect(r.status == 422, "\(path): \(r.text)")
            #expect(r.json["detail"]?.stringValue?.contains(named) == true, "\(path): \(r.text)")
        }
        // Nothing changed: the next create works and numbering carries on.
        #expect(try c.send("GET", "/api/v2/workloads").json["totalCount"] == 1)
        _ = try c.createWorkload()
        #expect(try c.send("GET", "/api/v2/workloads").json["totalCount"] == 2)
    }

    @Test func theClockStopsAt9999() throws {
        let e = try LiveEmulator()
        let c = try e.client()
        let last = "9999-12-31T23:59:59.999Z"
        let to = try c.send("POST", "/__emulator/clock/advance", ["to": .string(last)])
        #expect(to.status == 200)
        #expect(to.json["now"] == .string(last))
        for body: JSONValue in [["seconds": 1], ["seconds": 3.2e9], ["to": "9999-12-31T23:59:59.999-01:00"]] {
            let r = try c.send("POST", "/__emulator/clock/advance", body)
            #expect(r.status == 422, "\(body): \(r.text)")
        }
        for body: JSONValue in [["seconds": 3.3e9], ["seconds": 1e308], ["seconds": -1]] {
            let r = try c.send("POST", "/__emulator/clock/advance", body)
            #expect(r.status == 422, "\(body): \(r.text)")
            #expect(
                r.issues == [
                    "body.seconds:" + (body["seconds"]!.numberValue! < 0 ? "greater_than_equal" : "less_than_equal")
                ])
        }
        #expect(try c.send("PUT", "/__emulator/clock", ["mode": "real", "scale": 1e10]).status == 422)
        // A real clock at the largest scale, from the last instant: it stays there.
        #expect(try c.send("PUT", "/__emulator/clock", ["mode": "real", "scale": 1e9]).status == 200)
        #expect(try c.send("GET", "/__emulator/clock").json["now"] == .string(last))
        _ = try c.createWorkload()
        #expect(try c.send("GET", "/__emulator/clock").json["now"] == .string(last))
        try alive(c)
    }

    @Test func hugeQueryNumbersAreAnsweredNotTrapped() throws {
        let e = try LiveEmulator()
        let c = try e.client()
        let id = try c.createWorkload()
        let page = try c.send("GET", "/api/v2/workloads?offset=9223372036854775807&limit=100")
        #expect(page.status == 200)
        #expect(page.json["data"] == [])
        #expect(page.json["next"] == .null)
        for q in ["offset=9223372036854775808", "limit=9223372036854775807", "offset=-9223372036854775808"] {
            #expect(try c.send("GET", "/api/v2/workloads?\(q)").status == 422, "\(q)")
        }
        let stats = try c.send(
            "GET",
            "/api/v2/workloads/\(id)/stats?startTime=0000-01-01T00:00:00Z&endTime=9999-12-31T23:59:59.999Z"
                + "&slowRequestsThreshold=1e308")
        #expect(stats.status < 500, "\(stats.text)")
        try alive(c)
    }

    @Test func sandboxNamesDotAndDotDotGet400() throws {
        let e = try LiveEmulator()
        let c = try e.client()
        for name in [".", ".."] {
            let viaPath = try c.send("GET", "/sandboxes/\(name)/api/v2/workloads")
            #expect(viaPath.status == 400, "\(name): \(viaPath.text)")
            let viaHeader = try c.send("GET", "/api/v2/workloads", headers: [("X-Emulator-Sandbox", name)])
            #expect(viaHeader.status == 400)
            #expect(viaHeader.json["detail"]?.stringValue?.contains("not '.' or '..'") == true)
        }
        // Dots inside a name are still fine.
        #expect(try c.send("GET", "/sandboxes/.a./api/v2/workloads").status == 200)
        #expect(try c.send("GET", "/sandboxes/.../api/v2/workloads").status == 200)
    }
}
