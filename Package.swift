// swift-tools-version:6.0
import PackageDescription

// chipmodel: typed models of AI accelerator chips and estimates of what they deliver.
// Toolchain only: no package dependencies.
//
// Targets
// - ChipModelKit: the domain library (chips, workloads, roofline, estimators). No file or
//   terminal I/O; other packages can depend on it.
// - ChipModelCLI: argument parsing, commands and output formats over ChipModelKit; the tests
//   call it in-process.
// - chipmodel: the thin executable (`main.swift` calls ChipModelCLI).
// - chipmodel-bench: the release benchmark (Benchmarks/chipmodel-bench).
let package = Package(
    name: "chipmodel",
    products: [
        .library(name: "ChipModelKit", targets: ["ChipModelKit"]),
        .executable(name: "chipmodel", targets: ["chipmodel"]),
        .executable(name: "chipmodel-bench", targets: ["chipmodel-bench"]),
    ],
    targets: [
        .target(name: "ChipModelKit"),
        .target(name: "ChipModelCLI", dependencies: ["ChipModelKit"]),
        .executableTarget(name: "chipmodel", dependencies: ["ChipModelCLI"]),
        .executableTarget(
            name: "chipmodel-bench",
            dependencies: ["ChipModelKit", "ChipModelCLI"],
            path: "Benchmarks/chipmodel-bench"),
        .testTarget(name: "ChipModelKitTests", dependencies: ["ChipModelKit"]),
        .testTarget(name: "ChipModelCLITests", dependencies: ["ChipModelCLI", "ChipModelKit"]),
    ]
)
