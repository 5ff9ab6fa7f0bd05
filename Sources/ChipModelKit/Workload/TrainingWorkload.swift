/// What to train: model, sequence length, global batch (sequences per optimizer step) and
/// the training number format (GEMM inputs; master weights and optimizer states stay FP32).
public struct TrainingWorkload: Sendable, Equatable {
    public var model: ModelSpec
    public var sequenceLength: Int
    public var globalBatch: Int
    public var precision: NumberFormat
    /// Tokens to train for the "days" figure.
    public var tokenBudget: Double
    /// Run a training format the chip lacks at the next wider format it has (`--emulate`).
    public var emulate: Bool

    public init(model: ModelSpec, sequenceLength: Int, globalBatch: Int, precision: NumberFormat,
                tokenBudget: Double = StandardRunDefaults.trainingTokenBudget, emulate: Bool = false) {
        self.model = model
        self.sequenceLength = sequenceLength
        self.globalBatch = globalBatch
        self.precision = precision
        self.tokenBudget = tokenBudget
        self.emulate = emulate
    }

    public var tokensPerStep: Double { Double(sequenceLength) * Double(globalBatch) }

    /// Model FLOPs per optimizer step: 3 x forward (backward = 2 x forward), forward per
    /// token from `ModelSpec.forwardFlopsPerToken` (2 FLOPs per multiply-add over the active
    /// weights incl. logits, plus QK^T and AV over the full s x s square as Narayanan 2021 and
    /// Korthikanti 2022 count it). For GPT-3 this is Korthikanti's
    /// 72·B·s·l·h²·(1 + s/(6h) + V/(12·l·h)).
    public var modelFlopsPerStep: Double {
        3 * model.forwardFlopsPerToken(sequence: sequenceLength) * tokensPerStep
    }
}
