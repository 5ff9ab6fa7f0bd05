import ChipModelKit
import Foundation

/// `chipmodel whatif`: Sweep chip parameters and see what a workload gains.
public enum WhatIfCommand: CLICommand {
    public static let name = "whatif"
    public static let abstract = "Sweep chip parameters and see what a workload gains."
    public static let usage = "whatif --from ID [--set KEY=VALUE ...] [--vary KEY=VALUES ...] [options] | whatif --chiplets 1,2,4 --die-area MM2 --node NODE [options]"
    public static let discussion = """
    Derive a hypothetical chip from a catalog chip and sweep one or two parameters:
      chipmodel whatif --from br166 --set fp8DenseTflops=2000 --set memory.bandwidthGBps=4000 --name my-br20x
      chipmodel whatif --from br166 --inference --model llama3-70b --vary d2d.bandwidthGBps=448,896,1792,3584 --svg d2d.svg
      chipmodel whatif --from br166 --from a100-sxm4-80gb --vary memory.bandwidthGBps=1000..8000*2 --vary batch=8,32
    KEY is any numeric key of a chip spec file (bf16DenseTflops, memory.bandwidthGBps, scaleUp.domainSize,
    d2d.bandwidthGBps, ...; a key the chip lacks is added) or a workload parameter of the metric:
      training: \(trainingParameters.joined(separator: ", "))
      goodput: the training ones and \(goodputParameters.joined(separator: ", "))
      inference: \(inferenceParameters.joined(separator: ", "))
      energy: the training or inference parameters and \(powerCostParameters.joined(separator: ", "))
      roofline: batch, seq
    VALUES: a list (448,896), a geometric range (256..8192*2) or an arithmetic range (1000..4000+500).
    A set value is exact (source "what-if --set"); other ranged spec values give every result a low-high range
    (corner evaluation); --monte-carlo N adds seeded Monte Carlo percentiles.

    Metrics (--metric; the default follows --inference):
      training   the training estimator ('estimate'): tokens/s per chip (charted), tokens/s, MFU and step time of the
                 best plan; binding = what would help most: the resource whose +10% gains the most tokens/s per chip
                 (compute, hbm-bandwidth, hbm-capacity, d2d, scale-up, scale-out, each with its own plan search at the
                 nominal corner; bubble = a 10% smaller pipeline bubble), with its gain; --no-levers skips the six searches.
                 Defaults: \(D.trainingModelID), seq \(D.trainingSequenceLength), \(D.trainingTokensPerStep) tokens per step, bf16, \(D.trainingChips) chips,
                 every plan field searched; each low/high corner (and Monte Carlo sample) runs its own full search.
      inference  the inference estimator ('estimate --inference'): system tokens/s (charted), tokens/s per chip, TPOT,
                 TTFT; binding = the resource with the most time per token (d2d link, memory bandwidth, prefill compute, ...).
                 Defaults: \(D.inferenceModelID), \(D.inferenceInputTokens) in / \(D.inferenceOutputTokens) out, offline, \(D.inferenceChips) chips, fp8 where the chip has it.
      goodput    the training estimate, then the goodput model ('estimate' goodput line): goodput (charted), effective
                 days, interruptions expected, job MTBF, tokens/s per chip; binding = the largest overhead.
                 Extra --vary keys: \(goodputParameters.joined(separator: ", ")) (chosen by default when one is swept), e.g.
                 chipmodel whatif --from h100-sxm5-80gb --metric goodput --model llama3.1-405b --vary chips=1024..65536*2 --svg g.svg
      energy     the power, energy and cost model over the training (or, with --inference, serving) estimate: facility
                 MWh for the token budget (charted), kW, tCO2e, $ of the run (serving: tokens per joule charted, $ per
                 million tokens, kW); --vary also takes \(powerCostParameters.joined(separator: ", ")) and the spec key tdpW.
                 Defaults: Specs/economics/*.json (sourced, ranged); --pue, --power-price-usd-kwh, --chip-price-usd, ... override.
      roofline   one chip running one Llama-style layer's GEMMs and attention (training: forward + backward; with
                 --inference: decode, or prefill with --phase prefill); no parallelism, collectives or capacity check.

    Mixed clusters (training one model on several kinds of chip, as 'estimate --group'):
      chipmodel whatif --group br166:512 --group a100-sxm4-80gb:256 --vary group2.count=0,128,256,512
      chipmodel whatif --group br166:512 --group ascend-910b:256 --vary inter-group-gbps=0.1..100*10
    One parameter: groupN.count (0 drops the group), inter-group-gbps or inter-group-latency-us.

    Chiplet economics ("monolithic or chiplets?"):
      chipmodel whatif --chiplets 1,2,4,8 --die-area 800 --node 7nm [--defect-density 0.09] [--wafer-cost 9346]
        [--yield-model murphy|poisson|hp] [--tflops T --tdp W --target-tflops X]
    Each assumption is a flag; defaults and their sources are printed with the result (see --format json).

    \(WorkLimit.helpText)
    """
    static let ownOptions: [OptionSpec] = [
        .value("--from", "ID", repeatable: true, "Base chip to derive from or sweep (repeat for one line per chip)."),
        .value("--set", "KEY=VALUE", repeatable: true, "Set a spec value of the derived chip (e.g. fp8DenseTflops=2000)."),
        .value("--name", "NAME", "Name of the derived chip (its id is the name in lower case)."),
        .value("--vary", "KEY=VALUES", repeatable: true, "Sweep a spec key or workload parameter (at most two: a grid)."),
        .value("--metric", "NAME", "Estimate to run at each point: \(metricNames.joined(separator: ", ")) (default: training, or inference with --inference)."),
        .value("--phase", "PHASE", "Roofline metric with --inference: decode (default) or prefill."),
        .value("--seq", "N", "Training: sequence length (default 8192). Roofline metric: sequence length or KV context (default 4096)."),
        .value("--svg", "FILE", "Write a line chart of the headline metric against the first swept parameter."),
        .value("--monte-carlo", "N", "Also draw N seeded Monte Carlo samples over the ranged spec values."),
        .value("--seed", "N", "Monte Carlo seed (default 1)."),
        .value("--chiplets", "LIST", "Chiplet economics: chiplet counts to compare, e.g. 1,2,4,8."),
        .value("--die-area", "MM2", "Logic area of the whole design as one die, mm² (default: the --from chip's dies)."),
        .value("--node", "NODE", "Process node: \(ProcessNode.names.joined(separator: ", ")) (default 7nm)."),
        .value("--defect-density", "PER_CM2", "Killer defects per cm² (default: the node's)."),
        .value("--wafer-cost", "USD", "Processed 300 mm wafer price (default: the node's)."),
        .value("--wafer-diameter", "MM", "Wafer diameter (default 300)."),
        .value("--yield-model", "MODEL", "murphy (default), poisson, or hp (Hennessy-Patterson, N = 13.5)."),
        .value("--d2d-area", "FRACTION", "Die area per D2D interface as a fraction of the logic (default 0.03)."),
        .value("--d2d-pj-per-bit", "PJ", "D2D energy per bit (default 0.5)."),
        .value("--d2d-gbps", "GBPS", "Traffic per D2D link for its power, both directions (default 896)."),
        .value("--test-cost", "USD", "Known-good-die test cost per die tested (default 5)."),
        .value("--package-cost", "USD", "Single-die package and assembly cost (default 60)."),
        .value("--interposer-cost", "USD_PER_MM2", "Multi-die interposer cost per mm² of silicon (default 0.1)."),
        .value("--bond-yield", "FRACTION", "Assembly yield per die attached (default 0.99)."),
        .value("--tflops", "T", "Throughput of the whole design, TFLOPS (default: the --from chip's BF16 peak)."),
        .value("--tdp", "W", "Power of the whole design's logic (default: the --from chip's TDP)."),
        .value("--target-tflops", "T", "Throughput to reach: packages needed and their cost."),
    ]

