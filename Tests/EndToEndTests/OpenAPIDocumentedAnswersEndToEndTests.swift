import HTTPServer
import JSON
import Testing

/// The served OpenAPI document lists the answers the emulator gives before a route's own
/// work: the control token's 401/403, the sandbox cap's 403, the body limit's 413 and the
/// body budget's 503. Each is provoked over a real socket on every operation of the
/// document where it can happen, and that operation must list it.
@Suite struct OpenAPIDocumentedAnswersEndToEndTests {
    struct Operation {
        let id: String
        let method: String
        let target: String
        let statuses: Set<String>
        let takesBody: Bool
    }

    /// Every operation of the served document, its path parameters filled in.
    static func operations(_ live: LiveEmulator) throws -> [Operation] {
        let r = try live.client(token: nil).send("GET", "/api/v2/openapi.json")
        #expect(r.status == 200)
        var out: [Operation] = []
        for (path, item) in r.json["paths"]?.objectValue ?? JSONObject() {
            let target = path.split(separator: "/", omittingEmptySubsequences: false).map {
                $0.hasPrefix("{") ? "0123456789abcdef01234567" : String($0)
            }.joined(separator: "/")
            for (method, op) in item.objectValue ?? JSONObject()
            where ["get", "post", "put", "patch", "delete", "options"].contains(method) {
                out.append(
                    Operation(
                        id: op["operationId"]?.stringValue ?? "", method: method.uppercased(), target: target,
                        statuses: Set(op["responses"]?.objectValue?.map(\.key) ?? []),
                        takesBody: op["requestBody"] != nil))
            }
        }
        return out
    }

    @Test func theControlTokensAnswersAreListedOnEveryControlRoute() throws {
        let live = try LiveEmulator { $0.controlToken = "secret" }
        var guarded = 0
        for op in try Self.operations(live) {
            let c = try live.client()
            let missing = try c.send(op.method, op.target)
            let wrong = try c.send(op.method, op.target, headers: [("X-Emulator-Token", "guess")])
            if op.target.hasPrefix("/__emulator") && op.target != "/__emulator/ui" {
                guarded += 1
                #expect(missing.status == 401, "\(op.id): \(missing.status) \(missing.text)")
                #expect(wrong.status == 403, "\(op.id): \(wrong.status) \(wrong.text)")
            }
            for r in [missing, wrong] where [401, 403].contains(r.status) {
                #expect(op.statuses.contains(String(r.status)), "\(op.id) answered \(r.status), not listed")
            }
        }
        #expect(guarded > 20)
    }

    @Test func theSandboxCapsAnswerIsListedWhereverASandboxIsMade() throws {
        let live = try LiveEmulator { $0.maxSandboxes = 1 }
        let c = try live.client()
        #expect(try c.send("GET", "/api/v2/account/info").status == 200)  // the one sandbox
        var capped = 0
        for op in try Self.operations(live) {
            let r = try live.client(sandbox: "another").send(op.method, op.target)
            guard r.status == 403, r.json["detail"]?.stringValue?.contains("--max-sandboxes") == true else {
                continue
            }
            capped += 1
            #expect(op.statuses.contains("403"), "\(op.id) answered the sandbox cap's 403, not listed")
        }
        #expect(capped > 100)
        #expect(try live.client(token: nil).send("GET", "/__emulator/sandboxes").json["count"] == 1)
    }

    @Test func theBodyLimitAndBudgetAreListedOnEveryOperationWithABody() throws {
        // A body over 200,000 bytes is too large; one over the 64 KiB that is always
        // accepted finds no budget left.
        let live = try LiveEmulator(http: {
            $0.maxBodyBytes = 200_000
            $0.maxBufferedBodyBytes = 0
        })
        var checked = 0
        for op in try Self.operations(live) where op.takesBody {
            checked += 1
            let large = try live.client().sendHead(op.method, op.target, contentLength: 300_000)
            #expect(large.status == 413, "\(op.id): \(large.status)")
            #expect(op.statuses.contains("413"), "\(op.id) lists no 413")
            let busy = try live.client().sendHead(op.method, op.target, contentLength: 100_000)
            #expect(busy.status == 503, "\(op.id): \(busy.status)")
            #expect(busy["Retry-After"] == "1")
            #expect(op.statuses.contains("503"), "\(op.id) lists no 503")
        }
        #expect(checked > 30)
    }
}
