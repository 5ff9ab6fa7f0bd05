import Foundation

// The training and inference estimators on `ChipParameters` (one corner of a chip, or a hybrid
// chip that exists only as parameters), as `whatif` sweeps and `roadmap` runs need them.
// These wrap the estimators' public building blocks (`TrainingCostModel`, `TrainingSearch`,
// `TrainingEstimator.evaluate`, `InferenceEstimator.estimate`) without changing them.

/// The number format a training run uses on a chip: BF16, else FP16; a chip with neither runs
/// BF16 emulated at its next wider format (`emulate`).
public func standardTrainingFormat(_ p: ChipParameters) -> (format: NumberFormat, emulate: Bool) {
    if p.matmulTflops[.bf16] != nil { return (.bf16, false) }
    if p.matmulTflops[.fp16] != nil { return (.fp16, false) }
    return (.bf16, true)
}

/// The number format an LLM is served in on a chip: FP8 where the chip has it, else BF16, else
/// FP16 (as `estimate --inference` chooses); a chip with none of them emulates BF16.
public func standardInferenceFormat(_ p: ChipParameters) -> (format: NumberFormat, emulate: Bool) {
    if p.matmulTflops[.fp8] != nil { return (.fp8, false) }
    if p.matmulTflops[.bf16] != nil { return (.bf16, false) }
    if p.matmulTflops[.fp16] != nil { return (.fp16, false) }
    return (.bf16, true)
}

/// What bounds a training step: the largest part of its breakdown (`StepBreakdown`): compute
/// (forward + backward + recompute), the pipeline bubble, or the exposed time of one kind of
/// communication.
public func trainingBinding(_ b: StepBreakdown) -> String {
    let parts: [(String, Double)] = [
        ("compute", b.forward + b.backward + b.recompute),
        ("pipeline bubble", b.bubble),
        ("TP communication", b.tpExposed),
        ("PP communication", b.ppExposed),
        ("DP communication", b.dpExposed),
        ("EP all-to-all", b.epExposed),
        ("CP ring", b.cpExposed),
        ("optimizer", b.optimizer),
        ("overhead", b.overhead),
    ]
    var best = parts[0]
    for p in parts.dropFirst() where p.1 > best.1 { best = p }
    return best.0
}

extension TrainingEstimator {
    /// Training on one corner's parameters (`ChipParameters`, possibly a hybrid chip): searches
    /// the plan fields `constraints` leaves free (the full `TrainingSearch`) and evaluates the
    /// best plan, as `estimate(workload:chip:...)` does at the nominal corner, without corners.
    /// With `candidates`, only those plans are evaluated (each exactly, memory checked) and the
    /// fastest that fits is taken: the reduced search the roadmap attribution uses.
    public static func estimate(workload: TrainingWorkload, parameters p: ChipParameters, chips: Int,
                                scaleUpDomain: Int? = nil, constraints: PlanConstraints = PlanConstraints(),
                                options: TrainingSearch.Options = TrainingSearch.Options(),
                                emulate: Bool = false, candidates: [TrainingPlan]? = nil) throws -> TrainingEstimate {
        let model = try TrainingCostModel(workload: workload, chip: p, chips: chips, scaleUpDomain: scaleUpDomain, emulate: emulate)
        if let candidates {
            var best: TrainingEstimate?
            for plan in candidates {
                guard let e = evaluate(plan, model: model), e.stepSeconds.isFinite else { continue }
                if best == nil || e.stepSeconds < best!.stepSeconds { best = e }
            }
            guard let best else {
                throw TrainingInfeasibleError(message: "none of the \(candidates.count) candidate plans runs on \(chips) x \(p.id)",
                                              candidatesEvaluated: candidates.count)
            }
            return best
        }
        let result = TrainingSearch.run(model, constraints: constraints, options: options)
        guard let best = result.best else {
            if let least = result.leastMemory, least.memoryBytes > model.scalars.capacityBytes {
                throw TrainingInfeasibleError(
                    message: "no plan fits in memory on \(chips) x \(p.id): the smallest needs \(gb(least.memoryBytes)) GB per chip, \(gb(model.scalars.capacityBytes)) GB usable",
                    candidatesEvaluated: result.candidatesEvaluated, leastMemoryPlan: least.plan,
                    neededBytes: least.memoryBytes, usableBytes: model.scalars.capacityBytes)
            }
            let why = model.assumptions.isEmpty ? "no valid plan under the given constraints" : model.assumptions.joined(separator: "; ")
            throw TrainingInfeasibleError(message: "no plan can run on \(chips) x \(p.id): \(why)",
                                          candidatesEvaluated: result.candidatesEvaluated)
        }
        guard var est = evaluate(best.plan, model: model) else {
            throw TrainingInfeasibleError(message: "internal: the searched plan \(best.plan) could not be re-evaluated",
                                          candidatesEvaluated: result.candidatesEvaluated)
        }
        est.candidatesEvaluated = result.candidatesEvaluated
        est.searchSeconds = result.searchSeconds
        est.top = result.top
        return est
    }
}

