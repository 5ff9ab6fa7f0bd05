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
public enum EstimateCommand: CLICommand {
    public static let name = "estimate"
    public static let abstract = "Estimate training (or, with --inference, serving) throughput on a cluster."
    public static let usage = "estimate [--chip ID ...] [--chips N] [--model ID|FILE] [options]"
    public static let discussion = """
    Estimates pre-training a transformer on a cluster: the best parallel plan (searched over every \
    valid TP x PP x DP x CP x EP x microbatch x virtual stages x recompute x ZeRO x SP x overlap \
    combination, given fields held fixed), step time with its breakdown, tokens/s, MFU, memory per chip \
    and days for a token budget. With no arguments: Llama-3-70B on 1,024 chips of each of \
    \(defaultTrainingChips.joined(separator: ", ")) (seq 8192, global batch 512, bf16, 15 T tokens).
    Defaults: --chips 1024, --model llama3-70b, --seq 8192, --batch 4Mi tokens / seq, --precision bf16 \
    (fp16 where the chip lacks bf16), --tokens 15e12, the chip spec's scale-up domain. Degrees that do not \
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

/// The chips of the no-argument default (a missing id is skipped with a note).
public let defaultTrainingChips = ["br166", "br20x", "a100-sxm4-80gb", "h100-sxm5-80gb"]

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

func runTrainingEstimate(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
    let format = try ChipModelCLI.format(args)
    let catalog = try ChipModelCLI.catalog(args, context)
    let explicitChips = args.all("--chip")
    let chipIDs = explicitChips.isEmpty ? defaultTrainingChips : explicitChips
    let count = try args.int("--chips", range: 1...10_000_000) ?? 1024
    let model = try loadModel(args.value("--model") ?? "llama3-70b", context)
    guard model.isDecoder else {
        throw UsageError("the training estimator models decoder transformers; '\(model.id)' is \(model.architecture.rawValue) (try --inference)")
    }
    let seq = try args.int("--seq", range: 1...10_000_000) ?? 8192
    let batch = try args.int("--batch", range: 1...100_000_000) ?? max(1, 4_194_304 / seq)
    let tokens = try args.double("--tokens", range: 1...1e18) ?? 15e12
    let domain = try args.int("--scale-up-domain", range: 1...10_000_000)
    let top = try args.int("--top", range: 1...100)
    let constraints = try trainingConstraints(args)
    var workload = TrainingWorkload(model: model, sequenceLength: seq, globalBatch: batch, precision: .bf16, tokenBudget: tokens)
    if let problem = TrainingEstimator.validate(constraints, workload: workload, chips: count) { throw UsageError(problem) }
    let options = TrainingSearch.Options(top: max(5, top ?? 5))

    var estimates: [JSONValue] = []
    var table = TextTable(headers: ["chip", "chips", "best plan", "step s", "tokens/s/chip", "tokens/s", "MFU", "mem GB", "days"])
    var notes: [String] = []
    var details: [String] = []
    for id in chipIDs {
        let chip: Chip
        do { chip = try catalog.chip(id) } catch {
            if explicitChips.isEmpty { notes.append("note: chip '\(id)' is not in the catalog; skipped"); continue }
            throw error
        }
        let params = ChipParameters(chip: chip)
        let fallback: NumberFormat = params.matmulTflops[.bf16] != nil ? .bf16 : (params.matmulTflops[.fp16] != nil ? .fp16 : .bf16)
        workload.precision = try parsePrecision(args, default: fallback)
        let emulate = args.has("--emulate")
        do { _ = try params.matmulPeak(workload.precision, emulate: emulate) } catch { throw RunError(error.description) }
        do {
            let e = try TrainingEstimator.estimate(workload: workload, chip: chip, chips: count, scaleUpDomain: domain,
                                                   constraints: constraints, options: options, emulate: emulate)
            var json = estimateJSON(e)
            func ranged(_ nominal: Double, _ lo: Double?, _ hi: Double?, _ f: (Double) -> String) -> String {
                guard let lo, let hi, nominal != 0,
                      abs(lo - nominal) / abs(nominal) > 0.005 || abs(hi - nominal) / abs(nominal) > 0.005 else { return f(nominal) }
                // The corners re-time the nominal plan at the low and high specs; a ratio such as MFU
                // can land on either side of nominal, so the range shown spans all three.
                return "\(f(nominal)) (\(f(min(lo, hi, nominal)))-\(f(max(lo, hi, nominal))))"
            }
            table.add([chip.id, "\(count)", e.plan.description,
                       ranged(e.stepSeconds, e.low?.stepSeconds, e.high?.stepSeconds) { formatQuantity($0) },
                       ranged(e.tokensPerSecondPerChip, e.low?.tokensPerSecondPerChip, e.high?.tokensPerSecondPerChip) { formatQuantity($0) },
                       formatQuantity(e.tokensPerSecond),
                       ranged(e.mfu, e.low?.mfu, e.high?.mfu) { formatQuantity($0 * 100, decimals: 1) + "%" },
                       formatQuantity(e.memory.total / 1e9), ranged(e.days, e.low?.days, e.high?.days) { formatQuantity($0) }])
            notes.append("\(chip.id): \(e.candidatesEvaluated) candidates searched in \(formatQuantity(e.searchSeconds * 1e3)) ms"
                         + (showsRange(e) ? "; estimated specs: ranges are the low/high spec corners" : ""))
            if chipIDs.count == 1 || top != nil {
                details.append(contentsOf: TrainingEstimator.explain(e).map { "  " + $0 })
                if let top {
                    var t = TextTable(headers: ["#", "plan", "step s", "mem GB"])
                    for (i, r) in e.top.prefix(top).enumerated() {
                        t.add(["\(i + 1)", r.plan.description, formatQuantity(r.stepSeconds), formatQuantity(r.memoryBytes / 1e9)])
                    }
                    details.append("top \(min(top, e.top.count)) plans on \(chip.id):")
                    details.append(contentsOf: t.renderText().split(separator: "\n").map { "  " + $0 })
                }
            }
            if args.has("--scaling") {
                let rows = TrainingEstimator.scaling(workload: workload, chip: chip, chips: count, scaleUpDomain: domain,
                                                     constraints: constraints, options: options, emulate: emulate)
                var t = TextTable(headers: ["chips", "plan", "tokens/s", "tokens/s/chip", "efficiency"])
                var jr: [JSONValue] = []
                for r in rows {
                    if let plan = r.plan {
                        t.add(["\(r.chips)", plan.description, formatQuantity(r.tokensPerSecond),
                               formatQuantity(r.tokensPerSecondPerChip), formatQuantity(r.efficiency * 100, decimals: 1) + "%"])
                    } else {
                        t.add(["\(r.chips)", r.note ?? "-", "-", "-", "-"])
                    }
                    jr.append(.object([("chips", .int(r.chips)), ("plan", r.plan.map { .object(planJSON($0)) } ?? .null),
                                       ("tokensPerSecond", .num(r.tokensPerSecond)),
                                       ("tokensPerSecondPerChip", .num(r.tokensPerSecondPerChip)),
                                       ("scalingEfficiency", r.plan == nil ? .null : .num(r.efficiency)), ("note", .str(r.note))]))
                }
                details.append("scaling on \(chip.id) (global batch \(batch) held fixed, best plan per size):")
                details.append(contentsOf: t.renderText().split(separator: "\n").map { "  " + $0 })
                json.append(("scaling", .array(jr)))
            }
            estimates.append(.object(json))
        } catch let e as TrainingInfeasibleError {
            table.add([chip.id, "\(count)", "does not fit", "-", "-", "-", "-",
                       e.neededBytes.map { formatQuantity($0 / 1e9) } ?? "-", "-"])
            notes.append("\(chip.id): \(e.message)")
            estimates.append(.object([("chip", .string(chip.id)), ("chips", .int(count)), ("model", .string(model.id)),
                                      ("feasible", .bool(false)), ("reason", .string(e.message)),
                                      ("memoryNeededPerChipGB", .num(e.neededBytes.map { $0 / 1e9 })),
                                      ("memoryUsablePerChipGB", .num(e.usableBytes.map { $0 / 1e9 })),
                                      ("candidatesEvaluated", .int(e.candidatesEvaluated))]))
        }
    }
    switch format {
    case .json:
        var root: [(String, JSONValue)] = [("estimates", .array(estimates))]
        let skipped = notes.filter { $0.hasPrefix("note: chip") }
        if !skipped.isEmpty { root.append(("notes", .array(skipped.map { .string($0) }))) }
        context.out(JSONValue.object(root).serialized() + "\n")
    case .csv:
        context.out(table.renderCSV())
        for n in notes where n.hasPrefix("note:") { context.err(n + "\n") }
    case .table:
        context.out("Training \(model.name) on \(count) chips: seq \(seq), global batch \(batch) sequences, \(workload.precision.rawValue), days for \(formatQuantity(tokens / 1e12)) T tokens\n")
        context.out(table.renderText())
        for n in notes { context.out(n + "\n") }
        if !details.isEmpty { context.out(details.joined(separator: "\n") + "\n") }
    }
    return 0
}

/// True when the low/high corners move the step time by more than 0.5%.
func showsRange(_ e: TrainingEstimate) -> Bool {
    guard let lo = e.low, let hi = e.high, e.stepSeconds > 0 else { return false }
    return abs(lo.stepSeconds - e.stepSeconds) / e.stepSeconds > 0.005 || abs(hi.stepSeconds - e.stepSeconds) / e.stepSeconds > 0.005
}

func planJSON(_ p: TrainingPlan) -> [(String, JSONValue)] { p.jsonMembers }

func estimateJSON(_ e: TrainingEstimate) -> [(String, JSONValue)] {
    let b = e.breakdown
    var out: [(String, JSONValue)] = [
        ("chip", .string(e.chipID)), ("chips", .int(e.chips)), ("model", .string(e.workload.model.id)),
        ("feasible", .bool(true)),
        ("sequenceLength", .int(e.workload.sequenceLength)), ("globalBatch", .int(e.workload.globalBatch)),
        ("precision", .string(e.workload.precision.rawValue)),
        ("plan", .object(planJSON(e.plan))), ("microbatches", .int(e.microbatches)),
        ("stepTimeSeconds", .num(e.stepSeconds)), ("tokensPerSecondPerChip", .num(e.tokensPerSecondPerChip)),
        ("tokensPerSecond", .num(e.tokensPerSecond)), ("mfu", .num(e.mfu)), ("hfu", .num(e.hfu)),
        ("peakTflops", .num(e.peakFlops / 1e12)),
        ("memoryPerChipGB", .num(e.memory.total / 1e9)),
        ("memory", .object([("weightsGB", .num(e.memory.weights / 1e9)), ("gradientsGB", .num(e.memory.gradients / 1e9)),
                            ("optimizerGB", .num(e.memory.optimizer / 1e9)), ("activationsGB", .num(e.memory.activations / 1e9)),
                            ("usableGB", .num(e.memory.usable / 1e9)), ("capacityGB", .num(e.memory.capacity / 1e9))])),
        ("breakdown", .object([("forwardSeconds", .num(b.forward)), ("backwardSeconds", .num(b.backward)),
                               ("recomputeSeconds", .num(b.recompute)), ("bubbleSeconds", .num(b.bubble)),
                               ("tpExposedSeconds", .num(b.tpExposed)), ("ppExposedSeconds", .num(b.ppExposed)),
                               ("dpExposedSeconds", .num(b.dpExposed)), ("epExposedSeconds", .num(b.epExposed)),
                               ("cpExposedSeconds", .num(b.cpExposed)), ("optimizerSeconds", .num(b.optimizer)),
                               ("overheadSeconds", .num(b.overhead))])),
        ("tokenBudget", .num(e.workload.tokenBudget)), ("days", .num(e.days)),
        ("candidatesEvaluated", .int(e.candidatesEvaluated)), ("searchSeconds", .num(e.searchSeconds)),
        ("usesEstimatedSpecs", .bool(e.usesEstimatedSpecs)),
    ]
    if let lo = e.low, let hi = e.high {
        func corner(_ c: TrainingCornerValues) -> JSONValue {
            .object([("stepTimeSeconds", .num(c.stepSeconds)), ("tokensPerSecondPerChip", .num(c.tokensPerSecondPerChip)),
                     ("mfu", .num(c.mfu)), ("days", .num(c.days))])
        }
        out.append(("range", .object([("low", corner(lo)), ("high", corner(hi))])))
    }
    out.append(("top", .array(e.top.map { r in
        .object([("plan", .object(planJSON(r.plan))), ("stepTimeSeconds", .num(r.stepSeconds)),
                 ("memoryPerChipGB", .num(r.memoryBytes / 1e9))])
    })))
    return out
}
