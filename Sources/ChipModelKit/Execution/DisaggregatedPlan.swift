/// Data-parallel attention for an MoE replica (Benchmarks/CASES.md v2 `plan.dpAttention`: a
/// bool or a degree): each of the replica's chips runs attention, the dense layers and the LM
/// head for its own sequences with replicated weights, while the routed experts are split
/// over the replica (the DeepSeek / SGLang / CloudMatrix large-EP layout).
public enum DPAttentionSetting: Sendable, Equatable {
    /// Tensor-parallel attention.
    case off
    /// Data-parallel attention over the whole replica (its width searched or given by `ep`).
    case on
    /// Data-parallel attention over this many ranks (the replica width).
    case degree(Int)

    public var isOn: Bool { self != .off }
}

/// One pool of a disaggregated deployment: its chips and, where fixed, its layout (nil
/// fields are searched).
public struct InferencePoolPlan: Sendable, Equatable {
    public var chips: Int?
    public var tp: Int?
    public var pp: Int?
    public var ep: Int?
    public var dpAttention: DPAttentionSetting?
    /// Two-batch overlap in this pool (`PlanConstraints.twoBatchOverlap`); nil: the default.
    public var twoBatchOverlap: Bool? = nil

    public init(chips: Int? = nil, tp: Int? = nil, pp: Int? = nil, ep: Int? = nil, dpAttention: DPAttentionSetting? = nil) {
        self.chips = chips
        self.tp = tp
        self.pp = pp
        self.ep = ep
        self.dpAttention = dpAttention
    }

    /// The pool's layout as plan constraints.
    public var constraints: PlanConstraints {
        var c = PlanConstraints(tp: tp, pp: pp, ep: ep, dpAttention: dpAttention)
        c.twoBatchOverlap = twoBatchOverlap
        return c
    }
}

/// Prefill and decode on separate chips of one system (Splitwise, Patel et al. ISCA 2024;
/// DistServe, Zhong et al. OSDI 2024; Benchmarks/CASES.md v2 `plan.disaggregated`). Pool sizes
/// absent: the estimator searches the split.
public struct DisaggregatedPlan: Sendable, Equatable {
    public var prefill: InferencePoolPlan
    public var decode: InferencePoolPlan

    public init(prefill: InferencePoolPlan = InferencePoolPlan(), decode: InferencePoolPlan = InferencePoolPlan()) {
        self.prefill = prefill
        self.decode = decode
    }
}
