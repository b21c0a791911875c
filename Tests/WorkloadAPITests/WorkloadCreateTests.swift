import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct WorkloadCreateTests {
    let t = TestApp()

    @Test func createsWithAnInlineArtifact() {
        let r = t.send(
            "POST", "/api/v2/workloads",
            [
                "name": "hello", "description": "d", "importance": "high",
                "artifact": [
                    "name": "art",
                    "spec": [
                        "containerGroups": [
                            [
                                "containers": [
                                    [
                                        "imageUri": "nginx", "port": 8080,
                                        "resourceRequest": [
                                            "cpu": 0.5, "memory": 1_073_741_824, "gpu": 0, "gpuType": "NVIDIA-A10G",
                                        ],
                                    ]
                                ]
                            ]
                        ]
                    ],
                ],
                "runtime": [
                    "containerGroups": [
                        [
                            "name": "g", "replicaCount": 2,
                            "containers": [["name": "c", "resourceAllocation": ["cpu": 1, "memory": 512, "gpu": 0]]],
                        ]
                    ]
                ],
            ])
        #expect(r.status == 201, "\(r.text)")
        #expect(r.contentType == "application/json")
        let w = r.json
        #expect(
            w.objectValue?.keys == [
                "id", "name", "description", "importance", "status", "artifactId", "artifact", "runtime", "endpoint",
                "protonId",
                "replacement", "creator", "owners", "permissions", "tags", "type", "createdAt", "updatedAt",
                "lastResponse", "requestStats",
                "statusDetails",
            ])
        let id = w["id"]!.stringValue!
        #expect(w["status"] == "submitted")
        #expect(w["importance"] == "high")
        #expect(w["endpoint"] == .string("http://emulator.test/api/v2/endpoints/workloads/\(id)/"))
        #expect(w["createdAt"] == "2026-01-01T00:00:00.000Z")
        #expect(w["type"] == "service")
        #expect(w["replacement"] == .null)
        #expect(w["artifact"]?["status"] == "draft")
        #expect(w["artifact"]?["version"] == .null)
        #expect(
            w["artifact"]?.objectValue?.keys == ["id", "name", "status", "type", "version", "artifactRepositoryId"])
        #expect(w["runtime"]?["containerGroups"]?.arrayValue?.first?["replicaCount"] == 2)
        #expect(w["permissions"]?.arrayValue?.contains("CAN_DELETE") == true)
        #expect(w["statusDetails"]?["conditions"]?.arrayValue?.count == 1)
        // The draft artifact and its repository exist.
        let artifactId = w["artifactId"]!.stringValue!
        #expect(t.send("GET", "/api/v2/artifacts/\(artifactId)").status == 200)
        #expect(t.count("/api/v2/artifactRepositories") == 1)
        #expect(t.send("GET", "/api/v2/workloads/\(id)").json == w)
    }

    @Test func createsFromAnArtifactIdAndEnforcesOneWorkloadPerDraft() {
        let a = t.send("POST", "/api/v2/artifacts", ["name": "a", "spec": [:]]).json["id"]!.stringValue!
        let r = t.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": .string(a)])
        #expect(r.status == 201)
        let again = t.send("POST", "/api/v2/workloads", ["name": "w2", "artifactId": .string(a)])
        #expect(again.status == 400)
        #expect(again.json["detail"]?.stringValue?.contains("already backs") == true)
        let missing = t.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": "000000000000000000000000"])
        #expect(missing.status == 404)
        #expect(missing.text == #"{"detail":"Artifact not found."}"#)
        #expect(t.count() == 1)
    }

    static let artifact: JSONValue = ["name": "a"]
    static let long = String(repeating: "x", count: 5001)

    /// Every validation rule of §6.1, each with the entries it must produce.
    static let cases: [(String, JSONValue, [String])] = [
        ("missing name", ["artifact": artifact], ["body.name:missing"]),
        ("empty name", ["name": "", "artifact": artifact], ["body.name:string_too_short"]),
        ("long name", ["name": .string(long), "artifact": artifact], ["body.name:string_too_long"]),
        ("name not a string", ["name": 1, "artifact": artifact], ["body.name:string_type"]),
        ("unknown field", ["name": "a", "artifact": artifact, "bogus": 1], ["body.bogus:extra_forbidden"]),
        ("both artifact forms", ["name": "a", "artifact": artifact, "artifactId": "x"], ["body:value_error"]),
        ("no artifact", ["name": "a"], ["body:value_error"]),
        ("bad importance", ["name": "a", "artifact": artifact, "importance": "urgent"], ["body.importance:enum"]),
        (
            "description not a string", ["name": "a", "artifact": artifact, "description": 5],
            ["body.description:string_type"]
        ),
        ("runtime not an object", ["name": "a", "artifact": artifact, "runtime": []], ["body.runtime:dict_type"]),
        (
            "containerGroups not a list", ["name": "a", "artifact": artifact, "runtime": ["containerGroups": 1]],
            ["body.runtime.containerGroups:list_type"]
        ),
        (
            "replicaCount 0",
            ["name": "a", "artifact": artifact, "runtime": ["containerGroups": [["replicaCount": 0]]]],
            ["body.runtime.containerGroups.0.replicaCount:greater_than_equal"]
        ),
        (
            "replicaCount string",
            ["name": "a", "artifact": artifact, "runtime": ["containerGroups": [["replicaCount": "2"]]]],
            ["body.runtime.containerGroups.0.replicaCount:int_type"]
        ),
        (
            "replicaCount fraction",
            ["name": "a", "artifact": artifact, "runtime": ["containerGroups": [["replicaCount": 1.5]]]],
            ["body.runtime.containerGroups.0.replicaCount:int_from_float"]
        ),
        (
            "replicaCount with autoscaling",
            [
                "name": "a", "artifact": artifact,
                "runtime": [
                    "containerGroups": [["replicaCount": 1, "autoscaling": ["enabled": true, "policies": []]]]
                ],
            ], ["body.runtime.containerGroups.0:value_error"]
        ),
        (
            "bad scaling metric",
            [
                "name": "a", "artifact": artifact,
                "runtime": [
                    "containerGroups": [
                        ["autoscaling": ["enabled": true, "policies": [["scalingMetric": "magic", "target": 1]]]]
                    ]
                ],
            ], ["body.runtime.containerGroups.0.autoscaling.policies.0.scalingMetric:enum"]
        ),
        (
            // `enabled` defaults to true, so autoscaling beside a replica count is the conflict.
            "autoscaling without enabled beside replicaCount",
            [
                "name": "a", "artifact": artifact,
                "runtime": ["containerGroups": [["replicaCount": 2, "autoscaling": ["policies": []]]]],
            ],
            ["body.runtime.containerGroups.0:value_error"]
        ),
        (
            "autoscaling without policies",
            ["name": "a", "artifact": artifact, "runtime": ["containerGroups": [["autoscaling": ["enabled": false]]]]],
            ["body.runtime.containerGroups.0.autoscaling.policies:missing"]
        ),
        (
            "cpu not a number",
            [
                "name": "a", "artifact": artifact,
                "runtime": ["containerGroups": [["containers": [["name": "c", "resourceAllocation": ["cpu": "x"]]]]]],
            ], ["body.runtime.containerGroups.0.containers.0.resourceAllocation.cpu:float_type"]
        ),
        (
            "unknown container field",
            ["name": "a", "artifact": artifact, "runtime": ["containerGroups": [["containers": [["nam": "c"]]]]]],
            [
                "body.runtime.containerGroups.0.containers.0.name:missing",
                "body.runtime.containerGroups.0.containers.0.nam:extra_forbidden",
            ]
        ),
        (
            "unknown artifact field", ["name": "a", "artifact": ["name": "a", "spec": ["foo": 1]]],
            ["body.artifact.spec.foo:extra_forbidden"]
        ),
        (
            "two problems", ["name": 3, "importance": "x", "artifact": artifact],
            ["body.name:string_type", "body.importance:enum"]
        ),
    ]

    @Test(arguments: cases.indices)
    func validationRuleAnswers422AndCreatesNothing(_ i: Int) {
        let (label, body, expected) = Self.cases[i]
        let t = TestApp()
        let r = t.send("POST", "/api/v2/workloads", body)
        #expect(r.status == 422, "\(label): \(r.text)")
        #expect(r.contentType == "application/json")
        #expect(r.issues == expected, "\(label)")
        for entry in r.json["detail"]?.arrayValue ?? [] {
            #expect(entry.objectValue?.keys == ["loc", "msg", "type"])
            #expect(entry["msg"]?.stringValue?.isEmpty == false)
        }
        #expect(t.count() == 0)
        #expect(t.count("/api/v2/artifacts") == 0)
        #expect(t.count("/api/v2/artifactRepositories") == 0)
    }

    @Test func replicaLimitIs403WithTheExactMessage() {
        let t = TestApp { $0.maxReplicas = 2 }
        let r = t.send(
            "POST", "/api/v2/workloads",
            ["name": "a", "artifact": ["name": "a"], "runtime": ["containerGroups": [["replicaCount": 3]]]])
        #expect(r.status == 403)
        #expect(r.text == #"{"detail":"Requested replicas (3) exceeds the maximum allowed (2)."}"#)
        let auto = t.send(
            "POST", "/api/v2/workloads",
            [
                "name": "a", "artifact": ["name": "a"],
                "runtime": [
                    "containerGroups": [
                        [
                            "autoscaling": [
                                "enabled": true,
                                "policies": [
                                    [
                                        "scalingMetric": "httpRequestsConcurrency", "target": 5, "minCount": 1,
                                        "maxCount": 4,
                                    ]
                                ],
                            ]
                        ]
                    ]
                ],
            ])
        #expect(auto.status == 403)
        #expect(auto.text == #"{"detail":"Requested replicas (4) exceeds the maximum allowed (2)."}"#)
        #expect(t.count() == 0)
        #expect(t.count("/api/v2/artifacts") == 0)
    }

    @Test func concurrencyLimitIs403OnCreateAndStart() {
        let t = TestApp { $0.maxConcurrentWorkloads = 1 }
        let id = t.createWorkload()
        let r = t.send("POST", "/api/v2/workloads", ["name": "b", "artifact": ["name": "a"]])
        #expect(r.status == 403)
        #expect(r.text == #"{"detail":"Maximum number of concurrent workloads (1) reached."}"#)
        #expect(t.count() == 1)
        t.send("POST", "/api/v2/workloads/\(id)/stop")
        _ = t.advance(5)
        let other = t.createWorkload("b")
        #expect(t.send("POST", "/api/v2/workloads/\(id)/start").status == 403)
        t.send("DELETE", "/api/v2/workloads/\(other)")
        #expect(t.send("POST", "/api/v2/workloads/\(id)/start").status == 202)
    }

    @Test func legacyAliasMakesTheNameOptional() {
        let r = t.send("POST", "/api/v2/console/workloads/", ["artifact": ["name": "a"]])
        #expect(r.status == 201, "\(r.text)")
        let id = r.json["id"]!.stringValue!
        #expect(r.json["name"] == .string("workload-\(id.suffix(8))"))
        #expect(t.send("POST", "/api/v2/workloads", ["artifact": ["name": "a"]]).issues == ["body.name:missing"])
        // Same state behind both prefixes.
        #expect(t.send("GET", "/api/v2/workloads/\(id)").status == 200)
        let start = t.send("POST", "/api/v2/console/workloads/\(id)/start")
        #expect(start.json["trackVia"] == .string("http://emulator.test/api/v2/console/workloads/\(id)"))
    }
}
