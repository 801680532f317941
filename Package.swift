// swift-tools-version: 6.1
import PackageDescription

// The CPU kernels are built for AVX2 + FMA on x86-64 (every x86 server CPU since 2013), so their SIMD vectors
// become 256-bit FMAs instead of the SSE2 baseline.
#if arch(x86_64)
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let kernelFlags: [SwiftSetting] = []
#endif

let package = Package(
    name: "attnsim",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "AttnSim", targets: ["AttnSim"]),
        .library(name: "AttnSimKernels", targets: ["AttnSimKernels"]),
        .executable(name: "attnsim", targets: ["attnsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "AttnSim",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // The fuzzing harness's logic, shared by the libFuzzer target and the regression tests.
        .target(
            name: "AttnSimFuzzing",
            dependencies: ["AttnSim", "AttnSimCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(
            name: "AttnSimKernels",
            dependencies: ["AttnSim"],
            swiftSettings: kernelFlags
        ),
        // Every subcommand; a library so the fuzzer can run argument vectors in process.
        .target(
            name: "AttnSimCLI",
            dependencies: [
                "AttnSim",
                "AttnSimKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "attnsim",
            dependencies: ["AttnSimCLI"]
        ),
        .testTarget(
            name: "AttnSimTests",
            dependencies: ["AttnSim", "AttnSimKernels", "AttnSimFuzzing", "AttnSimCLI", "attnsim"]
        ),
    ]
)

// The libFuzzer target (fuzz/README.md) needs `-sanitize=fuzzer`, so plain builds and tests leave it out.
if Context.environment["ATTNSIM_FUZZ"] != nil { package.targets.append(.executableTarget(name: "AttnSimFuzz", dependencies: ["AttnSim", "AttnSimCLI", "AttnSimFuzzing"], linkerSettings: [.unsafeFlags(["-use-ld=lld"])])) }
