// Memory per chip of a training plan, term by term, as Megatron-LM / Megatron-Core with
// Transformer Engine lay it out (the stacks of the published runs):
// - weights 2 B/param: BF16, or FP8 primary weights plus their transposed FP8 copy for the
//   backward (the MLPerf NVIDIA FP8 runs set FP8_PARAMS=True);
// - gradients 2 B/param: BF16 main gradients (the NeMo/MLPerf recipes set
//   grad_reduce_in_fp32=False; Megatron-LM's own BF16 default keeps FP32 main grads, 4 B);
// - optimizer 16 B/param sharded over the data-parallel ranks with the distributed optimizer
//   (FP32 master weights, Adam m and v, and the FP32 copy of the gradient shard: the
//   "4 + 16/d" row of Megatron's docs/user-guide/features/dist_optimizer.md for 16-bit
//   gradients), where d = DP x CP: Megatron-Core builds the gradient buffers and the optimizer
//   on the data-and-context-parallel group (param_and_grad_buffer.py,
//   get_data_and_context_parallel_group(with_context_parallel=True)); experts shard over the
//   expert-data-parallel group, DP x CP / EP;
// - activations of the in-flight microbatches (`activationBytesPerLayer`, `inFlightChunks`);
// - one layer's working set during its backward, allocator fragmentation, and a per-chip
//   runtime and collective-buffer reserve (`TrainingMemoryPriors`), against the installed DRAM
//   less the driver's hold-back.

/// Memory per chip of a plan, bytes, with the terms a reader can add up.
public struct TrainingMemory: Sendable, Equatable {
    public var weights: Double
    public var gradients: Double
    public var optimizer: Double
    /// Activations kept for the backward by the in-flight microbatches of the busiest stage
    /// (and the logits on the last stage).
    public var activations: Double
    /// One layer's activations while it is back-propagated (gradients and temporaries).
    public var workingSet: Double
    /// Allocator fragmentation (`TrainingMemoryPriors.allocatorFragmentation` x activations).
    public var fragmentation: Double
    /// Runtime context, library workspaces and collective buffers of the plan's communicators.
    public var reserve: Double
    /// Everything above.
    public var total: Double
    /// What the job can allocate: installed DRAM less the driver's hold-back.
    public var usable: Double
    /// Installed DRAM, bytes.
    public var capacity: Double
    /// Model chunks (microbatch x virtual stage) whose activations the first stage holds, and
    /// the layers in each: activations = chunks x layers per chunk x `perLayerActivations`.
    public var inFlightChunks: Int
    public var layersPerChunk: Double
    /// Activations of one layer for one microbatch under the plan's recompute mode, bytes.
    public var perLayerActivations: Double
    /// Distinct communicators the reserve counts.
    public var communicators: Int

    /// The terms in order, for explanations: (name, bytes).
    public var terms: [(String, Double)] {
        [("weights", weights), ("gradients", gradients), ("optimizer", optimizer), ("activations", activations),
         ("working set", workingSet), ("fragmentation", fragmentation), ("reserve", reserve)]
    }
}

extension TrainingCostModel {
    /// Bytes in which a GEMM input is kept for the weight-gradient GEMM. Transformer Engine
    /// quantizes the input of every Linear to FP8 for the FP8 GEMM and saves that quantized
    /// copy (one row- or column-wise layout) for the backward (transformer_engine/pytorch/
    /// module/linear.py `saved_inputmat = inputmat`; layernorm_linear.py saves the quantized
    /// norm output, the local shard under sequence parallelism); MXFP8/NVFP4 add their block
    /// scales (1 byte per 32, per 16 elements). Other formats keep 16-bit inputs.
    var gemmInputBytes: Double {
        switch workload.precision {
        case .fp8: return 1
        case .fp4: return 0.5 + 1.0 / 16
        default: return activationElementBytes
        }
    }

