import JSON
import Dispatch
import HTTPServer
import Synchronization
import Testing
import WorkloadAPI
import WorkloadEmulator

/// The application without sockets: requests in, captured responses out.
struct TestApp {
    let app: EmulatorApplication

    init(_ configure: (inout APIConfiguration) -> Void = { _ in }) {
        var c = APIConfiguration.manual()
        configure(&c)
        app = try! EmulatorApplication(configuration: c)
    }

    @discardableResult
    func send(
        _ method: String, _ target: String, _ body: JSONValue? = nil, raw: String? = nil, token: String? = "alice",
        headers: [(String, String)] = []
    ) -> TestResponse {
        var h = HTTPHeaders([("Host", "emulator.test")] + headers)
        if let token { h.add("Authorization", "Bearer \(token)") }
        let bytes = raw.map { Array($0.utf8) } ?? body.map { JSONSerializer.serialize($0) } ?? []
        if !bytes.isEmpty { h.add("Content-Type", "application/json") }
        let request = HTTPRequest(method: method, target: target, headers: h, body: bytes)
        let box = Mutex<HTTPResponse?>(nil)
        // Invoke forwarding and delays answer later from another thread.
        let answered = DispatchSemaphore(value: 0)
        app.handler(
            request,
            HTTPResponder { r in
                box.withLock { $0 = r }
                answered.signal()
            })
        _ = answered.wait(timeout: .now() + 30)
        let response = box.withLock { $0 }!
        return TestResponse(status: response.status, headers: response.headers, body: response.body)
    }

    /// Creates a workload on an inline draft artifact and returns its id.
    func createWorkload(_ name: String = "hello", token: String = "alice", sandbox: String? = nil) -> String {
        let r = send(
            "POST", "/api/v2/workloads",
            ["name": .string(name), "artifact": ["name": "art", "spec": ["containerGroups": []]]],
            token: token, headers: sandbox.map { [("X-Emulator-Sandbox", $0)] } ?? [])
        #expect(r.status == 201, "\(r.text)")
        return r.json["id"]?.stringValue ?? ""
    }

    func advance(_ seconds: Double, sandbox: String? = nil) -> TestResponse {
        send(
            "POST", "/__emulator/clock/advance", ["seconds": .double(seconds)], token: nil,
            headers: sandbox.map { [("X-Emulator-Sandbox", $0)] } ?? [])
    }

    func status(_ id: String) -> String? { send("GET", "/api/v2/workloads/\(id)").json["status"]?.stringValue }

    func count(_ path: String = "/api/v2/workloads") -> Int64? { send("GET", path).json["totalCount"]?.intValue }
}

struct TestResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    var contentType: String? { headers["Content-Type"] }
    /// The `detail` list of a 422, as (loc joined by ".", type).
    var issues: [String] {
        (json["detail"]?.arrayValue ?? []).map { issue in
            let loc = (issue["loc"]?.arrayValue ?? []).map { v -> String in
                if let s = v.stringValue { return s }
                return String(v.intValue ?? -1)
            }
            return loc.joined(separator: ".") + ":" + (issue["type"]?.stringValue ?? "")
        }
    }
}
