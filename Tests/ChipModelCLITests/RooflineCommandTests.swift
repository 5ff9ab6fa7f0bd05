import ChipModelKit
import Foundation
import Testing
@testable import ChipModelCLI

@Suite struct RooflineCommandTests {
    func run(_ args: [String], in dir: String? = nil) -> (Int32, String, String) {
        let ctx = dir.map { CommandContext(currentDirectory: $0) } ?? CommandContext()
        let code = ChipModelCLI.run(["roofline"] + args, context: ctx)
        return (code, ctx.stdout, ctx.stderr)
    }

    @Test func defaultSetOnA100() {
        let (code, out, _) = run(["a100-sxm4-80gb"])
        #expect(code == 0)
        for name in ["gemm 8192x8192x8192", "gemm 1x8192x8192", "attention b1 h64/8 q4096 k4096 d128 causal",
                     "attention b32 h64/8 q1 k4096 d128", "layernorm 4096x8192", "conv2d"] {
            #expect(out.contains(name), "missing \(name)")
        }
        let line = out.split(separator: "\n").first { $0.hasPrefix("gemm 8192x8192x8192") } ?? ""
        #expect(line.contains("compute") && line.contains("4.7 ms"))
        let gemv = out.split(separator: "\n").first { $0.hasPrefix("gemm 1x8192x8192") } ?? ""
        #expect(gemv.contains("memory"))
    }

    @Test func jsonShape() throws {
        let (code, out, _) = run(["a100-sxm4-80gb", "--op", "gemm:8192,8192,8192", "--op", "gemv:8192,8192", "--format", "json"])
        #expect(code == 0)
        let j = try JSONValue.parse(out)
        #expect(j["chip"]?.stringValue == "a100-sxm4-80gb")
        #expect(j["precision"]?.stringValue == "bf16")
        let ceilings = j["ceilings"]?.arrayValue ?? []
        #expect(ceilings.count >= 3)
        for c in ceilings {
            #expect(c["name"]?.stringValue != nil && c["unit"]?.stringValue != nil && c["value"] != nil)
        }
        #expect(ceilings.contains { $0["name"]?.stringValue == "compute bf16" && $0["value"]?.numberValue == 312 * Calibration.default.matmulPeakFraction })
        let ops = j["operations"]?.arrayValue ?? []
        #expect(ops.count == 2)
        for key in ["name", "flops", "bytes", "intensity", "seconds", "attainableTflops", "bound", "split", "utilization"] {
            #expect(ops.allSatisfy { $0[key] != nil }, "operations lack \(key)")
        }
        #expect(ops[0]["bound"]?.stringValue == "compute")
        #expect(ops[0]["flops"]?.numberValue == 1_099_511_627_776)
        #expect(ops[1]["bound"]?.stringValue == "memory")
        for key in ["flops", "bytes", "intensity", "seconds", "attainableTflops", "utilization"] {
            #expect(ops.allSatisfy { $0[key]?.numberValue?.isFinite == true }, "\(key) is not a finite number")
        }
    }

    @Test func br166SplitAlongNIsD2DBound() throws {
        let (code, out, _) = run(["br166", "--op", "gemm:16384,256,16384@n", "--op", "gemm:16384,256,16384", "--format", "json"])
        #expect(code == 0)
        let j = try JSONValue.parse(out)
        let ops = j["operations"]?.arrayValue ?? []
        #expect(ops.first?["bound"]?.stringValue == "d2d")
        #expect(ops.first?["d2dBytesPerDirection"]?.numberValue == 268_435_456)
        #expect(ops.last?["bound"]?.stringValue != "d2d")
        let d2d = j["ceilings"]?.arrayValue?.first { $0["name"]?.stringValue == "d2d per direction" }
        #expect(d2d?["peak"]?.numberValue == 448)
    }

    @Test func compareAndCSV() throws {
        let (code, out, _) = run(["br166", "--compare", "a100-sxm4-80gb", "h100-sxm5-80gb", "--op", "gemm:4096,4096,4096", "--format", "csv"])
        #expect(code == 0)
        let lines = out.split(separator: "\n")
        #expect(lines.first?.hasPrefix("chip,operation,op,flops") == true)
        #expect(lines.count == 4)
        let (c2, json, _) = run(["br166", "--compare", "a100-sxm4-80gb,h100-sxm5-80gb", "--format", "json"])
        #expect(c2 == 0)
        #expect(try JSONValue.parse(json)["compare"]?.arrayValue?.count == 2)
    }