    /// Activation bytes one layer keeps for its backward, per token, for one microbatch, split
    /// into the part sequence parallelism shards over TP (`sequence`) and the part TP shards by
    /// heads and FFN columns (`sharded`, not yet divided by TP). Korthikanti et al. 2022
    /// ("Reducing Activation Recomputation", section 4, Table 2) generalized to GQA/MLA, gated
    /// MLPs, MoE, FP8 storage and fused attention:
    /// - sequence: 2 norm inputs (16-bit), the QKV and fc1 inputs (the norm outputs, kept as
    ///   GEMM inputs), and 2 one-byte hidden-dropout masks for GPT-architecture models (the
    ///   GPT-3 / Megatron reference trains with hidden dropout 0.1; Llama, Mixtral, DeepSeek
    ///   and Nemotron-style `llama`/`moe` models train without dropout, so no mask exists);
    /// - sharded: Q, K, V (16-bit) and the attention output O that FlashAttention keeps with
    ///   its row log-sum-exp (Dao et al. 2022, section 3.1; the s x s scores are never stored);
    ///   the out-projection input as its own GEMM-input copy when that is not O itself (FP8);
    ///   the MLP activation-function input (16-bit, 2F wide when gated) and the fc2 input;
    ///   routed experts per token copy (k copies, times the busiest rank's load imbalance): the
    ///   permuted expert input, the activation input and the fc2 input; shared experts as a
    ///   dense MLP of their width.
    /// For a 16-bit GPT layer this is 10·h + 24·h = Korthikanti's 34·sbh without the 5·a·s²·b
    /// scores.
    func activationBytesPerToken() -> (sequence: Double, sharded: Double, attentionOutput: Double,
                                       lightweightSequence: Double, lightweightSharded: Double) {
        let m = workload.model
        let ea = activationElementBytes, eg = gemmInputBytes
        let h = Double(m.hidden), d = Double(m.headDim), a = Double(m.heads), kv = Double(m.kvHeads)
        let dropout = m.architecture == .gpt
        let sequence = 2 * ea * h + 2 * eg * h + (dropout ? 2 * h : 0)
        var q = a * d, keysValues = 2 * kv * d, out = a * d, latent = 0.0
        if m.attention == .mla {
            let r = Double(m.ropeHeadDim)
            q = a * (d + r)
            keysValues = a * (d + r) + a * d
            latent = eg * Double(m.qLoraRank + m.kvLoraRank)
        }
        let separateProjectionInput = eg != ea ? eg * out : 0
        var sharded = ea * (q + keysValues) + ea * out + separateProjectionInput + latent
        // Lightweight recompute drops the norm outputs (the QKV and fc1 inputs), the activation
        // outputs (the fc2 inputs) and, with MLA, the up-projected Q, K, V (kept: the latents).
        let lightSequence = 2 * ea * h + (dropout ? 2 * h : 0)
        var lightSharded = (m.attention == .mla ? 0 : ea * (q + keysValues)) + ea * out + separateProjectionInput + latent
        let L = Double(m.layers)
        let denseShare = Double(m.denseFfnLayers) / L, moeShare = Double(m.moeLayers) / L
        let gate: Double = m.gatedMlp ? 2 : 1
        if denseShare > 0 {
            let f = Double(m.ffnHidden)
            sharded += denseShare * (ea * gate * f + eg * f)
            lightSharded += denseShare * ea * gate * f
        }
        if moeShare > 0 {
            let fe = Double(m.expertFfnHidden), k = Double(m.expertsPerToken)
            let imbalance = calibration.training.expertParallel.loadImbalance
            let routed = imbalance * k * (eg * h + ea * gate * fe + eg * fe)
            let fs = Double(m.sharedExperts) * fe
            sharded += moeShare * (routed + ea * gate * fs + eg * fs)
            lightSharded += moeShare * (imbalance * k * (eg * h + ea * gate * fe) + ea * gate * fs)
        }
        return (sequence, sharded, ea * out, lightSequence, lightSharded)
    }

