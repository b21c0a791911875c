import JSON
import Testing

/// The create bodies DataRobot's Terraform provider and `dr` CLI send (docs/CLIENTS.md
/// §8), over real sockets: each is accepted with 201 and what the real response schema
/// holds comes back in GET.
@Suite struct ClientCreateBodiesEndToEndTests {
    /// The provider's artifact: a container built from a provided Dockerfile, a security
    /// context, probes with headers and a host, `successThreshold`, the three env sources,
    /// and `spec.a2aEnabled`.
    static let terraformArtifact = """
        {"name": "tf-agent", "description": "from terraform", "type": "service",
         "spec": {"type": "service", "a2aEnabled": true, "containerGroups": [{"name": "default", "containers": [
           {"name": "app", "primary": true, "port": 8080, "entrypoint": ["python", "app.py"],
            "imageBuildConfig": {"codeRef": {"provider": "datarobot", "type": "datarobot",
                                              "datarobot": {"catalogId": "c1", "catalogVersionId": "v1"}},
                                 "dockerfile": {"source": "provided", "path": "./Dockerfile"}},
            "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                                "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
            "readinessProbe": {"path": "/ready", "port": 8080, "scheme": "HTTP", "host": "localhost",
                               "httpHeaders": {"X-Probe": "1"}, "initialDelaySeconds": 5, "periodSeconds": 10,
                               "timeoutSeconds": 2, "failureThreshold": 3, "successThreshold": 1},
            "livenessProbe": {"path": "/live", "httpHeaders": {"X-Probe": "2"}},
            "environmentVars": [{"source": "string", "name": "MODE", "value": "prod"},
                                {"source": "dr-credential", "name": "KEY", "drCredentialId": "cred1", "key": "apiKey"},
                                {"source": "api-key"}]}]}]}}
        """

    @Test func terraformStyleArtifactAndWorkload() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let created = try c.send("POST", "/api/v2/artifacts", raw: Self.terraformArtifact)
        #expect(created.status == 201, "\(created.text)")
        let artifactId = try #require(created.json["id"]?.stringValue)
        let got = try c.send("GET", "/api/v2/artifacts/\(artifactId)").json
        #expect(got["spec"]?["type"] == "service")
        #expect(got["description"] == "from terraform")
        let container = try #require(got["spec"]?["containerGroups"]?[0]?["containers"]?[0])
        #expect(container["imageBuildConfig"]?["dockerfile"] == ["source": "provided", "path": "./Dockerfile"])
        #expect(container["imageBuildConfig"]?["codeRef"]?["datarobot"]?["catalogVersionId"] == "v1")
        #expect(container["securityContext"]?["capabilities"] == ["drop": ["ALL"]])
        #expect(container["securityContext"]?["seccompProfile"] == ["type": "RuntimeDefault"])
        #expect(container["readinessProbe"]?["httpHeaders"] == ["X-Probe": "1"])
        #expect(container["readinessProbe"]?["host"] == "localhost")
        #expect(container["livenessProbe"]?["httpHeaders"] == ["X-Probe": "2"])
        #expect(container["environmentVars"]?.arrayValue?.map { $0["name"] } == ["MODE", "KEY"])
        // Accepted, but the v11.5 response schemas have no place for them (the api-key variable too).
        #expect(container["readinessProbe"]?["successThreshold"] == nil)
        #expect(got["spec"]?["a2aEnabled"] == nil)

