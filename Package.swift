// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by design: everything here is the toolchain plus the
// system zlib. See DEVELOPERS.md.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "workload-emulator",
    products: [
        .executable(name: "workload-emulator", targets: ["workload-emulator"]),
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
        .target(name: "WorkloadEmulator", swiftSettings: strict),
        .target(name: "WorkloadAPI", dependencies: ["HTTPServer", "WorkloadEmulator"], swiftSettings: strict),
        .executableTarget(
            name: "workload-emulator",
            dependencies: ["HTTPServer", "WorkloadEmulator", "WorkloadAPI"],
            swiftSettings: strict
        ),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "CZlib"], swiftSettings: strict),
        .testTarget(name: "WorkloadEmulatorTests", dependencies: ["WorkloadEmulator"], swiftSettings: strict),
        .testTarget(name: "WorkloadAPITests", dependencies: ["WorkloadAPI", "HTTPServer", "WorkloadEmulator"], swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["WorkloadAPI", "HTTPServer", "WorkloadEmulator", "CZlib"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
