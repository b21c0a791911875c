import JSON
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct SharingTests {
    let t = TestApp()

    func userId(_ token: String) -> String {
        t.send("GET", "/api/v2/account/info/", token: token).json["id"]?.stringValue ?? ""
    }

    /// Entries without a `shareRecipientType` get `user` (the contract requires one).
    func share(
        _ path: String, _ entries: [JSONValue], token: String = "alice"
    ) -> TestResponse {
        let typed = entries.map { e -> JSONValue in
            guard var o = e.objectValue, o["shareRecipientType"] == nil else { return e }
            o["shareRecipientType"] = "user"
            return .object(o)
        }
        return t.send(
            "PATCH", path + "/sharedRoles", ["operation": "updateRoles", "roles": .array(typed)], token: token)
    }

    /// Owner (alice), USER (bob), CONSUMER (carol) and no role (dave) on every workload route.
    @Test func eachRoleOnEveryWorkloadRoute() {
        let id = t.runningWorkload()
        for token in ["bob", "carol", "dave"] { _ = userId(token) }
        let w = "/api/v2/workloads/\(id)"
        #expect(
            share(
                w,
                [
                    ["username": .string(userId("bob") == "" ? "" : username("bob")), "role": "USER"],
                    ["id": .string(userId("carol")), "role": "consumer", "shareRecipientType": "user"],
                ]
            ).status == 204)
        let pid = t.workload(id)["protonId"]!.stringValue!

        // (method, path, body, expected for OWNER is checked last since it changes state)
        let reads: [(String, String)] = [
            ("GET", w), ("GET", w + "/events"), ("GET", w + "/protons"), ("GET", w + "/protons/\(pid)"),
            ("GET", w + "/protons/\(pid)/statusDetails"), ("GET", w + "/settings"), ("GET", w + "/history"),
            ("GET", w + "/related"), ("GET", w + "/stats"), ("GET", w + "/stats/totalRequests"),
            ("GET", w + "/sharedRoles"),
        ]
        let writes: [(String, String, JSONValue?)] = [
            ("PATCH", w, ["description": "x"]), ("POST", w + "/start", nil), ("POST", w + "/stop", nil),
            ("POST", w + "/promote", nil), ("PATCH", w + "/settings", ["runtime": twoReplicas]),
            ("POST", w + "/replacement", ["artifactId": .string(t.artifact(token: "alice"))]),
            ("DELETE", w + "/replacement", nil), ("DELETE", w + "/stats", nil),
            (
                "PATCH", w + "/sharedRoles",
                ["operation": "updateRoles", "roles": [["id": "x", "role": "USER", "shareRecipientType": "user"]]]
            ),
            ("DELETE", w, nil),
        ]
        for (m, p) in reads {
            #expect(t.send(m, p, token: "bob").status == 200, "USER \(m) \(p)")
            #expect(t.send(m, p, token: "carol").status == 403, "CONSUMER \(m) \(p)")
            #expect(t.send(m, p, token: "dave").status == 404, "none \(m) \(p)")
        }
        let userReplacement = t.send("GET", w + "/replacement", token: "bob")
        #expect(userReplacement.json == ["detail": "There is no active replacement for this workload."])
        #expect(t.send("GET", w + "/replacement", token: "carol").status == 403)
        #expect(t.send("GET", w + "/replacement", token: "dave").json == ["detail": "Workload not found."])
        for (m, p, body) in writes {
            let user = t.send(m, p, body, token: "bob")
            #expect(user.status == 403, "USER \(m) \(p): \(user.text)")
            #expect(
                user.json == ["detail": "You do not have permission to perform this action on the workload."])
            #expect(t.send(m, p, body, token: "carol").status == 403, "CONSUMER \(m) \(p)")
            #expect(t.send(m, p, body, token: "dave").status == 404, "none \(m) \(p)")
        }
        // Invoke: any role.
        for token in ["alice", "bob", "carol"] {
            #expect(t.send("GET", "/api/v2/endpoints/workloads/\(id)/hello", token: token).status == 200, "\(token)")
        }
        #expect(t.send("GET", "/api/v2/endpoints/workloads/\(id)/hello", token: "dave").status == 404)
        // Lists: what the caller may read.
        #expect(t.count() == 1)
        #expect(t.send("GET", "/api/v2/workloads", token: "bob").json["totalCount"] == 1)
        #expect(t.send("GET", "/api/v2/workloads", token: "carol").json["totalCount"] == 0)
        #expect(t.send("GET", "/api/v2/workloads", token: "dave").json["totalCount"] == 0)
        #expect(t.workload(id, token: "bob")["permissions"] == ["CAN_VIEW", "CAN_MAKE_PREDICTIONS"])
        // The owner can do everything, ending with the delete.
        for (m, p) in reads { #expect(t.send(m, p).status == 200, "OWNER \(m) \(p)") }
        #expect(t.send("PATCH", w, ["description": "x"]).status == 200)
        #expect(t.send("DELETE", w + "/stats").status == 204)
        #expect(t.send("PATCH", w + "/settings", ["runtime": twoReplicas]).status == 202)
        #expect(t.send("DELETE", w + "/replacement").status == 202)
        #expect(t.send("POST", w + "/promote").status == 202)
        #expect(t.send("POST", w + "/stop").status == 202)
        _ = t.advance(2)
        #expect(t.send("POST", w + "/start").status == 202)
        #expect(t.send("DELETE", w).status == 204)
        #expect(t.violations().isEmpty)
    }

    func username(_ token: String) -> String {
        t.send("GET", "/api/v2/account/info/", token: token).json["username"]?.stringValue ?? ""
    }

    @Test func sharedRolesDocumentsAndRules() {
        let id = t.createWorkload()
        let w = "/api/v2/workloads/\(id)"
        let bob = userId("bob")
        let alice = userId("alice")
        #expect(share(w, [["id": .string(bob), "role": "OWNER"]]).status == 204)
        let roles = t.send("GET", w + "/sharedRoles").json
        #expect(roles["totalCount"] == 2)
        #expect(
            roles["data"]![1]! == [
                "id": .string(bob), "name": .string(username("bob")),
                "role": "OWNER", "shareRecipientType": "user",
            ])
        // Bob, now an owner, may re-share and remove alice; the last owner cannot go.
        #expect(share(w, [["id": .string(alice), "role": "NO_ROLE"]], token: "bob").status == 204)
        #expect(t.send("GET", w).status == 404)
        let last = share(w, [["id": .string(bob), "role": "no_role"]], token: "bob")
        #expect(last.status == 422)
        #expect(
            last.json == [
                "detail": [
                    [
                        "loc": ["body"], "msg": "The last owner cannot be removed: grant OWNER to someone else first.",
                        "type": "value_error",
                    ]
                ]
            ])
        let demote = share(w, [["id": .string(bob), "role": "USER"]], token: "bob")
        #expect(demote.status == 422)
        // Validation: 1..100 entries, a known role, username xor id, a known user.
        #expect(share(w, [], token: "bob").issues == ["body.roles:too_short"])
        let many = [JSONValue](repeating: ["id": .string(bob), "role": "OWNER"], count: 101)
        #expect(share(w, many, token: "bob").issues == ["body.roles:too_long"])
        #expect(
            share(w, [["id": .string(bob), "role": "SUPERUSER"]], token: "bob").issues == ["body.roles.0.role:enum"])
        #expect(
            t.send(
                "PATCH", w + "/sharedRoles",
                ["operation": "updateRoles", "roles": [["id": .string(bob), "role": "USER"]]],
                token: "bob"
            ).issues == ["body.roles.0.shareRecipientType:missing"])
        // Only users exist here; the real API's other recipient kinds are valid but unknown.
        let group = share(w, [["id": "g1", "role": "USER", "shareRecipientType": "group"]], token: "bob")
        #expect(group.status == 404)
        #expect(group.json["detail"]?.stringValue?.contains("group 'g1'") == true)
        #expect(share(w, [["role": "USER"]], token: "bob").issues == ["body.roles.0:value_error"])
        #expect(
            t.send(
                "PATCH", w + "/sharedRoles",
                ["operation": "replace", "roles": [["id": "x", "role": "USER", "shareRecipientType": "user"]]],
                token: "bob"
            )
            .issues == ["body.operation:enum"])
        #expect(share(w, [["username": "nobody@example.com", "role": "USER"]], token: "bob").status == 404)
        // A workload shared later appears in the list in creation order.
        let older = t.createWorkload("older", token: "carol")
        let newer = t.createWorkload("newer", token: "carol")
        #expect(
            share("/api/v2/workloads/\(newer)", [["id": .string(bob), "role": "USER"]], token: "carol").status == 204)
        #expect(
            share("/api/v2/workloads/\(older)", [["id": .string(bob), "role": "USER"]], token: "carol").status == 204)
        let names = t.send("GET", "/api/v2/workloads", token: "bob").json["data"]!.arrayValue!.map {
            $0["name"]!.stringValue!
        }
        #expect(names == ["hello", "older", "newer"])
    }

    @Test func artifactsAndRepositoriesShareToo() {
        let a = t.artifact()
        let doc = t.send("GET", "/api/v2/artifacts/\(a)").json
        let repo = doc["artifactRepositoryId"]!.stringValue!
        let bob = userId("bob")
        #expect(t.send("GET", "/api/v2/artifacts/\(a)", token: "bob").status == 404)
        #expect(t.send("GET", "/api/v2/artifacts", token: "bob").json["totalCount"] == 0)
        #expect(share("/api/v2/artifacts/\(a)", [["id": .string(bob), "role": "USER"]]).status == 204)
        #expect(t.send("GET", "/api/v2/artifacts/\(a)", token: "bob").status == 200)
        #expect(t.send("GET", "/api/v2/artifacts", token: "bob").json["totalCount"] == 1)
        #expect(t.send("PATCH", "/api/v2/artifacts/\(a)", ["name": "x"], token: "bob").status == 403)
        #expect(t.send("DELETE", "/api/v2/artifacts/\(a)", token: "bob").status == 403)
        #expect(t.send("POST", "/api/v2/artifacts/\(a)/builds", token: "bob").status == 403)
        #expect(share("/api/v2/artifacts/\(a)", [["id": .string(bob), "role": "OWNER"]], token: "bob").status == 403)
        // A USER of an artifact may run a workload on it.
        #expect(
            t.send("POST", "/api/v2/workloads", ["name": "b", "artifactId": .string(a)], token: "bob").status == 201)

        #expect(t.send("GET", "/api/v2/artifactRepositories/\(repo)", token: "bob").status == 404)
        #expect(
            share("/api/v2/artifactRepositories/\(repo)", [["id": .string(bob), "role": "CONSUMER"]]).status == 204)
        #expect(t.send("GET", "/api/v2/artifactRepositories/\(repo)", token: "bob").status == 200)
        #expect(t.send("GET", "/api/v2/artifactRepositories/\(repo)/sharedRoles").json["totalCount"] == 2)
        #expect(t.send("DELETE", "/api/v2/artifactRepositories/\(repo)", token: "bob").status == 403)
        #expect(t.send("GET", "/api/v2/registry/artifacts/\(a)/sharedRoles", token: "bob").json["totalCount"] == 2)
    }

    /// Every `SharingRole` is accepted and grants the nearest of the emulator's three roles.
    @Test func theRealAPIsRoleNamesMapToTheNearestRole() {
        let id = t.runningWorkload()
        let w = "/api/v2/workloads/\(id)"
        let bob = userId("bob")
        for (name, shown) in [
            ("READ_ONLY", "USER"), ("observer", "USER"), ("EDITOR", "USER"), ("READ_WRITE", "USER"),
            ("DATA_SCIENTIST", "USER"), ("CONSUMER", "CONSUMER"), ("ADMIN", "OWNER"),
        ] {
            #expect(share(w, [["id": .string(bob), "role": .string(name)]]).status == 204, "\(name)")
            let listed = t.send("GET", w + "/sharedRoles").json["data"]?.arrayValue?.first { $0["id"] == .string(bob) }
            #expect(listed?["role"] == .string(shown), "\(name)")
        }
    }
}
