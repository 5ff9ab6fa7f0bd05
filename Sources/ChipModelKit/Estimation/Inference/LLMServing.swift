/// Per-chip memory of a serving plan, bytes (decimal GB = 1e9 bytes everywhere).
public struct InferenceMemory: Sendable, Equatable {
    public var capacityBytes: Double
    public var weightsBytes: Double
    /// Runtime reserve plus the activation workspace of one prefill chunk.
    public var workspaceBytes: Double
    /// Left for the KV cache (may be negative: the model does not fit).
    public var kvCapacityBytes: Double
    /// KV-cache bytes one token of one sequence occupies on this chip.
    public var kvBytesPerToken: Double
    /// KV-cache bytes in use at the chosen batch.
    public var kvUsedBytes: Double

    public var fits: Bool { kvCapacityBytes > 0 }
    public var neededBytes: Double { weightsBytes + workspaceBytes + kvUsedBytes }
}

/// A model does not fit in a plan's memory.
public struct DoesNotFitError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The LLM serving model of one chip type under one plan (without the batch): memory, the
/// decode step as linear roofline terms (`DecodeStepModel`), and prefill timed op by op with
/// `Roofline.evaluate`.
///
/// Formulas: decode reads every local weight once per iteration plus each sequence's KV cache
/// (Pope et al. 2022, "Efficiently Scaling Transformer Inference", section 2; kipply's
/// "Transformer Inference Arithmetic"); prefill is GEMM-bound with FlashAttention (Dao 2023).
/// TP shards every GEMM's weight (Megatron-LM, Shoeybi 2019) with one all-reduce after
/// attention and one after the MLP per layer; EP replaces the MoE all-reduce with a dispatch
/// and a combine all-to-all (GShard, Lepikhin 2020) in which each chip sends the (token,
/// expert) rows of its 1/ep share of the batch. Not modelled: data-parallel attention (the
/// usual MLA deployment), so MLA's latent KV cache is replicated on every TP rank here.
public struct LLMServingModel: Sendable {
    public var model: ModelSpec
    public var chip: ChipParameters
    public var device: RooflineDevice
    public var kvFormat: NumberFormat
    public var tp: Int
    public var pp: Int
    public var ep: Int
    /// Data-parallel attention (DeepSeek-V3 / SGLang style, MoE models): inside a TP group of
    /// `tp` chips each chip runs attention, dense layers and the LM head for its own 1/tp of
    /// the sequences with replicated weights and its own KV cache, and the experts are split
    /// `ep = tp` ways with all-to-all dispatch and combine; no TP all-reduce.
    public var dpAttention: Bool
    public var network: ClusterNetwork
    public var calibration: InferenceFamilyCalibration
    public var decode: DecodeStepModel
    /// Per chip, bytes.
    public var weightsBytes: Double
    public var workspaceBytes: Double
    public var capacityBytes: Double
    public var kvBytesPerToken: Double