/// The standard training run of `whatif` and `roadmap`: a decoder LLM pre-trained on a cluster
/// with a searched plan. Defaults (the `estimate` command's): Llama-3-70B, sequence 8192, global
/// batch 512 sequences (4 Mi tokens), BF16 (FP16 where the chip lacks BF16), 1,024 chips, the
/// chip's scale-up domain, every plan field searched.
public struct StandardTraining: Sendable {
    public var model: ModelSpec
    public var sequenceLength: Int
    public var globalBatch: Int
    /// Fixed format; nil: `standardTrainingFormat` of each chip.
    public var precision: NumberFormat?
    public var emulate: Bool
    public var chips: Int
    public var scaleUpDomain: Int?
    public var constraints: PlanConstraints
    public var tokenBudget: Double

    public init(model: ModelSpec, sequenceLength: Int = 8192, globalBatch: Int? = nil, precision: NumberFormat? = nil,
                emulate: Bool = false, chips: Int = 1024, scaleUpDomain: Int? = nil,
                constraints: PlanConstraints = PlanConstraints(), tokenBudget: Double = 15e12) {
        self.model = model
        self.sequenceLength = sequenceLength
        self.globalBatch = globalBatch ?? max(1, 4_194_304 / max(1, sequenceLength))
        self.precision = precision
        self.emulate = emulate
        self.chips = chips
        self.scaleUpDomain = scaleUpDomain
        self.constraints = constraints
        self.tokenBudget = tokenBudget
    }

    public func workload(for p: ChipParameters) -> (TrainingWorkload, emulate: Bool) {
        let (f, e) = precision.map { ($0, emulate) } ?? standardTrainingFormat(p)
        return (TrainingWorkload(model: model, sequenceLength: sequenceLength, globalBatch: globalBatch, precision: f,
                                 tokenBudget: tokenBudget), e || emulate)
    }

    /// The estimate on one corner's parameters (full plan search, or only `candidates`).
    public func estimate(_ p: ChipParameters, candidates: [TrainingPlan]? = nil) throws -> TrainingEstimate {
        let (w, e) = workload(for: p)
        return try TrainingEstimator.estimate(workload: w, parameters: p, chips: chips, scaleUpDomain: scaleUpDomain,
                                              constraints: constraints, emulate: e, candidates: candidates)
    }

    public var label: String {
        "\(model.name) pre-training, seq \(sequenceLength), global batch \(globalBatch), \(precision?.rawValue ?? "bf16 (fp16 where the chip lacks bf16)"), \(chips) chips, searched plan"
    }
}

/// The standard inference run of `whatif` and `roadmap`: an LLM served by `InferenceEstimator`.
/// Defaults (the `estimate --inference` command's): Llama-3-70B, 2048 prompt / 256 generated
/// tokens, offline, 8 chips, FP8 weights where the chip has FP8 (else BF16/FP16), plan and
/// batch searched.
public struct StandardInference: Sendable {
    public var model: ModelSpec
    public var scenario: InferenceScenario
    public var inputTokens: Int
    public var outputTokens: Int
    /// Fixed format; nil: `standardInferenceFormat` of each chip.
    public var precision: NumberFormat?
    public var kvPrecision: NumberFormat?
    public var ttftBoundMs: Double?
    public var tpotBoundMs: Double?
    public var emulate: Bool
    public var chips: Int
    public var batch: Int?
    public var constraints: PlanConstraints
    public var scaleUpDomain: Int?

    public init(model: ModelSpec, scenario: InferenceScenario = .offline, inputTokens: Int = 2048, outputTokens: Int = 256,
                precision: NumberFormat? = nil, kvPrecision: NumberFormat? = nil, ttftBoundMs: Double? = nil,
                tpotBoundMs: Double? = nil, emulate: Bool = false, chips: Int = 8, batch: Int? = nil,
                constraints: PlanConstraints = PlanConstraints(), scaleUpDomain: Int? = nil) {
        self.model = model
        self.scenario = scenario
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.precision = precision
        self.kvPrecision = kvPrecision
        self.ttftBoundMs = ttftBoundMs
        self.tpotBoundMs = tpotBoundMs
        self.emulate = emulate
        self.chips = chips
        self.batch = batch
        self.constraints = constraints
        self.scaleUpDomain = scaleUpDomain
    }

    public func estimate(_ p: ChipParameters) throws -> InferenceEstimate {
        let (f, e) = precision.map { ($0, emulate) } ?? standardInferenceFormat(p)
        let w = InferenceWorkload(model: model, scenario: scenario, inputTokens: inputTokens, outputTokens: outputTokens,
                                  precision: f, kvPrecision: kvPrecision, ttftBoundMs: ttftBoundMs, tpotBoundMs: tpotBoundMs,
                                  emulate: e || emulate)
        return try InferenceEstimator.estimate(w, chip: p, chips: chips, constraints: constraints, batch: batch,
                                               scaleUpDomain: scaleUpDomain)
    }

    public var label: String {
        "\(model.name) serving, \(inputTokens) in / \(outputTokens) out tokens, \(scenario.rawValue), \(chips) chips, \(precision?.rawValue ?? "fp8 where the chip has it (else bf16/fp16)"), plan and batch searched"
    }
}