    /// Activation bytes of one layer for one microbatch of `tokens` tokens (after CP) per
    /// recompute mode: none; selective (Korthikanti's: the attention core is recomputed, so
    /// with fused attention only O is dropped, and only where the out-projection keeps its
    /// own copy); full (only the layer input, 16-bit, sharded by SP).
    func activationBytesPerLayer(tokens: Double, tp t: Int, sequenceParallel sp: Bool, scoresBytes: Double)
        -> (none: Double, selective: Double, full: Double, lightweight: Double) {
        let T = Double(t), spDiv = sp ? T : 1
        let per = activationBytesPerToken()
        let base = tokens * (per.sequence / spDiv + per.sharded / T)
        let none = base + scoresBytes / T
        let droppedBySelective = fusedAttention ? (gemmInputBytes != activationElementBytes ? tokens * per.attentionOutput / T : 0)
            : scoresBytes / T
        let selective = none - droppedBySelective
        let full = tokens * activationElementBytes * Double(workload.model.hidden) / spDiv
        let lightweight = tokens * (per.lightweightSequence / spDiv + per.lightweightSharded / T) + scoresBytes / T
        return (none, selective, full, lightweight)
    }

    /// Model chunks whose activations the first pipeline stage holds at its peak, from
    /// Megatron-Core's schedules (`megatron/core/pipeline_parallel/schedules.py`,
    /// `get_pp_rank_microbatches`): 1F1B warms up p - 1 microbatches on rank 0 and holds one
    /// more (at most the m microbatches there are); the interleaved schedule warms up
    /// 2·(p - 1) + (v - 1)·p model chunks and holds one more (p·v + p - 1 chunks of L/(p·v)
    /// layers, the 1 + (p-1)/(p·v) factor of Narayanan et al. 2021, section 2.2.2), at most the
    /// m·v chunks there are; the EP all-to-all overlap schedules one extra warm-up microbatch.
    public static func inFlightChunks(pp p: Int, virtualStages v: Int, microbatches m: Int, overlapExpertParallel: Bool = false) -> Int {
        guard p > 1 else { return 1 }
        let extra = overlapExpertParallel ? 1 : 0
        if v <= 1 { return max(1, min(m, p + extra)) }
        return max(1, min(m * v, p * v + p - 1 + extra))
    }

    /// Distinct communicators of a plan (groups of more than one chip): TP, CP, DP x CP, PP,
    /// EP and expert-DP.
    public static func communicators(tp: Int, cp: Int, dp: Int, pp: Int, ep: Int) -> Int {
        // Counted without building an array: the plan search calls this for every row.
        (tp > 1 ? 1 : 0) + (cp > 1 ? 1 : 0) + (dp * cp > 1 ? 1 : 0) + (pp > 1 ? 1 : 0) + (ep > 1 ? 1 : 0)
            + (ep > 1 && dp * cp / ep > 1 ? 1 : 0)
    }

    /// Memory per chip of the busiest stage for a plan (bytes), term by term.
    public func memory(_ g: GroupCosts, stageLayers: Int, virtualStages v: Int, recompute: RecomputeMode, zero: Int,
                       overlapExpertParallel: Bool = false) -> TrainingMemory {
        let states = modelStateBytes(g, stageLayers: stageLayers, zero: zero)
        let act = activationTerms(g, stageLayers: stageLayers, virtualStages: v, recompute: recompute,
                                  overlapExpertParallel: overlapExpertParallel)
        let priors = calibration.training.memory
        let working = g.layer.activationBytes.none
        let fragmentation = priors.allocatorFragmentation * act.activations
        let comms = TrainingCostModel.communicators(tp: g.tp, cp: g.cp, dp: g.dp, pp: g.pp, ep: g.ep)
        let reserve = priors.runtimeBytes + Double(comms) * priors.bytesPerCommunicator
        let total = states.weights + states.gradients + states.optimizer + act.activations + working + fragmentation + reserve
        let capacity = (chip.memoryCapacityGB ?? 0) * 1e9
        return TrainingMemory(weights: states.weights, gradients: states.gradients, optimizer: states.optimizer,
                              activations: act.activations, workingSet: working,
                              fragmentation: fragmentation, reserve: reserve, total: total,
                              usable: capacity * (1 - priors.driverReservedFraction), capacity: capacity,
                              inFlightChunks: act.chunks, layersPerChunk: act.layersPerChunk, perLayerActivations: act.perLayer,
                              communicators: comms)
    }