    public init(model: ModelSpec, chip: ChipParameters, precision: NumberFormat, kvPrecision: NumberFormat?,
                tp: Int, pp: Int, ep: Int, scaleUpDomain: Int?, emulate: Bool = false, dpAttention: Bool = false,
                fabric: ScaleUpFabric? = nil) throws {
        guard model.isDecoder else { throw DoesNotFitError("model '\(model.id)' is not a decoder LLM") }
        guard let capGB = chip.memoryCapacityGB else { throw MissingSpecError(chip: chip.id, key: "memory.capacityGB") }
        self.model = model
        self.chip = chip
        device = try RooflineDevice.inference(chip: chip, format: precision, emulate: emulate)
        self.tp = tp
        self.pp = pp
        let dp = dpAttention && model.isMoE && tp > 1
        self.dpAttention = dp
        self.ep = model.isMoE ? (dp ? tp : ep) : 1
        network = ClusterNetwork(chip: chip, domainSize: scaleUpDomain, fabric: fabric)
        calibration = InferenceCalibration.family(chip.family)
        if let kvPrecision {
            kvFormat = kvPrecision
        } else if precision.bytesPerElement <= 1, chip.matmulTflops[.fp8] != nil {
            kvFormat = .fp8
        } else {
            kvFormat = chip.matmulTflops[.bf16] != nil ? .bf16 : .fp16
        }
        let wb = precision.bytesPerElement
        let act = InferenceCalibration.activationBytes
        let T = Double(tp), P = Double(pp)
        capacityBytes = capGB * 1e9
        // With DP attention everything but the routed experts is replicated on each chip.
        let routedParams = Double(model.moeLayers) * Double(model.experts) * model.expertParams
        weightsBytes = dp ? ((model.totalParams - routedParams) / P + routedParams / (T * P)) * wb
                          : model.totalParams * wb / (T * P)
        // Dense (non-expert) weights are divided by R chips; per-sequence activation work by D.
        let R = dp ? 1 : T
        let D = dp ? T : 1
        // Workspace: the runtime's fixed memory, one prefill chunk's activations (input, QKV,
        // MLP intermediate, output: about (4h + 2·ffn/tp) values per token), and the part of
        // the remaining memory the KV-cache allocator leaves free.
        let chunk = Double(InferenceCalibration.prefillChunkTokens)
        let ffnWidth = Double(max(model.ffnHidden, model.expertFfnHidden * max(1, model.expertsPerToken)))
        let activations = chunk * (4 * Double(model.hidden) + 2 * ffnWidth / T) * act
        let beforeKV = InferenceCalibration.runtimeFixedGB * 1e9 + activations
        let left = max(0, capacityBytes - weightsBytes - beforeKV)
        workspaceBytes = beforeKV + (1 - InferenceCalibration.kvCacheFreeFraction) * left
        // KV heads shard over TP up to the number of KV heads (beyond that they are replicated);
        // MLA's latent cache is replicated on every TP rank.
        let kvShard: Double = dp ? T : (model.attention == .mla ? 1 : Double(min(tp, model.kvHeads)))
        let layersPerStage = Double(model.layers) / P
        kvBytesPerToken = layersPerStage * model.kvValuesPerTokenPerLayer * kvFormat.bytesPerElement / kvShard

        // Decode terms per stage.
        let F = device.sustainedMatmulFlops, BW = device.memoryBytesPerSecond, V = device.sustainedVectorFlops
        let h = Double(model.hidden)
        var terms: [DecodeTerm] = []
        // Multi-die packages: bytes crossing the D2D link per sequence, with the roofline's
        // split rules (`Roofline.cost`: the cheapest GEMM split crosses one operand; attention
        // split by heads crosses K/V only when the KV heads do not divide among the dies),
        // for one decode token (GEMM M = 1, attention over one context token). GEMMs use the
        // prefill shapes (`prefillLayerOps`). Zero on a monolithic chip.
        let dieCount = device.dies, d2dFormat = device.format, kvf = kvFormat
        let shardHeads = dp ? 1 : tp
        func gemmD2D(n: Double, k: Int) -> Double {
            guard dieCount > 1 else { return 0 }
            return Roofline.cost(.gemm(m: 1, n: max(1, Int(n.rounded())), k: max(1, k)), format: d2dFormat, dies: dieCount)
                .d2dBytesPerDirection
        }
        let attnD2DPerToken: Double = {
            guard dieCount > 1 else { return 0 }
            let hd = model.attention == .mla ? model.headDim + model.ropeHeadDim : model.headDim
            let kvh = model.attention == .mla ? 1 : (dp ? model.kvHeads : max(1, model.kvHeads / min(tp, model.kvHeads)))
            let op = RooflineOperation.attention(batch: 1, heads: max(1, model.heads / shardHeads), kvHeads: kvh, queryLength: 1,
                                         keyLength: 1, headDim: hd, causal: true)
            // K/V cross in the KV-cache format; with DP attention a chip holds 1/tp of the sequences.
            let c = Roofline.cost(op, format: kvf, dies: dieCount)
            return c.d2dBytesPerDirection / Double(dp ? tp : 1)
        }()
        let D2DBW = device.d2dBytesPerSecondPerDirection
        let attnGemmN = model.attentionParamsPerLayer / h / Double(shardHeads)
        let attnW = model.attentionParamsPerLayer / R
        terms.append(DecodeTerm(name: "attention projections (weights)", kind: .weights,
                                flopsPerSeq: 2 * model.attentionParamsPerLayer / T * layersPerStage, bytesFixed: attnW * wb * layersPerStage,
                                bytesPerSeq: 2 * h * act / D * layersPerStage, sustainedFlops: F, bytesPerSecond: BW,
                                d2dBytesPerSeq: gemmD2D(n: attnGemmN, k: model.hidden) / Double(D) * layersPerStage,
                                d2dBytesPerSecond: D2DBW))
        let headsPerChip = Double(model.heads) / T
        let attnDim: Double = model.attention == .mla
            ? Double(2 * model.kvLoraRank + model.ropeHeadDim) / 2 : Double(model.headDim)
        terms.append(DecodeTerm(name: "attention over the KV cache", kind: .kvCache,
                                flopsPerSeqToken: 4 * headsPerChip * attnDim * layersPerStage,
                                bytesPerSeqToken: model.kvValuesPerTokenPerLayer * kvFormat.bytesPerElement / kvShard * layersPerStage,
                                sustainedFlops: F, bytesPerSecond: BW,
                                d2dBytesPerSeqToken: attnD2DPerToken * layersPerStage, d2dBytesPerSecond: D2DBW))
        let denseLayersPerStage = Double(model.denseFfnLayers) / P
        let moeLayersPerStage = Double(model.moeLayers) / P
        if denseLayersPerStage > 0 {
            let w = model.denseMlpParamsPerLayer / R
            terms.append(DecodeTerm(name: "MLP (weights)", kind: .weights, flopsPerSeq: 2 * model.denseMlpParamsPerLayer / T * denseLayersPerStage,
                                    bytesFixed: w * wb * denseLayersPerStage, sustainedFlops: F, bytesPerSecond: BW,
                                    d2dBytesPerSeq: gemmD2D(n: Double(model.ffnHidden * (model.gatedMlp ? 3 : 2)) / Double(shardHeads),
                                                            k: model.hidden) * denseLayersPerStage,
                                    d2dBytesPerSecond: D2DBW))
        }
        if moeLayersPerStage > 0 {
            let router = h * Double(model.experts)
            let sharedAll = Double(model.sharedExperts) * model.expertParams
            let shared = sharedAll / R
            terms.append(DecodeTerm(name: "MoE router + shared experts (weights)", kind: .weights,
                                    flopsPerSeq: 2 * (router / D + sharedAll / T) * moeLayersPerStage,
                                    bytesFixed: (router * act + shared * wb) * moeLayersPerStage, sustainedFlops: F, bytesPerSecond: BW))
            // Expected local experts touched by b sequences: min(all local, b·k/ep), each
            // expert's weights split over tp/ep chips.
            let perExpertBytes = model.expertParams * wb / T
            terms.append(DecodeTerm(name: "MoE routed experts (weights)", kind: .weights,
                                    flopsPerSeq: 2 * Double(model.expertsPerToken) * model.expertParams / T * moeLayersPerStage,
                                    bytesPerSeq: Double(model.expertsPerToken) * perExpertBytes * moeLayersPerStage,
                                    bytesPerSeqCap: Double(model.experts) * perExpertBytes * moeLayersPerStage,
                                    sustainedFlops: F, bytesPerSecond: BW,
                                    d2dBytesPerSeq: Double(model.expertsPerToken) / Double(self.ep)
                                        * gemmD2D(n: Double(model.expertFfnHidden * (model.gatedMlp ? 3 : 2) * self.ep) / T, k: model.hidden)
                                        * moeLayersPerStage,
                                    d2dBytesPerSecond: D2DBW))
        }
        if moeLayersPerStage > 0 {
            // Token permutation: each (token, expert) row is written once in expert order and
            // read once more in the weighted combine (the grouped GEMMs' own operand traffic is
            // in their terms), on the chips that hold the expert (MegaBlocks, Gale et al. 2023,
            // section 5: permutation is memory-bound).
            let rows = Double(model.expertsPerToken) / Double(self.ep)
            terms.append(DecodeTerm(name: "MoE token permutation", kind: .elementwise,
                                    bytesPerSeq: 2 * rows * h * act * moeLayersPerStage, sustainedFlops: V, bytesPerSecond: BW))
        }
        // Norms and residuals (`elementwiseAccessesPerLayer` reads/writes of h per layer).
        terms.append(DecodeTerm(name: "element-wise (norms, activations)", kind: .elementwise,
                                flopsPerSeq: InferenceCalibration.elementwiseAccessesPerLayer * h / D * layersPerStage,
                                bytesPerSeq: InferenceCalibration.elementwiseAccessesPerLayer * h * act / D * layersPerStage,
                                sustainedFlops: V, bytesPerSecond: BW))
        // LM head on the last stage; it bounds the pipeline period.
        let head = Double(model.vocab) * h
        terms.append(DecodeTerm(name: "LM head (weights)", kind: .weights, flopsPerSeq: 2 * head / T, bytesFixed: head / R * wb,
                                bytesPerSeq: Double(model.vocab) / T * 4, sustainedFlops: F, bytesPerSecond: BW,
                                d2dBytesPerSeq: gemmD2D(n: Double(model.vocab) / T, k: model.hidden) / Double(D), d2dBytesPerSecond: D2DBW))

        var comms: [DecodeComm] = []
        let tpTier = tp <= network.scaleUp.domainSize ? network.scaleUp : network.scaleOut
        if tp > 1 && !dp {
            let moeAllReduce = (self.ep > 1 && tp / self.ep == 1) ? 0 : moeLayersPerStage
            comms.append(DecodeComm(name: "TP all-reduce (\(tp) chips)", collective: .allReduce,
                                    count: layersPerStage + denseLayersPerStage + moeAllReduce,
                                    bytesPerSeq: h * act, n: tp, tier: tp <= network.scaleUp.domainSize ? network.scaleUpTier(for: .allReduce, n: tp) : tpTier))
        }
        if self.ep > 1 && moeLayersPerStage > 0 {
            comms.append(DecodeComm(name: "EP all-to-all (\(self.ep) chips)", collective: .allToAll, count: 2 * moeLayersPerStage,
                                    bytesPerSeq: Double(model.expertsPerToken) * h * act / Double(self.ep), n: self.ep,
                                    tier: tp <= network.scaleUp.domainSize ? network.scaleUpTier(for: .allToAll, n: self.ep) : tpTier))
        }
        if pp > 1 {
            let ppTier = tp * pp <= network.scaleUp.domainSize ? network.scaleUp : network.scaleOut
            comms.append(DecodeComm(name: "PP send/recv", collective: .pointToPoint, count: 1, bytesPerSeq: h * act, n: 2,
                                    tier: tp * pp <= network.scaleUp.domainSize ? network.scaleUpTier(for: .pointToPoint, n: 2) : ppTier))
        }
        let pipeline = pp > 1 ? InferenceCalibration.pipelineEfficiency : 1
        decode = DecodeStepModel(terms: terms, comms: comms, pp: pp, efficiency: calibration.decodeEfficiency * pipeline,
                                 overheadSeconds: calibration.stepOverheadSeconds)
    }

