/// Per-microbatch, per-layer costs of one transformer layer on one chip for a given
/// (TP, CP, EP, microbatch, SP) shape: the operations of the layer sharded as Megatron-LM
/// shards them (Narayanan et al. 2021, SC21, section 3.2; Shoeybi et al. 2019 for the
/// column/row-parallel MLP and attention), each timed on the roofline.
public struct LayerCosts: Sendable, Equatable {
    /// Forward time of one (average) layer for one microbatch, seconds: GEMMs + attention
    /// core + element-wise (norms, residuals, dropout, activation).
    public var forwardSeconds: Double
    /// Of which GEMM time (what TP communication can hide behind).
    public var gemmSeconds: Double
    /// Of which the attention core (what selective recompute recomputes).
    public var attentionCoreSeconds: Double
    /// Of which element-wise time.
    public var elementwiseSeconds: Double
    /// Forward of the embedding lookup and the logits + loss (one microbatch).
    public var embeddingLogitsSeconds: Double
    /// TP collectives of one layer in one pass (2 all-reduces, or with SP 2 all-gathers + 2
    /// reduce-scatters; Korthikanti 2022 section 4.2.2), seconds.
    public var tpCommSeconds: Double
    /// EP all-to-alls (dispatch + combine) of one average layer, forward, seconds.
    public var epCommSeconds: Double
    /// CP (ring attention) K/V exchange of one layer, forward + backward, exposed beyond the
    /// attention compute it overlaps with, seconds.
    public var cpExposedSeconds: Double
    /// FLOPs of one forward layer (for explanations).
    public var forwardFlops: Double
    /// Activation bytes of one layer for one microbatch per recompute mode (Korthikanti 2022,
    /// Table 2 generalized; `activationBytesPerLayer`).
    public var activationBytes: (none: Double, selective: Double, full: Double, lightweight: Double)
    /// Forward time lightweight recompute repeats: the norms and activation functions
    /// (element-wise) and, with MLA, the up-projection GEMMs.
    public var lightweightRecomputeSeconds: Double
    /// Logits and loss activations on the last stage, bytes.
    public var logitsActivationBytes: Double
    /// Point-to-point activation message between pipeline stages, bytes.
    public var p2pBytes: Double

    public static func == (a: LayerCosts, b: LayerCosts) -> Bool {
        a.forwardSeconds == b.forwardSeconds && a.tpCommSeconds == b.tpCommSeconds && a.activationBytes == b.activationBytes
    }
}

/// Builds the per-layer costs and the candidate inputs of training plans for one workload on
/// one cluster. Everything here is scalar; the search evaluates the step-time function over
/// batches of candidates with SIMD.
public struct TrainingCostModel: Sendable {
    public let workload: TrainingWorkload
    public let chip: ChipParameters
    public let chips: Int
    public let device: RooflineDevice
    /// The device the attention core and the output layer run on: FlashAttention kernels run in BF16/FP16 even
    /// in FP8 training (Transformer Engine keeps attention in 16-bit), so with an 8-bit or
    /// narrower training format the core uses the chip's BF16 (else FP16) peak.
    public let attentionDevice: RooflineDevice
    /// Attention is fused (FlashAttention, Dao et al. 2022): the s x s scores are never stored,
    /// so the 5·a·s²·b term of Korthikanti's activation formula is absent for every recompute
    /// mode. False reproduces Korthikanti's unfused accounting.
    public var fusedAttention = true
    public let network: ClusterNetwork
    public let calibration: FamilyCalibration
    public let scalars: CandidateScalars
    /// Assumptions made for missing spec values, for explanations.
    public let assumptions: [String]
    /// Weights per layer, cached from the model (the search asks for them per candidate).
    let attentionParams: Double, denseMlpParams: Double, expertParams: Double
    /// Bytes of an activation element (BF16: FP8 training keeps activations and TP/PP
    /// traffic in BF16, as Transformer Engine does).
    public let activationElementBytes = 2.0

