import Foundation
import ChipModelKit

/// Options only `estimate --inference` takes (owned by the inference estimator).
public let inferenceOptions: [OptionSpec] = [
    .flag("--inference", "Estimate inference serving instead of training."),
    .value("--scenario", "offline|server|interactive|single-stream", "Inference scenario (default: offline). server: p99 TTFT/TPOT bounds from --ttft-ms/--tpot-ms, else the model's MLPerf server rule (deepseek-r1 2000/80 ms, llama3.1-405b 6000/175, ...), else 2000/200; interactive: the server scenario at the MLPerf -interactive bounds (llama2-70b 450/40 ms, ...)."),
    .value("--input-tokens", "N", "Inference: prompt tokens per request (default \(StandardRunDefaults.inferenceInputTokens); BERT: sequence length, 384)."),
    .value("--output-tokens", "N", "Inference: generated tokens per request (default \(StandardRunDefaults.inferenceOutputTokens))."),
    .value("--ttft-ms", "MS", "Inference: time-to-first-token bound (server default 2000; BERT/ResNet: p99 latency bound)."),
    .value("--tpot-ms", "MS", "Inference: time-per-output-token bound (server default 200)."),
    .value("--replicas", "N", "Inference: model replicas (each tp x pp chips); default: as many as fit."),
    .value("--kv-precision", "FORMAT", "Inference: KV-cache format (default: fp8 with 8-bit-or-smaller weights where the chip has FP8, else 16-bit)."),
    .value("--svg", "FILE", "Inference: write the throughput-vs-latency plot to FILE (SVG), with the latency bounds in force and each chip's chosen operating point."),
    .value("--phase", "both|decode|prefill", "Inference: serve both phases (default), steady-state decode only, or prefill only."),
    .value("--speculative", "METHOD:K:A", "Inference: speculative decoding, e.g. mtp:1:1.7 (K draft tokens, A accepted per step; METHOD mtp or draft)."),
    .value("--compute-precision", "FORMAT", "Inference: GEMM format when it differs from the weights' --precision (e.g. int4 weights, bf16 = W4A16)."),
    .value("--dp-attention", "on|off|N", "Inference, MoE: data-parallel attention over the replica (N = replica width) with experts over --ep; default searched."),
    .value("--two-batch-overlap", "on|off", "Inference, MoE with data-parallel attention: two micro-batches hide one's expert all-to-all behind the other's compute (SGLang TBO); default off."),
    .flag("--disaggregated", "Inference: prefill and decode on separate pools; the split is searched unless --prefill-chips/--decode-chips fix it."),
    .value("--prefill-chips", "N", "Inference: chips of the prefill pool (implies --disaggregated)."),
    .value("--decode-chips", "N", "Inference: chips of the decode pool (implies --disaggregated)."),
]

/// `--scenario`: offline, server, single-stream, or interactive (the server scenario at the
/// MLPerf -interactive bounds; returned as .server with the flag).
func parseInferenceScenario(_ args: ParsedArguments) throws -> (InferenceScenario, interactive: Bool) {
    let names = InferenceScenario.allCases.map(\.rawValue) + ["interactive"]
    let name = try args.choice("--scenario", from: names) ?? "offline"
    if name == "interactive" { return (.server, true) }
    return (InferenceScenario(rawValue: name) ?? .offline, false)
}

/// An interactive run needs bounds: given, or the model's MLPerf interactive rule.
func checkInteractiveBounds(_ run: InferenceRun) throws {
    guard run.interactive else { return }
    guard run.model.isDecoder else {
        throw UsageError("--scenario interactive applies to decoder LLMs; \(run.model.id) is a \(run.model.architecture.rawValue) model (use --scenario server)")
    }
    if run.serverBoundsMs == nil {
        throw UsageError("--scenario interactive: \(MLPerfServerRules.noInteractiveRule(modelID: run.model.id)); give --ttft-ms and --tpot-ms")
    }
}

