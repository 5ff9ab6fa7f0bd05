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
    public var emulate: Bool

    public init(model: ModelSpec, scenario: InferenceScenario, inputTokens: Int, outputTokens: Int, precision: NumberFormat,
                kvPrecision: NumberFormat? = nil, ttftBoundMs: Double? = nil, tpotBoundMs: Double? = nil, emulate: Bool = false) {
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
