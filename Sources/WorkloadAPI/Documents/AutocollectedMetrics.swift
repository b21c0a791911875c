import JSON
import WorkloadEmulator

/// `GET /otel/workload/{id}/metrics/autocollectedValues/`: values the platform would
/// collect without instrumentation, derived from the workload's recorded invokes in the
/// window (all of them without one). Entries are `{otelName, displayName, currentValue,
/// unit, level}`, the fields the clients read; units are those they convert
/// (`bytes`, `nanocores`, `percentage`).
enum AutocollectedMetrics {
    static func document(
        _ w: Workload, _ records: [InvocationRecord], from: Int64?, to: Int64?, now: Int64
    ) -> JSONValue {
        let start = from ?? records.first?.at ?? now
        let end = to ?? now
        let windowMs = Double(max(60_000, end - start))
        let count = records.count
        let errors = records.filter { $0.status >= 500 }.count
        var busyMs = 0.0
        var peak = 0
        for r in records {
            if r.latencyMs.isFinite { busyMs += max(0, r.latencyMs) }
            peak = max(peak, r.concurrency)
        }
        let bundle = (w.runtime["containerGroups"]?.arrayValue ?? []).first?["resolvedBundle"]
        // A group that names no bundle keeps whatever `resolvedBundle` its client sent: bounded here.
        let cpuCores = min(1024, max(0, bundle?["cpuCount"]?.numberValue ?? 1))
        let memoryBytes = min(1e15, max(0, bundle?["memoryBytes"]?.numberValue ?? 2_147_483_648))
        let running = w.status == .running
        // Idle container: 1% of a core and 64 MiB; each request adds its busy time and 4 KiB.
        let cores = running ? min(cpuCores, 0.01 + busyMs / windowMs) : 0
        let memory = running ? min(memoryBytes, 67_108_864 + 4096 * Double(count)) : 0
        func entry(_ name: String, _ display: String, _ value: JSONValue, _ unit: String, _ level: String) -> JSONValue
        {
            [
                "otelName": .string(name), "displayName": .string(display), "currentValue": value,
                "unit": .string(unit), "level": .string(level),
            ]
        }
        func number(_ x: Double) -> JSONValue { .double((x * 1000).rounded() / 1000) }
        let data: [JSONValue] = [
            entry("http.server.request.count", "Requests", .int(Int64(count)), "count", "workload"),
            entry(
                "http.server.request.rate", "Requests per minute", number(Double(count) / (windowMs / 60_000)),
                "requestsPerMinute", "workload"),
            entry(
                "http.server.request.duration", "Mean response time",
                count == 0 ? .null : number(busyMs / Double(count)), "milliseconds", "workload"),
            entry(
                "http.server.error_rate", "Server error rate",
                count == 0 ? .null : number(100 * Double(errors) / Double(count)), "percentage", "workload"),
            entry(
                "http.server.active_requests.peak", "Peak concurrent requests", .int(Int64(peak)), "count", "workload"),
            entry("container.cpu.usage", "CPU usage", .int(Int64((cores * 1e9).rounded())), "nanocores", "container"),
            entry("container.memory.working_set", "Memory working set", .int(Int64(memory)), "bytes", "container"),
        ]
        return [
            "count": .int(Int64(data.count)), "totalCount": .int(Int64(data.count)), "next": .null, "previous": .null,
            "startTime": .string(Timestamp.format(start)), "endTime": .string(Timestamp.format(end)),
            "data": .array(data),
        ]
    }
}
