import ChipModelKit

/// Options only the training `estimate` takes.
public let trainingEstimateOptions: [OptionSpec] = [
    .value("--seq", "N", "Training: sequence length in tokens (default 8192)."),
    .value("--tokens", "N", "Training: token budget for the days column (default 15e12)."),
    .value("--dp", "N", "Data-parallel degree."),
    .value("--cp", "N", "Context-parallel degree (sequence split)."),
    .value("--microbatch", "N", "Sequences per microbatch."),
    .value("--virtual-stages", "N", "Interleaved pipeline: model chunks per stage."),
    .value("--recompute", "none|selective|full", "Activation recomputation."),
    .value("--zero", "0-3", "ZeRO stage (1 = distributed optimizer)."),
    .value("--sp", "on|off", "Megatron sequence parallelism."),
    .value("--top", "N", "Also list the N best plans of each search."),
    .flag("--scaling", "Add a scaling table from one scale-up domain up to --chips."),
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
    MFU counts model FLOPs (6 x active params x tokens + attention, no recompute) against the chip's \
    dense peak in the training format; HFU adds recomputed work.

    Examples:
      chipmodel estimate
      chipmodel estimate --chip h100-sxm5-80gb --chips 1024 --model gpt3-175b --seq 2048 --batch 1536 --top 5
      chipmodel estimate --chip a100-sxm4-80gb --chips 64 --model gpt3-175b --seq 2048 --batch 64 --tp 8 --pp 8 --format json
    """
    public static let options: [OptionSpec] = sharedEstimateOptions + trainingEstimateOptions + inferenceOptions
    public static let maxPositionals = 0

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        if args.has("--inference") { return try runInferenceEstimate(args, context) }
        return try runTrainingEstimate(args, context)
    }
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
    let results: [TrainingRunResult]
    do { results = try run.compare(chips, scaling: args.has("--scaling")) } catch let e as UnsupportedFormatError {
        throw RunError(e.description)
    }
    let options = TrainingReport.Options(details: chips.count == 1 || top != nil, top: top)
    if let system, format == .table { context.out(system.summary) }
    context.out(TrainingReport.render(results, run: run, format: format, options: options, skipped: format == .csv ? [] : skipped))
    if format == .csv { for n in skipped { context.err(n + "\n") } }
    return 0
}
