// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by design: everything here is the toolchain plus the
// system zlib. docs/ARCHITECTURE.md describes the modules.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "workload-emulator",
    products: [
        .executable(name: "workload-emulator", targets: ["workload-emulator"])
    ],
    targets: [
        // Glibc's Swift module hides epoll, eventfd and accept4.
        .target(name: "CSystem"),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "HTTPServer", dependencies: ["CSystem", "CZlib"], swiftSettings: strict),
        // The JSON value, parser and writer that the domain, the API and persistence share.
        .target(name: "JSON", swiftSettings: strict),
        .target(name: "WorkloadEmulator", dependencies: ["JSON"], swiftSettings: strict),
        // The state file and fixtures: storage of the domain, no HTTP.
        .target(name: "Persistence", dependencies: ["JSON", "WorkloadEmulator", "CZlib"], swiftSettings: strict),
        // The real API's contract (contract/): the response checker of the conformance test, and the
        // deliberate differences the served OpenAPI document declares.
        .target(name: "ContractCheck", dependencies: ["JSON"], swiftSettings: strict),
        .target(
            name: "WorkloadAPI",
            dependencies: ["HTTPServer", "JSON", "Persistence", "WorkloadEmulator", "ContractCheck"],
            swiftSettings: strict),
        // `record`'s https upstream: the system's libcurl, loaded with dlopen only when asked for.
        .target(name: "CUpstreamTLS"),
        // `record` and `replay`: the drift check between a real tenant and the emulator.
        .target(
            name: "DriftCheck", dependencies: ["HTTPServer", "JSON", "ContractCheck", "WorkloadAPI", "CUpstreamTLS"],
            swiftSettings: strict),
        .executableTarget(
            name: "workload-emulator",
            dependencies: ["HTTPServer", "JSON", "Persistence", "WorkloadEmulator", "WorkloadAPI", "DriftCheck"],
            swiftSettings: strict
        ),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "CZlib"], swiftSettings: strict),
        .testTarget(name: "WorkloadEmulatorTests", dependencies: ["JSON", "WorkloadEmulator"], swiftSettings: strict),
        .testTarget(name: "DriftCheckTests", dependencies: ["DriftCheck", "JSON"], swiftSettings: strict),
        .testTarget(name: "ContractCheckTests", dependencies: ["ContractCheck", "JSON"], swiftSettings: strict),
        .testTarget(
            name: "WorkloadAPITests",
            dependencies: ["WorkloadAPI", "HTTPServer", "JSON", "WorkloadEmulator", "ContractCheck"],
            swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "WorkloadAPI", "HTTPServer", "JSON", "WorkloadEmulator", "CZlib", "workload-emulator", "ContractCheck", "DriftCheck",
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
