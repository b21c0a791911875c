import Testing
import WorkloadEmulator

/// Artifacts, repositories, the v2.41 aliases and deployments over real sockets.
@Suite struct ArtifactRoutesEndToEndTests {
    @Test func artifactLifecycle() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let created = try c.send(
            "POST", "/api/v2/artifacts/",
            ["name": "a", "spec": ["containerGroups": [["containers": [["imageUri": "nginx"]]]]]])
        #expect(created.status == 201)
        #expect(created.contentType == "application/json")
        let id = created.json["id"]!.stringValue!
        let repo = created.json["artifactRepositoryId"]!.stringValue!
        #expect(try c.send("GET", "/api/v2/artifacts/\(id)").json == created.json)
        #expect(try c.send("GET", "/api/v2/artifacts").json["totalCount"] == 1)
        #expect(try c.send("PUT", "/api/v2/artifacts/\(id)", ["name": "b"]).issues == ["body.spec:missing"])
        #expect(try c.send("PUT", "/api/v2/artifacts/\(id)", ["name": "b", "spec": [:]]).json["name"] == "b")
        #expect(try c.send("POST", "/api/v2/artifacts/\(id)/clone").issues == ["body:missing"])
        let clone = try c.send("POST", "/api/v2/artifacts/\(id)/clone", ["name": "b-copy"])
        #expect(clone.status == 200)
        #expect(clone.json["name"] == "b-copy")
        let locked = try c.send("PATCH", "/api/v2/artifacts/\(id)", ["status": "locked"])
        #expect(locked.status == 200)
        #expect(locked.json["version"] == 1)
        let repository = try c.send("GET", "/api/v2/artifactRepositories/\(repo)").json
        #expect(repository["lastVersionNumber"] == 1)
        #expect(repository["numArtifacts"] == 2)
        let refused = try c.send("DELETE", "/api/v2/artifacts/\(id)")
        #expect(refused.status == 409)
        #expect(refused.contentType == "application/json")
        #expect(try c.send("DELETE", "/api/v2/artifacts/\(clone.json["id"]!.stringValue!)").status == 204)
        // A locked artifact keeps its repository unless asked to cascade.
        #expect(try c.send("DELETE", "/api/v2/artifactRepositories/\(repo)").status == 409)
        #expect(
            try c.send("DELETE", "/api/v2/artifactRepositories/\(repo)?cascade=null").issues == [
                "query.cascade:bool_parsing"
            ])
        // No 400 is documented for a repository's sharing: a body that is not JSON is a 422.
        #expect(
            try c.send("PATCH", "/api/v2/artifactRepositories/\(repo)/sharedRoles", raw: "{").issues == [
                "body:json_invalid"
            ])
        #expect(try c.send("DELETE", "/api/v2/artifactRepositories/\(repo)?cascade=true").status == 204)
        #expect(try c.send("GET", "/api/v2/artifactRepositories").json["totalCount"] == 0)
        // Unused drafts go with their repository, as the real API does.
        let draft = try c.send("POST", "/api/v2/artifacts", ["name": "d", "spec": [:]]).json
        let draftRepo = draft["artifactRepositoryId"]!.stringValue!
        #expect(try c.send("DELETE", "/api/v2/artifactRepositories/\(draftRepo)").status == 204)
        #expect(try c.send("GET", "/api/v2/artifacts/\(draft["id"]!.stringValue!)").status == 404)
        // A draft that backs a workload keeps it.
        let used = try c.send("POST", "/api/v2/artifacts", ["name": "u", "spec": [:]]).json
        _ = try c.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": used["id"]!])
        #expect(
            try c.send("DELETE", "/api/v2/artifactRepositories/\(used["artifactRepositoryId"]!.stringValue!)").status
                == 409)
        #expect(
            try c.send("POST", "/api/v2/artifacts", ["name": "x", "spec": ["oops": 1]]).issues == [
                "body.spec.oops:extra_forbidden"
            ])
    }

    @Test func legacyAliasesShareTheState() throws {
        let live = try LiveEmulator()
        let c = try live.client()
        let a = try c.send("POST", "/api/v2/registry/artifacts/", ["name": "a", "status": "registered"])
        #expect(a.status == 201)
        #expect(a.json["status"] == "locked")
        let w = try c.send("POST", "/api/v2/console/workloads/", ["artifactId": a.json["id"]!])
        #expect(w.status == 201)
        let id = w.json["id"]!.stringValue!
        #expect(try c.send("GET", "/api/v2/workloads/\(id)").status == 200)
        #expect(try c.send("GET", "/api/v2/console/workloads/").json["count"] == 1)
        try c.advance(3)
        let d = try c.send("POST", "/api/v2/console/deployments/", ["name": "d", "workloadId": .string(id)])
        #expect(d.status == 201)
        let did = d.json["id"]!.stringValue!
        #expect(try c.send("GET", "/api/v2/console/deployments/\(did)/").json["status"] == "running")
        #expect(
            try c.send("PATCH", "/api/v2/console/deployments/\(did)", ["description": "x"]).json["description"] == "x")
        #expect(try c.send("GET", "/api/v2/console/deployments/\(did)/stats/").status == 200)
        #expect(try c.send("DELETE", "/api/v2/console/deployments/\(did)").status == 204)
    }
}
