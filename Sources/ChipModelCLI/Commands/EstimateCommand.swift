import ChipModelKit

/// Options only the training `estimate` takes.
public let trainingEstimateOptions: [OptionSpec] = [
    .value("--seq", "N", "Training: sequence length in tokens (default 8192)."),
    .value("--tokens", "N", "Training: token budget for the days column (default 15e12)."),
    .value("--dp", "N", "Data-parallel degree."),
    .value("--cp", "N", "Context-parallel degree (sequence split)."),
    .value("--microbatch", "N", "Sequences per microbatch."),
    .value("--virtual-stages", "N", "Interleaved pipeline: model chunks per stage."),
    .value("--recompute", "none|selective|full|lightweight", "Activation recomputation (lightweight: norms, activation functions and MLA up-projections only)."),
    .value("--zero", "0-3", "ZeRO stage (1 = distributed optimizer)."),
    .value("--sp", "on|off", "Megatron sequence parallelism."),
    .value("--top", "N", "Also list the N best plans of each search."),
    .flag("--scaling", "Add a scaling table from one scale-up domain up to --chips."),
    .flag("--no-levers", "Leave out 'what would help most' (+10% of each resource, each with its own plan search: about 6 more searches per chip)."),
]

/// `chipmodel estimate`: Estimate training (or, with --inference, serving) throughput on a cluster.
/// The defaults, as help texts print them.
typealias D = StandardRunDefaults

public enum EstimateCommand: CLICommand {
    public static let name = "estimate"
    public static let abstract = "Estimate training (or, with --inference, serving) throughput on a cluster."
    public static let usage = "estimate [--chip ID ...] [--chips N] [--model ID|FILE] [options]"
    public static let discussion = """
    Estimates pre-training a transformer on a cluster: the best parallel plan (searched over every \
    valid TP x PP x DP x CP x EP x microbatch x virtual stages x recompute x ZeRO x SP x overlap \
    combination, given fields held fixed), step time with its breakdown, tokens/s, MFU, memory per chip \
    and days for a token budget. With no arguments: \(D.trainingModelID) on \(D.trainingChips) chips of each of \
    \(D.trainingChipIDs.joined(separator: ", ")) (seq \(D.trainingSequenceLength), global batch \
    \(D.trainingGlobalBatch(sequenceLength: D.trainingSequenceLength)), bf16, \(formatQuantity(D.trainingTokenBudget / 1e12)) T tokens).
    Defaults: --chips \(D.trainingChips), --model \(D.trainingModelID), --seq \(D.trainingSequenceLength), --batch \
    \(D.trainingTokensPerStep) tokens / seq, --precision bf16 (fp16 where the chip lacks bf16), --tokens \
    \(formatQuantity(D.trainingTokenBudget / 1e12)) T, the chip spec's scale-up domain. Ranges: every low/high spec \
    corner of a chip with estimated or roadmap values gets its own plan search. Degrees that do not \
    divide the chip count are usage errors; a plan that does not fit is reported with the memory it needs.
    Goodput (after the table): the fraction of wall time that trains when chips, HBM, hosts, NICs, fabric and \
    software fail at sourced per-component rates (Specs/reliability/failure-rates.json; or --mtbf-hours per \
    accelerator, or --failure-rates FILE), with checkpoints at the optimal interval of Daly's model (or \
    --checkpoint-interval-minutes), restarts of --restart-minutes (default 10) and checkpoint writes at \
    --checkpoint-gbps per node (default 0.65); effective days = ideal days / goodput, interruptions expected, and \
    the probability of 30 days without interruption. --no-goodput leaves it out.
    MFU (a percentage) counts model FLOPs (6 x active params x tokens + attention, no recompute) against the \
    chip's dense peak in the training format; HFU adds recomputed work.
    \(EstimateHelpText.planNotation)
    \(EstimateHelpText.formats)

    Examples:
      chipmodel estimate
      chipmodel estimate --chip h100-sxm5-80gb --chips 1024 --model gpt3-175b --seq 2048 --batch 1536 --top 5
      chipmodel estimate --inference --like-for-like --baseline a100-sxm4-80gb
      chipmodel estimate --chip a100-sxm4-80gb --chips 64 --model gpt3-175b --seq 2048 --batch 64 --tp 8 --pp 8 --format json
      chipmodel estimate --group br166:512 --group a100-sxm4-80gb:256 --group ascend-910b:256 --model llama3-70b

    Mixed clusters (--group, repeated): one model on several kinds of chip at once. Each group holds \
    a contiguous range of pipeline stages (its own TP/CP, layers, recompute, ZeRO) or runs data-parallel \
    replicas on a share of the batch, or both; collectives stay inside a group, only activations or \
    gradient shards cross the inter-group fabric (--inter-group-gbps, --inter-group-latency-us, \
    --inter-group host-staged). Reports the plan per group, the speedup over the best group alone and \
    the efficiency against the groups run as separate jobs.

    \(WorkLimit.helpText)
    """
    public static let options: [OptionSpec] = sharedEstimateOptions + comparisonOptions + trainingEstimateOptions + goodputOptions + mixedEstimateOptions
        + inferenceOptions + powerCostOptions + powerCostPlotOptions + [WorkLimit.option, HTMLReportOutput.option]
    public static let maxPositionals = 0

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        if !args.all("--group").isEmpty {
            if let flag = ["--like-for-like", "--baseline"].first(where: args.has) {
                throw UsageError("\(flag) compares chips of separate runs; it does not apply to one mixed cluster (--group)")
            }
            return try runMixedEstimate(args, context)
        }
        if args.has("--inference") {
            if let flag = goodputFlagsGiven(args).first { throw UsageError("\(flag) applies to training estimates (goodput), not --inference") }
            return try runInferenceEstimate(args, context)
        }
        return try runTrainingEstimate(args, context)
    }
}

