/// The number format a model is served in on a chip: FP8 where the chip has it (INT8 for an
/// encoder or CNN on a chip without FP8), else BF16, else FP16; a chip with none of them
/// emulates BF16.
public func standardInferenceFormat(_ p: ChipParameters, model: ModelSpec) -> (format: NumberFormat, emulate: Bool) {
    if p.matmulTflops[.fp8] != nil { return (.fp8, false) }
    if !model.isDecoder, p.matmulTflops[.int8] != nil { return (.int8, false) }
    if p.matmulTflops[.bf16] != nil { return (.bf16, false) }
    if p.matmulTflops[.fp16] != nil { return (.fp16, false) }
    return (.bf16, true)
}

/// A serving run as `estimate --inference`, `whatif` and `roadmap` describe it: a model served by
/// `InferenceEstimator` on a system of one kind of chip. Defaults (`StandardRunDefaults`):
/// Llama-3-70B, 2048 prompt / 256 generated tokens, offline, 8 chips, FP8 weights where the chip
/// has FP8 (else BF16/FP16; INT8 for encoders and CNNs on a chip without FP8), plan and batch
/// searched.
public struct InferenceRun: Sendable {
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
    /// GEMM format when it differs from the weights (W4A16); phase; speculative decoding.
    public var computePrecision: NumberFormat? = nil
    public var phase: InferencePhase = .both
    public var speculative: SpeculativeDecoding? = nil
    /// The scale-up wiring of a system (`--system`): nil for the switched two-tier network.
    public var fabric: ScaleUpFabric? = nil
    /// Full enumeration of the layouts instead of branch and bound (same answer; the
    /// benchmark's reference).
    public var exhaustiveSearch = false
    /// The server scenario under the tighter bounds of the MLPerf `-interactive` benchmark
    /// variant (`--scenario interactive`, case scenario "interactive").
    public var interactive = false

    /// The TTFT/TPOT bounds a decoder LLM's server run holds: those given, each missing one
    /// from the model's MLPerf rule (`MLPerfServerRules.llmBoundsMs`; interactive: the
    /// interactive rule), else the standard defaults. Nil outside the server scenario, for an
    /// encoder/CNN, or for an interactive run of a model with no interactive rule missing a bound.
    public var serverBoundsMs: (ttftMs: Double, tpotMs: Double, rule: MLPerfServerRule?)? {
        guard scenario == .server, model.isDecoder else { return nil }
        return MLPerfServerRules.llmBoundsMs(modelID: model.id, scenario: interactive ? "interactive" : "server",
                                             ttftMs: ttftBoundMs, tpotMs: tpotBoundMs)
    }

    public init(model: ModelSpec, scenario: InferenceScenario = .offline,
                inputTokens: Int = StandardRunDefaults.inferenceInputTokens,
                outputTokens: Int = StandardRunDefaults.inferenceOutputTokens,
                precision: NumberFormat? = nil, kvPrecision: NumberFormat? = nil, ttftBoundMs: Double? = nil,
                tpotBoundMs: Double? = nil, emulate: Bool = false, chips: Int = StandardRunDefaults.inferenceChips, batch: Int? = nil,
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

    /// The workload on one chip: the fixed precision, or the chip's standard serving format.
    public func workload(for p: ChipParameters) -> InferenceWorkload {
        let (f, e) = precision.map { ($0, emulate) } ?? standardInferenceFormat(p, model: model)
        let w = InferenceWorkload(model: model, scenario: scenario, inputTokens: inputTokens, outputTokens: outputTokens,
                                  precision: f, kvPrecision: kvPrecision, ttftBoundMs: ttftBoundMs, tpotBoundMs: tpotBoundMs,
                                  emulate: e || emulate, computePrecision: computePrecision, phase: phase, speculative: speculative)
        // An interactive run without a rule is refused before it gets here (the CLI's
        // `checkInteractiveBounds`); kept as given if one slips through.
        return w.withServerBounds(interactive: interactive) ?? w
    }

    /// The estimate on one corner's parameters.
    public func estimate(_ p: ChipParameters) throws -> InferenceEstimate {
        try InferenceEstimator.estimate(workload(for: p), on: Cluster(chip: p, count: chips, scaleUpDomain: scaleUpDomain, fabric: fabric),
                                        constraints: constraints, options: InferenceEstimator.Options(batch: batch, exhaustiveSearch: exhaustiveSearch))
    }

    /// The estimate on a chip under the range policy (every corner estimated in full).
    public func ranged(_ chip: Chip, policy: RangePolicy = .corners) throws -> RangedEstimate<InferenceEstimate> {
        try Ranges.evaluate(chip, policy: policy) { try estimate($0) }
    }

    public var label: String {
        "\(model.name) serving, \(inputTokens) in / \(outputTokens) out tokens, \(scenario.rawValue), \(chips) chips, \(precision?.rawValue ?? "fp8 where the chip has it (else bf16/fp16)"), plan and batch searched"
    }
}

/// One chip's answer in a serving comparison: the ranged estimate, or why there is none (the
/// model does not fit, the chip lacks the format or a spec value the estimate needs).
public struct InferenceRunResult: Sendable {
    public var chipID: String
    public var outcome: Result<RangedEstimate<InferenceEstimate>, RangeCornerFailure>

    public init(chipID: String, outcome: Result<RangedEstimate<InferenceEstimate>, RangeCornerFailure>) {
        self.chipID = chipID
        self.outcome = outcome
    }

    public var nominal: InferenceEstimate? { try? outcome.get().nominal }
    public var failure: String? {
        if case let .failure(f) = outcome { return f.message }
        return nil
    }
}

extension InferenceRun {
    /// The run on each chip under the range policy (what `chipmodel estimate --inference`
    /// prints); a chip that cannot serve the model is an answer with the reason.
    public func compare(_ chips: [Chip], policy: RangePolicy = .corners) -> [InferenceRunResult] {
        chips.map { chip in
            do { return InferenceRunResult(chipID: chip.id, outcome: .success(try ranged(chip, policy: policy))) } catch {
                return InferenceRunResult(chipID: chip.id, outcome: .failure(RangeCornerFailure("\(error)")))
            }
        }
    }
}