    /// The spec key of a network tier this layout's collectives need but the chip's spec lacks
    /// (they would take forever), or nil. The estimator skips such layouts and reports the key
    /// (`MissingSpecError`) when no other layout runs; an infinite time is never printed.
    public var missingNetworkKey: String? {
        func key(_ t: NetworkTier) -> String { t.domainSize == Int.max ? "scaleOut.nicBandwidthGBps" : "scaleUp.bandwidthGBps" }
        let domain = network.scaleUp.domainSize
        let tpTier = tp <= domain ? network.scaleUp : network.scaleOut
        if tp > 1 && !dpAttention, let t = network.missingTier(groupSize: tp, innerSize: min(tp, domain)) { return key(t) }
        if ep > 1 && model.moeLayers > 0 {
            if !(tpTier.bytesPerSecond > 0) { return key(tpTier) }
            if let t = network.missingTier(groupSize: ep, innerSize: min(ep, domain)) { return key(t) }
        }
        if pp > 1, let t = network.missingTier(groupSize: 2, innerSize: tp * pp <= domain ? 2 : 1) { return key(t) }
        return nil
    }

    /// Memory at a replica batch of `batch` sequences holding `tokensPerSequence` tokens each.
    public func memory(batch: Int, tokensPerSequence: Double) -> InferenceMemory {
        InferenceMemory(capacityBytes: capacityBytes, weightsBytes: weightsBytes, workspaceBytes: workspaceBytes,
                        kvCapacityBytes: capacityBytes - weightsBytes - workspaceBytes, kvBytesPerToken: kvBytesPerToken,
                        kvUsedBytes: Double(batch) * tokensPerSequence * kvBytesPerToken)
    }

