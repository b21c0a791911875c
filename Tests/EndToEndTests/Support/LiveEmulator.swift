import HTTPServer
import WorkloadAPI
import WorkloadEmulator

/// The application on a real HTTPServer, port 0, in-process.
final class LiveEmulator {
    let app: EmulatorApplication
    let server: HTTPServer
    let port: Int

    init(
        _ configure: (inout APIConfiguration) -> Void = { _ in },
        http: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) throws {
        var c = APIConfiguration.manual()
        configure(&c)
        app = try EmulatorApplication(configuration: c)
        var h = HTTPServerConfiguration()
        h.threads = 2
        http(&h)
        h.port = 0
        server = HTTPServer(configuration: h, handler: app.handler)
        port = try server.start()
    }

    deinit {
        server.shutdown(timeoutSeconds: 1)
        app.shutdown()
    }

    func client(sandbox: String? = nil, token: String? = "alice") throws -> TestClient {
        let c = try TestClient(port: port)
        c.sandbox = sandbox
        c.token = token
        return c
    }
}

extension TestClient {
    /// A workload on an inline draft artifact; returns its id.
    func createWorkload(_ name: String = "hello") throws -> String {
        let r = try send("POST", "/api/v2/workloads", ["name": .string(name), "artifact": ["name": "art"]])
        guard r.status == 201, let id = r.json["id"]?.stringValue else {
            throw Failure(description: "create: \(r.status) \(r.text)")
        }
        return id
    }

    @discardableResult
    func advance(_ seconds: Double) throws -> Response {
        try send("POST", "/__emulator/clock/advance", ["seconds": .double(seconds)])
    }

    func status(_ id: String) throws -> String? {
        try send("GET", "/api/v2/workloads/\(id)").json["status"]?.stringValue
    }
}