    @Test(arguments: [
        (["a100-sxm4-80gb", "--op", "gemm:8192,x,8192"], "--op 'gemm:8192,x,8192': N 'x' is not a whole number"),
        (["a100-sxm4-80gb", "--op", "gem:1,2,3"], "unknown operation kind 'gem' (did you mean 'gemm'?)"),
        (["a100-sxm4-80gb", "--op", "gemm:1,2"], "gemm expects M,N,K (3 values), got 2"),
        (["a100-sxm4-80gb", "--op", "gemm8192"], "expected KIND:VALUES"),
        (["a100-sxm4-80gb", "--op", "gemm:1,1,1@z"], "unknown split 'z'"),
        (["a100-sxm4-80gb", "--op", "gemm:99999999999999999999999,1,1"], "M '99999999999999999999999' is not a whole number"),
        (["a100-sxm4-80gb", "--op", "gemm:0,1,1"], "M '0' must be in 1..."),
        (["a100-sxm4-80gb", "--op", "gemm:-5,1,1"], "M '-5' must be in 1..."),
        (["a100-sxm4-80gb", "--op", "attention:1,6,4,1,1,64"], "heads (6) must be a multiple of kv-heads (4)"),
        (["a100-sxm4-80gb", "--op", "attention:1,8,8,16,8,64,causal"], "causal attention needs query length"),
        (["a100-sxm4-80gb", "--op", "attention:1,8,8,1,8,64,maybe"], "'maybe' must be 'causal' or 'noncausal'"),
        (["a100-sxm4-80gb", "--op", "elementwise:1e400"], "BYTES '1e400' is not a positive number"),
        (["a100-sxm4-80gb", "--op", "elementwise:5XB"], "BYTES '5XB' is not a positive number"),
        (["a100-sxm4-80gb", "--precision", "bf17"], "invalid value 'bf17' for --precision"),
        ([String](), "missing CHIP"),
    ])
    func usageErrorsNameTheBadToken(args: [String], message: String) {
        let (code, out, err) = run(args)
        #expect(code == 64)
        #expect(out.isEmpty)
        #expect(err.contains(message), "stderr: \(err)")
    }

    @Test func severalFormatsAreRowsOfTheSameTable() throws {
        let (code, out, _) = run(["h100-sxm5-80gb", "--precision", "bf16,fp8", "--op", "gemm:8192,8192,8192", "--format", "json"])
        #expect(code == 0)
        let j = try JSONValue.parse(out)
        #expect(j["precision"]?.stringValue == "bf16")
        let fp8 = j["compare"]?.arrayValue?.first
        #expect(fp8?["precision"]?.stringValue == "fp8")
        #expect(fp8?["chip"]?.stringValue == "h100-sxm5-80gb")
        let t8 = fp8?["operations"]?.arrayValue?.first?["seconds"]?.numberValue ?? 0
        let t16 = j["operations"]?.arrayValue?.first?["seconds"]?.numberValue ?? 0
        #expect(t8 > 0 && t8 < t16)
    }

    @Test func extremeShapesGiveFiniteOutput() throws {
        let big = "1099511627776"  // 2^40, the largest accepted dimension
        let (code, out, _) = run(["br166", "--op", "bgemm:\(big),\(big),\(big),\(big)", "--op", "attention:\(big),\(big),1,1,\(big),\(big),causal",
                                  "--op", "conv2d:\(big),\(big),\(big),\(big),\(big),\(big),\(big)", "--op", "embedding:1,1",
                                  "--op", "elementwise:1e18", "--format", "json"])
        #expect(code == 0)
        let ops = try JSONValue.parse(out)["operations"]?.arrayValue ?? []
        #expect(ops.count == 5)
        for o in ops { #expect(o["seconds"]?.numberValue?.isFinite == true) }
        // Zero-FLOP operations (embedding) are listed but not plotted on log axes.
        let name = "emb-\(UInt32.random(in: 0...UInt32.max)).svg"
        let (c2, _, _) = run(["a100-sxm4-80gb", "--op", "embedding:4096,8192", "--op", "gemm:64,64,64", "--svg", name], in: NSTemporaryDirectory())
        #expect(c2 == 0)
        let path = NSTemporaryDirectory() + "/" + name
        defer { try? FileManager.default.removeItem(atPath: path) }
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.contains("embedding 4096x8192") && svg.contains("(not plotted: no FLOPs)"))
    }