    /// The cost model of `workload` on `cluster` (the workload's `emulate` runs a training
    /// format the chip lacks at the next wider format it has); `calibration` overrides the
    /// chip family's constants (the calibration fit uses it).
    public init(workload: TrainingWorkload, cluster: Cluster, calibration: FamilyCalibration? = nil) throws {
        let chip = cluster.chip, chips = cluster.count, emulate = workload.emulate
        var cal = calibration ?? Calibration.family(chip.family)
        if let f = cal.training.matmulPeakFraction { cal.matmulPeakFraction = f }
        cal.matmulPeakFraction *= cal.training.familyMatmulFactor
        if let f = cal.training.scaleOutFraction { cal.scaleOutFraction = f }
        self.workload = workload
        attentionParams = workload.model.attentionParamsPerLayer
        denseMlpParams = workload.model.denseMlpParamsPerLayer
        expertParams = workload.model.expertParams
        self.chip = chip
        self.chips = chips
        self.calibration = cal
        var dev = try RooflineDevice(chip: chip, format: workload.precision, emulate: emulate, calibration: cal)
        // A spec without on-chip SRAM/L2 size would make every GEMM re-read its operands from
        // HBM (the roofline's no-reuse bound). Training GEMMs are tiled on every accelerator,
        // so assume half of a 50 MB L2 (H100's) for tiles; stated in the explanation.
        var notes: [String] = []
        if dev.sramTileBytes <= 0 {
            dev.sramTileBytes = TrainingCostModel.assumedTileBytes
            notes.append("the spec gives no SRAM/L2 size: GEMM tiling assumes \(formatQuantity(TrainingCostModel.assumedTileBytes / 1e6)) MB of on-chip tile capacity")
        }
        if dev.computeFormat.bytesPerElement <= 1 {
            dev.sustainedMatmulFlops *= cal.training.lowPrecisionMatmulScale
        }
        device = dev
        if workload.precision.bytesPerElement < 2, let wide = [NumberFormat.bf16, .fp16].first(where: { chip.matmulTflops[$0] != nil }) {
            var a = try RooflineDevice(chip: chip, format: wide, calibration: cal)
            if a.sramTileBytes <= 0 { a.sramTileBytes = TrainingCostModel.assumedTileBytes }
            attentionDevice = a
        } else {
            attentionDevice = dev
        }
        network = ClusterNetwork(chip: chip, domainSize: cluster.scaleUpDomainOverride, calibration: cal, fabric: cluster.fabric)
        if chip.scaleUpPerDirectionGBps == nil { notes.append("the spec gives no scale-up link: every collective uses the scale-out NICs") }
        if chip.scaleOutPerDirectionGBps == nil { notes.append("the spec gives no scale-out NIC: collectives that leave the scale-up domain cannot run (infinite time)") }
        assumptions = notes
        guard let cap = chip.memoryCapacityGB else { throw MissingSpecError(chip: chip.id, key: "memory.capacityGB") }
        scalars = CandidateScalars(residual: cal.training.tpOverlapResidual,
                                   microbatchOverhead: cal.training.microbatchOverheadSeconds,
                                   stepOverhead: cal.training.stepOverheadSeconds,
                                   capacityBytes: cap * 1e9 * (1 - cal.training.memory.driverReservedFraction))
    }

    public var domainSize: Int { network.scaleUp.domainSize }

    /// Compute units (SMs, CUs, AI cores) the chip spreads a kernel's tiles over, when the spec
    /// gives them (spec key `computeUnits`, at this corner); nil otherwise (then no wave
    /// quantization and DeepSeek's SM share for the EP overlap).
    public var computeUnits: Double? { TrainingCostModel.computeUnits(of: chip) }

    /// The chip's compute-unit count. The catalog's `computeUnits` key is read here once it is
    /// part of `ChipParameters`; until then nil.
    static func computeUnits(of chip: ChipParameters) -> Double? { nil }

    /// Tile capacity assumed when the chip spec gives no SRAM or L2 size, bytes.
    public static let assumedTileBytes = 25e6

    /// A GEMM or attention timed on the roofline with its compute time stretched by wave
    /// quantization over the chip's compute units (`waveEfficiency`, GemmEfficiency.swift), plus
    /// the fixed time of one kernel (`TrainingCalibration.gemmFixedSeconds`).
    func time(_ op: RooflineOperation, on dev: RooflineDevice? = nil) -> (seconds: Double, flops: Double) {
        let r = Roofline.evaluate(op, on: dev ?? device, labels: false)
        guard r.flops > 0 else { return (r.seconds, 0) }
        let compute = r.computeSeconds / TrainingCostModel.waveEfficiency(op, computeUnits: computeUnits)
        let seconds = max(compute, r.memorySeconds, r.sramSeconds, r.d2dSeconds)
        return (seconds + calibration.training.gemmFixedSeconds, r.flops)
    }