        // The provider's runtime: autoscaling bounds on the group, policies without counts,
        // memory in bytes, no replicaCount.
        let workload = try c.send(
            "POST", "/api/v2/workloads",
            raw: """
                {"name": "tf-workload", "artifactId": "\(artifactId)", "importance": "high",
                 "runtime": {"containerGroups": [{"name": "default", "bundleSelectionPolicy": "availability",
                   "autoscaling": {"enabled": true, "minReplicaCount": 1, "maxReplicaCount": 4,
                                   "policies": [{"scalingMetric": "cpuAverageUtilization", "target": 70}]},
                   "containers": [{"name": "app", "resourceAllocation": {"cpu": 0.5, "memory": 536870912,
                                                                          "gpuMemory": "8GB"}}]}]}}
                """)
        #expect(workload.status == 201, "\(workload.text)")
        let id = try #require(workload.json["id"]?.stringValue)
        let group = try #require(c.send("GET", "/api/v2/workloads/\(id)").json["runtime"]?["containerGroups"]?[0])
        #expect(group["bundleSelectionPolicy"] == "availability")
        #expect(
            group["autoscaling"] == [
                "enabled": true,
                "policies": [["scalingMetric": "cpuAverageUtilization", "target": 70, "minCount": 1, "maxCount": 4]],
            ])
        #expect(
            group["containers"]?[0]?["resourceAllocation"] == ["cpu": 0.5, "memory": 536_870_912, "gpuMemory": "8GB"])
    }

    /// The provider's newer artifact type: accepted and kept, shown in v11.5's vocabulary.
    @Test func agentArtifactsAreAcceptedAndShownAsServices() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let r = try c.send(
            "POST", "/api/v2/artifacts",
            raw:
                #"{"name": "agent", "type": "agent", "spec": {"type": "agent", "a2aEnabled": true, "containerGroups": []}}"#
        )
        #expect(r.status == 201, "\(r.text)")
        #expect(r.json["type"] == "service")
        #expect(r.json["spec"] == ["type": "service", "containerGroups": []])
        #expect(
            try c.send("POST", "/api/v2/artifacts", raw: #"{"name": "x", "spec": {}, "artifactRepositoryId": "nope"}"#)
                .issues == ["body:value_error"])
    }

    @Test func cliStyleCreateWithInlineArtifact() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let r = try c.send(
            "POST", "/api/v2/workloads",
            raw: """
                {"name": "my-app", "artifact": {"name": "my-app", "spec": {"containerGroups": [{"containers": [
                   {"name": "primary", "primary": true, "imageBuildConfig": {"dockerfile": {"source": "provided"}}}]}]}},
                 "runtime": {"containerGroups": [{"name": "default", "replicaCount": null,
                   "autoscaling": {"enabled": true, "policies": [{"scalingMetric": "httpRequestsConcurrency",
                                                                "target": 10, "minCount": 1, "maxCount": 3}]},
                   "containers": [{"name": "primary", "resourceAllocation": {"cpu": 1, "memory": "512MiB"}}]}]}}
                """)
        #expect(r.status == 201, "\(r.text)")
        let id = try #require(r.json["id"]?.stringValue)
        let w = try c.send("GET", "/api/v2/workloads/\(id)").json
        let group = try #require(w["runtime"]?["containerGroups"]?[0])
        #expect(group["replicaCount"] == .null)
        #expect(group["autoscaling"]?["policies"]?[0]?["maxCount"] == 3)
        #expect(group["containers"]?[0]?["resourceAllocation"] == ["cpu": 1, "memory": "512MiB"])
        let artifact = try c.send("GET", "/api/v2/artifacts/\(w["artifactId"]!.stringValue!)").json
        #expect(
            artifact["spec"]?["containerGroups"]?[0]?["containers"]?[0]?["imageBuildConfig"] == [
                "dockerfile": ["source": "provided"]
            ])
        #expect(artifact["spec"]?["type"] == "service")
        // The settings PATCH takes the same runtime forms.
        try c.advance(3)
        let settings = try c.send(
            "PATCH", "/api/v2/workloads/\(id)/settings",
            raw: """
                {"runtime": {"containerGroups": [{"name": "default", "replicaCount": 2,
                   "containers": [{"name": "primary", "resourceAllocation": {"memory": "1Gi"}}]}]}}
                """)
        #expect(settings.status == 202, "\(settings.text)")
        #expect(
            settings.json["runtime"]?["containerGroups"]?[0]?["containers"]?[0]?["resourceAllocation"] == [
                "memory": "1Gi"
            ])
    }

    @Test func legacyFlatRuntimeIsFoldedIntoOneGroup() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let r = try c.send(
            "POST", "/api/v2/console/workloads",
            raw: #"{"name": "old", "artifact": {"name": "a"}, "runtime": {"replicaCount": 2}}"#)
        #expect(r.status == 201, "\(r.text)")
        #expect(r.json["runtime"] == ["containerGroups": [["name": "default", "replicaCount": 2]]])
        // The v2.41 metric name is stored under the current one.
        let legacyMetric = try c.send(
            "POST", "/api/v2/console/workloads",
            raw: #"""
                {"artifact": {"name": "a"}, "runtime": {"autoscaling": {"enabled": true, "policies": [
                  {"scalingMetric": "httpRequestsInFlight", "target": 5, "minCount": 1, "maxCount": 2}]}}}
                """#)
        #expect(legacyMetric.status == 201, "\(legacyMetric.text)")
        #expect(
            legacyMetric.json["runtime"]?["containerGroups"]?[0]?["autoscaling"]?["policies"]?[0]?["scalingMetric"]
                == "httpRequestsConcurrency")
        // The current prefix takes the current form only.
        let current = try c.send(
            "POST", "/api/v2/workloads",
            raw: #"{"name": "new", "artifact": {"name": "a"}, "runtime": {"replicaCount": 2}}"#)
        #expect(current.issues == ["body.runtime.replicaCount:extra_forbidden"])
    }

    /// What the real schemas reject still gets 422, each problem at its path.
    @Test func whatTheContractRejects() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        func create(_ container: String, runtime: String = "{}") throws -> [String] {
            try c.send(
                "POST", "/api/v2/workloads",
                raw: """
                    {"name": "w", "artifact": {"name": "a", "spec": {"containerGroups": [{"containers": [\(container)]}]}},
                     "runtime": \(runtime)}
                    """
            ).issues
        }
        let at = "body.artifact.spec.containerGroups.0.containers.0"
        #expect(try create(#"{"port": 80}"#) == ["\(at).port:greater_than_equal"])
        #expect(
            try create(#"{"imageBuildConfig": {"dockerfile": {"source": "zip"}}}"#) == [
                "\(at).imageBuildConfig.dockerfile.source:union_tag_invalid"
            ])
        #expect(try create(#"{"imageBuildConfig": {"dockerfile": {"source": "generated"}}}"#).count == 3)
        #expect(
            try create(#"{"securityContext": {"privileged": true}}"#) == [
                "\(at).securityContext.privileged:extra_forbidden"
            ])
        #expect(
            try create(#"{"readinessProbe": {"path": "/", "httpHeaders": {"X": 1}}}"#) == [
                "\(at).readinessProbe.httpHeaders.X:string_type"
            ])
        #expect(try create(#"{"environmentVars": [{"source": "dr-credential", "name": "K"}]}"#).count == 2)
        let group = "body.runtime.containerGroups.0"
        #expect(
            try create(
                "{}",
                runtime:
                    #"{"containerGroups": [{"containers": [{"name": "m", "resourceAllocation": {"memory": "lots"}}]}]}"#
            )
                == ["\(group).containers.0.resourceAllocation.memory:string_pattern_mismatch"])
        #expect(
            try create("{}", runtime: #"{"containerGroups": [{"replicaCount": 2, "autoscaling": {"policies": []}}]}"#)
                == [
                    "\(group):value_error"
                ])
        #expect(
            try create(
                "{}",
                runtime:
                    #"{"containerGroups": [{"autoscaling": {"policies": [{"scalingMetric": "cpuAverageUtilization", "target": 1}]}}]}"#
            ) == [
                "\(group).autoscaling.policies.0.minCount:missing", "\(group).autoscaling.policies.0.maxCount:missing",
            ])
        #expect(
            try create("{}", runtime: #"{"containerGroups": [{"bundleSelectionPolicy": "cheapest"}]}"#) == [
                "\(group).bundleSelectionPolicy:enum"
            ])
        #expect(try c.send("POST", "/api/v2/artifacts", raw: #"{"name": "no-spec"}"#).issues == ["body.spec:missing"])
        #expect(
            try c.send("POST", "/api/v2/artifacts", raw: #"{"name": "x", "spec": {"type": "batch"}}"#).issues == [
                "body.spec.type:union_tag_invalid"
            ])
    }
}
