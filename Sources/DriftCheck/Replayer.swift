import ContractCheck
import HTTPServer
import JSON
import WorkloadAPI

/// Sends recorded requests to one sandbox, in order, and compares each answer with the
/// recorded one.
struct Replayer {
    let client: ForwardingClient
    let sandbox: String
    let controlToken: String?
    /// The recording holds no credential, only a label per user (`Exchange.user`): the first
    /// label seen replays as this token, later ones as `TOKEN-2`, `TOKEN-3`… in order of first
    /// appearance, so the emulator sees as many distinct users as the real service did.
    let token: String
    var tokensByUser: [String: String] = [:]
    /// A recording without labels (made before they existed) replays every request as `token`;
    /// with labels, a request recorded without a credential is sent without one.
    var labelled = false
    let maxAdvanceSeconds: Int
    var ids = IdMap()
    var matcher: OperationMatcher? = nil
    var report = DriftReport()

    init(client: ForwardingClient, sandbox: String, controlToken: String?, token: String, maxAdvanceSeconds: Int) {
        self.token = token
        self.client = client
        self.sandbox = sandbox
        self.controlToken = controlToken
        self.maxAdvanceSeconds = maxAdvanceSeconds
    }

    struct Answer {
        var status: Int
        var body: String
    }

    /// The token for a recorded user label; nil means no credential.
    mutating func token(for user: String?) -> String? {
        guard labelled else { return token }
        guard let user else { return nil }
        if let known = tokensByUser[user] { return known }
        let next = tokensByUser.isEmpty ? token : "\(token)-\(tokensByUser.count + 1)"
        tokensByUser[user] = next
        return next
    }

    func send(
        _ method: String, _ target: String, contentType: String?, body: String, as user: String?? = .none
    ) throws(ReplayCommand.Failure)
        -> Answer
    {
        var headers = HTTPHeaders([("Accept", "application/json")])
        // `.none`: the replay's own calls (document, clock), as the first user.
        let bearer: String? = user ?? token
        if let bearer { headers.add("Authorization", "Bearer \(bearer)") }
        if let contentType { headers.add("Content-Type", contentType) }
        if let controlToken { headers.add("X-Emulator-Token", controlToken) }
        do throws(ForwardingClient.Failure) {
            let r = try client.send(
                method: method, path: "/sandboxes/\(sandbox)\(target)", headers: headers, body: Array(body.utf8))
            return Answer(status: r.status, body: String(decoding: r.body, as: UTF8.self))
        } catch {
            throw ReplayCommand.Failure(
                message: "replay: \(method) \(target) against \(client.host):\(client.port): \(error.description)",
                exitCode: 1)
        }
    }

    /// The operation ids of the document the emulator serves (the real API's), for the report.
    mutating func loadOperations() {
        guard let answer = try? send("GET", "/api/v2/openapi.json", contentType: nil, body: ""), answer.status == 200,
            let document = try? JSONParser.parse(answer.body), let contract = try? Contract(document: document)
        else { return }
        // The served document spells paths from the root; the matcher wants them under `/api/v2`.
        matcher = OperationMatcher(
            contract.operations.map { op in
                let path = op.path.hasPrefix("/api/v2/") ? String(op.path.dropFirst("/api/v2".count)) : op.path
                return Contract.Operation(id: op.id, method: op.method, path: path, responses: op.responses)
            })
    }

    func operation(_ e: Exchange) -> String {
        if let op = matcher?.operation(method: e.method, requestPath: e.path) { return op.id }
        return "\(e.method) \(ids.template(e.path))"
    }

    static func sameShape(_ s1: Int, _ b1: String, _ s2: Int, _ b2: String) -> Bool {
        ShapeComparison.compare(realStatus: s1, realBody: b1, emulatorStatus: s2, emulatorBody: b2).isEmpty
    }

    /// Where a run of identical GETs (a poll) starting at `start` ends (exclusive).
    static func pollEnd(_ exchanges: [Exchange], from start: Int) -> Int {
        let first = exchanges[start]
        guard first.method == "GET" else { return start + 1 }
        var end = start + 1
        while end < exchanges.count, exchanges[end].method == "GET", exchanges[end].path == first.path,
            exchanges[end].query == first.query, exchanges[end].user == first.user
        {
            end += 1
        }
        return end
    }