    /// Per-layer costs for a (TP, CP, EP, microbatch, SP) shape; nil when the shape does not
    /// divide the model.
    public func layerCosts(tp t: Int, cp c: Int, ep e: Int, microBatch b: Int, sequenceParallel sp: Bool) -> LayerCosts? {
        let m = workload.model
        let s = workload.sequenceLength
        guard t >= 1, c >= 1, e >= 1, b >= 1, m.heads % t == 0, s % c == 0 else { return nil }
        if m.isMoE { guard m.experts % e == 0 else { return nil } } else if e != 1 { return nil }
        let h = m.hidden, a = m.heads, d = m.headDim
        let tokens = b * (s / c)
        let T = Double(t), H = Double(h), tok = Double(tokens)
        let ea = activationElementBytes
        func ceilDiv(_ x: Double, _ y: Double) -> Int { max(1, Int((x / y).rounded(.up))) }

        var gemm = 0.0, flops = 0.0
        func addGemm(_ op: RooflineOperation) { let r = time(op); gemm += r.seconds; flops += r.flops }
        // Attention projections: QKV (or MLA's low-rank Q/KV down/up) column-parallel, output
        // row-parallel.
        let outParams = Double(a * d) * H
        let qkvN = ceilDiv(m.attentionParamsPerLayer - outParams, H * T)
        let qkv = time(.gemm(m: tokens, n: qkvN, k: h))
        gemm += qkv.seconds
        flops += qkv.flops
        // MLA's up-projections (latent -> per-head Q, K, V) as their share of the projection
        // work: what lightweight recompute repeats.
        var upProjection = 0.0
        if m.attention == .mla, m.attentionParamsPerLayer > outParams {
            let r = Double(m.ropeHeadDim), dd = Double(d), heads = Double(a)
            let up = Double(m.qLoraRank) * heads * (dd + r) + Double(m.kvLoraRank) * heads * (dd + dd)
            upProjection = qkv.seconds * min(1, up / (m.attentionParamsPerLayer - outParams))
        }
        addGemm(.gemm(m: tokens, n: h, k: max(1, a * d / t)))
        // Attention core (fused, causal; FlashAttention), heads split by TP, queries by CP.
        let attnHeadDim = m.attention == .mla ? (2 * d + m.ropeHeadDim + 1) / 2 : d
        let core = time(.attention(batch: b, heads: a / t, kvHeads: max(1, m.kvHeads / t), queryLength: s / c,
                                   keyLength: s, headDim: attnHeadDim, causal: true), on: attentionDevice)
        flops += core.flops
        // MLP: dense layers and MoE layers weighted by their share of the layers.
        let gated = m.gatedMlp ? 2 : 1
        let L = Double(m.layers)
        let denseShare = Double(m.denseFfnLayers) / L, moeShare = Double(m.moeLayers) / L
        var mlpGemm = 0.0, mlpFlops = 0.0
        var mlpActWidth = 0.0 // Σ FFN widths a token's activations pass through
        if denseShare > 0 {
            let r1 = time(.gemm(m: tokens, n: ceilDiv(Double(m.ffnHidden * gated), T), k: h))
            let r2 = time(.gemm(m: tokens, n: h, k: ceilDiv(Double(m.ffnHidden), T)))
            mlpGemm += denseShare * (r1.seconds + r2.seconds)
            mlpFlops += denseShare * (r1.flops + r2.flops)
            mlpActWidth += denseShare * Double(m.ffnHidden)
        }
        var epComm = 0.0
        if moeShare > 0 {
            let E = m.experts, k = m.expertsPerToken, fe = m.expertFfnHidden
            let local = E / e
            // Tokens per local expert on the busiest EP rank (mean x load imbalance); the local
            // experts run as one grouped GEMM (tile quantization per expert in M).
            let imbalance = calibration.training.expertParallel.loadImbalance
            let perExpert = ceilDiv(imbalance * tok * Double(k) * Double(e), Double(E))
            let r1 = time(.gemm(m: perExpert, n: ceilDiv(Double(fe * gated), T), k: h, batch: local))
            let r2 = time(.gemm(m: perExpert, n: h, k: ceilDiv(Double(fe), T), batch: local))
            let router = time(.gemm(m: tokens, n: E, k: h))
            var sec = r1.seconds + r2.seconds + router.seconds
            var fl = r1.flops + r2.flops + router.flops
            if m.sharedExperts > 0 {
                let w = fe * m.sharedExperts
                let s1 = time(.gemm(m: tokens, n: ceilDiv(Double(w * gated), T), k: h))
                let s2 = time(.gemm(m: tokens, n: h, k: ceilDiv(Double(w), T)))
                sec += s1.seconds + s2.seconds
                fl += s1.flops + s2.flops
            }
            mlpGemm += moeShare * sec
            mlpFlops += moeShare * fl
            mlpActWidth += moeShare * Double((k + m.sharedExperts) * fe)
            if e > 1 {
                // Dispatch and combine (ExpertDispatch.swift): each chip sends its tokens' hidden
                // states to the top-k experts; EP ranks follow TP and CP in the rank order.
                let inner = max(1, min(e, domainSize / max(1, t * c)))
                epComm = moeShare * expertAllToAllSeconds(tokens: tok / (sp ? T : 1), ep: e, inner: inner)
            }
        }
        gemm += mlpGemm
        flops += mlpFlops
        // Element-wise: 2 norms, 2 residual adds, 2 dropouts over s·b·h (replicated across TP
        // unless SP), each read + written; the activation over the FFN width (gated: 3 tensors).
        let ew = 6 * 2 * tok * H * ea / (sp ? T : 1) + (m.gatedMlp ? 3 : 2) * tok * mlpActWidth / T * ea
        let ewSeconds = Roofline.evaluate(.elementwise(bytes: ew), on: device, labels: false).seconds

        // TP collectives (one pass): 2 all-reduces (or AG + RS pairs with SP) of s·b·h.
        var tpComm = 0.0
        if t > 1 {
            let bytes = tok * H * ea
            let inner = min(t, domainSize)
            if sp {
                tpComm = 2 * (network.time(.allGather, bytes: bytes, groupSize: t, innerSize: inner)
                              + network.time(.reduceScatter, bytes: bytes, groupSize: t, innerSize: inner))
            } else {
                tpComm = 2 * network.time(.allReduce, bytes: bytes, groupSize: t, innerSize: inner)
            }
        }
        // CP: ring attention passes K/V around the CP group (all-gather forward; all-gather +
        // reduce-scatter of dK/dV backward), overlapped with the attention core (Megatron-Core CP).
        var cpExposed = 0.0
        if c > 1 {
            let kvBytes = Double(b * s) * m.kvValuesPerTokenPerLayer / Double(max(1, min(t, m.kvHeads))) * ea
            let inner = max(1, min(c, domainSize / t))
            let comm = 2 * network.time(.allGather, bytes: kvBytes, groupSize: c, innerSize: inner)
                + network.time(.reduceScatter, bytes: kvBytes, groupSize: c, innerSize: inner)
            cpExposed = max(0, comm - 3 * core.seconds)
        }
        // Embedding lookup and logits + cross-entropy (logits in FP32, read/written 3 times).
        // The output layer stays in 16-bit in FP8 training (Transformer Engine's recipe keeps the
        // first and last layers in higher precision), so it runs on the attention device.
        let logits = time(.gemm(m: tokens, n: ceilDiv(Double(m.vocab), T), k: h), on: attentionDevice)
        let lossBytes = 3 * 2 * tok * Double(m.vocab) / T * 4
        let embedLogits = logits.seconds + Roofline.evaluate(.elementwise(bytes: lossBytes), on: device, labels: false).seconds
            + Roofline.evaluate(.embedding(tokens: tokens, hidden: h), on: device, labels: false).seconds

        // Activation memory per layer (`activationBytesPerLayer`, TrainingMemoryModel.swift);
        // the unfused s x s scores (Korthikanti's 5·a·s²·b) only without fused attention.
        let sbh = tok * H
        let scores = fusedAttention ? 0 : 5 * Double(a) * Double(s / c) * Double(s) * Double(b)
        let act = activationBytesPerLayer(tokens: tok, tp: t, sequenceParallel: sp, scoresBytes: scores)
        // Output layer and loss on the last stage: FP32 logits for the fused cross-entropy
        // backward and the final norm output (Megatron's theoretical memory: 4·sbh·(1 + V/h)).
        let logitsAct = 4 * tok * (H + Double(m.vocab)) / T

        let fwd = gemm + core.seconds + ewSeconds
        return LayerCosts(forwardSeconds: fwd, gemmSeconds: gemm, attentionCoreSeconds: core.seconds,
                          elementwiseSeconds: ewSeconds, embeddingLogitsSeconds: embedLogits,
                          tpCommSeconds: tpComm, epCommSeconds: epComm, cpExposedSeconds: cpExposed,
                          forwardFlops: flops, activationBytes: act, lightweightRecomputeSeconds: ewSeconds + upProjection,
                          logitsActivationBytes: logitsAct, p2pBytes: sbh * ea / T)
    }

