/// Activation recomputation (Korthikanti et al. 2022, "Reducing Activation Recomputation in
/// Large Transformer Models", arXiv 2205.05198).
public enum RecomputeMode: String, Sendable, CaseIterable {
    /// Keep every activation.
    case none
    /// Recompute only the attention core (QK^T, softmax, dropout, AV).
    case selective
    /// Keep only each layer's input; recompute the whole forward in backward.
    case full
    /// Recompute the cheap outputs only: the two norms, the MLP activation function and, with
    /// MLA, the up-projections (Megatron-Core `--recompute-modules layernorm moe_act mla_up_proj`,
    /// output-discarding checkpoints; DeepSeek-V3 Technical Report section 3.2.3, which trains
    /// this way). Their outputs are not kept; every other activation is.
    case lightweight
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
    /// Training: EP all-to-all overlapped with compute (case key `plan.overlapExpertParallel`);
    /// nil: searched.
    public var overlapExpertParallel: Bool?
    /// Inference, MoE: attention data-parallel across the replica's chips while the experts
    /// use `ep` (Benchmarks/CASES.md v2 `plan.dpAttention`); nil: searched.
    public var dpAttention: DPAttentionSetting?
    /// Inference: prefill and decode on separate pools of chips; nil: aggregated (or searched
    /// when the estimator is asked to).
    public var disaggregated: DisaggregatedPlan?
    /// Inference, MoE with data-parallel attention: two micro-batches overlap one's expert
    /// all-to-all with the other's compute (`MicroBatchOverlap`, SGLang's TBO schedule); nil:
    /// `InferenceCalibration.twoBatchOverlapByDefault` (off). Not a case-format field.
    public var twoBatchOverlap: Bool?

    public init(tp: Int? = nil, pp: Int? = nil, dp: Int? = nil, cp: Int? = nil, ep: Int? = nil,
                microBatch: Int? = nil, virtualStages: Int? = nil, sequenceParallel: Bool? = nil,
                recompute: RecomputeMode? = nil, zeroStage: Int? = nil, replicas: Int? = nil,
                dpAttention: DPAttentionSetting? = nil, disaggregated: DisaggregatedPlan? = nil) {
        self.dpAttention = dpAttention
        self.disaggregated = disaggregated
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