    mutating func replay(_ exchanges: [Exchange]) throws(ReplayCommand.Failure) -> DriftReport {
        labelled = exchanges.contains { $0.user != nil }
        loadOperations()
        var i = 0
        while i < exchanges.count {
            let end = Self.pollEnd(exchanges, from: i)
            let first = exchanges[i]
            let answer = try replayOne(first, line: i + 1)
            if end - i > 1 {
                let last = exchanges[end - 1]
                if !Self.sameShape(first.status, first.responseBody, last.status, last.responseBody) {
                    // A poll until something changed (a status, a replacement ending): the
                    // emulator's clock moves instead of the wall clock, from one scheduled
                    // transition to the next, until its answer has the last poll's shape
                    // and states, or nothing is left to happen (then the answers differ).
                    var current = answer
                    var advanced: Int64 = 0
                    while !Self.sameShape(last.status, last.responseBody, current.status, current.body),
                        let seconds = try secondsToNextTransition(), advanced + seconds <= Int64(maxAdvanceSeconds)
                    {
                        let step = try send(
                            "POST", "/__emulator/clock/advance", contentType: "application/json",
                            body: "{\"seconds\":\(seconds)}")
                        guard step.status == 200 else {
                            throw ReplayCommand.Failure(
                                message: "replay: the emulator refused a clock advance (\(step.status)): \(step.body)",
                                exitCode: 1)
                        }
                        advanced += seconds
                        current = try send(
                            "GET", target(first), contentType: first.requestContentType,
                            body: ids.apply(first.requestBody), as: token(for: first.user))
                    }
                    report.clockAdvancedSeconds += Int(advanced)
                    compare(last, current, line: end)
                } else {
                    // A poll whose answer never changed: its last answer is compared too.
                    compare(last, try replayOne(last, line: end, compareIt: false), line: end)
                }
            }
            report.exchanges += end - i
            i = end
        }
        return report
    }

    /// Whole seconds (at least 1) from the sandbox's now to its next scheduled transition,
    /// or nil when none is pending and no advance can change an answer.
    func secondsToNextTransition() throws(ReplayCommand.Failure) -> Int64? {
        let clock = try send("GET", "/__emulator/clock", contentType: nil, body: "")
        guard clock.status == 200, let doc = try? JSONParser.parse(clock.body) else {
            throw ReplayCommand.Failure(
                message: "replay: the emulator's clock could not be read (\(clock.status)): \(clock.body)", exitCode: 1)
        }
        guard let next = doc["nextTransitionAt"]?.stringValue.flatMap(Timestamp.parse),
            let now = doc["now"]?.stringValue.flatMap(Timestamp.parse)
        else { return nil }
        let millis = max(next - now, 0)
        return max((millis + 999) / 1000, 1)
    }

    func target(_ e: Exchange) -> String {
        let path = ids.apply(e.path)
        return e.query.isEmpty ? path : path + "?" + ids.apply(e.query)
    }

    mutating func replayOne(_ e: Exchange, line: Int, compareIt: Bool = true) throws(ReplayCommand.Failure) -> Answer {
        let answer = try send(
            e.method, target(e), contentType: e.requestContentType, body: ids.apply(e.requestBody),
            as: token(for: e.user))
        if compareIt { compare(e, answer, line: line) }
        return answer
    }

    mutating func compare(_ e: Exchange, _ answer: Answer, line: Int) {
        if let real = try? JSONParser.parse(e.responseBody), let emulator = try? JSONParser.parse(answer.body) {
            ids.learn(real: real, emulator: emulator)
        }
        let operation = operation(e)
        for d in ShapeComparison.compare(
            realStatus: e.status, realBody: e.responseBody, emulatorStatus: answer.status, emulatorBody: answer.body)
        {
            report.rows.append(
                DriftReport.Row(exchange: line, method: e.method, path: e.path, operation: operation, difference: d))
        }
    }
}