/// `chipmodel estimate --inference ...`: parse, run the comparison, render.
func runInferenceEstimate(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
    let format = try ChipModelCLI.format(args)
    let catalog = try ChipModelCLI.catalog(args, context)
    let model = try loadModel(args.value("--model") ?? StandardRunDefaults.inferenceModelID, context)
    let (scenario, interactive) = try parseInferenceScenario(args)
    let system = try resolveSystem(args, context, chips: catalog, countRange: 1...1_000_000)
    let chips = try system?.count ?? args.int("--chips", range: 1...1_000_000) ?? StandardRunDefaults.inferenceChips
    let isLLM = model.isDecoder
    let defaultInput = isLLM ? StandardRunDefaults.inferenceInputTokens : (model.architecture == .bert ? 384 : 0)
    let input = try args.int("--input-tokens", range: isLLM ? 1...1_000_000 : 1...4096) ?? defaultInput
    let output = try args.int("--output-tokens", range: 1...1_000_000) ?? (isLLM ? StandardRunDefaults.inferenceOutputTokens : 0)
    if !isLLM, args.value("--output-tokens") != nil {
        throw UsageError("--output-tokens applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model")
    }
    let plan = try inferenceConstraints(args)
    let perReplica = (plan.tp ?? 1) * (plan.pp ?? 1)
    if perReplica > chips { throw UsageError("--tp x --pp = \(perReplica) exceeds --chips \(chips)") }
    if let r = plan.replicas, r * perReplica > chips {
        throw UsageError("--replicas \(r) x \(perReplica) chips per replica exceeds --chips \(chips)")
    }
    let dpOn = plan.dpAttention?.isOn == true
    if let ep = plan.ep, ep > 1 {
        if !model.isMoE { throw UsageError("--ep applies to mixture-of-experts models; \(model.id) is dense") }
        if !dpOn, let tp = plan.tp, tp % ep != 0 { throw UsageError("--ep \(ep) must divide --tp \(tp) (experts are split inside the TP group; or pass --dp-attention on)") }
        if !dpOn, model.experts % ep != 0 { throw UsageError("--ep \(ep) must divide the \(model.experts) experts of \(model.id) (or pass --dp-attention on: whole experts per chip, redundant copies fill the rest)") }
    }
    if plan.dpAttention != nil, !model.isMoE { throw UsageError("--dp-attention applies to mixture-of-experts models; \(model.id) is dense") }
    if plan.twoBatchOverlap != nil, !model.isMoE { throw UsageError("--two-batch-overlap applies to mixture-of-experts models; \(model.id) is dense") }
    if plan.disaggregated != nil, !isLLM { throw UsageError("--disaggregated applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model") }
    if let d = plan.disaggregated {
        let p = d.prefill.chips, q = d.decode.chips
        if let p, let q, p + q != chips { throw UsageError("--prefill-chips \(p) + --decode-chips \(q) must equal --chips \(chips)") }
        if let p, p >= chips { throw UsageError("--prefill-chips \(p) leaves no decode chip of --chips \(chips)") }
        if let q, q >= chips { throw UsageError("--decode-chips \(q) leaves no prefill chip of --chips \(chips)") }
    }
    let phase = InferencePhase(rawValue: try args.choice("--phase", from: InferencePhase.allCases.map(\.rawValue)) ?? "both") ?? .both
    if phase != .both, !isLLM { throw UsageError("--phase applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model") }
    let speculative = try parseSpeculative(args)
    if speculative != nil, !isLLM { throw UsageError("--speculative applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model") }
    let computePrecision = try parseFormat(args, "--compute-precision")
    if let tp = plan.tp, isLLM, model.heads % tp != 0 {
        throw UsageError("--tp \(tp) must divide the \(model.heads) attention heads of \(model.id)")
    }
    var run = InferenceRun(model: model, scenario: scenario, inputTokens: input, outputTokens: output,
                           precision: try args.value("--precision").map { _ in try parsePrecision(args, default: .bf16) },
                           kvPrecision: try parseKVPrecision(args),
                           ttftBoundMs: try args.double("--ttft-ms", range: 1e-3...1e9),
                           tpotBoundMs: try args.double("--tpot-ms", range: 1e-3...1e9), emulate: args.has("--emulate"),
                           chips: chips, batch: try args.int("--batch", range: 1...1_000_000), constraints: plan,
                           scaleUpDomain: try system?.domain ?? args.int("--scale-up-domain", range: 1...1_000_000))
    run.fabric = system?.fabric
    run.interactive = interactive
    try checkInteractiveBounds(run)
    run.computePrecision = computePrecision
    run.phase = phase
    run.speculative = speculative
    let explicitChips = args.all("--chip")
    var selected: [Chip] = []
    if let system {
        selected = [system.chip]
    } else if explicitChips.isEmpty {
        for id in StandardRunDefaults.inferenceChipIDs {
            if let c = try? catalog.chip(id) { selected.append(c) } else { context.err("note: chip '\(id)' is not in the catalog; skipped\n") }
        }
    } else {
        for id in explicitChips { selected.append(try catalog.chip(id)) }
    }
    let (likeForLike, baselineID) = try comparisonSettings(args, chips: selected)
    var comparison = ComparisonOptions(baselineID: baselineID)
    for c in selected { comparison.defaultFormats[c.id] = standardInferenceFormat(ChipParameters(chip: c), model: model).format }
    if likeForLike {
        let shared = LikeForLike.inferenceFormat(selected.map { ChipParameters(chip: $0) }, model: model)
        run.precision = shared.format
        run.emulate = run.emulate || shared.emulate
        comparison.likeForLike = shared.format
    } else if let p = run.precision {
        try checkFormats([("--precision", p)] + (computePrecision.map { [("--compute-precision", $0)] } ?? []), on: selected, emulate: run.emulate)
    }
    try WorkLimit.check(EstimateWork.inference(selected), args)
    let progress = SweepProgress(context: context, total: selected.count, label: "estimate", unit: "chips")
    let outcomes = progress.run { selected.flatMap { chip in defer { progress.step() }; return run.compare([chip]) } }
    let energy = servingEnergy(outcomes, chips: selected, outputTokens: output, tables: try PowerCostTables.builtIn(catalog: catalog),
                               assumptions: try system.map { try $0.applied(to: powerCostAssumptions(args)) } ?? powerCostAssumptions(args))
    try writeEfficiencyPlots(args, context, outcomes: outcomes, energy: energy, model: model)

    context.addReportChips(selected)
    if let svg = args.value("--svg") {
        try context.writePlot(svg, hasData: outcomes.contains { $0.nominal != nil }) {
            InferenceReport.svg(outcomes, model: model, scenario: scenario, bounds: ServingBoundInForce.inForce(run))
        }
    } else if context.collectsReport, outcomes.contains(where: { $0.nominal != nil }) {
        context.addReportChart("throughput vs latency", InferenceReport.svg(outcomes, model: model, scenario: scenario, bounds: ServingBoundInForce.inForce(run)))
    }
    switch format {
    case .json: context.out(InferenceReport.json(outcomes, model: model, scenario: scenario, chips: chips, energy: energy,
                                                 comparison: comparison, system: system?.json).serialized(pretty: true) + "\n")
    case .csv: context.out(InferenceReport.csv(outcomes, comparison: comparison))
    case .table:
        if let system { context.out(system.summary) }
        var head = "\(model.name), \(run.interactive ? "interactive (the server scenario at MLPerf -interactive bounds)" : scenario.rawValue)"
        if isLLM { head += ", \(input) in / \(output) out tokens" } else if model.architecture == .bert { head += ", sequence \(input)" }
        head += ", \(chips) chips each\n"
        head += "formats: " + (run.precision.map { "weights \($0.rawValue)" + (run.emulate ? " (--emulate: GEMMs at the next wider format the chip has, conversion on the vector unit)" : "") }
            ?? "weights fp8 where the chip has it, else bf16/fp16 (int8 for encoders/CNNs)")
        head += (run.computePrecision.map { ", GEMMs \($0.rawValue)" } ?? "")
        head += ", KV " + (run.kvPrecision?.rawValue ?? "fp8 with 8-bit-or-narrower weights where the chip has FP8, else 16-bit; 16-bit for MLA") + "\n"
        if let line = InferenceReport.formatsLine(outcomes, comparison) { head += line + "\n" }
        context.out(head + "\n")
        context.out(InferenceReport.table(outcomes, comparison: comparison).renderText())
        for o in outcomes {
            if let line = InferenceReport.rangeLine(o) { context.out(line + "\n") }
        }
        for o in outcomes {
            if let e = energy[o.chipID] { context.out(PowerCostReport.servingLine(chipID: o.chipID, e, llm: isLLM) + "\n") }
        }
        let shown = outcomes.compactMap(\.nominal)
        if shown.count == 1, let e = shown.first {
            context.out("\nThroughput vs latency, \(e.chipID) (tp \(e.plan.tp) pp \(e.plan.pp) x \(e.plan.replicas)):\n")
            context.out(InferenceReport.sweepTable(e).renderText())
            context.out("\nBreakdown:\n" + e.explanation.map { "  " + $0 }.joined(separator: "\n") + "\n")
        } else if shown.count > 1 {
            context.out("\n(pass one --chip for the throughput-vs-latency table and the breakdown; --svg FILE plots all)\n")
        }
    }
    return strictExit(args, context, failures: outcomes.compactMap { o in o.failure.map { (o.chipID, $0) } })
}

