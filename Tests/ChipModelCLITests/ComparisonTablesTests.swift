import Foundation
import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

/// Like-for-like comparisons (`--like-for-like`, `--baseline`), exit codes (`--strict`, an
/// unsupported format) and CSV with one number per cell, parsed in process.
@Suite struct ComparisonTablesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ args: [String]) -> (Int32, String, String) {
        let ctx = CommandContext(currentDirectory: root.path)
        let code = ChipModelCLI.run(args, context: ctx)
        return (code, ctx.stdout, ctx.stderr)
    }

    static let servingChips = ["--chip", "h100-sxm5-80gb", "--chip", "a100-sxm4-80gb", "--model", "llama3-8b", "--chips", "1"]

    @Test func defaultServingTableSaysWhenFormatsDiffer() {
        let (code, out, _) = Self.run(["estimate", "--inference"] + Self.servingChips)
        #expect(code == 0)
        #expect(out.contains("not like for like: fp8 / KV fp8 on h100-sxm5-80gb; bf16 / KV bf16 on a100-sxm4-80gb"))
    }

    @Test func likeForLikeRunsTheSharedFormatAndMarksChipsForcedOff() throws {
        let (code, out, _) = Self.run(["estimate", "--inference", "--like-for-like", "--baseline", "a100-sxm4-80gb"] + Self.servingChips)
        #expect(code == 0)
        #expect(out.contains("like for like: every chip runs bf16"))
        let h100 = try #require(out.split(separator: "\n").first { $0.hasPrefix("h100-sxm5-80gb ") })
        #expect(h100.contains("bf16 / KV bf16 (default fp8)"))
        let a100 = try #require(out.split(separator: "\n").first { $0.hasPrefix("a100-sxm4-80gb ") })
        #expect(a100.contains("1.00x") && !a100.contains("default"))
        #expect(out.contains("x vs a100-sxm4-80gb"))
        // Same format on both rows: the ratio is not marked.
        #expect(!h100.contains(" vs "))
    }

    @Test func baselineRatioAcrossFormatsIsMarked() throws {
        let (code, out, _) = Self.run(["estimate", "--inference", "--baseline", "a100-sxm4-80gb"] + Self.servingChips)
        #expect(code == 0)
        let h100 = try #require(out.split(separator: "\n").first { $0.hasPrefix("h100-sxm5-80gb ") })
        #expect(h100.contains("x (fp8 vs bf16)"))
        let (_, json, _) = Self.run(["estimate", "--inference", "--baseline", "a100-sxm4-80gb", "--format", "json"] + Self.servingChips)
        let doc = try JSONValue.parse(Array(json.utf8))
        let first = try #require(doc["estimates"]?.arrayValue?.first)
        #expect(first["vsBaseline"]?["likeForLike"] == .bool(false))
        #expect(first["defaultPrecision"] == .string("fp8"))
    }

    @Test func baselineMustBeAComparedChip() {
        let (code, _, err) = Self.run(["estimate", "--inference", "--baseline", "h20"] + Self.servingChips)
        #expect(code == 64 && err.contains("--baseline 'h20' is not one of the compared chips") && err.contains("usage:"))
        let (c2, _, e2) = Self.run(["estimate", "--inference", "--like-for-like", "--precision", "fp8"] + Self.servingChips)
        #expect(c2 == 64 && e2.contains("--like-for-like"))
    }

    @Test func trainingRowsNameTheirPrecisionAndCompareToABaseline() throws {
        let (code, out, _) = Self.run(["estimate", "--chip", "h100-sxm5-80gb", "--chip", "a100-sxm4-80gb", "--model", "llama3-8b",
                                       "--chips", "64", "--tp", "8", "--pp", "1", "--baseline", "a100-sxm4-80gb", "--like-for-like", "--no-goodput"])
        #expect(code == 0)
        #expect(out.contains("like for like: every chip trains in bf16"))
        let header = try #require(out.split(separator: "\n").dropFirst(2).first)
        #expect(header.contains("precision") && header.contains("x vs a100-sxm4-80gb"))
        let a100 = try #require(out.split(separator: "\n").first { $0.hasPrefix("a100-sxm4-80gb ") })
        #expect(a100.contains(" bf16 ") && a100.contains("1.00x"))
    }

    @Test func unsupportedFormatIsAUsageError() {
        for extra in [[String](), ["--inference"]] {
            let (code, out, err) = Self.run(["estimate", "--chip", "a100-sxm4-80gb", "--precision", "fp4", "--chips", "8"] + extra)
            #expect(code == 64, "\(extra)")
            #expect(out.isEmpty && err.contains("has no fp4 peak") && err.contains("usage: chipmodel estimate"))
        }
        // --emulate runs it at the next wider format instead.
        let (code, _, _) = Self.run(["estimate", "--inference", "--chip", "a100-sxm4-80gb", "--precision", "fp4", "--emulate",
                                     "--model", "llama3-8b", "--chips", "1"])
        #expect(code == 0)
    }

    @Test func strictTurnsRowsWithoutAnEstimateIntoExitOne() {
        let noFit = ["estimate", "--chip", "a100-sxm4-80gb", "--chips", "8", "--model", "gpt3-175b", "--tp", "1", "--pp", "1", "--no-goodput"]
        #expect(Self.run(noFit).0 == 0)
        let (code, _, err) = Self.run(noFit + ["--strict"])
        #expect(code == 1 && err.contains("--strict: a100-sxm4-80gb"))
        let bounds = ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--model", "llama3-8b", "--chips", "1",
                      "--scenario", "server", "--ttft-ms", "0.01", "--tpot-ms", "0.01"]
        #expect(Self.run(bounds).0 == 0)
        #expect(Self.run(bounds + ["--strict"]).0 == 1)
    }
}
