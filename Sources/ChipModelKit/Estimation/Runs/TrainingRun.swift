import Foundation

/// The number format a training run uses on a chip: BF16, else FP16; a chip with neither runs
/// BF16 emulated at its next wider format (`emulate`).
public func standardTrainingFormat(_ p: ChipParameters) -> (format: NumberFormat, emulate: Bool) {
    if p.matmulTflops[.bf16] != nil { return (.bf16, false) }
    if p.matmulTflops[.fp16] != nil { return (.fp16, false) }
    return (.bf16, true)
}

/// A training run as `estimate`, `whatif` and `roadmap` describe it: a decoder LLM pre-trained
/// on a cluster of one kind of chip with a searched plan. Defaults (`StandardRunDefaults`):
/// Llama-3-70B, sequence 8192, global batch 512 sequences (4 Mi tokens), BF16 (FP16 where the
/// chip lacks BF16), 1,024 chips, the chip's scale-up domain, every plan field searched.
public struct TrainingRun: Sendable {
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
    public var search: TrainingSearch.Options = TrainingSearch.Options()
    /// The scale-up wiring of a system (`--system`): nil for the switched two-tier network.
    public var fabric: ScaleUpFabric? = nil

    public init(model: ModelSpec, sequenceLength: Int = StandardRunDefaults.trainingSequenceLength, globalBatch: Int? = nil,
                precision: NumberFormat? = nil, emulate: Bool = false, chips: Int = StandardRunDefaults.trainingChips,
                scaleUpDomain: Int? = nil, constraints: PlanConstraints = PlanConstraints(),
                tokenBudget: Double = StandardRunDefaults.trainingTokenBudget) {
        self.model = model
        self.sequenceLength = sequenceLength
        self.globalBatch = globalBatch ?? StandardRunDefaults.trainingGlobalBatch(sequenceLength: sequenceLength)
        self.precision = precision
        self.emulate = emulate
        self.chips = chips
        self.scaleUpDomain = scaleUpDomain
        self.constraints = constraints
        self.tokenBudget = tokenBudget
    }

    /// The workload on one chip: the fixed precision, or the chip's standard training format.
    public func workload(for p: ChipParameters) -> TrainingWorkload {
        let (f, e) = precision.map { ($0, emulate) } ?? standardTrainingFormat(p)
        return TrainingWorkload(model: model, sequenceLength: sequenceLength, globalBatch: globalBatch, precision: f,
                                tokenBudget: tokenBudget, emulate: e || emulate)
    }

    /// The cluster of this run for one chip (one corner's parameters).
    public func cluster(_ p: ChipParameters) -> Cluster { Cluster(chip: p, count: chips, scaleUpDomain: scaleUpDomain, fabric: fabric) }

    /// The estimate on one corner's parameters (full plan search, or only `candidates`).
    public func estimate(_ p: ChipParameters, candidates: [TrainingPlan]? = nil) throws -> TrainingEstimate {
        try TrainingEstimator.estimate(workload(for: p), on: cluster(p), constraints: constraints,
                                       options: TrainingEstimator.Options(search: search, candidates: candidates))
    }

    /// The estimate on a chip under the range policy: every corner (and Monte Carlo sample)
    /// with its own full plan search.
    public func ranged(_ chip: Chip, policy: RangePolicy = .corners) throws -> RangedEstimate<TrainingEstimate> {
        try Ranges.evaluate(chip, policy: policy) { try estimate($0) }
    }

    /// The strong-scaling table on a chip (nominal corner): one scale-up domain up to `chips`.
    public func scaling(_ chip: Chip) -> [ScalingRow] {
        let p = ChipParameters(chip: chip)
        var cons = constraints
        cons.dp = nil
        return TrainingEstimator.scaling(workload(for: p), on: cluster(p), constraints: cons,
                                         options: TrainingEstimator.Options(search: search))
    }

    /// The problem with the plan constraints on this cluster (a degree that does not divide the
    /// chip count, the heads, the batch, ...), or nil.
    public var constraintProblem: String? {
        TrainingEstimator.validate(constraints, workload: TrainingWorkload(model: model, sequenceLength: sequenceLength,
                                                                           globalBatch: globalBatch, precision: .bf16),
                                   chips: chips)
    }

    public var label: String {
        "\(model.name) pre-training, seq \(sequenceLength), global batch \(globalBatch), \(precision?.rawValue ?? "bf16 (fp16 where the chip lacks bf16)"), \(chips) chips, searched plan"
    }
}

/// One chip's answer in a training comparison: the ranged estimate, or why no plan runs.
public struct TrainingRunResult: Sendable {
    public var chipID: String
    public var outcome: Result<RangedEstimate<TrainingEstimate>, TrainingInfeasibleError>
    /// The strong-scaling table, when asked for.
    public var scaling: [ScalingRow]?

    public init(chipID: String, outcome: Result<RangedEstimate<TrainingEstimate>, TrainingInfeasibleError>,
                scaling: [ScalingRow]? = nil) {
        self.chipID = chipID
        self.outcome = outcome
        self.scaling = scaling
    }
}

extension TrainingRun {
    /// The run on each chip under the range policy (what `chipmodel estimate` prints): a chip on
    /// which no plan fits is an answer (`.failure` with the memory needed), not an error; a
    /// format the chip lacks or a missing spec value throws.
    public func compare(_ chips: [Chip], policy: RangePolicy = .corners, scaling: Bool = false) throws -> [TrainingRunResult] {
        try chips.map { chip in
            do {
                return TrainingRunResult(chipID: chip.id, outcome: .success(try ranged(chip, policy: policy)),
                                         scaling: scaling ? self.scaling(chip) : nil)
            } catch let e as TrainingInfeasibleError {
                return TrainingRunResult(chipID: chip.id, outcome: .failure(e))
            }
        }
    }
}

