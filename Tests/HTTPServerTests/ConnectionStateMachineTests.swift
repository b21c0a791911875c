import Testing

@testable import HTTPServer

/// The connection logic without sockets: bytes, answers and the time in, actions out.
@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    /// A machine plus the bookkeeping every test needs.
    struct Harness {
        var machine: ConnectionStateMachine
        var ids = RequestIDGenerator(prefix: 0xABCD)
        var now = 1000.0

        static func make(
            headerTimeout: Double = 10, idleTimeout: Double = 75, maxQueued: Int = 16, maxBody: Int = 1024
        ) -> Harness {
            var limits = ParserLimits()
            limits.maxBodyBytes = maxBody
            let settings = ConnectionStateMachine.Settings(
                limits: limits, headerTimeoutSeconds: headerTimeout, idleTimeoutSeconds: idleTimeout,
                maxQueuedRequests: maxQueued)
            return Harness(
                machine: ConnectionStateMachine(settings: settings, remoteAddress: "10.0.0.1:5000", now: 1000))
        }

        mutating func receive(_ text: String) -> [ConnectionStateMachine.Action] {
            var actions: [ConnectionStateMachine.Action] = []
            machine.received(Array(text.utf8), now: now, ids: &ids, into: &actions)
            return actions
        }

        mutating func respond(
            _ sequence: UInt64, _ response: HTTPResponse = HTTPResponse(status: 200)
        ) -> [ConnectionStateMachine.Action] {
            var actions: [ConnectionStateMachine.Action] = []
            machine.responseReady(sequence: sequence, response, now: now, ids: &ids, into: &actions)
            return actions
        }

        mutating func tick(at time: Double) -> [ConnectionStateMachine.Action] {
            now = time
            var actions: [ConnectionStateMachine.Action] = []
            machine.tick(now: time, ids: &ids, into: &actions)
            return actions
        }
    }

    /// Actions in a form `#expect` can compare.
    enum Step: Equatable {
        case sendContinue
        case dispatch(String, UInt64)
        case write(status: Int, close: Bool)
        case close
        case drop
    }

    static func steps(_ actions: [ConnectionStateMachine.Action]) -> [Step] {
        actions.map {
            switch $0 {
            case .sendContinue: return .sendContinue
            case let .dispatch(request, sequence): return .dispatch("\(request.method) \(request.target)", sequence)
            case let .write(outgoing): return .write(status: outgoing.response.status, close: outgoing.closeAfter)
            case .close: return .close
            case .drop: return .drop
            }
        }
    }

    static let get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"

    @Test func aRequestIsDispatchedAndItsAnswerWritten() {
        var h = Harness.make()
        let actions = h.receive(Self.get)
        #expect(Self.steps(actions) == [.dispatch("GET /a", 0)])
        if case let .dispatch(request, _) = actions.first {
            #expect(request.remoteAddress == "10.0.0.1:5000")
            #expect(request.requestID == "000000000000abcd0000000000000001")
            #expect(request.path == "/a")
        }
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: false)])
        #expect(h.machine.isIdle)
        #expect(h.machine.wantsToRead)
    }

    @Test func pipelinedRequestsAreDispatchedOneAtATimeInOrder() {
        var h = Harness.make()
        #expect(Self.steps(h.receive(Self.get + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n")) == [.dispatch("GET /a", 0)])
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: false), .dispatch("GET /b", 1)])
        #expect(Self.steps(h.respond(1)) == [.write(status: 200, close: false)])
    }

    @Test func onlyTheFirstAnswerCountsAndStaleAnswersAreIgnored() {
        var h = Harness.make()
        _ = h.receive(Self.get)
        #expect(Self.steps(h.respond(0)).count == 1)
        #expect(h.respond(0).isEmpty)
        #expect(h.respond(7).isEmpty)
    }

    @Test func readingStopsWhileTheQueueIsFull() {
        var h = Harness.make(maxQueued: 2)
        _ = h.receive(String(repeating: Self.get, count: 3))  // one in flight, two queued
        #expect(!h.machine.wantsToRead)
        _ = h.respond(0)
        #expect(h.machine.wantsToRead)
    }

    @Test func readingStopsWhileOutputIsPending() {
        var h = Harness.make()
        h.machine.outputChanged(pending: true, now: h.now)
        #expect(!h.machine.wantsToRead)
        h.machine.outputChanged(pending: false, now: h.now)
        #expect(h.machine.wantsToRead)
    }

    @Test func continueIsSentAtOnceWhenTheRequestIsNext() {
        var h = Harness.make()
        let head = "PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
        #expect(Self.steps(h.receive(head)) == [.sendContinue])
        #expect(Self.steps(h.receive("abc")) == [.dispatch("PUT /e", 0)])
    }

    @Test func continueWaitsUntilTheRequestAheadIsAnswered() {
        var h = Harness.make()
        let head = "PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
        #expect(Self.steps(h.receive(Self.get + head)) == [.dispatch("GET /a", 0)])
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: false), .sendContinue])
    }

    @Test func continueIsNotSentWhenTheBodyCameAnyway() {
        var h = Harness.make()
        let request = "PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 6\r\n\r\nabc"
        #expect(Self.steps(h.receive(request)).isEmpty)
        #expect(Self.steps(h.receive("def")) == [.dispatch("PUT /e", 0)])
    }

    @Test func continueForATooLargeBodyIs413AndClose() {
        var h = Harness.make(maxBody: 10)
        let head = "PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n"
        #expect(Self.steps(h.receive(head)) == [.write(status: 413, close: true), .close])
        #expect(h.machine.isClosed)
    }

    @Test func parseErrorIsAnsweredAfterTheResponsesAheadOfIt() {
        var h = Harness.make()
        #expect(Self.steps(h.receive(Self.get + "NOT HTTP\r\n\r\n")) == [.dispatch("GET /a", 0)])
        #expect(!h.machine.wantsToRead)
        let actions = h.respond(0)
        #expect(Self.steps(actions) == [.write(status: 200, close: false), .write(status: 400, close: true), .close])
        if case let .write(error) = actions[1] {
            #expect(error.response.headers["Content-Type"] == "application/json")
            #expect(String(decoding: error.response.body, as: UTF8.self).hasPrefix("{\"detail\":\""))
        }
    }

    @Test func headerTimeoutCountsFromTheFirstByteOfTheHead() {
        var h = Harness.make(headerTimeout: 10)
        #expect(h.receive("GET / HT").isEmpty)
        h.now = 1005
        #expect(h.receive("TP/1.1\r\nHo").isEmpty)  // progress does not restart the clock
        #expect(h.tick(at: 1009.9).isEmpty)
        #expect(Self.steps(h.tick(at: 1010)) == [.write(status: 408, close: true), .close])
    }

    @Test func headerTimeoutDoesNotRunWhileTheServerIsBusyWithTheRequestAhead() {
        var h = Harness.make(headerTimeout: 10)
        _ = h.receive(Self.get + "GET /b HT")
        #expect(h.tick(at: 1011).isEmpty)  // the handler is slow; not the client's fault
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: false)])
        #expect(h.tick(at: 1020.9).isEmpty)  // full time again from the response
        #expect(Self.steps(h.tick(at: 1021)) == [.write(status: 408, close: true), .close])
    }

    @Test func idleConnectionClosesAfterTheIdleTimeout() {
        var h = Harness.make(idleTimeout: 75)
        _ = h.receive(Self.get)
        h.now = 1001
        _ = h.respond(0)
        #expect(h.tick(at: 1075.9).isEmpty)
        #expect(Self.steps(h.tick(at: 1076)) == [.close])
    }

    @Test func noTimeoutWhileTheHandlerTakesItsTime() {
        var h = Harness.make(headerTimeout: 1, idleTimeout: 2)
        _ = h.receive(Self.get)
        #expect(h.tick(at: 2000).isEmpty)
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: false)])
    }

    @Test func stalledBodyGets408AfterTheIdleTimeout() {
        var h = Harness.make(idleTimeout: 75)
        _ = h.receive("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
        #expect(h.tick(at: 1074).isEmpty)
        #expect(Self.steps(h.tick(at: 1075)) == [.write(status: 408, close: true), .close])
    }

    @Test func peerThatStopsReadingIsDroppedAfterTheIdleTimeout() {
        var h = Harness.make(idleTimeout: 75)
        h.machine.outputChanged(pending: true, now: 1000)
        #expect(h.tick(at: 1050).isEmpty)
        h.machine.outputChanged(pending: true, now: 1050)  // progress
        #expect(h.tick(at: 1124).isEmpty)
        #expect(Self.steps(h.tick(at: 1125)) == [.drop])
    }

    @Test func http10ClosesAfterItsResponseUnlessKeepAlive() {
        var h = Harness.make()
        _ = h.receive("GET / HTTP/1.0\r\n\r\n")
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: true), .close])

        var k = Harness.make()
        _ = k.receive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(Self.steps(k.respond(0)) == [.write(status: 200, close: false)])
    }

    @Test func nothingAfterAConnectionCloseRequestIsRead() {
        var h = Harness.make()
        let actions = h.receive("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + Self.get)
        #expect(Self.steps(actions) == [.dispatch("GET /a", 0)])
        #expect(!h.machine.wantsToRead)
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: true), .close])
    }

    @Test func responseFlagsDropAndClose() {
        var h = Harness.make()
        _ = h.receive(Self.get)
        #expect(Self.steps(h.respond(0, .drop)) == [.drop])
        #expect(h.machine.isClosed)

        var c = Harness.make()
        _ = c.receive(Self.get + Self.get)
        var closing = HTTPResponse(status: 503)
        closing.closeConnection = true
        #expect(Self.steps(c.respond(0, closing)) == [.write(status: 503, close: true), .close])
    }

    @Test func peerEOFStillGetsTheAnswersToCompleteRequests() {
        var h = Harness.make()
        _ = h.receive(Self.get + Self.get + "GET /partial")
        var actions: [ConnectionStateMachine.Action] = []
        h.machine.readClosed(into: &actions)
        #expect(actions.isEmpty)
        #expect(Self.steps(h.respond(0)) == [.write(status: 200, close: false), .dispatch("GET /a", 1)])
        #expect(Self.steps(h.respond(1)) == [.write(status: 200, close: true), .close])
    }

    @Test func shutdownClosesIdleConnectionsAndFinishesBusyOnes() {
        var idle = Harness.make()
        var actions: [ConnectionStateMachine.Action] = []
        idle.machine.beginShutdown(into: &actions)
        #expect(Self.steps(actions) == [.close])

        var busy = Harness.make()
        _ = busy.receive(Self.get)
        actions = []
        busy.machine.beginShutdown(into: &actions)
        #expect(actions.isEmpty)
        #expect(Self.steps(busy.respond(0)) == [.write(status: 200, close: true), .close])
    }

    @Test func requestContextCarriesWhatTheEncoderNeeds() {
        var h = Harness.make()
        _ = h.receive("HEAD /h HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nX-Request-Id: mine\r\n\r\n")
        let actions = h.respond(0)
        guard case let .write(outgoing) = actions.first else {
            Issue.record("no write")
            return
        }
        #expect(outgoing.request?.isHead == true)
        #expect(outgoing.request?.acceptsGzip == true)
        #expect(outgoing.requestID == "mine")
    }
}