/// What would help most, per chip with a feasible estimate: the nominal corner's levers.
func trainingLevers(_ results: [TrainingRunResult], chips: [Chip], run: TrainingRun) -> [String: TrainingLevers] {
    var out: [String: TrainingLevers] = [:]
    for (r, chip) in zip(results, chips) {
        guard case let .success(ranged) = r.outcome else { continue }
        out[r.chipID] = run.levers(ChipParameters(chip: chip), baseline: ranged.nominal)
    }
    return out
}

/// Parses the training plan flags.
func trainingConstraints(_ args: ParsedArguments) throws -> PlanConstraints {
    var c = PlanConstraints()
    c.tp = try args.int("--tp")
    c.pp = try args.int("--pp")
    c.dp = try args.int("--dp")
    c.cp = try args.int("--cp")
    c.ep = try args.int("--ep")
    c.microBatch = try args.int("--microbatch")
    c.virtualStages = try args.int("--virtual-stages", range: 1...1024)
    c.recompute = try args.choice("--recompute", from: RecomputeMode.allCases.map(\.rawValue)).flatMap(RecomputeMode.init(rawValue:))
    c.zeroStage = try args.int("--zero", range: 0...3)
    if let sp = try args.choice("--sp", from: ["on", "off", "true", "false"]) { c.sequenceParallel = sp == "on" || sp == "true" }
    return c
}