    /// Largest number of sequences whose KV cache (`tokensPerSequence` each) fits per replica.
    public func maxBatch(tokensPerSequence: Double) -> Int {
        let free = capacityBytes - weightsBytes - workspaceBytes
        guard free > 0, kvBytesPerToken > 0, tokensPerSequence > 0 else { return 0 }
        let n = free / (kvBytesPerToken * tokensPerSequence)
        return n >= 1e9 ? 1_000_000_000 : Int(n.rounded(.down))
    }

    /// Prefill operations of one layer of one stage for `sequences` prompts of `length` tokens,
    /// per chip (TP-sharded), timed with the roofline.
    public func prefillLayerOps(sequences: Int, length: Int) -> [(name: String, op: RooflineOperation, count: Double)] {
        let m = sequences * length
        // TP: every chip sees all tokens with 1/tp of each weight. DP attention: each chip takes
        // whole sequences (the busiest one ceil(sequences/tp)) with whole weights.
        let shard = dpAttention ? 1 : tp
        let seqLocal = dpAttention ? (sequences + tp - 1) / tp : sequences
        let mLocal = seqLocal * length
        let h = model.hidden
        var ops: [(String, RooflineOperation, Double)] = []
        let attnN = max(1, Int((model.attentionParamsPerLayer / Double(h) / Double(shard)).rounded()))
        let layers = Double(model.layers) / Double(pp)
        ops.append(("attention projections", .gemm(m: mLocal, n: attnN, k: h), layers))
        let hd = model.attention == .mla ? model.headDim + model.ropeHeadDim : model.headDim
        ops.append(("attention core (FlashAttention, causal)",
                    .attention(batch: seqLocal, heads: max(1, model.heads / shard), kvHeads: max(1, model.kvHeads / shard),
                               queryLength: length, keyLength: length, headDim: hd, causal: true), layers))
        let dense = Double(model.denseFfnLayers) / Double(pp)
        if dense > 0 {
            let mats = model.gatedMlp ? 3 : 2
            let n = max(1, model.ffnHidden * mats / shard)
            ops.append(("MLP", .gemm(m: mLocal, n: n, k: h), dense))
        }
        let moe = Double(model.moeLayers) / Double(pp)
        if moe > 0 {
            let mats = model.gatedMlp ? 3 : 2
            let localExperts = max(1, model.experts / ep)
            let tokensPerExpert = max(1, m * model.expertsPerToken / max(1, model.experts))
            let n = max(1, model.expertFfnHidden * mats * ep / tp)
            ops.append(("MoE routed experts", .gemm(m: tokensPerExpert, n: n, k: h, batch: localExperts), moe))
            let permuteBytes = 2 * Double(m) * Double(model.expertsPerToken) / Double(ep) * Double(h) * InferenceCalibration.activationBytes
            ops.append(("MoE token permutation", .elementwise(bytes: permuteBytes), moe))
            if model.sharedExperts > 0 {
                ops.append(("MoE shared experts", .gemm(m: mLocal, n: max(1, model.sharedExperts * model.expertFfnHidden * mats / shard), k: h), moe))
            }
        }
        ops.append(("element-wise", .elementwise(bytes: InferenceCalibration.elementwiseAccessesPerLayer * Double(mLocal) * Double(h) * InferenceCalibration.activationBytes), layers))
        return ops
    }

