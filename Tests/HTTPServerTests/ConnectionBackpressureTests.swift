import Testing

@testable import HTTPServer

/// Backpressure and the body budget as values: bytes, answers and output sizes in,
/// actions out, no sockets.
@Suite("ConnectionStateMachine: backpressure and body budget")
struct ConnectionBackpressureTests {
    typealias Step = ConnectionStateMachineTests.Step
    static let get = ConnectionStateMachineTests.get

    struct Harness {
        var machine: ConnectionStateMachine
        var ids = RequestIDGenerator(prefix: 0x1234)
        var now = 1000.0

        static func make(
            maxQueued: Int = 16, maxOutput: Int = 1 << 20, budget: BodyBudget? = nil, maxBody: Int = 1 << 20
        ) -> Harness {
            var limits = ParserLimits()
            limits.maxBodyBytes = maxBody
            let settings = ConnectionStateMachine.Settings(
                limits: limits, maxQueuedRequests: maxQueued, maxQueuedOutputBytes: maxOutput, bodyBudget: budget)
            return Harness(machine: ConnectionStateMachine(settings: settings, now: 1000))
        }

        mutating func receive(_ text: String) -> [Step] {
            var actions: [ConnectionStateMachine.Action] = []
            machine.received(Array(text.utf8), now: now, ids: &ids, into: &actions)
            return ConnectionStateMachineTests.steps(actions)
        }

        mutating func respond(_ sequence: UInt64, status: Int = 200) -> [ConnectionStateMachine.Action] {
            var actions: [ConnectionStateMachine.Action] = []
            machine.responseReady(sequence: sequence, HTTPResponse(status: status), now: now, ids: &ids, into: &actions)
            return actions
        }

        mutating func flushed(pendingBytes: Int) -> [Step] {
            var actions: [ConnectionStateMachine.Action] = []
            machine.outputChanged(pendingBytes: pendingBytes, progressed: true, now: now, ids: &ids, into: &actions)
            return ConnectionStateMachineTests.steps(actions)
        }
    }

    static func steps(_ actions: [ConnectionStateMachine.Action]) -> [Step] {
        ConnectionStateMachineTests.steps(actions)
    }

    @Test func aReadOfManyPipelinedRequestsIsParsedOnlyAsFarAsTheQueueHasRoom() {
        var h = Harness.make(maxQueued: 4)
        let burst = String(repeating: Self.get, count: 40)
        #expect(h.receive(burst) == [.dispatch("GET /a", 0)])
        // One in flight, four queued; the other 35 requests wait as bytes, unparsed.
        #expect(h.machine.unparsedCount == 35 * Self.get.utf8.count)
        #expect(!h.machine.wantsToRead)
        // Answering them one by one brings every request, in order, and nothing else.
        var dispatched: [UInt64] = [0]
        for sequence in 0..<40 as Range<UInt64> {
            let steps = Self.steps(h.respond(sequence))
            #expect(steps.first == .write(status: 200, close: false))
            for case let .dispatch(_, next) in steps { dispatched.append(next) }
        }
        #expect(dispatched == Array(0..<40))
        #expect(h.machine.unparsedCount == 0)
        #expect(h.machine.isIdle)
        #expect(h.machine.wantsToRead)
    }

    @Test func noRequestIsDispatchedWhileTheOutputIsOverItsBound() {
        var h = Harness.make(maxOutput: 1000)
        #expect(h.receive(String(repeating: Self.get, count: 3)) == [.dispatch("GET /a", 0)])
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: false), .dispatch("GET /a", 1)])
        // The loop encoded a big answer the client has not read.
        h.machine.outputQueued(pendingBytes: 5000)
        #expect(Self.steps(h.respond(1)) == [.write(status: 200, close: false)])
        #expect(!h.machine.wantsToRead)
        // Some of it went out, not enough: still held.
        #expect(h.flushed(pendingBytes: 2000) == [])
        // At the bound the held request goes on.
        #expect(h.flushed(pendingBytes: 1000) == [.dispatch("GET /a", 2)])
    }

    @Test func bytesReadWhileTheOutputIsOverItsBoundWaitUnparsed() {
        var h = Harness.make(maxOutput: 1000)
        #expect(h.receive(Self.get) == [.dispatch("GET /a", 0)])
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: false)])
        h.machine.outputQueued(pendingBytes: 4000)
        #expect(h.receive(Self.get + "NOT HTTP\r\n\r\n") == [])
        #expect(h.machine.unparsedCount > 0)
        // Parsed once the client reads: the good request first, then the error.
        #expect(h.flushed(pendingBytes: 0) == [.dispatch("GET /a", 1)])
        #expect(
            Self.steps(h.respond(1)) == [.write(status: 200, close: false), .write(status: 400, close: true), .close])
    }

    static func post(_ length: Int) -> String {
        "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n"
    }

    @Test func aLargeBodyPastTheBudgetGets503WithRetryAfterAndTheBudgetRecovers() {
        let budget = BodyBudget(limitBytes: 100_000, exemptBytes: 1000)
        var first = Harness.make(budget: budget)
        var second = Harness.make(budget: budget)
        // The first body's head charges all 60,000 bytes at once.
        #expect(first.receive(Self.post(60_000)) == [])
        #expect(budget.usedBytes == 60_000)

        var actions: [ConnectionStateMachine.Action] = []
        second.machine.received(Array(Self.post(60_000).utf8), now: 1000, ids: &second.ids, into: &actions)
        #expect(Self.steps(actions) == [.write(status: 503, close: true), .close])
        if case let .write(outgoing) = actions.first {
            #expect(outgoing.response.headers["Retry-After"] == "1")
        }
        #expect(budget.usedBytes == 60_000)

        // Small bodies are never refused.
        var small = Harness.make(budget: budget)
        #expect(small.receive(Self.post(500) + String(repeating: "x", count: 500)) == [.dispatch("POST /b", 0)])
        _ = small.respond(0)

        // Answering the first request gives its bytes back.
        #expect(first.receive(String(repeating: "x", count: 60_000)) == [.dispatch("POST /b", 0)])
        _ = first.respond(0)
        #expect(budget.usedBytes == 0)
        var third = Harness.make(budget: budget)
        #expect(third.receive(Self.post(60_000)) == [])
        #expect(budget.usedBytes == 60_000)
        // A connection that goes away mid-body gives its bytes back too.
        third.machine.releaseBudget()
        #expect(budget.usedBytes == 0)
    }

    @Test func aChunkedBodyIsChargedAsItGrows() {
        let budget = BodyBudget(limitBytes: 10_000, exemptBytes: 1000)
        var h = Harness.make(budget: budget)
        let head = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(h.receive(head + "1F40\r\n" + String(repeating: "y", count: 8000) + "\r\n") == [])
        #expect(budget.usedBytes == 8000)
        var actions: [ConnectionStateMachine.Action] = []
        let more = "1388\r\n" + String(repeating: "y", count: 5000) + "\r\n"
        h.machine.received(Array(more.utf8), now: 1000, ids: &h.ids, into: &actions)
        #expect(Self.steps(actions) == [.write(status: 503, close: true), .close])
        #expect(budget.usedBytes == 0)
    }
}
