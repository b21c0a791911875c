import HTTPServer
import JSON
import WorkloadEmulator

/// `/__emulator/faults`.
enum FaultRoutes {
    static func register(_ t: inout RouteTable) {
        t.add("POST", "/__emulator/faults", authenticated: false, create)
        t.add("GET", "/__emulator/faults", authenticated: false) { r in
            let rows = r.sandbox.read { w in w.faults.map(\.json) }
            return Responses.json(200, ["count": .int(Int64(rows.count)), "data": .array(rows)])
        }
        t.add("DELETE", "/__emulator/faults", authenticated: false) { r in
            Responses.runControl { () throws(DomainError) in
                try r.sandbox.execute { (w) throws(DomainError) in try w.removeFaults(id: nil) }
                return Responses.noContent
            }
        }
        t.add("GET", "/__emulator/faults/{id}", authenticated: false) { r in
            Responses.runControl { () throws(DomainError) in
                let doc = try r.sandbox.execute { (w) throws(DomainError) in
                    guard let rule = w.faults.first(where: { $0.id == r.parameter("id") }) else {
                        throw .notFound("Fault rule not found.")
                    }
                    return rule.json
                }
                return Responses.json(200, doc)
            }
        }
        t.add("DELETE", "/__emulator/faults/{id}", authenticated: false) { r in
            Responses.runControl { () throws(DomainError) in
                try r.sandbox.execute { (w) throws(DomainError) in try w.removeFaults(id: r.parameter("id")) }
                return Responses.noContent
            }
        }
    }

    /// Each action's required fields; fields of other actions are refused so that a
    /// typo never silently does nothing.
    static func rules(_ body: JSONValue) -> [ValidationIssue] {
        guard let action = body["action"]?.stringValue.flatMap(FaultRule.Action.init) else { return [] }
        var issues: [ValidationIssue] = []
        let allowed: Set<String>
        switch action {
        case .respond: allowed = ["status", "body", "headers"]
        case .delay: allowed = ["delayMs"]
        case .drop, .protonStopFailure: allowed = []
        case .launchFailure, .replacementFailure: allowed = ["message"]
        case .hold: allowed = ["state"]
        }
        let specific: Set<String> = ["status", "body", "headers", "delayMs", "state", "message"]
        for (k, _) in body.objectValue ?? JSONObject() where specific.contains(k) && !allowed.contains(k) {
            issues.append(
                ValidationIssue(
                    loc: ["body", .string(k)], msg: "Value error, '\(k)' does not apply to action '\(action.rawValue)'",
                    type: "value_error"))
        }
        if action == .respond && body["status"] == nil {
            issues.append(ValidationIssue(loc: ["body", "status"], msg: "Field required", type: "missing"))
        }
        if action == .delay && body["delayMs"] == nil {
            issues.append(ValidationIssue(loc: ["body", "delayMs"], msg: "Field required", type: "missing"))
        }
        let headers = body["headers"]?.objectValue ?? JSONObject()
        if headers.count > FaultRule.maxHeaders {
            issues.append(
                ValidationIssue(
                    loc: ["body", "headers"], msg: "Value error, at most \(FaultRule.maxHeaders) headers",
                    type: "value_error"))
        }
        for (name, value) in headers.count > FaultRule.maxHeaders ? JSONObject() : headers {
            if !FaultRule.isToken(name) {
                issues.append(
                    ValidationIssue(
                        loc: ["body", "headers", .string(name)],
                        msg: "Value error, a header name must be an RFC 9110 token", type: "value_error"))
            } else if let v = value.stringValue, !FaultRule.isFieldValue(v) {
                issues.append(
                    ValidationIssue(
                        loc: ["body", "headers", .string(name)],
                        msg: "Value error, a header value must not contain control characters", type: "value_error"))
            }
        }
        if action == .hold && body["state"] == nil {
            issues.append(ValidationIssue(loc: ["body", "state"], msg: "Field required", type: "missing"))
        }
        return issues
    }

    @Sendable static func create(_ r: APIRequest) -> HTTPResponse {
        let parsed = r.validatedBody(Schemas.fault, extra: rules)
        guard let body = parsed.value else { return parsed.failure! }
        let m = body["match"]
        var rule = FaultRule(
            match: FaultRule.Match(
                method: m?["method"]?.stringValue, path: m?["path"]?.stringValue,
                workloadId: m?["workloadId"]?.stringValue),
            action: FaultRule.Action(rawValue: body["action"]!.stringValue!)!)
        rule.status = body["status"]?.exactInt
        rule.body = body["body"]
        rule.headers = (body["headers"]?.objectValue ?? JSONObject()).map {
            (name: $0.key, value: $0.value.stringValue ?? "")
        }
        rule.delayMs = body["delayMs"]?.exactInt
        rule.state = body["state"]?.stringValue.flatMap(WorkloadStatus.init)
        rule.message = body["message"]?.stringValue
        rule.times = body["times"]?.exactInt
        rule.probability = body["probability"]?.numberValue
        if let p = rule.problem {
            let loc: [JSONValue] = ["body"] + p.path.map { .string($0) }
            return Responses.validation([
                ValidationIssue(loc: loc, msg: "Value error, \(p.reason)", type: "value_error")
            ])
        }
        let doc = r.sandbox.read { w in w.addFault(rule).json }
        return Responses.json(201, doc)
    }
}
