import Foundation
import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

@Suite struct InferenceCLITests {
    @Test func defaultRunComparesTheDefaultChips() {
        let (code, out, err) = runCLI(["estimate", "--inference"])
        #expect(code == 0)
        #expect(out.contains("Llama 3 70B, offline, 2048 in / 256 out tokens, 8 chips each"))
        for id in StandardRunDefaults.inferenceChipIDs {
            // Each default chip is either estimated or named in a note.
            #expect(out.contains(id) || err.contains("chip '\(id)' is not in the catalog"))
        }
        #expect(out.contains("h100-sxm5-80gb"))
    }

    @Test func jsonHasTheDocumentedFields() throws {
        let (code, out, _) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--format", "json",
                                     "--scenario", "server", "--input-tokens", "512", "--output-tokens", "128"])
        #expect(code == 0)
        let json = try JSONValue.parse(Array(out.utf8))
        let first = try #require(json["estimates"]?.arrayValue?.first)
        for key in ["chip", "chips", "model", "scenario", "plan", "tokensPerSecond", "tokensPerSecondPerChip", "samplesPerSecond",
                    "ttftMs", "tpotMs", "latencyMs", "memoryPerChipGB", "low", "high", "modelErrorBand", "throughputWithModelError"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        // The model-error range brackets the estimate: low <= tokens/s <= high.
        let tps = try #require(first["tokensPerSecond"]?.numberValue)
        let lo = try #require(first["throughputWithModelError"]?["low"]?.numberValue)
        let hi = try #require(first["throughputWithModelError"]?["high"]?.numberValue)
        #expect(lo < tps && tps < hi)
        #expect(first["modelErrorBand"]?["basis"]?.stringValue?.isEmpty == false)
        for key in ["tp", "pp", "ep", "replicas", "batch"] { #expect(first["plan"]?[key]?.numberValue != nil) }
        // The layout search's effort: layouts evaluated in full of those the plan allows.
        let layouts = try #require(first["search"]?["layouts"]?.numberValue)
        let evaluated = try #require(first["search"]?["layoutsEvaluated"]?.numberValue)
        #expect(evaluated >= 1 && evaluated <= layouts)
        #expect(first["scenario"]?.stringValue == "server")
        #expect(try #require(first["tpotMs"]?.numberValue) <= 200)
        #expect(!out.contains("nan") && !out.contains("inf"))
    }

    @Test func encoderFieldsThatDoNotApplyAreNull() throws {
        let (code, out, _) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--model", "bert-large",
                                     "--precision", "int8", "--format", "json"])
        #expect(code == 0)
        let first = try #require(try JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue?.first)
        #expect(first["tokensPerSecond"] == .null && first["ttftMs"] == .null)
        #expect(try #require(first["samplesPerSecond"]?.numberValue) > 1000)
    }

    @Test func singleChipShowsSweepAndBreakdown() {
        let (code, out, _) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--model", "llama3-8b",
                                     "--chips", "1", "--scenario", "single-stream", "--format", "table"])
        #expect(code == 0)
        #expect(out.contains("Throughput vs latency"))
        #expect(out.contains("Breakdown:"))
        let (c2, csv, _) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--model", "llama3-8b", "--chips", "1", "--format", "csv"])
        #expect(c2 == 0 && csv.hasPrefix("chip,chips,tp,pp,ep,replicas,batch,"))
    }

    @Test func doesNotFitIsAnAnswer() {
        let (code, out, _) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--model", "llama3.1-405b",
                                     "--chips", "1", "--precision", "bf16"])
        #expect(code == 0)
        #expect(out.contains("does not fit") && out.contains("needs"))
        let (c2, json, _) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--model", "llama3.1-405b",
                                    "--chips", "1", "--precision", "bf16", "--format", "json"])
        #expect(c2 == 0)
        let first = try? JSONValue.parse(Array(json.utf8))["estimates"]?.arrayValue?.first
        #expect(first?["tokensPerSecond"] == .null && first?["plan"] == .null)
        #expect(first?["modelErrorBand"] == .null && first?["throughputWithModelError"] == .null)
        #expect(first?["error"]?.stringValue?.contains("has 85.9 GB") == true)
    }

    @Test func svgIsWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chipmodel-inference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("plot.svg").path
        let (code, _, _) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--svg", path])
        #expect(code == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("<svg") && text.contains("<polyline") && text.hasSuffix("</svg>\n"))
        #expect(!text.contains("nan"))
    }

    @Test func badArgumentsAreUsageErrors() {
        let cases: [([String], String)] = [
            (["--scenario", "batch"], "invalid value 'batch' for --scenario"),
            (["--tp", "16"], "exceeds --chips 8"),
            (["--tp", "2", "--pp", "2", "--replicas", "3"], "--replicas 3"),
            (["--kv-precision", "fp7"], "invalid value 'fp7' for --kv-precision"),
            (["--ep", "2"], "--ep applies to mixture-of-experts"),
            (["--tp", "3"], "must divide the 64 attention heads"),
            (["--input-tokens", "0"], "--input-tokens must be in"),
            (["--ttft-ms", "abc"], "--ttft-ms expects a number"),
        ]
        for (extra, message) in cases {
            let (code, _, err) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb"] + extra)
            #expect(code == 64, "\(extra)")
            #expect(err.contains(message), "\(extra): \(err)")
        }
        let (code, _, err) = runCLI(["estimate", "--inference", "--chip", "h101"])
        #expect(code == 64 && err.contains("h101"))
        let (c2, _, e2) = runCLI(["estimate", "--inference", "--model", "llama9"])
        #expect(c2 == 64 && e2.contains("llama9"))
    }

    /// --two-batch-overlap: off by default; on, DP-attention large-EP decode hides dispatch and
    /// combine (never slower: the step is the faster of overlapped and serial) and says so; a
    /// dense model or a bad value is a usage error.
    @Test func twoBatchOverlapIsAPlanOption() throws {
        let base = ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "72", "--model", "deepseek-v3",
                    "--dp-attention", "72", "--phase", "decode", "--format", "json"]
        func tps(_ extra: [String]) throws -> Double {
            let (code, out, err) = runCLI(base + extra)
            #expect(code == 0, "\(err)")
            return try #require(try JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue?.first?["tokensPerSecond"]?.numberValue)
        }
        let off = try tps([]), offExplicit = try tps(["--two-batch-overlap", "off"]), on = try tps(["--two-batch-overlap", "on"])
        #expect(off == offExplicit)
        #expect(on > off)
        let (_, text, _) = runCLI(Array(base.dropLast(2)) + ["--two-batch-overlap", "on"])
        #expect(text.contains("two-batch overlap (asked for)"))
        #expect(runCLI(["estimate", "--inference", "--model", "llama3-70b", "--two-batch-overlap", "on"]).0 == 64)
        #expect(runCLI(["estimate", "--inference", "--model", "deepseek-v3", "--two-batch-overlap", "maybe"]).0 == 64)
    }
}
