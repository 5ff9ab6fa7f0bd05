// swift-tools-version:6.0
import PackageDescription

// chipmodel: typed models of AI accelerator chips and estimates of what they deliver.
// Toolchain only: no package dependencies.
//
// Targets (arrows point at what a target imports)
// - ChipModelKit: the domain library (chips, workloads, roofline, estimators, validation,
//   presentation). No file or terminal I/O; other packages can depend on it. Its folders are
//   floors that import only downward (Sources/ChipModelKit/README.md).
// - ChipModelCLI -> ChipModelKit: argument parsing, the user commands and their I/O; the tests
//   call it in-process.
// - chipmodel -> ChipModelCLI: the thin executable (`main.swift`).
// Tools (not products):
// - ChipModelBenchmarks -> ChipModelCLI, ChipModelKit: the release benchmark's cases (Benchmarks/);
//   chipmodel-bench runs them (`swift run -c release chipmodel-bench`).
// - ChipModelFuzz -> ChipModelCLI, ChipModelKit: the seeded mutation fuzzer and its targets;
//   chipmodel-fuzz runs long fuzz campaigns (`swift run -c release chipmodel-fuzz`).
// - ChipModelTestSupport -> ChipModelKit: property-check helpers shared by the test targets.
let package = Package(
    name: "chipmodel",
    products: [
        .library(name: "ChipModelKit", targets: ["ChipModelKit"]),
        .executable(name: "chipmodel", targets: ["chipmodel"]),
    ],
    targets: [
        .target(name: "ChipModelKit", exclude: ["README.md"]),
        .target(name: "ChipModelCLI", dependencies: ["ChipModelKit"]),
        .executableTarget(name: "chipmodel", dependencies: ["ChipModelCLI"]),

        .target(name: "ChipModelBenchmarks", dependencies: ["ChipModelCLI", "ChipModelKit"], path: "Benchmarks/ChipModelBenchmarks"),
        .executableTarget(name: "chipmodel-bench", dependencies: ["ChipModelBenchmarks", "ChipModelKit"],
                          path: "Benchmarks/chipmodel-bench"),
        .target(name: "ChipModelFuzz", dependencies: ["ChipModelCLI", "ChipModelKit"]),
        .executableTarget(name: "chipmodel-fuzz", dependencies: ["ChipModelFuzz", "ChipModelCLI"]),
        .target(name: "ChipModelTestSupport", dependencies: ["ChipModelKit"], path: "Tests/ChipModelTestSupport"),

        .testTarget(name: "ChipModelKitTests", dependencies: ["ChipModelKit", "ChipModelTestSupport", "ChipModelFuzz"]),
        .testTarget(name: "ChipModelCLITests",
                    dependencies: ["ChipModelCLI", "ChipModelKit", "ChipModelTestSupport", "ChipModelFuzz",
                                   "ChipModelBenchmarks"],
                    exclude: ["Golden"]),
    ]
)
