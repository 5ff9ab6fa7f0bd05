/// Activation recomputation (Korthikanti et al. 2022, "Reducing Activation Recomputation in
/// Large Transformer Models", arXiv 2205.05198).
public enum RecomputeMode: String, Sendable, CaseIterable {
    /// Keep every activation.
    case none
    /// Recompute only the attention core (QK^T, softmax, dropout, AV).
    case selective
    /// Keep only each layer's input; recompute the whole forward in backward.
    case full
}

/// What a measurement or a user fixes about the parallel plan; `nil` fields are searched.
public struct PlanConstraints: Sendable, Equatable {
    public var tp: Int?
    public var pp: Int?
    public var dp: Int?
    public var cp: Int?
    public var ep: Int?
    public var microBatch: Int?
    public var virtualStages: Int?
    public var sequenceParallel: Bool?
    public var recompute: RecomputeMode?
    public var zeroStage: Int?
    /// Inference: model replicas (each TP x PP x EP chips).
    public var replicas: Int?

    public init(tp: Int? = nil, pp: Int? = nil, dp: Int? = nil, cp: Int? = nil, ep: Int? = nil,
                microBatch: Int? = nil, virtualStages: Int? = nil, sequenceParallel: Bool? = nil,
                recompute: RecomputeMode? = nil, zeroStage: Int? = nil, replicas: Int? = nil) {
        self.tp = tp
        self.pp = pp
        self.dp = dp
        self.cp = cp
        self.ep = ep
        self.microBatch = microBatch
        self.virtualStages = virtualStages
        self.sequenceParallel = sequenceParallel
        self.recompute = recompute
        self.zeroStage = zeroStage
        self.replicas = replicas
    }
}
