import HTTPServer
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct ConventionsTests {
    let t = TestApp()

    @Test func unknownPathIs404WithDetail() {
        for path in ["/nope", "/api/v2/nope", "/api/v2/workloads/x/y/z", "/sandboxes/a/nope", "/sandboxes/a/api"] {
            let r = t.send("GET", path)
            #expect(r.status == 404)
            #expect(r.text == #"{"detail":"Not Found"}"#)
            #expect(r.contentType == "application/json")
        }
    }

    @Test func wrongMethodIs405WithAllow() {
        let r = t.send("PUT", "/api/v2/workloads")
        #expect(r.status == 405)
        #expect(r.headers["Allow"] == "GET, HEAD, POST")
        #expect(r.contentType == "application/json")
    }

    @Test func trailingSlashIsOptionalAndNeverRedirects() {
        #expect(t.send("GET", "/api/v2/workloads/").status == 200)
        #expect(t.send("GET", "/api/v2/workloads").status == 200)
        #expect(t.send("GET", "/api/v2/version/").status == 200)
    }

    @Test func authentication() {
        for header in [nil, "", "Bearer", "Bearer ", "Basic abc", "Bearer  "] as [String?] {
            let r = t.send(
                "GET", "/api/v2/workloads", token: nil, headers: header.map { [("Authorization", $0)] } ?? [])
            #expect(r.status == 401)
            #expect(r.text == #"{"message":"Invalid API key"}"#)
            #expect(r.contentType == "application/json")
        }
        #expect(t.send("GET", "/api/v2/workloads", token: nil, headers: [("Authorization", "Token abc")]).status == 200)
        #expect(
            t.send("GET", "/api/v2/workloads", token: nil, headers: [("Authorization", "bearer abc")]).status == 200)
    }

    @Test func openModeGivesEachTokenItsOwnStableUser() {
        let a = t.send("GET", "/api/v2/account/info/", token: "alice").json
        let again = t.send("GET", "/api/v2/account/info/", token: "alice").json
        let b = t.send("GET", "/api/v2/account/info/", token: "bob").json
        #expect(a == again)
        #expect(a["id"] != b["id"])
        #expect(a["id"]?.stringValue?.utf8.count == 24)
        #expect(a["limits"] == ["maxConcurrentWorkloads": nil, "maxWorkloadReplicas": nil])
        let id = t.createWorkload(token: "alice")
        #expect(t.send("GET", "/api/v2/workloads/\(id)", token: "bob").status == 404)
        #expect(t.count() == 1)
        #expect(t.send("GET", "/api/v2/workloads", token: "bob").json["totalCount"] == 0)
    }

    @Test func strictModeOnlyKnowsItsUsers() {
        let s = TestApp { $0.auth = .strict }
        let r = s.send("GET", "/api/v2/workloads", token: "anything")
        #expect(r.status == 401)
        #expect(r.text == #"{"message":"Invalid API key"}"#)
        s.app.registry.sandbox(named: "default").read {
            $0.addUser(User(id: "0123456789abcdef01234567", username: "fixture@example.com", token: "fixture"))
        }
        #expect(s.send("GET", "/api/v2/account/info", token: "fixture").json["username"] == "fixture@example.com")
    }

    @Test func versionAndAccount() {
        let v = t.send("GET", "/api/v2/version/", token: nil)
        #expect(v.status == 200)
        #expect(v.text == #"{"major":2,"minor":49,"versionString":"2.49","releasedVersion":"2.49.0"}"#)
        let limited = TestApp {
            $0.maxConcurrentWorkloads = 3
            $0.maxReplicas = 5
        }
        #expect(
            limited.send("GET", "/api/v2/account/info/").json["limits"] == [
                "maxConcurrentWorkloads": 3, "maxWorkloadReplicas": 5,
            ])
    }

    @Test func nonJSONBodyIs400AndArrayBodyIs422() {
        let r = t.send("POST", "/api/v2/workloads", raw: "{not json")
        #expect(r.status == 400)
        #expect(r.contentType == "application/json")
        #expect(r.json["detail"]?.stringValue?.hasPrefix("Request body is not valid JSON") == true)
        let a = t.send("POST", "/api/v2/workloads", raw: "[]")
        #expect(a.status == 422)
        #expect(a.issues == ["body:dict_type"])
        #expect(t.count() == 0)
    }

    @Test func sameSeedAndRequestsGiveByteIdenticalResponses() {
        func transcript() -> [[UInt8]] {
            let app = TestApp { $0.seed = 42 }
            var out: [[UInt8]] = []
            let create = app.send("POST", "/api/v2/workloads", ["name": "a", "artifact": ["name": "x"]])
            out.append(create.body)
            let id = create.json["id"]!.stringValue!
            out.append(app.advance(2).body)
            out.append(app.send("POST", "/api/v2/workloads/\(id)/stop").body)
            out.append(app.advance(5).body)
            out.append(app.send("GET", "/api/v2/workloads?limit=5").body)
            out.append(app.send("GET", "/api/v2/workloads/\(id)/events").body)
            return out
        }
        let a = transcript()
        #expect(a == transcript())
        let other = TestApp { $0.seed = 43 }
        #expect(other.send("POST", "/api/v2/workloads", ["name": "a", "artifact": ["name": "x"]]).body != a[0])
    }
}

@Suite struct ClientCompatibilityTests {
    /// The body DataRobot's `workload_create_payload_build` makes (inline mode).
    @Test func drtoolsPayloadBuilderBodyIsAccepted() {
        let t = TestApp()
        let r = t.send(
            "POST", "/api/v2/workloads",
            [
                "name": "hello-drtools", "importance": "low",
                "artifact": [
                    "name": "whoami",
                    "spec": [
                        "type": "service",
                        "containerGroups": [
                            [
                                "containers": [
                                    [
                                        "name": "main", "imageUri": "containous/whoami:latest", "primary": true,
                                        "port": 8080, "resourceRequest": ["cpu": 1, "memory": 134_217_728, "gpu": 0],
                                    ]
                                ]
                            ]
                        ],
                    ],
                ],
                "runtime": ["containerGroups": [["name": "default", "replicaCount": 1]]],
            ])
        #expect(r.status == 201, "\(r.text)")
        #expect(r.json["artifact"]?["type"] == "service")
        #expect(
            t.send("POST", "/api/v2/artifacts", ["name": "a", "spec": ["type": "job"]]).issues == [
                "body.spec.type:union_tag_invalid"
            ])
    }

    /// `dr.Client()` connects through `GET /version/` with its token: a token that is
    /// sent is checked; no token at all is still answered (readiness probes).
    @Test func versionChecksATokenWhenOneIsSent() {
        let strict = TestApp { $0.auth = .strict }
        #expect(strict.send("GET", "/api/v2/version/", token: "not-a-fixture-token").status == 401)
        #expect(strict.send("GET", "/api/v2/version/", token: nil).status == 200)
        #expect(
            strict.send("GET", "/api/v2/version/", token: nil, headers: [("Authorization", "Token ")]).status == 401)
        let open = TestApp()
        #expect(open.send("GET", "/api/v2/version/", token: "any").status == 200)
    }
}
