import HTTPServer
import JSON
import WorkloadEmulator

/// `/__emulator/…`: what a test needs to control the world. No token.
enum EmulatorRoutes {
    static func register(_ t: inout RouteTable, registry: SandboxRegistry) {
        t.add("GET", "/__emulator/health", authenticated: false) { _ in
            .json(200, #"{"status":"ok","version":"\#(EmulatorApplication.version)"}"#)
        }
        t.add("GET", "/__emulator/sandboxes", authenticated: false) { _ in
            let rows: [JSONValue] = registry.all().map { s in
                s.read { w in
                    let c = w.counts
                    return [
                        "name": .string(s.name), "workloads": .int(Int64(c.workloads)),
                        "artifacts": .int(Int64(c.artifacts)),
                        "artifactRepositories": .int(Int64(c.repositories)), "deployments": .int(Int64(c.deployments)),
                        "clock": Documents.clock(w),
                    ]
                }
            }
            return Responses.json(200, ["count": .int(Int64(rows.count)), "data": .array(rows)])
        }
        t.add("DELETE", "/__emulator/sandboxes/{name}", authenticated: false) { r in
            registry.remove(named: r.parameter("name"))
                ? Responses.noContent : Responses.detail(404, "Sandbox not found.")
        }
        t.add("POST", "/__emulator/reset", authenticated: false) { r in
            r.sandbox.reset()
            return Responses.json(
                200, r.sandbox.read { w in ["sandbox": .string(w.name), "clock": Documents.clock(w)] })
        }
        t.add("GET", "/__emulator/workloads/{id}", authenticated: false) { r in
            Responses.runControl { () throws(DomainError) in
                let doc = try r.sandbox.execute { (w) throws(DomainError) in
                    guard let wl = w.workloads[r.parameter("id")] else { throw .notFound("Workload not found.") }
                    return Documents.emulatorView(wl, w, base: r.base)
                }
                return Responses.json(200, doc)
            }
        }
        t.add("GET", "/__emulator/lifecycle", authenticated: false) { r in
            Responses.json(200, r.sandbox.read { $0.profile.json })
        }
        t.add("PUT", "/__emulator/lifecycle", authenticated: false) { r in
            switch r.jsonBody() {
            case let .failure(resp): return resp.response
            case .success(nil):
                return Responses.validation([ValidationIssue(loc: ["body"], msg: "Field required", type: "missing")])
            case let .success(body?):
                let profile: LifecycleProfile
                if let name = body["name"]?.stringValue, body.objectValue?.count == 1,
                    let p = LifecycleProfile.named(name)
                {
                    profile = p
                } else {
                    do throws(LifecycleProfile.ParseError) { profile = try LifecycleProfile.fromJSON(body) } catch {
                        return Responses.validation([
                            ValidationIssue(
                                loc: error.field.isEmpty ? ["body"] : ["body", .string(error.field)], msg: error.reason,
                                type: "value_error")
                        ])
                    }
                }
                return Responses.json(
                    200,
                    r.sandbox.read { w in
                        w.setProfile(profile)
                        return w.profile.json
                    })
            }
        }
        t.add("GET", "/__emulator/events", authenticated: false) { r in
            let lr = ListRequest(r.http, defaultLimit: 1000, maxLimit: 10000, legacy: false)
            guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
            let q = lr.query
            let (items, total) = r.sandbox.read { w in
                let start = min(q.offset, w.log.count)
                return (w.log[start..<min(start + q.limit, w.log.count)].map(\.json), w.log.count)
            }
            return Responses.json(200, lr.envelope(items, totalCount: total, request: r))
        }
        ClockRoutes.register(&t)
        FaultRoutes.register(&t)
    }
}