    /// Parameters on the chip holding the most weights (first pipeline stage with the input
    /// embedding; with one stage also the output layer), split into non-expert and expert
    /// weights (experts are sharded by EP and reduced over DP/EP).
    public func stageParams(tp t: Int, pp p: Int, ep e: Int, stageLayers: Double) -> (dense: Double, expert: Double) {
        let m = workload.model
        let L = Double(m.layers), T = Double(t)
        let denseShare = Double(m.denseFfnLayers) / L, moeShare = Double(m.moeLayers) / L
        let emb = Double(m.vocab) * Double(m.hidden) * ((p == 1 && !m.tiedEmbeddings) ? 2 : 1)
        var dense = stageLayers * (attentionParams + denseShare * denseMlpParams) + emb
        var expert = 0.0
        if moeShare > 0 {
            dense += stageLayers * moeShare * (Double(m.sharedExperts) * expertParams + Double(m.hidden * m.experts))
            expert = stageLayers * moeShare * Double(m.experts) / Double(e) * expertParams
        }
        return (dense / T, expert / T)
    }

    /// Layers on the busiest stage: ceil(L / (p·v)) per chunk, v chunks.
    public static func stageLayers(layers: Int, pp: Int, virtualStages v: Int) -> Int {
        ((layers + pp * v - 1) / (pp * v)) * v
    }

