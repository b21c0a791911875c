import Dispatch
import HTTPServer
import Synchronization
import Testing

/// The server-wide budget for buffered request bodies, over real sockets.
@Suite("HTTP server body budget (live)")
struct BodyBudgetLiveTests {
    @Test func aLargeBodyPastTheBudgetGets503WithRetryAfterUntilTheBudgetRecovers() throws {
        // `/hold` keeps its request (and so its body's share of the budget) until released.
        let arrived = DispatchSemaphore(value: 0)
        let held = Mutex<[HTTPResponder]>([])
        let s = try TestServer.start({ $0.maxBufferedBodyBytes = 200_000 }) { request, responder in
            if request.path == "/hold" {
                held.withLock { $0.append(responder) }
                arrived.signal()
            } else {
                responder.respond(HTTPResponse(status: 200, body: Array("\(request.body.count)".utf8)))
            }
        }
        defer { s.stop() }
        let body = String(repeating: "b", count: 150_000)
        func post(_ path: String) -> String {
            "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        }

        let first = try s.client()
        try first.send(post("/hold"))
        #expect(arrived.wait(timeout: .now() + 5) == .success)

        // 150,000 + 150,000 is past the 200,000 budget.
        let second = try s.client()
        try second.send(post("/echo"))
        let refused = try second.readResponse()
        #expect(refused.status == 503)
        #expect(refused["Retry-After"] == "1")
        #expect(refused.text.contains("too many request bodies"))
        #expect(second.isClosedByServer())

        // Small bodies still pass meanwhile.
        let small = try s.client()
        try small.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(try small.readResponse().text == "5")

        // Once the first is answered its bytes are free again.
        for responder in held.withLock({ $0 }) { responder.respond(HTTPResponse(status: 204)) }
        #expect(try first.readResponse().status == 204)
        let retry = try s.client()
        try retry.send(post("/echo"))
        let accepted = try retry.readResponse()
        #expect(accepted.status == 200)
        #expect(accepted.text == "150000")
    }
}