/// Parses the serving plan flags.
func inferenceConstraints(_ args: ParsedArguments) throws -> PlanConstraints {
    var plan = PlanConstraints()
    plan.tp = try args.int("--tp", range: 1...65_536)
    plan.pp = try args.int("--pp", range: 1...65_536)
    plan.ep = try args.int("--ep", range: 1...65_536)
    plan.replicas = try args.int("--replicas", range: 1...1_000_000)
    if let v = args.value("--dp-attention") {
        switch v {
        case "on", "true": plan.dpAttention = .on
        case "off", "false": plan.dpAttention = .off
        default:
            guard let n = Int(v), (1...65_536).contains(n) else {
                throw UsageError("invalid value '\(v)' for --dp-attention; expected on, off or a replica width 1...65536")
            }
            plan.dpAttention = n == 1 ? .off : .degree(n)
        }
    }
    if let v = args.value("--two-batch-overlap") {
        switch v {
        case "on", "true": plan.twoBatchOverlap = true
        case "off", "false": plan.twoBatchOverlap = false
        default: throw UsageError("invalid value '\(v)' for --two-batch-overlap; expected on or off")
        }
    }
    let prefillChips = try args.int("--prefill-chips", range: 1...1_000_000)
    let decodeChips = try args.int("--decode-chips", range: 1...1_000_000)
    if args.has("--disaggregated") || prefillChips != nil || decodeChips != nil {
        plan.disaggregated = DisaggregatedPlan(prefill: InferencePoolPlan(chips: prefillChips), decode: InferencePoolPlan(chips: decodeChips))
    }
    return plan
}