    /// Quantities of a (TP, CP, EP, PP, DP, microbatch, SP) group shared by its candidates.
    public struct GroupCosts: Sendable {
        public var layer: LayerCosts
        public var tp: Int, pp: Int, dp: Int, cp: Int, ep: Int, microBatch: Int
        public var sequenceParallel: Bool
        public var microbatches: Int
        /// One p2p message between stages.
        public var p2pSeconds: Double
        /// DP collectives for the whole stage's weights: all-reduce, RS + AG, RS alone, AG alone
        /// (per `unitParams` of dense and expert weights, scaled per candidate by stage layers).
        public var dpInnerDense: Int
        public var dpInnerExpert: Int
    }

    public func group(tp t: Int, cp c: Int, ep e: Int, pp p: Int, microBatch b: Int, sequenceParallel sp: Bool,
                      layer: LayerCosts) -> GroupCosts? {
        let n = t * c * p
        guard n > 0, chips % n == 0 else { return nil }
        let d = chips / n
        guard d % e == 0, d <= workload.globalBatch else { return nil }
        // A global batch that the DP ranks cannot split evenly is padded up (the slowest rank
        // runs ceil(B/d) sequences); tokens/s counts only the real batch.
        let perRank = (workload.globalBatch + d - 1) / d
        guard perRank % b == 0 else { return nil }
        let mbs = perRank / b
        let stride = t * c * d
        let p2pInner = (stride < domainSize && domainSize % stride == 0) ? 2 : 1
        let p2p = p > 1 ? network.time(.pointToPoint, bytes: layer.p2pBytes, groupSize: 2, innerSize: p2pInner) : 0
        // The DP x CP group is contiguous after TP in the rank order (TP, CP, DP): its chips
        // per domain; the expert-DP group strides over the EP ranks.
        let dpInner = max(1, min(d * c, domainSize / max(1, t)))
        let expertDP = d * c / e
        let expertInner = max(1, min(expertDP, domainSize / max(1, t * c * e)))
        return GroupCosts(layer: layer, tp: t, pp: p, dp: d, cp: c, ep: e, microBatch: b, sequenceParallel: sp,
                          microbatches: mbs, p2pSeconds: p2p, dpInnerDense: dpInner, dpInnerExpert: expertInner)
    }