    /// Weights, gradients and optimizer state of the busiest stage (ZeRO shards them over
    /// DP x CP; experts over DP x CP / EP).
    @inline(__always)
    func modelStateBytes(_ g: GroupCosts, stageLayers: Int, zero: Int) -> (weights: Double, gradients: Double, optimizer: Double) {
        let params = stageParams(tp: g.tp, pp: g.pp, ep: g.ep, stageLayers: Double(stageLayers))
        let D = Double(g.dp * g.cp), DE = Double(max(1, g.dp * g.cp / g.ep))
        func shard(_ bytesPerParam: Double, _ sharded: Bool) -> Double {
            sharded ? bytesPerParam * (params.dense / D + params.expert / DE) : bytesPerParam * (params.dense + params.expert)
        }
        var weights = shard(2, zero >= 3)
        if zero >= 3 { weights += 2 * (params.dense + params.expert) / Double(max(1, stageLayers)) * 2 } // gathered layer buffers
        return (weights, shard(2, zero >= 2), shard(16, zero >= 1))
    }

    /// Activations the busiest stage keeps (in-flight chunks on the first stage, or the whole
    /// stage plus the logits on the last).
    @inline(__always)
    func activationTerms(_ g: GroupCosts, stageLayers: Int, virtualStages v: Int, recompute: RecomputeMode,
                         overlapExpertParallel: Bool) -> (activations: Double, perLayer: Double, chunks: Int, layersPerChunk: Double) {
        let act = g.layer.activationBytes
        let perLayer: Double
        switch recompute {
        case .none: perLayer = act.none
        case .selective: perLayer = act.selective
        case .full: perLayer = act.full
        case .lightweight: perLayer = act.lightweight
        }
        let chunks = TrainingCostModel.inFlightChunks(pp: g.pp, virtualStages: v, microbatches: g.microbatches,
                                                      overlapExpertParallel: overlapExpertParallel)
        let layersPerChunk = Double(stageLayers) / Double(max(1, v))
        let first = Double(chunks) * layersPerChunk * perLayer
        let last = Double(stageLayers) * perLayer + g.layer.logitsActivationBytes
        let activations = g.pp == 1 ? first + g.layer.logitsActivationBytes : max(first, last)
        return (activations, perLayer, chunks, layersPerChunk)
    }

    /// `memory(...).total` of every row of one group at `v` virtual stages, appended in row
    /// order (ZeRO stages of `zMask`, then recompute modes of `rMask` in `RecomputeMode.allCases`
    /// order, then EP overlap off/on of `oepMask`): the same terms added in the same order, bit
    /// for bit, with the model states computed once per ZeRO stage and the activations once
    /// per (recompute, EP overlap) (the plan search's space computes every row's memory).
    func appendRowMemory(_ g: GroupCosts, stageLayers: Int, virtualStages v: Int, zMask: UInt8, rMask: UInt8, oepMask: UInt8,
                         to out: inout [Double]) {
        let priors = calibration.training.memory
        let working = g.layer.activationBytes.none
        let comms = TrainingCostModel.communicators(tp: g.tp, cp: g.cp, dp: g.dp, pp: g.pp, ep: g.ep)
        let reserve = priors.runtimeBytes + Double(comms) * priors.bytesPerCommunicator
        var acts: [(Double, Double)] = [] // (activations, fragmentation) per (recompute, EP overlap), row order
        for ri in 0..<4 where rMask & (1 << ri) != 0 {
            for oe in 0..<2 where oepMask & (1 << oe) != 0 {
                let a = activationTerms(g, stageLayers: stageLayers, virtualStages: v, recompute: RecomputeMode.allCases[ri],
                                        overlapExpertParallel: oe == 1).activations
                acts.append((a, priors.allocatorFragmentation * a))
            }
        }
        for z in 0..<4 where zMask & (1 << z) != 0 {
            let s = modelStateBytes(g, stageLayers: stageLayers, zero: z)
            let states = s.weights + s.gradients + s.optimizer
            for (a, f) in acts { out.append(states + a + working + f + reserve) }
        }
    }
}