/// Parses `--speculative METHOD:K:A`.
func parseSpeculative(_ args: ParsedArguments) throws -> SpeculativeDecoding? {
    guard let v = args.value("--speculative") else { return nil }
    let parts = v.split(separator: ":").map(String.init)
    guard parts.count == 3, let method = SpeculativeDecoding.Method(rawValue: parts[0]), let k = Int(parts[1]), (1...64).contains(k),
          let a = Double(parts[2]), a.isFinite else {
        throw UsageError("invalid value '\(v)' for --speculative; expected METHOD:K:A with METHOD mtp or draft, K draft tokens 1...64, A accepted tokens per step (e.g. mtp:1:1.7)")
    }
    let s = SpeculativeDecoding(method: method, draftTokens: k, acceptedTokensPerStep: a)
    if let p = s.problem { throw UsageError("invalid value '\(v)' for --speculative: \(p)") }
    return s
}

/// Parses a number-format option.
func parseFormat(_ args: ParsedArguments, _ name: String) throws -> NumberFormat? {
    guard let s = args.value(name) else { return nil }
    guard let f = NumberFormat(name: s) else {
        throw UsageError("invalid value '\(s)' for \(name); expected one of: \(NumberFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return f
}

/// Parses `--kv-precision`.
func parseKVPrecision(_ args: ParsedArguments) throws -> NumberFormat? {
    guard let s = args.value("--kv-precision") else { return nil }
    guard let f = NumberFormat(name: s) else {
        throw UsageError("invalid value '\(s)' for --kv-precision; expected one of: \(NumberFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return f
}