    /// DP communication per step and ZeRO-3 gathers per microbatch for `params` weights per chip.
    func dpCosts(_ g: GroupCosts, params: (dense: Double, expert: Double), zero: Int)
        -> (perStep: Double, paramGather: Double, perMicrobatch: Double) {
        guard g.dp * g.cp > 1 else { return (0, 0, 0) }
        let grad = 2.0 // BF16 gradients reduced (Megatron/NeMo default for BF16/FP8 training)
        var step = 0.0, gather = 0.0, mb = 0.0
        // Gradients reduce over the data-and-context-parallel group (Megatron-Core: CP ranks
        // hold the same weights); experts over DP x CP / EP.
        for (p, group, inner) in [(params.dense, g.dp * g.cp, g.dpInnerDense), (params.expert, g.dp * g.cp / g.ep, g.dpInnerExpert)] where p > 0 && group > 1 {
            let bytes = p * grad
            switch zero {
            case 0: step += network.time(.allReduce, bytes: bytes, groupSize: group, innerSize: inner)
            case 1, 2:
                step += network.time(.reduceScatter, bytes: bytes, groupSize: group, innerSize: inner)
                gather += network.time(.allGather, bytes: bytes, groupSize: group, innerSize: inner)
            default:
                step += network.time(.reduceScatter, bytes: bytes, groupSize: group, innerSize: inner)
                mb += 2 * network.time(.allGather, bytes: bytes, groupSize: group, innerSize: inner)
            }
        }
        return (step, gather, mb)
    }

    /// Per (group, virtual stages): layers and weights on the busiest stage.
    public struct StageInputs: Sendable {
        public var layers: Int
        public var params: (dense: Double, expert: Double)
    }

    /// Per (group, virtual stages, ZeRO stage): DP communication and optimizer time.
    public struct ZeroInputs: Sendable {
        public var dpPerStep: Double
        public var paramGatherPerStep: Double
        public var zeroGatherPerMicrobatch: Double
        public var optimizerSeconds: Double
    }

    public func stage(_ g: GroupCosts, virtualStages v: Int) -> StageInputs {
        let ls = TrainingCostModel.stageLayers(layers: workload.model.layers, pp: g.pp, virtualStages: v)
        return StageInputs(layers: ls, params: stageParams(tp: g.tp, pp: g.pp, ep: g.ep, stageLayers: Double(ls)))
    }

    public func zeroInputs(_ g: GroupCosts, _ st: StageInputs, zero: Int) -> ZeroInputs {
        let dp = dpCosts(g, params: st.params, zero: zero)
        let optParams = zero >= 1 ? st.params.dense / Double(g.dp * g.cp) + st.params.expert / Double(max(1, g.dp * g.cp / g.ep))
            : st.params.dense + st.params.expert
        // Adam is memory-bound: read FP32 master, momentum, variance and the BF16 gradient,
        // write master, momentum, variance and the BF16 weights: 28 bytes per parameter.
        let opt = optParams * 28 / device.memoryBytesPerSecond
        return ZeroInputs(dpPerStep: dp.perStep, paramGatherPerStep: dp.paramGather, zeroGatherPerMicrobatch: dp.perMicrobatch, optimizerSeconds: opt)
    }

