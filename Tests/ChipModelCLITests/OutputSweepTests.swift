import Foundation
import Testing
@testable import ChipModelCLI
import ChipModelFuzz
@testable import ChipModelKit

/// No estimate, table, JSON, CSV or SVG ever shows NaN or infinity (issue 9): every command's
/// default and representative invocations, in every output format, over every catalog chip
/// where the command takes one; stdout and written files are scanned for non-finite words.
@Suite struct OutputSweepTests {
    static let catalog = try? ChipCatalog.builtIn()
    static let chipIDs = catalog?.ids ?? []
    static let vendors = Array(Set((catalog?.chips ?? []).map { $0.vendor })).sorted()

    /// The repository's calibration cases, as an in-memory file for `validate`.
    static let casesFile: [UInt8] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return FileManager.default.contents(atPath: root.appendingPathComponent("Benchmarks/calibration-cases.json").path).map { [UInt8]($0) } ?? []
    }()

    /// Runs `args`; returns problems: a non-finite word in stdout or a written file, JSON that
    /// does not parse, an exit code other than 0 (or `allowed`).
    static func scan(_ args: [String], allowed: Set<Int32> = [0]) -> [String] {
        let files = ["/sweep/cases.json": casesFile]
        let context = CommandContext(environment: [:], currentDirectory: "/sweep", memoryFiles: files)
        let code = ChipModelCLI.run(args, context: context)
        var problems: [String] = []
        let label = FuzzFormat.argv(args)
        if !allowed.contains(code) { problems.append("\(label): exit \(code): \(context.stderr.prefix(300))") }
        // Words the user typed (a case id "INF-...") are echoes, not numbers.
        let typed = CLIFuzzTargets.taint(args, files)
        if let bad = CLIFuzzTargets.nonFiniteWord(in: context.stdout, excusedBy: typed) { problems.append("\(label): stdout shows '\(bad)'") }
        if args.contains("json"), code == 0, (try? JSONValue.parse(context.stdout)) == nil { problems.append("\(label): JSON does not parse") }
        var wrote = false
        for (path, bytes) in context.memoryFiles ?? [:] where files[path] == nil {
            wrote = true
            if let bad = CLIFuzzTargets.nonFiniteWord(in: String(decoding: bytes, as: UTF8.self), excusedBy: typed) {
                problems.append("\(label): \(path) shows '\(bad)'")
            }
        }
        if args.contains("--svg"), code == 0, !wrote { problems.append("\(label): no SVG written") }
        return problems
    }

    @Test func sweepHasTheCatalog() {
        // The sweeps below run over the catalog; a catalog that fails to load must fail here,
        // not make them pass over zero chips.
        #expect(Self.catalog != nil)
        #expect(Self.chipIDs.count >= 41 && Self.vendors.count >= 10)
        #expect(!Self.casesFile.isEmpty)
    }

    static func check(_ invocations: [[String]], allowed: Set<Int32> = [0]) {
        #expect(!invocations.isEmpty)
        var problems: [String] = []
        for args in invocations { problems += scan(args, allowed: allowed) }
        #expect(problems.isEmpty, Comment(rawValue: problems.prefix(20).joined(separator: "\n")))
    }

    static let formats = [[], ["--format", "json"], ["--format", "csv"]]

    @Test func checksCatchNonFiniteOutput() {
        #expect(CLIFuzzTargets.nonFiniteWord(in: "step 1.2 s, MFU nan") == "nan")
        #expect(CLIFuzzTargets.nonFiniteWord(in: "<text>inf</text>") == "inf")
        #expect(CLIFuzzTargets.nonFiniteWord(in: "AMD Infinity Fabric, InfiniBand, inference") == nil)
        #expect(CLIFuzzTargets.nonFiniteWord(in: "Infinity GB/s via Infinity Fabric") == "Infinity")
    }

    @Test func chipsOutputsAreFinite() {
        var runs: [[String]] = Self.formats.map { ["chips"] + $0 }
        for id in Self.chipIDs { for f in Self.formats { runs.append(["chips", "show", id] + f) } }
        for start in stride(from: 0, to: Self.chipIDs.count, by: 12) {
            let ids = Array(Self.chipIDs[start..<min(start + 12, Self.chipIDs.count)])
            for f in Self.formats { runs.append(["chips", "compare"] + ids + f) }
        }
        Self.check(runs)
    }

    @Test func rooflineOutputsAreFinite() {
        var runs: [[String]] = []
        let ops = ["--op", "gemm:4096,4096,4096", "--op", "gemv:8192,8192", "--op", "attention:8,64,8,4096,4096,128,causal",
                   "--op", "elementwise:1e9", "--op", "layernorm:4096,8192", "--op", "conv2d:32,64,64,56,56,3", "--op", "gemm:1,1,1"]
        for id in Self.chipIDs {
            for f in Self.formats { runs.append(["roofline", id] + f) }
            runs.append(["roofline", id, "--emulate", "--precision", "fp8", "--format", "json"] + ops)
            runs.append(["roofline", id, "--emulate", "--precision", "bf16", "--svg", "r.svg"] + ops)
        }
        Self.check(runs)
    }

    @Test func trainingEstimateOutputsAreFinite() {
        // Small clusters (debug-build plan searches); every chip, a plan that fits and one that
        // does not (a reason with memory needed vs available, never a NaN).
        var runs: [[String]] = []
        for id in Self.chipIDs {
            runs.append(["estimate", "--chip", id, "--chips", "16", "--model", "llama3-8b", "--seq", "2048", "--batch", "32", "--emulate", "--top", "2"])
            runs.append(["estimate", "--chip", id, "--chips", "8", "--model", "llama3.1-405b", "--seq", "4096", "--batch", "8", "--emulate", "--format", "json"])
        }
        for f in Self.formats {
            runs.append(["estimate", "--chip", "h100-sxm5-80gb", "--chips", "64", "--model", "mixtral-8x7b", "--seq", "2048", "--batch", "64", "--scaling"] + f)
        }
        Self.check(runs)
    }

    @Test func inferenceEstimateOutputsAreFinite() {
        var runs: [[String]] = []
        for id in Self.chipIDs {
            runs.append(["estimate", "--inference", "--chip", id, "--chips", "8", "--model", "llama3-70b", "--emulate"])
            runs.append(["estimate", "--inference", "--chip", id, "--chips", "1", "--model", "resnet50-v1.5", "--emulate", "--format", "csv"])
        }
        for f in Self.formats {
            runs.append(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "8", "--model", "deepseek-v3", "--precision", "fp8"] + f)
            runs.append(["estimate", "--inference", "--chip", "mi300x", "--chips", "8", "--model", "llama3-70b", "--scenario", "server",
                         "--ttft-ms", "1", "--tpot-ms", "1"] + f)
            runs.append(["estimate", "--inference", "--chip", "a100-sxm4-80gb", "--chips", "1", "--model", "bert-large", "--scenario", "single-stream"] + f)
        }
        runs.append(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "8", "--model", "llama3-70b", "--svg", "s.svg"])
        // 1 = a plan that does not fit or meets no bound (a reason, exit 1 is allowed).
        Self.check(runs, allowed: [0, 1])
    }

    @Test func validateOutputsAreFinite() {
        #expect(!Self.casesFile.isEmpty)
        var runs: [[String]] = Self.formats.map { ["validate", "--cases", "cases.json"] + $0 }
        runs.append(["validate", "--cases", "cases.json", "--explain", "TRN-KOR22-03"])
        runs.append(["validate", "--cases", "cases.json", "--kind", "inference", "--format", "json"])
        Self.check(runs)
    }

    @Test func whatifAndRoadmapOutputsAreFinite() {
        var runs: [[String]] = []
        for f in Self.formats {
            runs.append(["whatif", "--from", "br166", "--set", "fp8DenseTflops=2000", "--set", "memory.bandwidthGBps=4000", "--name", "my-br20x"] + f)
            runs.append(["whatif", "--from", "br166", "--inference", "--model", "llama3-70b", "--vary", "d2d.bandwidthGBps=448,896,1792,3584"] + f)
            runs.append(["whatif", "--chiplets", "1,2,4,8", "--die-area", "800", "--node", "7nm"] + f)
        }
        runs.append(["whatif", "--from", "br166", "--vary", "memory.bandwidthGBps=1000..8000*2", "--svg", "w.svg"])
        for v in Self.vendors { for f in Self.formats { runs.append(["roadmap", v] + f) } }
        Self.check(runs)
    }
}
