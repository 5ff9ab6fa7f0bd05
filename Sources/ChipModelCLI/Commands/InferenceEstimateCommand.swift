import Foundation
import ChipModelKit

/// Options only `estimate --inference` takes (owned by the inference estimator).
public let inferenceOptions: [OptionSpec] = [
    .flag("--inference", "Estimate inference serving instead of training."),
    .value("--scenario", "offline|server|single-stream", "Inference scenario (default: offline)."),
    .value("--input-tokens", "N", "Inference: prompt tokens per request (default \(StandardRunDefaults.inferenceInputTokens); BERT: sequence length, 384)."),
    .value("--output-tokens", "N", "Inference: generated tokens per request (default \(StandardRunDefaults.inferenceOutputTokens))."),
    .value("--ttft-ms", "MS", "Inference: time-to-first-token bound (server default 2000; BERT/ResNet: p99 latency bound)."),
    .value("--tpot-ms", "MS", "Inference: time-per-output-token bound (server default 200)."),
    .value("--replicas", "N", "Inference: model replicas (each tp x pp chips); default: as many as fit."),
    .value("--kv-precision", "FORMAT", "Inference: KV-cache format (default: fp8 with 8-bit-or-smaller weights where the chip has FP8, else 16-bit)."),
    .value("--svg", "FILE", "Inference: write the throughput-vs-latency plot to FILE (SVG)."),
]

/// `chipmodel estimate --inference ...`: parse, run the comparison, render.
func runInferenceEstimate(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
    let format = try ChipModelCLI.format(args)
    let catalog = try ChipModelCLI.catalog(args, context)
    let model = try loadModel(args.value("--model") ?? StandardRunDefaults.inferenceModelID, context)
    let scenario = InferenceScenario(rawValue: try args.choice("--scenario", from: InferenceScenario.allCases.map(\.rawValue)) ?? "offline") ?? .offline
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
    if let ep = plan.ep, ep > 1 {
        if !model.isMoE { throw UsageError("--ep applies to mixture-of-experts models; \(model.id) is dense") }
        if let tp = plan.tp, tp % ep != 0 { throw UsageError("--ep \(ep) must divide --tp \(tp) (experts are split inside the TP group)") }
        if model.experts % ep != 0 { throw UsageError("--ep \(ep) must divide the \(model.experts) experts of \(model.id)") }
    }
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
    let outcomes = run.compare(selected)

    if let svg = args.value("--svg") {
        try context.writeFile(svg, InferenceReport.svg(outcomes, model: model, scenario: scenario))
    }
    switch format {
    case .json: context.out(InferenceReport.json(outcomes, model: model, scenario: scenario, chips: chips).serialized(pretty: true) + "\n")
    case .csv: context.out(InferenceReport.table(outcomes).renderCSV())
    case .table:
        if let system { context.out(system.summary) }
        var head = "\(model.name), \(scenario.rawValue)"
        if isLLM { head += ", \(input) in / \(output) out tokens" } else if model.architecture == .bert { head += ", sequence \(input)" }
        head += ", \(chips) chips each\n\n"
        context.out(head)
        context.out(InferenceReport.table(outcomes).renderText())
        for o in outcomes {
            guard let r = InferenceReport.throughputRange(o) else { continue }
            context.out("\(o.chipID): ranged specs; throughput low \(formatQuantity(r.low)) / high \(formatQuantity(r.high))\n")
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
    return 0
}

/// Parses the serving plan flags.
func inferenceConstraints(_ args: ParsedArguments) throws -> PlanConstraints {
    var plan = PlanConstraints()
    plan.tp = try args.int("--tp", range: 1...65_536)
    plan.pp = try args.int("--pp", range: 1...65_536)
    plan.ep = try args.int("--ep", range: 1...65_536)
    plan.replicas = try args.int("--replicas", range: 1...1_000_000)
    return plan
}

/// Parses `--kv-precision`.
func parseKVPrecision(_ args: ParsedArguments) throws -> NumberFormat? {
    guard let s = args.value("--kv-precision") else { return nil }
    guard let f = NumberFormat(name: s) else {
        throw UsageError("invalid value '\(s)' for --kv-precision; expected one of: \(NumberFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return f
}