    /// The candidate inputs of one plan in a group, from its stage, ZeRO and memory pieces
    /// (shared by the search and single-plan evaluation, so both compute identical numbers).
    @inline(__always)
    public func assemble(_ g: GroupCosts, _ st: StageInputs, _ z: ZeroInputs, virtualStages v: Int,
                         recompute: RecomputeMode, memoryBytes: Double, overlapDP: Bool, overlapParamGather: Bool,
                         overlapTP: Bool, overlapPP: Bool, overlapEP: Bool = false) -> CandidateInputs {
        let L = Double(st.layers)
        let layer = g.layer
        let rLayer = layer.recomputeSeconds(recompute)
        let passes = recompute.communicationPasses
        // Pipeline p2p: the fill and drain messages (2·(p·v - 1)) are always on the critical
        // path; without p2p overlap every microbatch's sends and receives on the busiest stage
        // (2·v per microbatch) are too (interleaving multiplies the messages by v, Narayanan
        // 2021 section 2.2.2).
        var ppMessages = g.pp > 1 ? 2 * Double(g.pp * v - 1) : 0
        if g.pp > 1 && !overlapPP { ppMessages += 2 * Double(v) * Double(g.microbatches) }
        return CandidateInputs(
            microbatches: Double(g.microbatches), stageLayers: L,
            bubbleFactor: Double(g.pp - 1) / Double(v),
            layerForward: layer.forwardSeconds, extraForward: layer.embeddingLogitsSeconds,
            layerRecompute: rLayer, tpComm: layer.tpCommSeconds,
            tpHide: overlapTP && tensorParallelOverlapPossible(tp: g.tp) ? layer.gemmSeconds : 0,
            // The all-to-all pair runs once per pass: forward, backward (+ recomputed forward).
            tpPasses: passes, epComm: L * layer.epCommSeconds * passes,
            epOverlap: overlapEP && g.ep > 1 ? 1 : 0, computeScale: overlapEP && g.ep > 1 ? overlappedComputeScale : 1,
            chunkShare: 1 / Double(v), spreadMicrobatches: Double((v - 1) * g.pp + 1) / Double(v),
            cpComm: L * layer.cpExposedSeconds,
            ppComm: ppMessages * g.p2pSeconds, dpComm: z.dpPerStep, dpOverlap: overlapDP ? 1 : 0,
            dpParamGather: z.paramGatherPerStep, paramGatherOverlap: overlapDP && overlapParamGather ? 1 : 0,
            zeroGather: z.zeroGatherPerMicrobatch, optimizer: z.optimizerSeconds, memoryBytes: memoryBytes)
    }

    /// Candidate inputs of one plan in a group (scalar path).
    public func inputs(_ g: GroupCosts, virtualStages v: Int, recompute: RecomputeMode, zero: Int,
                       overlapDP: Bool, overlapParamGather: Bool, overlapTP: Bool, overlapPP: Bool,
                       overlapEP: Bool = false) -> CandidateInputs {
        let st = stage(g, virtualStages: v)
        let z = zeroInputs(g, st, zero: zero)
        let mem = memory(g, stageLayers: st.layers, virtualStages: v, recompute: recompute, zero: zero,
                         overlapExpertParallel: overlapEP && g.ep > 1)
        return assemble(g, st, z, virtualStages: v, recompute: recompute, memoryBytes: mem.total,
                        overlapDP: overlapDP, overlapParamGather: overlapParamGather, overlapTP: overlapTP, overlapPP: overlapPP,
                        overlapEP: overlapEP)
    }

    /// Comm-GEMM overlap of TP collectives (Transformer Engine userbuffers) needs the TP group
    /// inside one scale-up domain: `initialize_ub` (transformer_engine/pytorch/module/base.py)
    /// builds one peer-memory communicator per TP group, treated as one NVLink domain. A TP
    /// group that spans domains runs plain collectives, unoverlapped.
    public func tensorParallelOverlapPossible(tp: Int) -> Bool { tp <= domainSize }

    /// Compute time multiplier while the EP all-to-all overlaps with compute: the
    /// communication kernels occupy `ExpertParallelPriors.communicationComputeUnits` of the
    /// chip's compute units (DeepSeek-V3: 20 of 132 SMs), or, without a unit count,
    /// 1 / `computeFractionWhileOverlapped`.
    public var overlappedComputeScale: Double {
        let p = calibration.training.expertParallel
        if let u = computeUnits, u > p.communicationComputeUnits { return u / (u - p.communicationComputeUnits) }
        return 1 / p.computeFractionWhileOverlapped
    }
}

extension LayerCosts {
    /// Seconds one layer recomputes per microbatch in the backward pass under `mode`.
    func recomputeSeconds(_ mode: RecomputeMode) -> Double {
        switch mode {
        case .none: return 0
        case .selective: return attentionCoreSeconds
        case .full: return forwardSeconds
        case .lightweight: return lightweightRecomputeSeconds
        }
    }
}

extension RecomputeMode {
    /// Passes over a layer that carry its TP/EP communication: forward and backward, and the
    /// forward again under full recompute.
    var communicationPasses: Double { self == .full ? 3 : 2 }
}
