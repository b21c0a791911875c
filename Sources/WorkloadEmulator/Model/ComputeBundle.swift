import JSON

/// One entry of `GET /api/v2/mlops/compute/bundles/`: a size a container group can be
/// scheduled with. A runtime names bundles in `resourceBundles`; scheduling writes the
/// chosen one into the group's `resolvedBundle`.
public struct ComputeBundle: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    public var cpuCount: Double
    public var memoryBytes: Int64
    public var gpuCount: Int
    public var gpuMaker: String?
    public var gpuTypeLabel: String?
    /// Per GPU; nil for CPU bundles.
    public var gpuMemoryBytes: Int64?
    public var useCases: [String]

    public init(
        id: String, name: String, description: String = "", cpuCount: Double, memoryBytes: Int64,
        gpuCount: Int = 0, gpuMaker: String? = nil, gpuTypeLabel: String? = nil, gpuMemoryBytes: Int64? = nil,
        useCases: [String] = ["customApplication"]
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.cpuCount = cpuCount
        self.memoryBytes = memoryBytes
        self.gpuCount = gpuCount
        self.gpuMaker = gpuMaker
        self.gpuTypeLabel = gpuTypeLabel
        self.gpuMemoryBytes = gpuMemoryBytes
        self.useCases = useCases
    }

    /// Whether a container group asking for these resources fits (nil asks for nothing).
    public func fits(cpu: Double?, memoryBytes memory: Int64?, gpu: Int?) -> Bool {
        (cpu ?? 0) <= cpuCount && (memory ?? 0) <= memoryBytes && (gpu ?? 0) <= gpuCount
    }

    /// The `ResolvedBundle` schema: what the group's runtime shows once scheduled.
    public var resolved: JSONValue {
        [
            "id": .string(id), "cpuCount": cpuCount.rounded() == cpuCount ? .int(Int64(cpuCount)) : .double(cpuCount),
            "memoryBytes": .int(memoryBytes), "gpuCount": .int(Int64(gpuCount)), "gpuMaker": .optional(gpuMaker),
            "gpuTypeLabel": .optional(gpuTypeLabel),
        ]
    }

    private static let gib: Int64 = 1 << 30

    /// The built-in catalogue: the ids DataRobot's documentation and skills name, with
    /// sizes of the emulator's choosing.
    public static let builtIn: [ComputeBundle] = [
        ComputeBundle(id: "cpu.nano", name: "XXS", description: "1 CPU, 512 MiB", cpuCount: 1, memoryBytes: gib / 2),
        ComputeBundle(id: "cpu.small", name: "S", description: "1 CPU, 2 GiB", cpuCount: 1, memoryBytes: 2 * gib),
        ComputeBundle(id: "cpu.medium", name: "M", description: "2 CPU, 8 GiB", cpuCount: 2, memoryBytes: 8 * gib),
        ComputeBundle(id: "cpu.large", name: "L", description: "4 CPU, 16 GiB", cpuCount: 4, memoryBytes: 16 * gib),
        ComputeBundle(
            id: "gpu.l4.small", name: "GPU L4 S", description: "4 CPU, 16 GiB, 1 × NVIDIA L4 (24 GiB)", cpuCount: 4,
            memoryBytes: 16 * gib, gpuCount: 1, gpuMaker: "nvidia", gpuTypeLabel: "nvidia-l4",
            gpuMemoryBytes: 24 * gib),
        ComputeBundle(
            id: "gpu.a10g.medium", name: "GPU A10G M", description: "8 CPU, 32 GiB, 1 × NVIDIA A10G (24 GiB)",
            cpuCount: 8, memoryBytes: 32 * gib, gpuCount: 1, gpuMaker: "nvidia", gpuTypeLabel: "nvidia-a10g",
            gpuMemoryBytes: 24 * gib),
    ]
}