    /// Seconds for `sequences` prompts of `length` tokens to pass through all stages (latency),
    /// and the per-replica occupancy (throughput cost: the pipeline overlaps stages).
    public func prefillSeconds(sequences: Int, length: Int) -> (latency: Double, occupancy: Double, lines: [String]) {
        guard sequences > 0, length > 0 else { return (0, 0, []) }
        var stage = 0.0
        var lines: [String] = []
        for (name, op, count) in prefillLayerOps(sequences: sequences, length: length) {
            let r = Roofline.evaluate(op, on: device)
            stage += r.seconds * count / calibration.prefillEfficiency
            lines.append("  \(name): \(op.name) x\(formatQuantity(count)) = \(formatQuantity(r.seconds * count * 1e3 / calibration.prefillEfficiency)) ms (\(r.bound.rawValue)-bound)")
        }
        // Logits only for the last token of each prompt.
        let head = dpAttention
            ? Roofline.evaluate(.gemm(m: (sequences + tp - 1) / tp, n: model.vocab, k: model.hidden), on: device)
            : Roofline.evaluate(.gemm(m: sequences, n: max(1, model.vocab / tp), k: model.hidden), on: device)
        stage += head.seconds / calibration.prefillEfficiency
        let m = Double(sequences * length)
        var comm = 0.0
        if tp > 1 && !dpAttention {
            let count = Double(model.layers + model.denseFfnLayers + (ep > 1 && tp / ep == 1 ? 0 : model.moeLayers)) / Double(pp)
            comm += count * network.time(.allReduce, bytes: m * Double(model.hidden) * InferenceCalibration.activationBytes,
                                         groupSize: tp, innerSize: min(tp, network.scaleUp.domainSize))
        }
        if ep > 1 && model.moeLayers > 0 {
            comm += 2 * Double(model.moeLayers) / Double(pp) * network.time(.allToAll,
                bytes: m * Double(model.expertsPerToken * model.hidden) * InferenceCalibration.activationBytes / Double(ep),
                groupSize: ep, innerSize: min(ep, network.scaleUp.domainSize))
        }
        var p2p = 0.0
        if pp > 1 {
            p2p = network.time(.pointToPoint, bytes: m * Double(model.hidden) * InferenceCalibration.activationBytes, groupSize: 2,
                               innerSize: tp * pp <= network.scaleUp.domainSize ? 2 : 1)
        }
        if comm > 0 { lines.append("  TP/EP communication per stage: \(formatQuantity(comm * 1e3)) ms") }
        let stageSeconds = stage + comm
        let latency = Double(pp) * stageSeconds + Double(pp - 1) * p2p
        // Pipelined prefill chunks share the stages with decode micro-batches: the same
        // imbalance as decode (`pipelineEfficiency`) applies to their occupancy.
        let occupancy = pp > 1 ? (stageSeconds + p2p) / InferenceCalibration.pipelineEfficiency : stageSeconds
        return (latency, occupancy, lines)
    }
}
