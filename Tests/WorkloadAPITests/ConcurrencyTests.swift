import Dispatch
import Synchronization
import Testing
import WorkloadAPI
import WorkloadEmulator

@Suite struct ConcurrencyTests {
    /// Eight threads create, start, stop, delete and advance the clock in one sandbox;
    /// afterwards every workload's events form one unbroken chain ending in its status.
    @Test func parallelClientsLeaveAConsistentWorld() {
        let t = TestApp()
        let deleted = Mutex<Set<String>>([])
        let created = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var r = SplitMix64(seed: UInt64(worker))
            var mine: [String] = []
            for i in 0..<60 {
                switch r.next() % 6 {
                case 0, 1:
                    let id = t.createWorkload("w\(worker)-\(i)")
                    mine.append(id)
                    created.withLock { $0.append(id) }
                case 2: if let id = mine.randomElement(using: &r) { t.send("POST", "/api/v2/workloads/\(id)/stop") }
                case 3: if let id = mine.randomElement(using: &r) { t.send("POST", "/api/v2/workloads/\(id)/start") }
                case 4:
                    if let id = mine.popLast(), t.send("DELETE", "/api/v2/workloads/\(id)").status == 204 {
                        deleted.withLock { _ = $0.insert(id) }
                    }
                default: _ = t.advance(Double(r.next() % 1500) / 1000)
                }
            }
        }
        let all = created.withLock { $0 }
        let gone = deleted.withLock { $0 }
        #expect(t.count() == Int64(all.count - gone.count))
        for id in all where !gone.contains(id) {
            let w = t.send("GET", "/api/v2/workloads/\(id)").json
            let events = t.send("GET", "/api/v2/workloads/\(id)/events?limit=1000").json["data"]!.arrayValue!
            #expect(events.first?["eventType"] == "created")
            var status = "submitted"
            var last = ""
            for e in events {
                let at = e["timestamp"]!.stringValue!
                #expect(at >= last)  // oldest first
                last = at
                if e["eventType"] == "statusChanged" {
                    #expect(e["details"]?["from"]?.stringValue == status)
                    status = e["details"]!["to"]!.stringValue!
                }
            }
            #expect(w["status"]?.stringValue == status)
        }
    }
}
