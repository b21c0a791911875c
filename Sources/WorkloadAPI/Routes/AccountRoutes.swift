import HTTPServer
import WorkloadEmulator

/// `/api/v2/version/` and `/api/v2/account/info/` (SPEC §5).
enum AccountRoutes {
    static let major = 2
    static let minor = 49

    static func register(_ t: inout RouteTable) {
        // The official client checks the version before it uses its token: no auth here.
        t.add("GET", "/api/v2/version", authenticated: false) { _ in
            Responses.json(
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
