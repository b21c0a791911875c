import Dispatch
import Glibc
import HTTPServer
import Synchronization
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct LifecycleFileTests {
    func write(_ text: String) -> String {
        let path = "/tmp/workload-emulator-profile-\(UInt32.random(in: 0...UInt32.max)).json"
        let f = fopen(path, "w")!
        fputs(text, f)
        fclose(f)
        return path
    }

    @Test func aProfileFileSetsThePhaseDurations() {
        let path = write(#"{"submitted":0.1,"provisioning":0.1,"launching":0.1}"#)
        defer { unlink(path) }
        let t = TestApp { $0.lifecycle = path }
        let id = t.createWorkload()
        _ = t.advance(0.3)
        #expect(t.status(id) == "running")
        #expect(t.send("GET", "/__emulator/lifecycle", token: nil).json["stopping"] == 1.0)
    }

    @Test func aBadProfileIsAConfigurationErrorNamingTheFlag() {
        let path = write(#"{"submitted":"soon"}"#)
        defer { unlink(path) }
        for lifecycle in [path, "/nonexistent/profile.json", "fast"] {
            var c = APIConfiguration()
            c.lifecycle = lifecycle
            #expect {
                try EmulatorApplication(configuration: c)
            } throws: { error in
                "\(error)".hasPrefix("--lifecycle: ")
            }
        }
    }
}
