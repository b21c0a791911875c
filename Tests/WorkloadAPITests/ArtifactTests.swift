import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct ArtifactTests {
    let t = TestApp()

    func create(
        _ name: String = "a", root: String = "/api/v2/artifacts", extra: [(String, JSONValue)] = []
    ) -> JSONValue {
        var body = JSONObject([
            ("name", .string(name)), ("spec", ["containerGroups": [["containers": [["imageUri": "nginx:1"]]]]]),
        ])
        for (k, v) in extra { body[k] = v }
        let r = t.send("POST", root, .object(body))
        #expect(r.status == 201, "\(r.text)")
        return r.json
    }

    @Test func createGetListAndRepository() {
        let a = create()
        #expect(
            a.objectValue?.keys == [
                "id", "name", "description", "type", "status", "version", "artifactRepositoryId", "spec", "creator",
                "permissions", "tags", "createdAt", "updatedAt",
            ])
        #expect(a["status"] == "draft")
        // The spec says which kind it is; an absent description is the empty string.
        #expect(a["spec"]?["type"] == "service")
        #expect(a["description"] == "")
        #expect(a["permissions"]?.arrayValue?.first == "CAN_VIEW")
        let id = a["id"]!.stringValue!
        #expect(t.send("GET", "/api/v2/artifacts/\(id)").json == a)
        #expect(t.send("GET", "/api/v2/registry/artifacts/\(id)/").json == a)
        let repo = t.send("GET", "/api/v2/artifactRepositories/\(a["artifactRepositoryId"]!.stringValue!)").json
        #expect(repo["numArtifacts"] == 1)
        #expect(repo["lastVersionNumber"] == 0)
        #expect(t.send("GET", "/api/v2/artifacts?limit=1").json["count"] == 1)
        #expect(
            t.send("POST", "/api/v2/artifacts", ["name": "x", "spec": [:], "color": "red"]).issues == [
                "body.color:extra_forbidden"
            ])
        #expect(t.send("POST", "/api/v2/artifacts", ["spec": [:]]).issues == ["body.name:missing"])
        #expect(t.count("/api/v2/artifacts") == 1)
    }

    @Test func lockGivesTheNextVersionOfTheRepository() {
        let a = create()
        let repoId = a["artifactRepositoryId"]!.stringValue!
        let locked = t.send("PATCH", "/api/v2/artifacts/\(a["id"]!.stringValue!)", ["status": "locked"]).json
        #expect(locked["status"] == "locked")
        #expect(locked["version"] == 1)
        let second = create("b", extra: [("artifactRepositoryId", .string(repoId))])
        let v2 = t.send("PATCH", "/api/v2/artifacts/\(second["id"]!.stringValue!)", ["status": "locked"]).json
        #expect(v2["version"] == 2)
        let repo = t.send("GET", "/api/v2/artifactRepositories/\(repoId)").json
        #expect(repo["lastVersionNumber"] == 2)
        #expect(repo["numArtifacts"] == 2)
        // Locked: no spec changes, no unlock, no delete.
        let lockedId = a["id"]!.stringValue!
        #expect(t.send("PATCH", "/api/v2/artifacts/\(lockedId)", ["spec": ["containerGroups": []]]).status == 400)
        #expect(t.send("PUT", "/api/v2/artifacts/\(lockedId)", ["name": "n", "spec": [:]]).status == 400)
        #expect(t.send("PATCH", "/api/v2/artifacts/\(lockedId)", ["status": "draft"]).status == 422)
        #expect(t.send("PATCH", "/api/v2/artifacts/\(lockedId)", ["name": "renamed"]).json["name"] == "renamed")
        #expect(t.send("DELETE", "/api/v2/artifacts/\(lockedId)").status == 409)
    }

    @Test func registeredIsASynonymUnderTheLegacyPrefixOnly() {
        let a = create(root: "/api/v2/registry/artifacts")
        let id = a["id"]!.stringValue!
        #expect(t.send("PATCH", "/api/v2/artifacts/\(id)", ["status": "registered"]).issues == ["body.status:enum"])
        let r = t.send("PATCH", "/api/v2/registry/artifacts/\(id)", ["status": "registered"])
        #expect(r.json["status"] == "locked")
        #expect(t.send("GET", "/api/v2/registry/artifacts?status=registered").json["count"] == 1)
        #expect(t.send("GET", "/api/v2/artifacts?status=locked").json["count"] == 1)
        #expect(t.send("GET", "/api/v2/artifacts?status=draft").json["count"] == 0)
    }

    @Test func putReplacesAndCloneCopies() {
        let a = create()
        let id = a["id"]!.stringValue!
        let put = t.send("PUT", "/api/v2/artifacts/\(id)", ["name": "replaced", "spec": ["containerGroups": []]])
        #expect(put.status == 200)
        #expect(put.json["name"] == "replaced")
        #expect(put.json["description"] == "")
        let clone = t.send("POST", "/api/v2/artifacts/\(id)/clone", ["name": "copy"])
        #expect(clone.status == 200)
        #expect(clone.json["name"] == "copy")
        #expect(clone.json["status"] == "draft")
        #expect(clone.json["artifactRepositoryId"] == a["artifactRepositoryId"])
        #expect(clone.json["spec"] == put.json["spec"])
        // The name is required; the v2.41 clone under the legacy prefix takes no body.
        #expect(t.send("POST", "/api/v2/artifacts/\(id)/clone").issues == ["body:missing"])
        #expect(t.send("POST", "/api/v2/registry/artifacts/\(id)/clone").json["name"] == "replaced")
    }

    @Test func deleteRules() {
        let a = create()
        let id = a["id"]!.stringValue!
        let w = t.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": .string(id)]).json["id"]!.stringValue!
        let inUse = t.send("DELETE", "/api/v2/artifacts/\(id)")
        #expect(inUse.status == 409)
        #expect(inUse.json["detail"]?.stringValue?.contains(w) == true)
        let repoId = a["artifactRepositoryId"]!.stringValue!
        #expect(t.send("DELETE", "/api/v2/artifactRepositories/\(repoId)").status == 409)
        #expect(t.send("DELETE", "/api/v2/artifactRepositories/\(repoId)?cascade=true").status == 409)
        t.send("DELETE", "/api/v2/workloads/\(w)")
        // An unused draft goes with its repository.
        #expect(t.send("DELETE", "/api/v2/artifactRepositories/\(repoId)").status == 204)
        #expect(t.send("GET", "/api/v2/artifacts/\(id)").status == 404)
        #expect(t.send("GET", "/api/v2/artifactRepositories/\(repoId)").status == 404)
        let b = create("b")
        #expect(t.send("DELETE", "/api/v2/artifacts/\(b["id"]!.stringValue!)").status == 204)
        let repo = t.send("GET", "/api/v2/artifactRepositories/\(b["artifactRepositoryId"]!.stringValue!)").json
        #expect(repo["numArtifacts"] == 0)
    }

    @Test func lockingAnArtifactRemovesTheTTLOfItsWorkload() {
        let a = create()
        let id = a["id"]!.stringValue!
        let w = t.send("POST", "/api/v2/workloads", ["name": "w", "artifactId": .string(id)]).json["id"]!.stringValue!
        t.send("PATCH", "/api/v2/artifacts/\(id)", ["status": "locked"])
        _ = t.advance(9 * 3600)
        #expect(t.status(w) == "running")
    }
}
