import HTTPServer
import JSON
import WorkloadEmulator

/// `/api/v2/version/` and `/api/v2/account/info/`.
enum AccountRoutes {
    static let major = 2
    static let minor = 49

    static func register(_ t: inout RouteTable) {
        // Public without a token (readiness checks call it bare), but a token that is
        // sent is checked: `dr.Client()` connects by calling it with its token and
        // reports a 401 there as "Unable to authenticate" (docs/CLIENTS.md D5).
        t.add("GET", "/api/v2/version", authenticated: false) { r in
            if let header = r.http.headers["Authorization"] {
                guard let token = EmulatorApplication.token(header),
                    r.sandbox.read({ $0.authenticate(token: token) }) != nil
                else { return Responses.unauthorized }
            }
            return Responses.json(
                200,
                [
                    "major": .int(Int64(major)), "minor": .int(Int64(minor)),
                    "versionString": .string("\(major).\(minor)"),
                    "releasedVersion": .string("\(major).\(minor).0"),
                ])
        }
        t.add("GET", "/api/v2/account/info") { r in
            func limit(_ n: Int) -> JSONValue { n > 0 ? .int(Int64(n)) : .null }
            return Responses.json(
                200,
                [
                    "id": .string(r.user.id), "uid": .string(r.user.id), "username": .string(r.user.username),
                    "email": .string(r.user.username),
                    "limits": [
                        "maxConcurrentWorkloads": limit(r.configuration.maxConcurrentWorkloads),
                        "maxWorkloadReplicas": limit(r.configuration.maxReplicas),
                    ],
                ])
        }
    }
}
