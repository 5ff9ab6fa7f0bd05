import Foundation
import Testing
@testable import ChipModelCLI

/// Golden outputs: a fixed set of CLI invocations (tables and JSON) whose stdout, stderr and
/// exit code are stored under `Tests/ChipModelCLITests/Golden/`. A change that moves any
/// printed number fails here; a deliberate change regenerates the files with
/// `CHIPMODEL_UPDATE_GOLDEN=1 swift test --filter GoldenOutputTests` and the diff is reviewed
/// in the commit. Search timings (wall clock) are the only text scrubbed before comparing.
@Suite struct GoldenOutputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    /// (file name, arguments). Paths are relative to the repository root.
    static let invocations: [(String, [String])] = [
        ("help", ["help"]),
        ("chips", ["chips"]),
        ("chips-json", ["chips", "--format", "json"]),
        ("chips-show-br166", ["chips", "show", "br166"]),
        ("chips-compare", ["chips", "compare", "br166", "a100-sxm4-80gb", "h100-sxm5-80gb"]),
        ("roofline-a100", ["roofline", "a100-sxm4-80gb"]),
        ("roofline-br166-op-json", ["roofline", "br166", "--op", "gemm:16384,256,16384@n",
                                    "--op", "attention:8,64,8,4096,4096,128,causal", "--format", "json"]),
        ("estimate", ["estimate"]),
        ("estimate-json", ["estimate", "--format", "json"]),
        ("estimate-h100-fixed-json", ["estimate", "--chip", "h100-sxm5-80gb", "--tp", "8", "--pp", "8",
                                      "--recompute", "selective", "--format", "json"]),
        ("estimate-scaling", ["estimate", "--chip", "br166", "--chips", "256", "--model", "gpt3-175b", "--seq", "2048",
                              "--batch", "1536", "--scaling"]),
        ("estimate-inference", ["estimate", "--inference"]),
        ("estimate-inference-json", ["estimate", "--inference", "--format", "json"]),
        ("estimate-inference-br20x-server", ["estimate", "--inference", "--chip", "br20x", "--scenario", "server",
                                             "--ttft-ms", "2000", "--tpot-ms", "100"]),
        ("validate-json", ["validate", "--cases", "Benchmarks/calibration-cases.json", "--format", "json"]),
        ("validate-explain", ["validate", "--cases", "Benchmarks/calibration-cases.json", "--explain", "TRN-KOR22-04"]),
        ("whatif-d2d", ["whatif", "--from", "br166", "--inference", "--vary", "d2d.bandwidthGBps=14..3584*4"]),
        ("whatif-chips-json", ["whatif", "--from", "br20x", "--set", "fp8DenseTflops=6000", "--precision", "fp8",
                               "--vary", "chips=256..1024*2", "--format", "json"]),
        ("whatif-chiplets", ["whatif", "--chiplets", "1,2,4,8", "--die-area", "800", "--node", "7nm"]),
        ("roadmap-biren", ["roadmap", "biren"]),
    ]

    /// Replaces wall-clock figures (the only nondeterministic text) with a placeholder.
    static func scrub(_ s: String) -> String {
        var out = s
        let patterns = [
            #"searched in [0-9.]+ (ms|s)"#,
            #"candidates in [0-9.]+ (ms|s)"#,
            #"evaluated in [0-9.]+ (ms|s)"#,
            #""searchSeconds" *: *[-0-9.e+]+"#,
        ]
        for p in patterns {
            out = out.replacingOccurrences(of: p, with: "<timing>", options: .regularExpression)
        }
        return out
    }

    static func render(_ args: [String]) -> String {
        let ctx = CommandContext(currentDirectory: root.path)
        let code = ChipModelCLI.run(args, context: ctx)
        return scrub("exit: \(code)\n--- stdout\n\(ctx.stdout)\n--- stderr\n\(ctx.stderr)")
    }

    @Test(arguments: invocations.map(\.0))
    func outputMatchesGolden(name: String) throws {
        let args = Self.invocations.first { $0.0 == name }!.1
        let actual = Self.render(args)
        let file = Self.goldenDirectory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["CHIPMODEL_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }
            let line = first.map { "line \($0.offset + 1): expected '\($0.element.1)', got '\($0.element.0)'" }
                ?? "lengths differ: expected \(e.count) lines, got \(a.count)"
            Issue.record("chipmodel \(args.joined(separator: " ")) differs from Golden/\(name).txt at \(line)")
        }
    }
}