/// `chipmodel estimate` (training): parse, run the comparison, render.
func runTrainingEstimate(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
    let format = try ChipModelCLI.format(args)
    let catalog = try ChipModelCLI.catalog(args, context)
    let explicitChips = args.all("--chip")
    let model = try loadModel(args.value("--model") ?? StandardRunDefaults.trainingModelID, context)
    guard model.isDecoder else {
        throw UsageError("the training estimator models decoder transformers; '\(model.id)' is \(model.architecture.rawValue) (try --inference)")
    }
    let seq = try args.int("--seq", range: 1...10_000_000) ?? StandardRunDefaults.trainingSequenceLength
    let system = try resolveSystem(args, context, chips: catalog)
    var run = TrainingRun(model: model, sequenceLength: seq, globalBatch: try args.int("--batch", range: 1...100_000_000),
                          precision: try args.value("--precision").map { _ in try parsePrecision(args, default: .bf16) },
                          emulate: args.has("--emulate"),
                          chips: try system?.count ?? args.int("--chips", range: 1...10_000_000) ?? StandardRunDefaults.trainingChips,
                          scaleUpDomain: try system?.domain ?? args.int("--scale-up-domain", range: 1...10_000_000),
                          constraints: try trainingConstraints(args),
                          tokenBudget: try args.double("--tokens", range: 1...1e18) ?? StandardRunDefaults.trainingTokenBudget)
    let top = try args.int("--top", range: 1...100)
    run.search = TrainingSearch.Options(top: max(5, top ?? 5))
    run.fabric = system?.fabric
    if let problem = run.constraintProblem { throw UsageError(problem) }

    var chips: [Chip] = []
    var skipped: [String] = []
    if let system { chips = [system.chip] }
    for id in system != nil ? [] : explicitChips.isEmpty ? StandardRunDefaults.trainingChipIDs : explicitChips {
        do { chips.append(try catalog.chip(id)) } catch {
            if explicitChips.isEmpty { skipped.append("note: chip '\(id)' is not in the catalog; skipped"); continue }
            throw error
        }
    }
    let (likeForLike, baselineID) = try comparisonSettings(args, chips: chips)
    var comparison = ComparisonOptions(baselineID: baselineID)
    for c in chips { comparison.defaultFormats[c.id] = standardTrainingFormat(ChipParameters(chip: c)).format }
    if likeForLike {
        let shared = LikeForLike.trainingFormat(chips.map { ChipParameters(chip: $0) })
        run.precision = shared.format
        run.emulate = run.emulate || shared.emulate
        comparison.likeForLike = shared.format
    } else if let p = run.precision {
        try checkFormats([("--precision", p)], on: chips, emulate: run.emulate)
    }
    context.addReportChips(chips)
    let levers = !args.has("--no-levers")
    try WorkLimit.check(EstimateWork.training(chips, run: run, scaling: args.has("--scaling"), levers: levers), args)
    // Chip by chip, for the progress line (the same results as one compare of them all).
    var results: [TrainingRunResult] = []
    var leverTable: [String: TrainingLevers] = [:]
    let progress = SweepProgress(context: context, total: chips.count, label: "estimate", unit: "chips")
    do {
        try progress.run {
            for chip in chips {
                let r = try run.compare([chip], scaling: args.has("--scaling"))
                results += r
                if levers { leverTable.merge(trainingLevers(r, chips: [chip], run: run)) { a, _ in a } }
                progress.step()
            }
        }
    } catch let e as UnsupportedFormatError {
        throw UsageError(e.description)
    }
    let assumptions = try powerCostAssumptions(args)
    let energy = trainingEnergy(results, chips: chips, tables: try PowerCostTables.builtIn(catalog: catalog),
                                assumptions: system?.applied(to: assumptions) ?? assumptions)
    var options = TrainingReport.Options(details: chips.count == 1 || top != nil, top: top, energy: energy)
    options.comparison = comparison
    options.system = system?.json
    if levers { options.levers = leverTable }
    if !args.has("--no-goodput") {
        var settings = try goodputSettings(args, context)
        settings.system = system?.goodputFigures
        (options.goodput, options.claims) = try trainingGoodput(results, chips: chips, run: run, settings: settings, details: options.details)
    } else if let flag = goodputFlagsGiven(args).first(where: { $0 != "--no-goodput" }) {
        throw UsageError("\(flag) contradicts --no-goodput")
    }
    if let system, format == .table { context.out(system.summary) }
    context.out(TrainingReport.render(results, run: run, format: format, options: options, skipped: format == .csv ? [] : skipped))
    if format == .csv { for n in skipped { context.err(n + "\n") } }
    return strictExit(args, context, failures: results.compactMap { r in
        if case let .failure(e) = r.outcome { return (r.chipID, e.message) }
        return nil
    })
}
