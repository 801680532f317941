// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "attnsim",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "AttnSim", targets: ["AttnSim"]),
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
        .executableTarget(
            name: "attnsim",
            dependencies: [
                "AttnSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "AttnSimTests",
            dependencies: ["AttnSim", "attnsim"]
        ),
    ]
)
