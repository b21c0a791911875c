import Glibc
import HTTPServer
import JSON
import WorkloadEmulator

/// `ANY /api/v2/endpoints/workloads/{id}/{path...}` and the deployment variant
///: the built-in echo, or forwarding to the upstream set through
/// `PUT /__emulator/workloads/{id}/upstream`. Every call is recorded for the stats.
enum InvokeRoutes {
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Where forwarded calls run: at most `--max-upstream-invokes` at once, each on a
    /// thread of a pool of that size (never an event loop), none longer than `timeoutSeconds`.
    struct Forwarding: Sendable {
        let pool: WorkerPool
        let timeoutSeconds: Double
        let resolver: HostResolver

        init(maxInvokes: Int, timeoutSeconds: Double, resolver: HostResolver = .shared) {
            pool = WorkerPool(maxThreads: maxInvokes, maxWaiting: 0)
            self.timeoutSeconds = timeoutSeconds
            self.resolver = resolver
        }
    }

    static func register(_ t: inout RouteTable, forwarding: Forwarding) {
        for m in methods {
            t.addDeferred(m, "/api/v2/endpoints/workloads/{id}/{path...}") { r, respond in
                invoke(r, workloadId: r.parameter("id"), deploymentId: nil, forwarding: forwarding, respond)
            }
            t.addDeferred(m, "/api/v2/endpoints/deployments/{id}/{path...}") { r, respond in
                invoke(r, workloadId: nil, deploymentId: r.parameter("id"), forwarding: forwarding, respond)
            }
        }
        t.add("PUT", "/__emulator/workloads/{id}/upstream", authenticated: false, setUpstream)
        t.add("DELETE", "/__emulator/workloads/{id}/upstream", authenticated: false) { r in
            Responses.run { () throws(DomainError) in
                try r.sandbox.execute { (w) throws(DomainError) in try w.setUpstream(r.parameter("id"), url: nil) }
                return Responses.noContent
            }
        }
    }

    /// The platform's error shape, as the invoke gateway answers.
    static func message(_ status: Int, _ text: String) -> HTTPResponse {
        Responses.json(status, ["message": .string(text)])
    }

    /// The part of the path after `/endpoints/{kind}/{id}`, as sent (not decoded), and the query.
    static func forwardedTarget(_ r: APIRequest) -> String {
        var segments = r.routePath.split(separator: "/", omittingEmptySubsequences: false).dropFirst(6)
        if segments.isEmpty { segments = [""] }
        var tail = "/" + segments.joined(separator: "/")
        if tail.isEmpty { tail = "/" }
        return r.http.query.isEmpty ? tail : tail + "?" + r.http.query
    }

    static func invoke(
        _ r: APIRequest, workloadId: String?, deploymentId: String?, forwarding: Forwarding,
        _ respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let decision: World.InvokeDecision
        do throws(DomainError) {
            decision = try r.sandbox.execute { (w) throws(DomainError) in
                try w.beginInvocation(workloadId: workloadId, deploymentId: deploymentId, by: r.user)
            }
        } catch {
            return respond(Responses.error(error))
        }
        guard case let .ready(target) = decision else {
            if case let .notRunning(status) = decision {
                respond(
                    message(
                        503,
                        "Workload \(workloadId ?? "of deployment \(deploymentId ?? "")") is not running (status: \(status.rawValue))."
                    ))
            }
            return
        }
        let started = monotonicMilliseconds()
        let sandbox = r.sandbox
        let (logMethod, logPath) = (r.http.method, forwardedTarget(r))
        let finish: @Sendable (HTTPResponse) -> Void = { response in
            let latency = monotonicMilliseconds() - started
            sandbox.read {
                $0.finishInvocation(
                    target, status: response.status, latencyMs: latency, method: logMethod, path: logPath)
            }
            respond(response)
        }
        var forwarded = r.http.headers
        forwarded.remove("Authorization")
        let headers = forwarded
        let path = forwardedTarget(r)
        guard let upstream = target.upstream else {
            return finish(echo(r, path: path, headers: headers, target: target))
        }
        let method = r.http.method
        let body = r.http.body
        let timeout = forwarding.timeoutSeconds
        let resolver = forwarding.resolver
        // Blocking I/O: never on the event loop that called us. The pool has a thread
        // for each call it admits, so slow upstreams never wait for each other, and it
        // admits no more than the cap, so they cannot take every thread of the process.
        let call: @Sendable () -> HTTPResponse = {
            guard let t = UpstreamClient.parse(upstream) else {
                return message(502, "Upstream URL \(upstream) is not a valid http:// URL.")
            }
            do throws(UpstreamClient.Failure) {
                return try UpstreamClient.send(
                    t, method: method, path: path, headers: headers, body: body, timeoutSeconds: timeout,
                    resolver: resolver)
            } catch where error.timedOut {
                return message(504, "Upstream \(upstream) did not answer within \(seconds(timeout)) s.")
            } catch {
                return message(502, "Upstream \(upstream) failed: \(error.description).")
            }
        }
        // The answer goes out once the call's place in the pool is free again.
        if !forwarding.pool.submit(call, then: finish) {
            var busy = message(
                503,
                "Too many invokes are being forwarded to upstreams (\(forwarding.pool.maxThreads) at once); retry shortly."
            )
            busy.headers.set("Retry-After", "1")
            finish(busy)
        }
    }

    /// `30`, `0.5`: how the timeout reads in a message.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// 200 with what the emulator saw, for clients that need no real container.
    static func echo(_ r: APIRequest, path: String, headers: HTTPHeaders, target: World.InvokeTarget) -> HTTPResponse {
        var query = JSONObject()
        for (name, value) in r.http.queryItems {
            if let existing = query[name] {
                query[name] = .array((existing.arrayValue ?? [existing]) + [.string(value)])
            } else {
                query[name] = .string(value)
            }
        }
        var h = JSONObject()
        for (name, value) in headers {
            let key = name.lowercased()
            if let existing = h[key]?.stringValue {
                h[key] = .string(existing + ", " + value)
            } else {
                h[key] = .string(value)
            }
        }
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        return Responses.json(
            200,
            [
                "method": .string(r.http.method), "path": .string(bare), "query": .object(query), "headers": .object(h),
                "body": .string(String(decoding: r.http.body, as: UTF8.self)), "workloadId": .string(target.workloadId),
                "protonId": .string(target.protonId),
            ])
    }

    @Sendable static func setUpstream(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.upstream)
        guard let body = parsed.value else { return parsed.failure! }
        let url = body["url"]?.stringValue
        if let url, UpstreamClient.parse(url) == nil {
            return Responses.validation([
                ValidationIssue(
                    loc: ["body", "url"], msg: "Value error, expected http://HOST:PORT[/path]", type: "value_error")
            ])
        }
        return Responses.run { () throws(DomainError) in
            try r.sandbox.execute { (w) throws(DomainError) in try w.setUpstream(r.parameter("id"), url: url) }
            return Responses.json(200, ["workloadId": .string(r.parameter("id")), "url": .optional(url)])
        }
    }

    static func monotonicMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }
}
