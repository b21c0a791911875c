import Testing

#if canImport(Glibc)
import Glibc
#endif

/// README flags table: `--healthcheck` reaches a wildcard host through loopback, as the
/// Docker image's HEALTHCHECK does for `0.0.0.0:8080`.
@Suite struct HealthcheckWildcardTests {
    @Test func healthcheckOnTheWildcardHostGoesThroughLoopback() throws {
        let emulator = try EmulatorProcess(["--host", "0.0.0.0", "--port", "0"])
        let port = try emulator.waitUntilListening()
        #expect(emulator.stdout.text == "workload-emulator listening on http://0.0.0.0:\(port)\n")
        let check = try EmulatorProcess.run(["--healthcheck", "--host", "0.0.0.0", "--port", "\(port)"])
        #expect(check.status == 0, "\(check.stderr)")
        emulator.send(SIGTERM)
        #expect(emulator.waitForExit(timeout: 5) == 0)
    }
}
