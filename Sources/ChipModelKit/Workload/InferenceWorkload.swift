/// Inference scenario (MLPerf naming).
public enum InferenceScenario: String, Sendable, CaseIterable {
    /// Maximum throughput, no latency bound.
    case offline
    /// Highest throughput whose TTFT and TPOT stay under the bounds.
    case server
    /// One request at a time.
    case singleStream = "single-stream"
}

/// What to serve: a model, its formats, request lengths, scenario and bounds.
public struct InferenceWorkload: Sendable, Equatable {
    public var model: ModelSpec
    public var scenario: InferenceScenario
    public var inputTokens: Int
    public var outputTokens: Int
    /// Weight (and GEMM) number format.
    public var precision: NumberFormat
    /// KV-cache format; nil chooses FP8 when weights are 8 bits or fewer and the chip has an
    /// FP8 peak, else the chip's 16-bit format.
    public var kvPrecision: NumberFormat?
    public var ttftBoundMs: Double?
    public var tpotBoundMs: Double?
    /// Run a format the chip lacks at the next wider format it has (`--emulate`): weights stay
    /// in `precision` in memory, GEMMs run at the wider peak, and converting the weights costs
    /// vector-unit time (`InferenceCalibration.dequantizeOpsPerElement`).
    public var emulate: Bool
    /// The GEMM (activation) format when it differs from the weights, e.g. INT4 weights with
    /// BF16 activations (W4A16); nil: `precision`, or its emulation format.
    public var computePrecision: NumberFormat?
    /// What the workload covers: both phases, decode only, or prefill only.
    public var phase: InferencePhase
    /// Speculative decoding / multi-token prediction; nil: one token per decode step.
    public var speculative: SpeculativeDecoding?
    /// Where server bounds nobody gave came from ("MLPerf deepseek-r1 server: ..."), for the
    /// explanation; nil when the bounds were given or are the standard defaults.
    public var boundsSource: String?

    public init(model: ModelSpec, scenario: InferenceScenario, inputTokens: Int, outputTokens: Int, precision: NumberFormat,
                kvPrecision: NumberFormat? = nil, ttftBoundMs: Double? = nil, tpotBoundMs: Double? = nil, emulate: Bool = false,
                computePrecision: NumberFormat? = nil, phase: InferencePhase = .both, speculative: SpeculativeDecoding? = nil) {
        self.computePrecision = computePrecision
        self.phase = phase
        self.speculative = speculative
        self.model = model
        self.scenario = scenario
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.precision = precision
        self.kvPrecision = kvPrecision
        self.ttftBoundMs = ttftBoundMs
        self.tpotBoundMs = tpotBoundMs
        self.emulate = emulate
    }
}
