import Foundation
import Testing
import ChipModelKit
@testable import ChipModelCLI

/// Runs the CLI in-process with a given context.
private func run(_ args: [String], terminal: Bool = false) -> (Int32, String, String) {
    let ctx = CommandContext(stderrIsTerminal: terminal)
    let code = ChipModelCLI.run(args, context: ctx)
    return (code, ctx.stdout, ctx.stderr)
}

private func tempDir() throws -> String {
    let dir = NSTemporaryDirectory() + "chipmodel-whatif-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct WhatIfCLITests {
    @Test func derivesAChipAndComparesWithTheBase() throws {
        let (code, out, err) = run(["whatif", "--from", "br166", "--set", "fp8DenseTflops=2000", "--set", "memory.bandwidthGBps=4000",
                                    "--set", "d2d.bandwidthGBps=1792", "--name", "my-br20x", "--inference", "--format", "json"])
        #expect(code == 0, "\(err)")
        let doc = try JSONValue.parse(out)
        let rows = try #require(doc["rows"]?.arrayValue)
        #expect(rows.map { $0["chip"]?.stringValue } == ["br166", "my-br20x"])
        let base = try #require(rows[0]["metrics"]?.arrayValue?.first?["nominal"]?.numberValue)
        let derived = try #require(rows[1]["metrics"]?.arrayValue?.first?["nominal"]?.numberValue)
        #expect(derived > base)  // decode is memory-bound: 4000 vs 1640 GB/s
        #expect(!out.contains("nan"))
    }

    /// An axis title names its unit once: "chips", not "chips (chips)".
    @Test func axisLabelsNameTheUnitOnce() {
        #expect(WhatIfCommand.axisLabel("chips") == "chips")
        #expect(WhatIfCommand.axisLabel("d2d.bandwidthGBps") == "D2D bandwidth (GB/s)")
        #expect(WhatIfCommand.axisLabel("memory.capacityGB") == "HBM capacity (GB)")
    }

    @Test func unknownSetKeyListsValidKeys() {
        let (code, _, err) = run(["whatif", "--from", "br166", "--set", "fp8DenseTflop=2000"])
        #expect(code == 64)
        #expect(err.contains("unknown spec key 'fp8DenseTflop' (did you mean 'fp8DenseTflops'?)"))
        #expect(err.contains("valid keys:") && err.contains("memory.bandwidthGBps") && err.contains("scaleUp.domainSize"))
        #expect(err.contains("usage: chipmodel whatif"))
    }

    @Test(arguments: [["--vary", "d2d.bandwidthGBps"], ["--vary", "chips=256..8192"], ["--vary", "x=1..8*0.5"],
                      ["--vary", "d2d.bandwidthGBps=a,b"], ["--set", "tdpW"], ["--set", "tdpW=abc"]])
    func malformedArgumentsAreUsageErrors(_ extra: [String]) {
        let (code, out, err) = run(["whatif", "--from", "br166"] + extra)
        #expect(code == 64)
        #expect(out.isEmpty)
        #expect(err.hasPrefix("error: "))
    }

    @Test func unknownVaryParameterNamesTheMetricParameters() {
        let (code, _, err) = run(["whatif", "--from", "br166", "--metric", "roofline", "--vary", "chips=256..8192*2"])
        #expect(code == 64)
        #expect(err.contains("unknown parameter 'chips'") && err.contains("batch, seq"))
        let (code2, _, err2) = run(["whatif", "--from", "br166", "--inference", "--vary", "seq=1,2"])
        #expect(code2 == 64)
        #expect(err2.contains("unknown parameter 'seq'") && err2.contains("chips, batch, tp"))
    }

    /// The training estimator is the default metric; workload parameters sweep like spec keys.
    @Test func trainingMetricSweepsChipsWithRanges() throws {
        let (code, out, err) = run(["whatif", "--from", "br166", "--from", "a100-sxm4-80gb", "--vary", "chips=64,128",
                                    "--seq", "2048", "--format", "json"])
        #expect(code == 0, "\(err)")
        let doc = try JSONValue.parse(out)
        #expect(doc["metric"]?.stringValue?.hasPrefix("training: Llama 3 70B pre-training") == true)
        let rows = try #require(doc["rows"]?.arrayValue)
        #expect(rows.count == 4)
        for r in rows {
            let m = try #require(r["metrics"]?.arrayValue)
            try #require(m.map { $0["name"]?.stringValue } == ["tokensPerSecondPerChip", "tokensPerSecond", "mfuPercent", "stepSeconds"])
            let (lo, nom, hi) = (m[0]["low"]?.numberValue ?? 0, m[0]["nominal"]?.numberValue ?? 0, m[0]["high"]?.numberValue ?? 0)
            #expect(nom > 0 && lo <= nom && nom <= hi)
            if r["chip"]?.stringValue == "br166" { #expect(hi > lo * 1.1) }  // estimated specs give a wide range
            #expect(r["binding"]?.stringValue?.isEmpty == false)
            // tokens/s = per chip x chips.
            let chips = try #require(r["parameters"]?["chips"]?.numberValue)
            #expect(abs((m[1]["nominal"]?.numberValue ?? 0) - nom * chips) <= 1e-6 * nom * chips)
        }
        let (bad, _, berr) = run(["whatif", "--from", "br166", "--tp", "3"])
        #expect(bad == 64 && berr.contains("--tp 3"))
        let (bad2, _, berr2) = run(["whatif", "--from", "br166", "--metric", "training", "--inference"])
        #expect(bad2 == 64 && berr2.contains("contradicts"))
    }

    /// The "done when" sweep: BR166's D2D bandwidth on Llama-3-70B serving (inference
    /// estimator) binds at a very low bandwidth (14 GB/s: the best plan, TP4 x PP2, keeps a
    /// stage's TP traffic on 4 packages) and stops binding further up, where the throughput no
    /// longer changes.
    @Test func inferenceD2DSweepFindsWhereTheLinkStopsBinding() throws {
        let (code, out, err) = run(["whatif", "--from", "br166", "--inference", "--vary", "d2d.bandwidthGBps=14,448,3584",
                                    "--format", "json"])
        #expect(code == 0, "\(err)")
        let rows = try #require(try JSONValue.parse(out)["rows"]?.arrayValue)
        let bindings = rows.map { $0["binding"]?.stringValue ?? "" }
        #expect(bindings[0].contains("d2d"))
        #expect(!bindings[1].contains("d2d") && !bindings[2].contains("d2d"))
        let tps = rows.map { $0["metrics"]?.arrayValue?.first?["nominal"]?.numberValue ?? 0 }
        #expect(tps[0] < tps[1])
        #expect(abs(tps[2] - tps[1]) <= 1e-9 * tps[1])
        for r in rows {
            let m = try #require(r["metrics"]?.arrayValue?.first)
            #expect((m["low"]?.numberValue ?? 0) < (m["high"]?.numberValue ?? 0))
        }
    }

    @Test func unknownChipSuggests() {
        let (code, _, err) = run(["whatif", "--from", "br16"])
        #expect(code == 64)
        #expect(err.contains("unknown chip 'br16'"))
    }

    @Test func sweepWritesCSVAndAChart() throws {
        let dir = try tempDir()
        let svg = dir + "/d2d.svg"
        let (code, out, err) = run(["whatif", "--from", "br166", "--from", "a100-sxm4-80gb", "--vary", "d2d.bandwidthGBps=14..3584*2",
                                    "--metric", "roofline", "--format", "csv", "--svg", svg])
        #expect(code == 0, "\(err)")
        let lines = out.split(separator: "\n")
        #expect(lines.count == 1 + 2 * 9)
        #expect(lines.first?.hasPrefix("chip,d2d.bandwidthGBps,tokensPerSecond (training tokens/s)") == true)
        #expect(lines[1].hasSuffix(",d2d"))
        #expect(lines[9].hasSuffix(",compute"))
        let chart = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(chart.hasPrefix("<svg"))
        #expect(chart.components(separatedBy: "<polyline").count == 3)  // one line per chip
        #expect(chart.contains("D2D bandwidth (GB/s) (log scale)"))  // the key named for people, with its unit
        #expect(chart.contains(">br166<") && chart.contains(">a100-sxm4-80gb<"))
        #expect(!chart.lowercased().contains("nan"))
        // Not a terminal: no progress output.
        #expect(!err.contains("points"))
    }

    @Test func gridSweepAndMonteCarlo() throws {
        let (code, out, err) = run(["whatif", "--from", "br166", "--vary", "memory.bandwidthGBps=1000,4000", "--vary", "batch=1,64",
                                    "--inference", "--metric", "roofline", "--monte-carlo", "50", "--seed", "3", "--format", "json"], terminal: true)
        #expect(code == 0, "\(err)")
        let rows = try #require(try JSONValue.parse(out)["rows"]?.arrayValue)
        #expect(rows.count == 4)
        for r in rows {
            let mc = try #require(r["monteCarlo"])
            let p5 = try #require(mc["p5"]?.numberValue), p95 = try #require(mc["p95"]?.numberValue)
            let m = try #require(r["metrics"]?.arrayValue?.first)
            #expect(p5 <= p95)
            #expect(p5 >= (m["low"]?.numberValue ?? 0) * (1 - 1e-9))
            #expect(p95 <= (m["high"]?.numberValue ?? 0) * (1 + 1e-9))
        }
        // A short run on a terminal prints no progress line (it appears only after 1 s).
        #expect(!err.contains("points"))
    }

    @Test func svgNeedsASweep() {
        let (code, _, err) = run(["whatif", "--from", "br166", "--svg", "/tmp/x.svg"])
        #expect(code == 64)
        #expect(err.contains("--svg charts a sweep"))
    }

    @Test func chipletEconomicsAnswers() throws {
        let (code, out, err) = run(["whatif", "--chiplets", "1,2,4", "--die-area", "800", "--node", "7nm", "--tflops", "1000",
                                    "--tdp", "600", "--target-tflops", "100000"])
        #expect(code == 0, "\(err)")
        #expect(out.contains("answer: "))
        #expect(out.contains("defect density: 0.09 /cm²"))
        let (jcode, json, _) = run(["whatif", "--chiplets", "1,2,4,8", "--die-area", "1200", "--node", "5nm", "--format", "json"])
        #expect(jcode == 0)
        let doc = try JSONValue.parse(json)
        let options = try #require(doc["options"]?.arrayValue)
        #expect(options.count == 4)
        #expect(options[0]["manufacturable"] == .bool(false))
        #expect(doc["cheapestChiplets"]?.numberValue.map { $0 > 1 } == true)
        let (ccode, csv, _) = run(["whatif", "--chiplets", "1,2", "--die-area", "400", "--format", "csv"])
        #expect(ccode == 0 && csv.split(separator: "\n").count == 3)
        let (bad, _, berr) = run(["whatif", "--chiplets", "1,2", "--die-area", "400", "--node", "6502"])
        #expect(bad == 64 && berr.contains("unknown --node '6502'"))
        let (bad2, _, berr2) = run(["whatif", "--chiplets", "0,2", "--die-area", "400"])
        #expect(bad2 == 64 && berr2.contains("--chiplets"))
    }
}

@Suite struct RoadmapCLITests {
    /// The real catalog's Biren roadmap on the roofline workloads (fast): order, chains, ranges
    /// and attributions.
    @Test func birenRoadmapWithRangesAndAttribution() throws {
        let (code, out, err) = run(["roadmap", "biren", "--roofline"])
        #expect(code == 0, "\(err)")
        let order = ["br106", "br166", "br20x", "br30x", "br110", "br31x"].compactMap { out.range(of: "\n\($0) ")?.lowerBound }
        #expect(order.count == 6 && order == order.sorted())
        #expect(out.contains("br106 -> br166") && out.contains("br166 -> br20x") && out.contains("br20x -> br30x"))
        #expect(out.contains("br110 -> br31x"))
        #expect(!out.contains("-> br110") && !out.contains("br20x -> br31x") && !out.contains("br110 -> br20x"))
        #expect(out.contains("compute peaks"))
        #expect(out.contains("roofline layer"))
        // BR166's estimated specs carry ranges, so its throughput does too.
        let br166Line = out.split(separator: "\n").first { $0.hasPrefix("br166 ") }.map(String.init) ?? ""
        #expect(br166Line.components(separatedBy: ") ").count >= 3)
        let (jcode, json, _) = run(["roadmap", "Biren", "--roofline", "--format", "json"])
        #expect(jcode == 0)
        let parts = try #require(try JSONValue.parse(json)["parts"]?.arrayValue)
        #expect(parts.count == 8)
        let br166 = try #require(parts.first { $0["id"]?.stringValue == "br166" })
        #expect(br166["predecessor"]?.stringValue == "br106")
        let t = try #require(br166["throughput"]?["training"])
        let (lo, nom, hi) = (t["low"]?.numberValue ?? 0, t["nominal"]?.numberValue ?? 0, t["high"]?.numberValue ?? 0)
        #expect(lo < nom && nom < hi)
        for p in parts {
            for a in p["attribution"]?.arrayValue ?? [] {
                let from = a["fromValue"]?.numberValue ?? 0, to = a["toValue"]?.numberValue ?? 0
                let shares = (a["steps"]?.arrayValue ?? []).compactMap { $0["share"]?.numberValue }
                if abs(to - from) > 1e-6 * to { #expect(abs(shares.reduce(0, +) - 1) < 1e-9) } else { #expect(shares.isEmpty) }
            }
        }
    }

    /// The estimator workloads (training tokens/s per chip, inference tokens/s), with ranges
    /// and attribution; a small training cluster keeps the debug test fast.
    @Test func estimatorRoadmapOfTwoParts() throws {
        let (code, out, err) = run(["roadmap", "biren", "--parts", "br106,br166", "--training-chips", "64"])
        #expect(code == 0, "\(err)")
        #expect(out.contains("training tokens/s per chip") && out.contains("inference tokens/s (8 chips)"))
        #expect(out.contains("br106 -> br166  training") && out.contains("br106 -> br166  inference"))
        #expect(!out.contains("roofline layer"))
        #expect(!out.lowercased().contains("nan"))
    }

    @Test func unknownVendorListsKnownOnes() throws {
        let (code, _, err) = run(["roadmap", "nvdia"])
        #expect(code == 64)
        #expect(err.contains("unknown vendor 'nvdia' (did you mean 'nvidia'?)"))
        let vendors = Roadmap.vendors(in: try ChipCatalog.builtIn())
        #expect(vendors.contains("Biren") && vendors.contains("NVIDIA") && vendors.count > 5)
        #expect(err.contains("known vendors: " + vendors.joined(separator: ", ")))
        #expect(err.contains("usage: chipmodel roadmap"))
        let (code2, _, err2) = run(["roadmap"])
        #expect(code2 == 64 && err2.contains("needs a VENDOR"))
    }
}

@Suite struct WhatIfPhaseTests {
    /// The "done when" sweep on the roofline fallback: BR166's D2D bandwidth on a Llama-3-70B
    /// prefill binds at low bandwidth and stops binding further up.
    @Test func prefillD2DSweepShowsTheKnee() throws {
        let (code, out, err) = run(["whatif", "--from", "br166", "--inference", "--metric", "roofline", "--phase", "prefill", "--model", "llama3-70b",
                                    "--vary", "d2d.bandwidthGBps=14..3584*2", "--format", "csv"])
        #expect(code == 0, "\(err)")
        let bindings = out.split(separator: "\n").dropFirst().map { $0.split(separator: ",").last.map(String.init) ?? "" }
        #expect(bindings.first == "d2d")
        #expect(bindings.last == "compute")
        let (bad, _, berr) = run(["whatif", "--from", "br166", "--metric", "roofline", "--phase", "prefill"])
        #expect(bad == 64 && berr.contains("--phase applies to --inference"))
        let (bad2, _, berr2) = run(["whatif", "--from", "br166", "--inference", "--phase", "prefill"])
        #expect(bad2 == 64 && berr2.contains("--phase applies to --metric roofline"))
    }
}

@Suite struct ProgressTests {
    @Test func showsOnlyOnATerminalAfterTheThreshold() {
        let tty = CommandContext(stderrIsTerminal: true)
        let p = SweepProgress(context: tty, total: 3, label: "whatif", threshold: .zero)
        for _ in 0..<3 { p.step() }
        p.finish()
        #expect(tty.stderr.contains("whatif: 3/3 points, done\n"))
        let pipe = CommandContext(stderrIsTerminal: false)
        let q = SweepProgress(context: pipe, total: 3, label: "whatif", threshold: .zero)
        for _ in 0..<3 { q.step() }
        q.finish()
        #expect(pipe.stderr.isEmpty)
        let slow = CommandContext(stderrIsTerminal: true)
        let r = SweepProgress(context: slow, total: 3, label: "whatif", threshold: .seconds(3600))
        r.step()
        r.finish()
        #expect(slow.stderr.isEmpty)
    }
}

@Suite struct RoadmapPartsTests {
    @Test func partsSelectsAndOrdersAndFlagsMissingSpecs() throws {
        let dir = try tempDir()
        // A hypothetical part (not in the catalog) without on-chip memory in its spec: the
        // caveat and the attribution flag it.
        let t = try ChipTemplate.find("br166", in: EmbeddedSpecs.chips)
        var doc = try t.derivedDocument([("bf16DenseTflops", 1100), ("dies.computeDies", 2), ("memory.stacks", 4), ("d2d.bandwidthGBps", 896)], name: "br20y").document
        if let m = doc.objectMembers { doc = .object(m.filter { $0.0 != "onChip" }) }
        doc = doc.setting(.object([("value", .number(2026)), ("source", .string("ipo")), ("confidence", .string("press/analyst"))]), at: ["year"]) ?? doc
        try doc.serialized().write(toFile: "\(dir)/br20y.json", atomically: true, encoding: .utf8)
        let (code, out, err) = run(["roadmap", "biren", "--specs", dir, "--parts", "br166,br20y", "--roofline"])
        #expect(code == 0, "\(err)")
        #expect(out.contains("br166 -> br20y"))
        #expect(!out.contains("br106 ->"))
        #expect(out.contains("on-chip memory") && out.contains("(missing in br20y)"))
        #expect(out.contains("note: br20y: spec states no onChip.sramMB"))
        let (bad, _, berr) = run(["roadmap", "biren", "--specs", dir, "--parts", "br166,br21x"])
        #expect(bad == 64 && berr.contains("unknown Biren part 'br21x'"))
    }
}
