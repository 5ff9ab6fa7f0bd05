/// A complete parallel training plan (every field fixed). Rank layout, innermost first:
/// TP, CP, DP (EP carved out of DP), PP, as in Megatron-LM's default `tp-cp-ep-dp-pp` order
/// (Narayanan et al. 2021, SC21, section 3.3: TP inside a node, PP and DP across nodes).
public struct TrainingPlan: Sendable, Hashable, CustomStringConvertible {
    public var tp: Int
    public var pp: Int
    public var dp: Int
    public var cp: Int
    public var ep: Int
    /// Sequences per microbatch (per DP rank).
    public var microBatch: Int
    /// Interleaved pipeline: model chunks per stage (1 = plain 1F1B).
    public var virtualStages: Int
    public var recompute: RecomputeMode
    /// ZeRO stage (Rajbhandari et al. 2020): 0 none, 1 optimizer states sharded over DP
    /// (Megatron's distributed optimizer), 2 + gradients, 3 + weights (FSDP).
    public var zeroStage: Int
    /// Megatron sequence parallelism (Korthikanti et al. 2022, section 4.2.2).
    public var sequenceParallel: Bool
    /// Overlap of the DP gradient reduction (and ZeRO-3 weight gathers) with backward/forward.
    public var overlapDataParallel: Bool
    /// Overlap of TP collectives with the GEMMs around them (comm-GEMM overlap).
    public var overlapTensorParallel: Bool
    /// Overlap of the ZeRO-1/2 weight all-gather with the next step's forward (Megatron
    /// `--overlap-param-gather`); only with `overlapDataParallel`.
    public var overlapParamGather: Bool
    /// Overlap of pipeline p2p sends/receives with compute (Megatron
    /// `--overlap-p2p-communication`): only the fill/drain messages stay exposed.
    public var overlapPipelineComm: Bool
    /// Overlap of the EP all-to-all with another microbatch's compute (Megatron-Core
    /// `--overlap-moe-expert-parallel-comm`, DeepSeek's DualPipe); MoE with EP > 1 only.
    public var overlapExpertParallel: Bool

    public init(tp: Int, pp: Int, dp: Int, cp: Int = 1, ep: Int = 1, microBatch: Int = 1, virtualStages: Int = 1,
                recompute: RecomputeMode = .selective, zeroStage: Int = 1, sequenceParallel: Bool = true,
                overlapDataParallel: Bool = true, overlapTensorParallel: Bool = true, overlapParamGather: Bool = true,
                overlapPipelineComm: Bool = true, overlapExpertParallel: Bool = false) {
        self.overlapExpertParallel = overlapExpertParallel
        self.overlapParamGather = overlapParamGather
        self.overlapPipelineComm = overlapPipelineComm
        self.tp = tp
        self.pp = pp
        self.dp = dp
        self.cp = cp
        self.ep = ep
        self.microBatch = microBatch
        self.virtualStages = virtualStages
        self.recompute = recompute
        self.zeroStage = zeroStage
        self.sequenceParallel = sequenceParallel
        self.overlapDataParallel = overlapDataParallel
        self.overlapTensorParallel = overlapTensorParallel
    }

    /// Chips the plan uses: TP x PP x DP x CP (EP reuses DP ranks).
    public var chips: Int { tp * pp * dp * cp }

    /// Microbatches per DP rank per optimizer step, when the global batch divides evenly.
    public func microbatches(globalBatch: Int) -> Int? {
        let perRank = dp * microBatch
        guard perRank > 0, globalBatch % perRank == 0 else { return nil }
        return globalBatch / perRank
    }

    public var description: String {
        var s = "TP\(tp) PP\(pp) DP\(dp)"
        if cp > 1 { s += " CP\(cp)" }
        if ep > 1 { s += " EP\(ep)" }
        s += " mb\(microBatch)"
        if virtualStages > 1 { s += " v\(virtualStages)" }
        s += " rc:\(recompute.rawValue) z\(zeroStage)"
        if sequenceParallel { s += " sp" }
        let ov = [overlapDataParallel ? "dp" : nil, overlapDataParallel && overlapParamGather ? "ag" : nil,
                  overlapTensorParallel ? "tp" : nil, overlapPipelineComm ? "pp" : nil,
                  overlapExpertParallel ? "ep" : nil].compactMap { $0 }
        if !ov.isEmpty { s += " ov:" + ov.joined(separator: "+") }
        return s
    }

    /// The plan as JSON members, in the order of Benchmarks/CASES.md.
    public var jsonMembers: [(String, JSONValue)] {
        [("tp", .number(Double(tp))), ("pp", .number(Double(pp))), ("dp", .number(Double(dp))),
         ("cp", .number(Double(cp))), ("ep", .number(Double(ep))), ("microBatch", .number(Double(microBatch))),
         ("virtualStages", .number(Double(virtualStages))), ("recompute", .string(recompute.rawValue)),
         ("zeroStage", .number(Double(zeroStage))), ("sequenceParallel", .bool(sequenceParallel)),
         ("overlapDataParallel", .bool(overlapDataParallel)), ("overlapParamGather", .bool(overlapParamGather)),
         ("overlapTensorParallel", .bool(overlapTensorParallel)), ("overlapPipelineComm", .bool(overlapPipelineComm)),
         ("overlapExpertParallel", .bool(overlapExpertParallel))]
    }
}

extension TrainingWorkload {
    /// Hardware FLOPs per step: model FLOPs plus the recomputed forward work. Full recompute
    /// adds one forward of the layers (Narayanan 2021's 96·B·s·l·h²(1 + s/(6h) + V/(16·l·h))
    /// for GPT); selective adds the attention core (Korthikanti 2022: 72·B·s·l·h²(1 + s/(3h) +
    /// V/(12·l·h))).
    public func hardwareFlopsPerStep(recompute: RecomputeMode) -> Double {
        let m = model, s = Double(sequenceLength)
        let logits = 2 * Double(m.vocab) * Double(m.hidden)
        let fwd = m.forwardFlopsPerToken(sequence: sequenceLength)
        let attnDim: Double = m.attention == .mla ? Double(2 * m.headDim + m.ropeHeadDim) : 2 * Double(m.headDim)
        let attn = 2 * s * Double(m.heads) * attnDim * Double(m.layers)
        switch recompute {
        case .none: return modelFlopsPerStep
        case .selective: return modelFlopsPerStep + attn * tokensPerStep
        case .full: return modelFlopsPerStep + (fwd - logits) * tokensPerStep
        case .lightweight:
            // The MLA up-projections (the norms and activations are element-wise, not counted).
            let up = m.attention == .mla
                ? Double(m.qLoraRank) * Double(m.heads) * Double(m.headDim + m.ropeHeadDim) + Double(m.kvLoraRank) * Double(m.heads) * Double(2 * m.headDim)
                : 0
            return modelFlopsPerStep + 2 * up * Double(m.layers) * tokensPerStep
        }
    }
}
