import HTTPServer
import JSON
import WorkloadEmulator

/// `GET /api/v2/mlops/compute/bundles/`: the sandbox's bundle catalogue (built-in or
/// from fixtures). A runtime's `resourceBundles` name these ids.
enum ComputeBundleRoutes {
    static let root = "/api/v2/mlops/compute/bundles"

    static func register(_ t: inout RouteTable) {
        t.add("GET", root, list)
        t.add("GET", root + "/{id}", get)
    }

    @Sendable static func list(_ r: APIRequest) -> HTTPResponse {
        let lr = ListRequest(r.http, defaultLimit: 100, maxLimit: 1000, legacy: false)
        guard lr.issues.isEmpty else { return Responses.validation(lr.issues) }
        var q = PlatformQuery(r.http)
        let useCases = Set(q.list("useCases"))
        var gpu: Bool?
        switch q.items.last(where: { $0.name == "hasGpu" })?.value {
        case nil: break
        case "true": gpu = true
        case "false": gpu = false
        default: q.fail("hasGpu", "Input should be 'true' or 'false'", "bool_parsing")
        }
        guard q.issues.isEmpty else { return Responses.validation(q.issues) }
        let bundles = r.sandbox.read { $0.platform.bundles }.filter { b in
            (useCases.isEmpty || !useCases.isDisjoint(with: b.useCases)) && (gpu == nil || (b.gpuCount > 0) == gpu)
        }
        let start = min(lr.query.offset, bundles.count)
        let page = bundles[start..<min(start + lr.query.limit, bundles.count)].map(Documents.bundle)
        return Responses.json(200, lr.envelope(page, totalCount: bundles.count, request: r))
    }

    @Sendable static func get(_ r: APIRequest) -> HTTPResponse {
        let id = r.parameter("id")
        guard let b = r.sandbox.read({ $0.platform.bundle(id) }) else {
            return Responses.detail(404, "Resource bundle not found.")
        }
        return Responses.json(200, Documents.bundle(b))
    }
}
