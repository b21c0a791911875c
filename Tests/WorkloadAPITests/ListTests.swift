import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct ListTests {
    @Test func envelopeWithAbsoluteNextAndPrevious() {
        let t = TestApp()
        for i in 0..<25 { _ = t.createWorkload("w\(i)") }
        let first = t.send("GET", "/api/v2/workloads/").json
        #expect(first.objectValue?.keys == ["count", "totalCount", "next", "previous", "data"])
        #expect(first["count"] == 10)
        #expect(first["totalCount"] == 25)
        #expect(first["next"] == "http://emulator.test/api/v2/workloads/?offset=10&limit=10")
        #expect(first["previous"] == .null)
        let filtered = t.send("GET", "/api/v2/workloads?search=W&limit=5&offset=5&orderBy=-name").json
        #expect(filtered["next"] == "http://emulator.test/api/v2/workloads?offset=10&limit=5&search=W&orderBy=-name")
        #expect(filtered["previous"] == "http://emulator.test/api/v2/workloads?offset=0&limit=5&search=W&orderBy=-name")
        let last = t.send("GET", "/api/v2/workloads?offset=20").json
        #expect(last["count"] == 5)
        #expect(last["next"] == .null)
    }

    @Test func publicURLAndSandboxPrefixAreKept() {
        let t = TestApp { $0.publicURL = "https://emu.example.com/" }
        _ = t.createWorkload(sandbox: "s1")
        for _ in 0..<11 {
            _ = t.send("POST", "/sandboxes/s1/api/v2/workloads", ["name": "x", "artifact": ["name": "a"]])
        }
        let r = t.send("GET", "/sandboxes/s1/api/v2/workloads").json
        #expect(r["totalCount"] == 12)
        #expect(r["next"] == "https://emu.example.com/sandboxes/s1/api/v2/workloads?offset=10&limit=10")
        let id = r["data"]!.arrayValue![0]["id"]!.stringValue!
        #expect(
            r["data"]!.arrayValue![0]["endpoint"]
                == .string("https://emu.example.com/sandboxes/s1/api/v2/endpoints/workloads/\(id)/"))
        #expect(t.count() == 0)  // default sandbox untouched
    }

    @Test func queryValidation() {
        let t = TestApp()
        #expect(t.send("GET", "/api/v2/workloads?limit=0").issues == ["query.limit:greater_than_equal"])
        #expect(t.send("GET", "/api/v2/workloads?limit=101").issues == ["query.limit:less_than_equal"])
        #expect(t.send("GET", "/api/v2/workloads?limit=x").issues == ["query.limit:int_parsing"])
        #expect(t.send("GET", "/api/v2/workloads?offset=-1").issues == ["query.offset:greater_than_equal"])
        #expect(t.send("GET", "/api/v2/workloads?orderBy=size").issues == ["query.orderBy:enum"])
        #expect(t.send("GET", "/api/v2/workloads?status=dancing").issues == ["query.status:enum"])
        #expect(t.send("GET", "/api/v2/workloads?importance=meh").issues == ["query.importance:enum"])
        #expect(t.send("GET", "/api/v2/workloads?limit=100").status == 200)
    }

    @Test func filtersAndOrder() {
        let t = TestApp()
        let a = t.createWorkload("alpha")
        let b = t.createWorkload("Beta")
        let c = t.createWorkload("gamma")
        t.send("PATCH", "/api/v2/workloads/\(b)", ["importance": "critical"])
        _ = t.advance(4)
        t.send("POST", "/api/v2/workloads/\(c)/stop")
        func names(_ q: String) -> [String] {
            t.send("GET", "/api/v2/workloads?\(q)").json["data"]?.arrayValue?.map { $0["name"]!.stringValue! } ?? []
        }
        #expect(names("search=ET") == ["Beta"])
        #expect(names("ids=\(a),\(c)") == ["alpha", "gamma"])
        #expect(names("ids=\(a)&ids=\(b)") == ["alpha", "Beta"])
        #expect(names("status=stopping") == ["gamma"])
        #expect(names("status=running,stopping") == ["alpha", "Beta", "gamma"])
        #expect(names("importance=critical") == ["Beta"])
        #expect(names("orderBy=name") == ["Beta", "alpha", "gamma"])
        #expect(names("orderBy=-importance") == ["Beta", "alpha", "gamma"])
        #expect(names("orderBy=-createdAt") == ["alpha", "Beta", "gamma"])  // equal times keep creation order
        #expect(names("orderBy=-updatedAt").first == "gamma")
        let artifact = t.send("GET", "/api/v2/workloads/\(a)").json["artifactId"]!.stringValue!
        #expect(names("artifactId=\(artifact)") == ["alpha"])
        #expect(names("artifactStatus=draft").count == 3)
        #expect(names("artifactStatus=locked").isEmpty)
        let me = t.send("GET", "/api/v2/account/info").json
        #expect(names("createdBy=\(me["id"]!.stringValue!)").count == 3)
        #expect(names("createdBy=\(me["username"]!.stringValue!)").count == 3)
        #expect(names("createdBy=someone").isEmpty)
    }

    @Test func legacyDefaultLimitIs100() {
        let t = TestApp()
        for i in 0..<12 { _ = t.createWorkload("w\(i)") }
        #expect(t.send("GET", "/api/v2/console/workloads").json["count"] == 12)
        #expect(t.send("GET", "/api/v2/workloads").json["count"] == 10)
    }
}