    /// Training plan options of `estimate` the training metric honours (not its --top/--scaling).
    static let trainingOptions: [OptionSpec] = trainingEstimateOptions.filter { !["--seq", "--top", "--scaling"].contains($0.name) }

    public static let options: [OptionSpec] = uniqueOptions(sharedEstimateOptions + inferenceOptions.filter { $0.name != "--svg" }
                                                             + trainingOptions + mixedEstimateOptions + ownOptions + powerCostOptions + [WorkLimit.option, HTMLReportOutput.option]
                                                             + goodputOptions.filter { $0.name != "--no-goodput" })
    public static let maxPositionals = 0

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        if !args.all("--group").isEmpty { return try runMixedWhatIf(args, context) }
        if args.value("--chiplets") != nil || args.value("--die-area") != nil || args.value("--node") != nil {
            return try runChiplets(args, context)
        }
        return try runSweep(args, context)
    }

    // MARK: - Sweeps

    static func runSweep(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        let baseIDs = args.all("--from") + args.all("--chip")
        let system = try resolveSystem(args, context)
        guard !baseIDs.isEmpty || system != nil else { throw UsageError("whatif needs a base chip: --from ID (see 'chipmodel chips') or --system ID") }
        let name = args.value("--name")
        if name != nil, baseIDs.count > 1 { throw UsageError("--name derives one chip; give a single --from") }
        let documents = try specDocuments(args, context)
        var templates: [ChipTemplate] = []
        for id in baseIDs { templates.append(try ChipTemplate.find(id, in: documents)) }
        if let system {
            // The system's chip with the system's links: --set and --vary edit it like a chip.
            let base = try ChipTemplate.find(system.system.chip, in: documents)
            templates.append(try ChipTemplate(document: systemChipDocument(base.document, system: system.system),
                                              file: "\(base.file) with the links of system '\(system.system.id)'"))
        }
        let sets = try args.all("--set").map(parseSet)
        let axes: [SweepAxis]
        do { axes = try args.all("--vary").map(SweepAxis.parse) } catch { throw UsageError("\(error)") }
        if axes.count > 2 { throw UsageError("at most two --vary parameters (a grid), got \(axes.count)") }
        let metric = try makeMetric(args, context)
        let mcSamples = try args.int("--monte-carlo", range: 1...100_000)
        let seed = UInt64(try args.int("--seed", range: 0...Int(Int32.max)) ?? 1)
        let svgPath = args.value("--svg")
        if svgPath != nil, axes.isEmpty { throw UsageError("--svg charts a sweep: add --vary KEY=VALUES") }

        // Without --vary but with --set, show the base chip beside the derived one.
        let policy: RangePolicy = mcSamples.map { .monteCarlo(samples: $0, seed: seed) } ?? .corners
        var sweeps: [WhatIfSweep] = []
        if axes.isEmpty, !sets.isEmpty || name != nil {
            sweeps.append(WhatIfSweep(templates: templates, metric: metric, policy: policy))
        }
        sweeps.append(WhatIfSweep(templates: templates, sets: sets, name: name, axes: axes, metric: metric, policy: policy))
        do { for s in sweeps { try s.validate() } } catch let e as WhatIfKeyError {
            throw UsageError(e.description)
        } catch let e as SweepSyntaxError { throw UsageError(e.description) }
        // Before any work: the size of the run against the limit, then every value.
        try WorkLimit.check(try workEstimate(sweeps, args, samples: mcSamples ?? 0), args)
        try checkValues(sweeps, sets: sets, name: name, args)

        let total = sweeps.reduce(0) { $0 + $1.pointCount }
        let progress = SweepProgress(context: context, total: total, label: "whatif")
        if context.collectsReport { context.addReportChips(try templates.map { try derived($0, sets, name: name, option: "--set") }) }
        let chart = svgPath != nil || context.collectsReport ? axes.first.map { WhatIfChart(axes: axes, first: $0, metric: metric) } : nil
        let output = WhatIfOutput(format: format, axes: axes, metric: metric, seed: seed, monteCarlo: mcSamples != nil,
                                  context: context, chart: chart)
        // The sink counts Monte Carlo samples and spec corners beside the points.
        try progress.run {
            for s in sweeps {
                try s.forEachResult { r in
                    output.add(r)
                    progress.step()
                }
            }
        }
        try output.finish()
        if let svgPath, let chart {
            if try context.writePlot(svgPath, hasData: chart.pointCount > 0, chart.render) { context.err("wrote \(svgPath)\n") }
        } else if let chart, chart.pointCount > 0 {
            context.addReportChart("the sweep's headline metric", chart.render())
        }
        return 0
    }

    static func parseSet(_ s: String) throws -> (String, Double) {
        guard let eq = s.firstIndex(of: "=") else { throw UsageError("--set expects KEY=VALUE, got '\(s)'") }
        let key = String(s[..<eq])
        let v = try parseDouble(String(s[s.index(after: eq)...]), option: "--set \(key)", range: 1e-12...1e18)
        return (key, v)
    }

    /// Built-in spec documents followed by `--specs DIR` files (validated as a catalog first).
    static func specDocuments(_ args: ParsedArguments, _ context: CommandContext) throws -> [SpecDocument] {
        _ = try ChipModelCLI.catalog(args, context)
        var docs = EmbeddedSpecs.chips
        if let dir = args.value("--specs") {
            for f in try context.jsonFiles(in: dir) { docs.append(SpecDocument(file: f, bytes: try context.readFile(f))) }
        }
        return docs
    }


}

/// A workload parameter value a sweep point cannot run with (the row shows it as n/a).
struct WhatIfPointError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Options with duplicates (by name) removed, first kept: commands that merge shared option
/// lists stay unambiguous.
func uniqueOptions(_ options: [OptionSpec]) -> [OptionSpec] {
    var seen: Set<String> = []
    return options.filter { seen.insert($0.name).inserted }
}
