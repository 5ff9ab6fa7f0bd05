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
      inference: \(inferenceParameters.joined(separator: ", "))
      roofline: batch, seq
    VALUES: a list (448,896), a geometric range (256..8192*2) or an arithmetic range (1000..4000+500).
    A set value is exact (source "what-if --set"); other ranged spec values give every result a low-high range
    (corner evaluation); --monte-carlo N adds seeded Monte Carlo percentiles.

    Metrics (--metric; the default follows --inference):
      training   the training estimator ('estimate'): tokens/s per chip (charted), tokens/s, MFU and step time of the
                 best plan, binding = the largest part of the step (compute, pipeline bubble, TP/PP/DP communication, ...).
                 Defaults: \(D.trainingModelID), seq \(D.trainingSequenceLength), \(D.trainingTokensPerStep) tokens per step, bf16, \(D.trainingChips) chips,
                 every plan field searched; each low/high corner (and Monte Carlo sample) runs its own full search.
      inference  the inference estimator ('estimate --inference'): system tokens/s (charted), tokens/s per chip, TPOT,
                 TTFT; binding = the resource with the most time per token (d2d link, memory bandwidth, prefill compute, ...).
                 Defaults: \(D.inferenceModelID), \(D.inferenceInputTokens) in / \(D.inferenceOutputTokens) out, offline, \(D.inferenceChips) chips, fp8 where the chip has it.
      roofline   one chip running one Llama-style layer's GEMMs and attention (training: forward + backward; with
                 --inference: decode, or prefill with --phase prefill); no parallelism, collectives or capacity check.

    Chiplet economics ("monolithic or chiplets?"):
      chipmodel whatif --chiplets 1,2,4,8 --die-area 800 --node 7nm [--defect-density 0.09] [--wafer-cost 9346]
        [--yield-model murphy|poisson|hp] [--tflops T --tdp W --target-tflops X]
    Each assumption is a flag; defaults and their sources are printed with the result (see --format json).
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
                                                             + trainingOptions + ownOptions)
    public static let maxPositionals = 0

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        if args.value("--chiplets") != nil || args.value("--die-area") != nil || args.value("--node") != nil {
            return try runChiplets(args, context)
        }
        return try runSweep(args, context)
    }

    // MARK: - Metrics

    /// The metrics `--metric` accepts: the training estimator, the inference estimator, and the
    /// roofline layer metric (one chip, one layer; kept as a quick first look).
    static let metricNames = ["training", "inference", "roofline"]

    /// Workload parameters `--vary` may sweep besides spec keys, per metric.
    static let trainingParameters = ["chips", "batch", "seq", "tp", "pp", "dp", "cp", "ep", "microbatch"]
    static let inferenceParameters = ["chips", "batch", "tp", "pp", "ep", "replicas", "input-tokens", "output-tokens"]

    /// The metric a sweep evaluates at every point: the point's workload parameters
    /// (`point["chips"]`, ...) override the command's options (`--chips`, `--batch`, `--tp`, ...).
    static func makeMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let inference = args.has("--inference")
        let kind = try args.choice("--metric", from: metricNames) ?? (inference ? "inference" : "training")
        if kind != "roofline", args.value("--phase") != nil { throw UsageError("--phase applies to --metric roofline") }
        switch kind {
        case "training":
            if inference { throw UsageError("--metric training contradicts --inference") }
            return try trainingMetric(args, context)
        case "inference":
            if args.value("--seq") != nil { throw UsageError("the inference metric takes --input-tokens and --output-tokens, not --seq") }
            return try inferenceMetric(args, context)
        default:
            let ignored = ["--chips", "--tp", "--pp", "--ep", "--scale-up-domain"].filter { args.value($0) != nil }
            if !ignored.isEmpty {
                context.err("note: the roofline layer metric is for one chip; \(ignored.joined(separator: ", ")) ignored\n")
            }
            return try rooflineWorkload(args, context).whatIfMetric
        }
    }

    /// Training estimator metric: tokens/s per chip (headline), tokens/s of the cluster, MFU and
    /// step time of the best plan, every corner with its own full plan search (the range policy
    /// every command shares).
    static func trainingMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let model = try loadModel(args.value("--model") ?? StandardRunDefaults.trainingModelID, context)
        guard model.isDecoder else {
            throw UsageError("the training estimator models decoder transformers; '\(model.id)' is \(model.architecture.rawValue) (try --inference)")
        }
        let batch = try args.int("--batch", range: 1...100_000_000)
        let chips = try args.int("--chips", range: 1...10_000_000) ?? StandardRunDefaults.trainingChips
        let base = TrainingRun(model: model, sequenceLength: try args.int("--seq", range: 1...10_000_000) ?? StandardRunDefaults.trainingSequenceLength,
                               globalBatch: batch, precision: try args.value("--precision").map { _ in try parsePrecision(args, default: .bf16) },
                               emulate: args.has("--emulate"), chips: chips,
                               scaleUpDomain: try args.int("--scale-up-domain", range: 1...10_000_000),
                               constraints: try trainingConstraints(args),
                               tokenBudget: try args.double("--tokens", range: 1...1e18) ?? StandardRunDefaults.trainingTokenBudget)
        if let problem = base.constraintProblem,
           !args.all("--vary").contains(where: { v in trainingParameters.contains { v.hasPrefix($0 + "=") } }) {
            throw UsageError(problem)
        }
        let chipsSwept = args.all("--vary").contains { $0.hasPrefix("chips=") }
        let label = "training: " + (chipsSwept ? base.label.replacingOccurrences(of: ", \(chips) chips,", with: ", chips as swept,") : base.label)
        let outputs: [WhatIfMetric.Output] = [
            .init("tokensPerSecondPerChip", unit: "training tokens/s/chip"), .init("tokensPerSecond", unit: "tokens/s"),
            .init("mfu", unit: "MFU"), .init("stepSeconds", unit: "step s", higherIsBetter: false),
        ]
        return WhatIfMetric.ranged(label: label, parameters: trainingParameters, outputs: outputs) { p, point in
            var t = base
            func whole(_ name: String) throws -> Int? {
                guard let v = point[name] else { return nil }
                guard v >= 1, v <= 1e8, v == v.rounded() else { throw WhatIfPointError("\(name) must be a whole number from 1, got \(formatQuantity(v))") }
                return Int(v)
            }
            if let v = try whole("chips") { t.chips = v }
            if let v = try whole("seq") {
                t.sequenceLength = v
                if batch == nil { t.globalBatch = StandardRunDefaults.trainingGlobalBatch(sequenceLength: v) }
            }
            if let v = try whole("batch") { t.globalBatch = v }
            if let v = try whole("tp") { t.constraints.tp = v }
            if let v = try whole("pp") { t.constraints.pp = v }
            if let v = try whole("dp") { t.constraints.dp = v }
            if let v = try whole("cp") { t.constraints.cp = v }
            if let v = try whole("ep") { t.constraints.ep = v }
            if let v = try whole("microbatch") { t.constraints.microBatch = v }
            if let problem = t.constraintProblem { throw WhatIfPointError(problem) }
            let e = try t.estimate(p)
            let plan = "training plan on \(t.chips) x \(p.id)\(point.values.isEmpty ? "" : " at " + point.values.map { "\($0.name)=\(formatQuantity($0.value))" }.joined(separator: ", ")): \(e.plan)"
            return ([e.tokensPerSecondPerChip, e.tokensPerSecond, e.mfu, e.stepSeconds], trainingBinding(e.breakdown), [plan])
        }
    }

    /// Inference estimator metric: system tokens/s (headline), tokens/s per chip, TPOT and
    /// TTFT; every corner searched (the inference search is small).
    static func inferenceMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let model = try loadModel(args.value("--model") ?? StandardRunDefaults.inferenceModelID, context)
        guard model.isDecoder else {
            throw UsageError("the what-if inference metric reports LLM tokens/s; '\(model.id)' is \(model.architecture.rawValue) (use 'estimate --inference')")
        }
        let scenario = InferenceScenario(rawValue: try args.choice("--scenario", from: InferenceScenario.allCases.map(\.rawValue)) ?? "offline") ?? .offline
        let plan = try inferenceConstraints(args)
        let kvPrecision = try parseKVPrecision(args)
        let base = InferenceRun(
            model: model, scenario: scenario,
            inputTokens: try args.int("--input-tokens", range: 1...1_000_000) ?? StandardRunDefaults.inferenceInputTokens,
            outputTokens: try args.int("--output-tokens", range: 1...1_000_000) ?? StandardRunDefaults.inferenceOutputTokens,
            precision: try args.value("--precision").map { _ in try parsePrecision(args, default: .bf16) },
            kvPrecision: kvPrecision, ttftBoundMs: try args.double("--ttft-ms", range: 1e-3...1e9),
            tpotBoundMs: try args.double("--tpot-ms", range: 1e-3...1e9), emulate: args.has("--emulate"),
            chips: try args.int("--chips", range: 1...1_000_000) ?? StandardRunDefaults.inferenceChips, batch: try args.int("--batch", range: 1...1_000_000),
            constraints: plan, scaleUpDomain: try args.int("--scale-up-domain", range: 1...1_000_000))
        let chipsSwept = args.all("--vary").contains { $0.hasPrefix("chips=") }
        let label = "inference: " + (chipsSwept ? base.label.replacingOccurrences(of: ", \(base.chips) chips,", with: ", chips as swept,") : base.label)
        return WhatIfMetric.ranged(label: label, parameters: inferenceParameters, outputs: [
            .init("tokensPerSecond", unit: "inference tokens/s"), .init("tokensPerSecondPerChip", unit: "tokens/s/chip"),
            .init("tpotMs", unit: "TPOT ms", higherIsBetter: false), .init("ttftMs", unit: "TTFT ms", higherIsBetter: false),
        ]) { p, point in
            var w = base
            func whole(_ name: String) throws -> Int? {
                guard let v = point[name] else { return nil }
                guard v >= 1, v <= 1e8, v == v.rounded() else { throw WhatIfPointError("\(name) must be a whole number from 1, got \(formatQuantity(v))") }
                return Int(v)
            }
            if let v = try whole("chips") { w.chips = v }
            if let v = try whole("batch") { w.batch = v }
            if let v = try whole("tp") { w.constraints.tp = v }
            if let v = try whole("pp") { w.constraints.pp = v }
            if let v = try whole("ep") { w.constraints.ep = v }
            if let v = try whole("replicas") { w.constraints.replicas = v }
            if let v = try whole("input-tokens") { w.inputTokens = v }
            if let v = try whole("output-tokens") { w.outputTokens = v }
            let e = try w.estimate(p)
            guard let tps = e.tokensPerSecond, let perChip = e.tokensPerSecondPerChip else {
                throw WhatIfPointError("no tokens/s for \(model.id)")
            }
            return ([tps, perChip, e.tpotMs ?? .nan, e.ttftMs ?? .nan], e.binding)
        }
    }

    static func rooflineWorkload(_ args: ParsedArguments, _ context: CommandContext) throws -> RooflineLayerWorkload {
        let inference = args.has("--inference")
        let model = try loadModel(args.value("--model") ?? StandardRunDefaults.trainingModelID, context)
        let format = try parsePrecision(args, default: .bf16)
        let batch = try args.int("--batch", range: 1...10_000_000) ?? (inference ? 32 : 8)
        let seq = try args.int("--seq", range: 1...10_000_000) ?? 4096
        let phase = try args.choice("--phase", from: ["decode", "prefill"])
        if phase != nil, !inference { throw UsageError("--phase applies to --inference") }
        let mode: RooflineLayerWorkload.Mode = inference ? (phase == "prefill" ? .prefill : .inference) : .training
        return RooflineLayerWorkload(model: model, mode: mode, batch: inference && phase == "prefill" && args.value("--batch") == nil ? 1 : batch, seq: seq,
                                     format: format, emulate: args.has("--emulate"))
    }

    // MARK: - Sweeps

    static func runSweep(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        let baseIDs = args.all("--from") + args.all("--chip")
        guard !baseIDs.isEmpty else { throw UsageError("whatif needs a base chip: --from ID (see 'chipmodel chips')") }
        let name = args.value("--name")
        if name != nil, baseIDs.count > 1 { throw UsageError("--name derives one chip; give a single --from") }
        let documents = try specDocuments(args, context)
        var templates: [ChipTemplate] = []
        for id in baseIDs { templates.append(try ChipTemplate.find(id, in: documents)) }
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

        let total = sweeps.reduce(0) { $0 + $1.pointCount }
        let progress = SweepProgress(context: context, total: total, label: "whatif")
        var results: [SweepResult] = []
        for s in sweeps {
            let r = try s.run { _, _ in progress.step() }
            results += r
        }
        progress.finish()
        let mc: [MonteCarlo.Summary?]? = mcSamples == nil ? nil : results.map { $0.row.failed ? nil : $0.row.monteCarlo }
        if let failure = results.first(where: { $0.row.failed }), results.allSatisfy({ $0.row.failed }) {
            throw RunError(failure.row.notes.first ?? "the estimate failed at every point")
        }
        try render(results, mc: mc, axes: axes, metric: metric, seed: seed, format: format, context: context)
        if let svgPath, let first = axes.first {
            try context.writeFile(svgPath, chart(results, axes: axes, first: first, metric: metric))
            context.err("wrote \(svgPath)\n")
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

    static func render(_ results: [SweepResult], mc: [MonteCarlo.Summary?]?, axes: [SweepAxis], metric: WhatIfMetric,
                       seed: UInt64, format: OutputFormat, context: CommandContext) throws {
        let metricNames = results.first(where: { !$0.row.failed })?.row.metrics ?? []
        switch format {
        case .json:
            var rows: [JSONValue] = []
            for (i, r) in results.enumerated() {
                var members: [(String, JSONValue)] = [("chip", .string(r.chipID)), ("chipName", .string(r.chipName))]
                members.append(("parameters", .object(r.point.values.map { ($0.name, .num($0.value)) })))
                members.append(("metrics", .array(r.row.metrics.map { m in
                    .object([("name", .string(m.name)), ("unit", .string(m.unit)), ("nominal", .num(m.nominal)),
                             ("low", .num(m.low ?? m.nominal)), ("high", .num(m.high ?? m.nominal))])
                })))
                members.append(("binding", .string(r.row.binding)))
                if r.row.failed { members.append(("error", .str(r.row.notes.first))) }
                if let mc, i < mc.count, let s = mc[i] {
                    members.append(("monteCarlo", .object([("samples", .int(s.samples)), ("seed", .num(Double(seed))),
                                                           ("p5", .num(s.p5)), ("p50", .num(s.p50)), ("p95", .num(s.p95)),
                                                           ("mean", .num(s.mean))])))
                }
                rows.append(.object(members))
            }
            let doc = JSONValue.object([
                ("metric", .string(metric.label)),
                ("ranges", .string("low/high: corner evaluation over the chip's ranged spec values")),
                ("parameters", .array(axes.map { .string($0.name) })),
                ("rows", .array(rows)),
            ])
            context.out(doc.serialized() + "\n")
        case .table, .csv:
            var headers = ["chip"] + axes.map(\.name)
            for m in metricNames {
                if format == .csv { headers += ["\(m.name) (\(m.unit))", "\(m.name) low", "\(m.name) high"] }
                else { headers.append("\(m.unit) (range)") }
            }
            headers.append("binding")
            if mc != nil { headers += format == .csv ? ["mc p5", "mc p50", "mc p95"] : ["monte carlo p50 (p5-p95)"] }
            var table = TextTable(headers: headers)
            for (i, r) in results.enumerated() {
                var row = [r.chipID] + axes.map { a in r.point[a.name].map { formatQuantity($0) } ?? "-" }
                for m in (r.row.failed ? metricNames.map { MetricValue(name: $0.name, unit: $0.unit, nominal: .nan) } : r.row.metrics) {
                    if !m.nominal.isFinite && r.row.failed { row += format == .csv ? ["", "", ""] : ["-"]; continue }
                    if format == .csv {
                        row += [csvNumber(m.nominal), csvNumber(m.low ?? m.nominal), csvNumber(m.high ?? m.nominal)]
                    } else {
                        row.append(m.formatted)
                    }
                }
                row.append(r.row.binding)
                if let mc {
                    let s = i < mc.count ? mc[i] : nil
                    if format == .csv { row += [s.map { csvNumber($0.p5) } ?? "", s.map { csvNumber($0.p50) } ?? "", s.map { csvNumber($0.p95) } ?? ""] }
                    else { row.append(s.map { "\(formatQuantity($0.p50)) (\(formatQuantity($0.p5))-\(formatQuantity($0.p95)))" } ?? "-") }
                }
                table.add(row)
            }
            if format == .csv {
                context.out(table.renderCSV())
            } else {
                context.out(table.renderText())
                context.out("\nmetric: \(metric.label)\n")
                if results.contains(where: { $0.row.metrics.contains(where: \.hasRange) }) {
                    context.out("ranges: low-high over the chip's ranged (estimated/roadmap) spec values, corner evaluation\n")
                }
                if mc != nil { context.out("monte carlo: triangular(low, nominal, high) per ranged spec value, seed \(seed)\n") }
                var failures: [String] = []
                for r in results where r.row.failed {
                    let line = "\(r.chipID): \(r.row.notes.first ?? "failed")"
                    if !failures.contains(line) { failures.append(line) }
                }
                for f in failures { context.out("n/a: \(f)\n") }
                var caveats: [String] = []
                for r in results where !r.row.failed {
                    for n in r.row.notes.dropFirst() where !caveats.contains(n) { caveats.append(n) }
                }
                for c in caveats { context.out("note: \(c)\n") }
            }
        }
    }

    static func csvNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }

    /// One line per chip (and per value of a second axis), headline metric vs the first axis.
    static func chart(_ results: [SweepResult], axes: [SweepAxis], first: SweepAxis, metric: WhatIfMetric) -> String {
        var order: [String] = []
        var series: [String: [LineChartSeries.Point]] = [:]
        var lastBinding: [String: String] = [:]
        for r in results {
            guard let x = r.point[first.name], let m = r.row.headline else { continue }
            var key = r.chipID
            if axes.count > 1, let v = r.point[axes[1].name] { key += " \(axes[1].name)=\(formatQuantity(v))" }
            if series[key] == nil { order.append(key) }
            // Label the binding resource at the first point and wherever it changes.
            // The binding resource without its qualifiers ("prefill compute; batch limited by ...").
            let primary = r.row.binding.split(separator: ";").first.map(String.init) ?? r.row.binding
            let label = lastBinding[key] == r.row.binding ? nil : (primary.contains(" ") ? "bound: " + primary : primary + "-bound")
            lastBinding[key] = r.row.binding
            series[key, default: []].append(.init(x: x, y: m.nominal, low: m.low, high: m.high, label: label))
        }
        let unit = results.first?.row.headline?.unit ?? "metric"
        let chart = LineChartSVG(title: "\(unit) vs \(first.name)", subtitle: metric.label + "; labels: binding resource where it changes",
                                 xLabel: first.name + unitSuffix(first.name), yLabel: unit,
                                 series: order.map { LineChartSeries(name: $0, points: series[$0] ?? []) },
                                 logX: first.spansDecade)
        return chart.render()
    }

    /// ` (GB/s)` for `...GBps`, from the unit in the key's name.
    static func unitSuffix(_ key: String) -> String {
        let units: [(String, String)] = [("GBps", "GB/s"), ("Tflops", "TFLOPS"), ("Tops", "TOPS"), ("MB", "MB"), ("GB", "GB"),
                                         ("Ns", "ns"), ("Us", "µs"), ("Mm2", "mm²"), ("W", "W")]
        for (suffix, u) in units where key.hasSuffix(suffix) { return " (\(u))" }
        switch key {
        case "chips": return " (chips)"
        case "batch": return " (sequences)"
        case "seq": return " (tokens)"
        default: return ""
        }
    }

    // MARK: - Chiplet economics

    static func runChiplets(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        if !args.all("--vary").isEmpty || !args.all("--set").isEmpty {
            throw UsageError("chiplet economics (--chiplets/--die-area/--node) does not combine with --set or --vary")
        }
        var counts: [Int] = []
        for part in (args.value("--chiplets") ?? "1,2,4,8").split(separator: ",", omittingEmptySubsequences: false) {
            counts.append(try parseInt(String(part), option: "--chiplets", range: 1...64))
        }
        var chip: Chip?
        if args.all("--from").count + args.all("--chip").count > 1 { throw UsageError("chiplet economics takes one --from chip") }
        if let id = args.value("--from") ?? args.value("--chip") {
            chip = try ChipModelCLI.catalog(args, context).chip(id)
        }
        var nodeName = args.value("--node")
        if nodeName == nil, let pn = chip?.dies.processNode, ProcessNode.named(pn) != nil { nodeName = pn }
        let nodeText = nodeName ?? "7nm"
        guard let node = ProcessNode.named(nodeText) else {
            throw UsageError("unknown --node '\(nodeText)'; known: \(ProcessNode.names.joined(separator: ", "))")
        }
        var area = try args.double("--die-area", range: 1...100_000)
        if area == nil, let c = chip, let a = c.dies.computeDieAreaMm2 { area = a.nominal * Double(c.dies.computeDieCount) }
        guard let logicArea = area else { throw UsageError("chiplet economics needs --die-area MM2 (or a --from chip with dies.computeDieAreaMm2)") }
        var a = ChipletAssumptions(logicAreaMm2: logicArea, node: node)
        if let v = try args.double("--defect-density", range: 0...100) { a.defectsPerCm2 = v }
        if let v = try args.double("--wafer-cost", range: 1...1e7) { a.waferCostUSD = v }
        if let v = try args.double("--wafer-diameter", range: 25...1000) { a.waferDiameterMm = v }
        if let m = try args.choice("--yield-model", from: ["murphy", "poisson", "hp"]) {
            a.yieldModel = m == "poisson" ? .poisson : (m == "hp" ? .hennessyPatterson(n: 13.5) : .murphy)
        }
        if let v = try args.double("--d2d-area", range: 0...1) { a.d2dAreaFractionPerInterface = v }
        if let v = try args.double("--d2d-pj-per-bit", range: 0...100) { a.d2dPicojoulesPerBit = v }
        if let v = try args.double("--d2d-gbps", range: 0...1e6) { a.d2dLinkGBps = v }
        if let v = try args.double("--test-cost", range: 0...1e6) { a.testCostPerDieUSD = v }
        if let v = try args.double("--package-cost", range: 0...1e7) { a.packageCostUSD = v }
        if let v = try args.double("--interposer-cost", range: 0...1e4) { a.interposerCostPerMm2USD = v }
        if let v = try args.double("--bond-yield", range: 0.01...1) { a.bondYield = v }
        a.designTflops = try args.double("--tflops", range: 1e-6...1e9) ?? chip?.matmulPeak(.bf16)?.nominal
        a.designTdpW = try args.double("--tdp", range: 1e-3...1e7) ?? chip?.tdpW?.nominal
        a.targetTflops = try args.double("--target-tflops", range: 1e-6...1e12)
        let (options, cheapest) = ChipletEconomics.compare(chiplets: counts, a)
        let assumptions: [(String, String, String)] = [
            ("logic area", "\(formatQuantity(a.logicAreaMm2)) mm²", chip.map { "--from \($0.id): computeDieAreaMm2 x computeDies" } ?? "--die-area"),
            ("node", node.name, node.source),
            ("wafer cost", "USD \(formatQuantity(a.waferCostUSD))", args.value("--wafer-cost") != nil ? "--wafer-cost" : "node default (range \(formatQuantity(node.waferCostRangeUSD.lowerBound))-\(formatQuantity(node.waferCostRangeUSD.upperBound)))"),
            ("defect density", "\(formatQuantity(a.defectsPerCm2)) /cm²", args.value("--defect-density") != nil ? "--defect-density" : "node default (range \(formatQuantity(node.defectsRange.lowerBound))-\(formatQuantity(node.defectsRange.upperBound)))"),
            ("yield model", a.yieldModel.name, "Murphy 1964 / Poisson / Hennessy & Patterson 5th ed. sec. 1.6"),
            ("wafer", "\(formatQuantity(a.waferDiameterMm)) mm", "dies per wafer: Hennessy & Patterson sec. 1.6"),
            ("D2D area", "\(formatQuantity(a.d2dAreaFractionPerInterface * 100))% of logic per interface", "assumption (2-10%)"),
            ("D2D energy", "\(formatQuantity(a.d2dPicojoulesPerBit)) pJ/bit at \(formatQuantity(a.d2dLinkGBps)) GB/s per link", "UCIe 1.0 targets 0.25-0.5 pJ/bit (advanced package)"),
            ("KGD test", "USD \(formatQuantity(a.testCostPerDieUSD)) per die tested", "assumption (1-20)"),
            ("package", "USD \(formatQuantity(a.packageCostUSD)) + interposer USD \(formatQuantity(a.interposerCostPerMm2USD))/mm² (multi-die)", "assumption (HBM excluded: same in every option)"),
            ("bond yield", "\(formatQuantity(a.bondYield)) per die attached", "assumption (0.97-0.995)"),
        ]
        renderChiplets(options, cheapest: cheapest, assumptions: assumptions, a: a, format: format, context: context)
        return 0
    }

    static func renderChiplets(_ options: [ChipletOption], cheapest: Int?, assumptions: [(String, String, String)],
                               a: ChipletAssumptions, format: OutputFormat, context: CommandContext) {
        let perf = a.designTflops != nil
        let target = a.targetTflops != nil && perf
        if format == .json {
            let opts: [JSONValue] = options.map { o in
                var m: [(String, JSONValue)] = [
                    ("chiplets", .int(o.chiplets)), ("dieAreaMm2", .num(o.dieAreaMm2)), ("d2dAreaFraction", .num(o.d2dAreaFraction)),
                    ("grossDiesPerWafer", .num(o.grossDiesPerWafer)), ("dieYield", .num(o.dieYield)),
                    ("costPerGoodDieUSD", .num(o.costPerGoodDieUSD)), ("packageCostUSD", .num(o.packageCostUSD)),
                    ("packageYield", .num(o.packageYield)), ("costPerPackageUSD", .num(o.costPerPackageUSD)),
                    ("waferAreaPerPackageMm2", .num(o.waferAreaPerPackageMm2)), ("d2dPowerW", .num(o.d2dPowerW)),
                    ("manufacturable", .bool(o.manufacturable)),
                ]
                m.append(("tflopsPerW", .num(o.tflopsPerW)))
                m.append(("tflopsPerUSD", .num(o.tflopsPerUSD)))
                m.append(("packagesForTarget", .int(o.packagesForTarget)))
                m.append(("costForTargetUSD", .num(o.costForTargetUSD)))
                return .object(m)
            }
            let doc = JSONValue.object([
                ("assumptions", .array(assumptions.map { .object([("name", .string($0.0)), ("value", .string($0.1)), ("source", .string($0.2))]) })),
                ("designTflops", .num(a.designTflops)), ("designTdpW", .num(a.designTdpW)), ("targetTflops", .num(a.targetTflops)),
                ("options", .array(opts)),
                ("cheapestChiplets", .int(cheapest.map { options[$0].chiplets })),
            ])
            context.out(doc.serialized() + "\n")
            return
        }
        var headers = ["chiplets", "die mm²", "D2D area %", "dies/wafer", "die yield", "USD/good die", "package USD",
                       "pkg yield", "USD/package", "D2D W"]
        if perf { headers += ["TFLOPS/W", "TFLOPS/kUSD"] }
        if target { headers += ["packages", "USD for target"] }
        headers.append("note")
        var t = TextTable(headers: headers)
        for (i, o) in options.enumerated() {
            var row = [String(o.chiplets), formatQuantity(o.dieAreaMm2), formatFixed(o.d2dAreaFraction * 100, decimals: 1),
                       formatQuantity(o.grossDiesPerWafer.rounded(.down)), formatFixed(o.dieYield, decimals: 3),
                       formatQuantity(o.costPerGoodDieUSD), formatQuantity(o.packageCostUSD), formatFixed(o.packageYield, decimals: 3),
                       formatQuantity(o.costPerPackageUSD), formatQuantity(o.d2dPowerW)]
            if perf {
                row.append(o.tflopsPerW.map { formatQuantity($0) } ?? "-")
                row.append(o.tflopsPerUSD.map { formatQuantity($0 * 1000) } ?? "-")
            }
            if target {
                row.append(o.packagesForTarget.map(String.init) ?? "-")
                row.append(o.costForTargetUSD.map { formatQuantity($0) } ?? "-")
            }
            var note = o.manufacturable ? "" : "die exceeds the \(formatQuantity(Wafer.reticleLimitMm2)) mm² reticle"
            if i == cheapest { note = "cheapest per package" }
            row.append(note)
            t.add(row)
        }
        if format == .csv { context.out(t.renderCSV()); return }
        context.out(t.renderText())
        if let c = cheapest {
            let best = options[c]
            var line = "\nanswer: \(best.chiplets == 1 ? "monolithic" : "\(best.chiplets) chiplets") is cheapest per good package (USD \(formatQuantity(best.costPerPackageUSD))"
            if let mono = options.first(where: { $0.chiplets == 1 }), mono.chiplets != best.chiplets {
                line += mono.manufacturable
                    ? ", \(formatFixed((1 - best.costPerPackageUSD / mono.costPerPackageUSD) * 100, decimals: 1))% below monolithic"
                    : "; monolithic cannot be made above the reticle limit"
            }
            line += ")"
            if let target = a.targetTflops, let n = best.packagesForTarget, let cost = best.costForTargetUSD {
                line += "; \(formatQuantity(target)) TFLOPS takes \(n) packages, USD \(formatQuantity(cost)) in silicon and packaging"
            }
            context.out(line + "\n")
        } else {
            context.out("\nanswer: no option can be manufactured (every die exceeds the reticle limit)\n")
        }
        context.out("\nassumptions (each is a flag; see 'chipmodel help whatif'):\n")
        for (n, v, s) in assumptions { context.out("  \(n): \(v)  [\(s)]\n") }
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

/// A progress line on stderr for long runs: shown only on a terminal, and only once the run
/// has taken more than a second.
final class SweepProgress {
    let context: CommandContext
    let total: Int
    let label: String
    var done = 0
    var shown = false
    let start = ContinuousClock.now
    /// How long a run must take before the progress line appears.
    let threshold: Duration

    init(context: CommandContext, total: Int, label: String, threshold: Duration = .seconds(1)) {
        self.context = context
        self.total = total
        self.label = label
        self.threshold = threshold
    }

    func step() {
        done += 1
        guard context.stderrIsTerminal else { return }
        if !shown, ContinuousClock.now - start < threshold { return }
        shown = true
        context.err("\r\(label): \(done)/\(total) points")
    }

    func finish() {
        if shown { context.err("\r\(label): \(done)/\(total) points, done\n") }
    }
}