    @Test func unknownChipAndMissingFormat() {
        let (code, _, err) = run(["a100"])
        #expect(code == 64)
        #expect(err.contains("a100-sxm4-80gb"))
        let (c2, _, e2) = run(["a100-sxm4-80gb", "--precision", "fp8"])
        #expect(c2 == 1)
        #expect(e2.contains("has no fp8 peak") && e2.contains("bf16") && e2.contains("--emulate"))
        let (c3, out3, e3) = run(["a100-sxm4-80gb", "--precision", "fp8", "--emulate", "--op", "gemm:4096,4096,4096"])
        #expect(c3 == 0)
        #expect(e3.contains("emulated at bf16"))
        #expect(out3.contains("fp8 (emulated at bf16)"))
    }

    @Test func opGrammarCoversEveryKind() throws {
        let specs = try ["gemm:1,2,3", "bgemm:4,1,2,3", "gemv:2,3", "attention:1,8,2,16,32,64,causal",
                         "attention-unfused:1,8,8,16,32,64", "elementwise:1GiB", "elementwise:512M", "layernorm:4,8",
                         "rmsnorm:4,8", "softmax:4,8", "embedding:4,8", "conv2d:2,3,64,224,224,7,2", "gemm:8,8,8@heads"]
            .map { text throws(UsageError) in try RooflineOpGrammar.parse(text) }
        #expect(specs[1].operation == .gemm(m: 1, n: 2, k: 3, batch: 4))
        #expect(specs[2].operation == .gemm(m: 1, n: 2, k: 3))
        #expect(specs[5].operation == .elementwise(bytes: 1_073_741_824))
        #expect(specs[6].operation == .elementwise(bytes: 512e6))
        #expect(specs[11].operation == .conv2d(batch: 2, inChannels: 3, outChannels: 64, outHeight: 112, outWidth: 112, kernel: 7, stride: 2))
        #expect(specs[12].split == .n)
        for kind in RooflineOpGrammar.kinds { #expect(specs.contains { $0.text.hasPrefix(kind.kind + ":") }, "\(kind.kind) untested") }
    }

    @Test func svgHasTheExpectedElements() throws {
        let dir = NSTemporaryDirectory() + "chipmodel-roofline-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (code, _, err) = run(["br166", "--compare", "a100-sxm4-80gb", "--svg", "plot.svg"], in: dir)
        #expect(code == 0)
        #expect(err.contains("wrote plot.svg"))
        let svg = try String(contentsOfFile: dir + "/plot.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        for text in ["Arithmetic intensity (FLOP per byte of HBM traffic)", "Attainable performance (TFLOP/s, sustained)",
                     "HBM 1394 GB/s", "D2D 381 GB/s each way", "bf16/fp16 768", "bf16/fp16 234", "int8 1536", "tf32 384",
                     "Biren BR166", "NVIDIA A100", "gemm 8192x8192x8192", "Ceilings", "Operations"] {
            #expect(svg.contains(text), "SVG lacks '\(text)'")
        }
        // One marker per operation per chip (default set: 8 operations, all with FLOPs).
        #expect(svg.components(separatedBy: "-bound</title>").count - 1 == 8 * 2)
        // BR166 operations whose split moves data across the D2D link also get a hollow marker.
        #expect(svg.contains("(at its D2D intensity)</title>"))
        #expect(!svg.contains("nan") && !svg.contains("inf\""))
        let (badCode, _, badErr) = run(["br166", "--svg", "/nonexistent-dir/x.svg"])
        #expect(badCode == 73)
        #expect(badErr.contains("/nonexistent-dir/x.svg"))
    }
}
