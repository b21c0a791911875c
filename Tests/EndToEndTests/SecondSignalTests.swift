import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// README "Process": a second SIGINT/SIGTERM during the graceful stop exits 1 at once,
/// without waiting for requests in flight.
@Suite struct SecondSignalTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func secondSignalDuringShutdownExitsOneAtOnce(signal: Int32) throws {
        let emulator = try EmulatorProcess(["--port", "0"])
        let port = try emulator.waitUntilListening()
        // A request held in the handler for 10 s keeps the graceful stop busy; the stop
        // gives up after 4 s and exits 0, so exit 1 can only come from the second signal.
        let rule = #"{"match":{"method":"GET","path":"/api/v2/version*"},"action":"delay","delayMs":10000}"#
        let created = try LoopbackHTTP.request(port: port, method: "POST", path: "/__emulator/faults", body: rule)
        try #require(created.status == 201, "\(created.body)")
        let inFlight = LoopbackHTTP.Pending(port: port, method: "GET", path: "/api/v2/version/")
        let deadline = Date().addingTimeInterval(10)
        var arrived = false
        while !arrived, Date() < deadline {
            arrived = try LoopbackHTTP.get(port: port, path: "/__emulator/events").body.contains("faultInjected")
        }
        try #require(arrived, "the delayed request never reached the handler")

        emulator.send(signal)
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        let stopping = emulator.stderr.wait(timeout: 10) { $0.contains("received \(name)") }
        try #require(stopping != nil, "the first signal was not handled: \(emulator.stderr.text)")
        emulator.send(signal)

        #expect(emulator.waitForExit(timeout: 10) == 1)
        let log = emulator.stderr.waitForEnd(timeout: 5)
        #expect(log.contains("second signal: exiting without waiting for requests in flight"), "\(log)")
        // The held request was cut, not answered.
        let answer = try? inFlight.result(timeout: 15)
        #expect(answer?.status != 200, "answered after all: \(String(describing: answer))")
    }
}
