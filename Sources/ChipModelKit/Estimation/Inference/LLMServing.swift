import Foundation

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
/// expert) rows of its 1/ep share of the batch. Data-parallel attention (`dpAttention`, the
/// DeepSeek / SGLang / CloudMatrix large-EP layout) gives each chip (each die of a multi-die
/// package) its own sequences, KV cache and copy of the non-expert weights, with the routed
/// experts split over the replica; under TP attention MLA's latent KV cache is replicated on
/// every TP rank.
extension Double {
    /// Self when positive and finite, else nil.
    var nonZero: Double? { self > 0 && isFinite ? self : nil }
}

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
    /// The weights' storage format (the GEMMs run at `device.computeFormat`).
    public var weightFormat: NumberFormat
    public var speculative: SpeculativeDecoding?
    /// The device MLA's attention core runs on: the 16-bit peak whatever the weight format
    /// (`LLMServingModel.mlaAttentionFormat`); the GEMM device for other attention.
    public var attentionDevice: RooflineDevice
    /// Vector operations per weight byte to convert stored weights to the compute format
    /// (0 when the chip computes in the stored format).
    public var weightConversionOpsPerByte: Double = 0
    /// The same for the KV cache (FP8 KV on a chip without an FP8 peak).
    public var kvConversionOpsPerByte: Double = 0
    /// Two-batch overlap of DP-attention large EP (`MicroBatchOverlap`), decode and prefill.
    public var twoBatchOverlap: Bool

    public init(model: ModelSpec, chip: ChipParameters, precision: NumberFormat, kvPrecision: NumberFormat?,
                tp: Int, pp: Int, ep: Int, scaleUpDomain: Int?, emulate: Bool = false, dpAttention: Bool = false,
                computePrecision: NumberFormat? = nil, speculative: SpeculativeDecoding? = nil,
                fabric: ScaleUpFabric? = nil, twoBatchOverlap: Bool = InferenceCalibration.twoBatchOverlapByDefault,
                calibration given: InferenceFamilyCalibration? = nil) throws {
        guard model.isDecoder else { throw DoesNotFitError("model '\(model.id)' is not a decoder LLM") }
        guard let capGB = chip.memoryCapacityGB else { throw MissingSpecError(chip: chip.id, key: "memory.capacityGB") }
        self.model = model
        self.chip = chip
        device = try RooflineDevice.inference(chip: chip, format: computePrecision ?? precision, emulate: emulate)
        weightFormat = precision
        self.speculative = speculative
        self.twoBatchOverlap = twoBatchOverlap
        self.tp = tp
        self.pp = pp
        let dp = dpAttention && model.isMoE && tp > 1
        self.dpAttention = dp
        self.ep = model.isMoE ? (dp ? tp : ep) : 1
        network = ClusterNetwork(chip: chip, domainSize: scaleUpDomain, fabric: fabric)
        calibration = given ?? InferenceCalibration.family(chip.family)
        let sixteenBit: NumberFormat = chip.matmulTflops[.bf16] != nil ? .bf16 : .fp16
        // MLA attention computes in 16 bits: DeepSeek's inference system runs "BF16 for core MLA
        // computations" (open-infra-index day 6, 2025-02-28) with FlashMLA, whose release keeps a
        // BF16/FP16 paged KV cache (FlashMLA README: "Currently released: BF16, FP16"). So MLA
        // models default to a 16-bit KV cache and their attention (decode and prefill) runs at
        // the 16-bit peak even with FP8/INT8 GEMMs.
        let mla = model.attention == .mla
        attentionDevice = mla && sixteenBit != device.computeFormat
            ? ((try? RooflineDevice.inference(chip: chip, format: sixteenBit, emulate: emulate)) ?? device) : device
        if let kvPrecision {
            kvFormat = kvPrecision
        } else if mla {
            kvFormat = sixteenBit
        } else if precision.bytesPerElement <= 1, chip.matmulTflops[.fp8] != nil {
            kvFormat = .fp8
        } else {
            kvFormat = chip.matmulTflops[.bf16] != nil ? .bf16 : .fp16
        }
        let wb = precision.bytesPerElement
        let act = InferenceCalibration.activationBytes
        // Formats the chip computes in only after conversion (`--emulate`, W4A16): weights
        // narrower than the GEMM format, and a KV format without a peak of its own.
        if device.computeFormat.bytesPerElement > wb {
            weightConversionOpsPerByte = InferenceCalibration.dequantizeOpsPerElement / wb
        }
        if chip.matmulTflops[kvFormat] == nil && kvFormat.bytesPerElement < device.computeFormat.bytesPerElement {
            kvConversionOpsPerByte = InferenceCalibration.convertOpsPerElement / kvFormat.bytesPerElement
        }
        let wConv = weightConversionOpsPerByte, kvConv = kvConversionOpsPerByte
        let T = Double(tp), P = Double(pp)
        capacityBytes = capGB * 1e9
        // With DP attention everything but the routed experts is replicated on each chip.
        let routedParams = Double(model.moeLayers) * Double(model.experts) * model.expertParams
        // Large EP: every chip holds ceil(E / ep) whole experts (redundant copies fill the rest,
        // DeepSeek's EPLB: EP144 holds 2 of 256+32 per GPU; CloudMatrix EP320 one per die).
        let expertsPerChip = dp ? Double((model.experts + max(1, tp) - 1) / max(1, tp)) : Double(model.experts) / T
        // A package that software sees as several devices (`dies.devicesPerPackage`; CloudMatrix:
        // EP320 over 160 two-die 910C) runs one DP-attention rank per device: each its own
        // sequences, KV cache and copy of the non-expert weights, so nothing but the expert
        // all-to-all crosses between its dies. A package that is one device (B200, MI300X) runs
        // one rank; copying the weights per die had put 147 GB of DeepSeek-R1 on each MI300X.
        let dieRanks = dp ? Double(max(1, chip.devicesPerPackage)) : 1
        weightsBytes = dp ? ((model.totalParams - routedParams) / P * dieRanks + Double(model.moeLayers) * expertsPerChip * model.expertParams / P) * wb
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

        // Decode terms per stage, for q tokens per sequence per step (q = 1; q = k + 1 when a
        // speculative step verifies k draft tokens: weights and KV are read once, FLOPs,
        // activations and messages scale with q).
        let F = device.sustainedMatmulFlops, BW = device.memoryBytesPerSecond, V = device.sustainedVectorFlops
        // Attention over the KV cache runs in the KV format where the chip computes in it (FP8
        // attention), else at the 16-bit peak: INT8/INT4 weights do not make the attention
        // integer (DeepSeek: "core MLA computations ... use the BF16 format").
        let attentionFormat: NumberFormat = !mla && chip.matmulTflops[kvFormat] != nil && !kvFormat.isInteger ? kvFormat
            : (chip.matmulTflops[.bf16] != nil ? .bf16 : .fp16)
        let FA = min(F, (chip.matmulTflops[attentionFormat] ?? 0) * 1e12 * device.calibration.matmulPeakFraction).nonZero ?? F
        let h = Double(model.hidden)
        let epWidth = self.ep, net = network
        // Multi-die packages: bytes crossing the D2D link per sequence, with the roofline's
        // split rules (`Roofline.cost`: the cheapest GEMM split crosses one operand; attention
        // split by heads crosses K/V only when the KV heads do not divide among the dies),
        // for one decode token (GEMM M = 1, attention over one context token). GEMMs use the
        // prefill shapes (`prefillLayerOps`). Zero on a monolithic chip.
        // Under DP attention each device is its own rank: the dies of one device (B200's two)
        // still split its work across the D2D link; a device per die (910C) crosses none.
        let dieCount = dp ? max(1, device.dies / max(1, chip.devicesPerPackage)) : device.dies
        let d2dFormat = device.format, kvf = kvFormat
        let shardHeads = dp ? 1 : tp
        func gemmD2D(n: Double, k: Int) -> Double {
            guard dieCount > 1 else { return 0 }
            return Roofline.cost(.gemm(m: 1, n: max(1, Int(n.rounded())), k: max(1, k)), format: d2dFormat, dies: dieCount, labels: false)
                .d2dBytesPerDirection
        }
        let attnD2DPerToken: Double = {
            guard dieCount > 1 else { return 0 }
            let hd = model.attention == .mla ? model.headDim + model.ropeHeadDim : model.headDim
            let kvh = model.attention == .mla ? 1 : (dp ? model.kvHeads : max(1, model.kvHeads / min(tp, model.kvHeads)))
            let op = RooflineOperation.attention(batch: 1, heads: max(1, model.heads / shardHeads), kvHeads: kvh, queryLength: 1,
                                         keyLength: 1, headDim: hd, causal: true)
            // K/V cross in the KV-cache format; with DP attention a chip holds 1/tp of the sequences.
            let c = Roofline.cost(op, format: kvf, dies: dieCount, labels: false)
            return c.d2dBytesPerDirection / Double(dp ? tp : 1)
        }()
        let D2DBW = device.d2dBytesPerSecondPerDirection
        let denseLayersPerStage = Double(model.denseFfnLayers) / P
        let moeLayersPerStage = Double(model.moeLayers) / P
        // Expert ranks: one per die under DP attention on a multi-die package.
        let expertRanks = self.ep * Int(dieRanks)
        func imbalanceCoefficient(q: Double) -> Double {
            guard epWidth > 1, model.expertsPerToken > 0 else { return 0 }
            return ExpertLoadImbalance.coefficient(rowsPerSequencePerRank: q * Double(model.expertsPerToken) / Double(expertRanks),
                                                   ranks: expertRanks)
        }
        func imbalanced(_ c: Double, _ t: DecodeTerm) -> DecodeTerm {
            var t = t
            t.imbalanceCoefficient = c
            return t
        }
        func expertStage(_ t: DecodeTerm) -> DecodeTerm {
            var t = t
            t.expertStage = true
            return t
        }
        func weights(_ t: DecodeTerm) -> DecodeTerm {
            var t = t
            if wConv > 0 { t.vectorOpsPerByte = wConv; t.vectorFlopsPerSecond = V }
            return t
        }
        func stageTerms(q: Double) -> (layers: [DecodeTerm], head: DecodeTerm, comms: [DecodeComm]) {
            var terms: [DecodeTerm] = []
            let attnGemmN = model.attentionParamsPerLayer / h / Double(shardHeads)
            let attnW = model.attentionParamsPerLayer / R
            terms.append(weights(DecodeTerm(name: "attention projections (weights)", kind: .weights,
                                    flopsPerSeq: q * 2 * model.attentionParamsPerLayer / T * layersPerStage, bytesFixed: attnW * wb * dieRanks * layersPerStage,
                                    bytesPerSeq: q * 2 * h * act / D * layersPerStage, sustainedFlops: F, bytesPerSecond: BW,
                                    d2dBytesPerSeq: q * gemmD2D(n: attnGemmN, k: model.hidden) / Double(D) * layersPerStage,
                                    d2dBytesPerSecond: D2DBW)))
            let headsPerChip = Double(model.heads) / T
            let attnDim: Double = model.attention == .mla
                ? Double(2 * model.kvLoraRank + model.ropeHeadDim) / 2 : Double(model.headDim)
            var kv = DecodeTerm(name: "attention over the KV cache", kind: .kvCache,
                                flopsPerSeqToken: q * 4 * headsPerChip * attnDim * layersPerStage,
                                bytesPerSeqToken: model.kvValuesPerTokenPerLayer * kvf.bytesPerElement / kvShard * layersPerStage,
                                sustainedFlops: FA, bytesPerSecond: BW,
                                d2dBytesPerSeqToken: attnD2DPerToken * layersPerStage, d2dBytesPerSecond: D2DBW)
            if kvConv > 0 { kv.vectorOpsPerByte = kvConv; kv.vectorFlopsPerSecond = V }
            terms.append(kv)
            if denseLayersPerStage > 0 {
                let w = model.denseMlpParamsPerLayer / R
                terms.append(weights(DecodeTerm(name: "MLP (weights)", kind: .weights, flopsPerSeq: q * 2 * model.denseMlpParamsPerLayer / T * denseLayersPerStage,
                                        bytesFixed: w * wb * dieRanks * denseLayersPerStage, sustainedFlops: F, bytesPerSecond: BW,
                                        d2dBytesPerSeq: q * gemmD2D(n: Double(model.ffnHidden * (model.gatedMlp ? 3 : 2)) / Double(shardHeads),
                                                                    k: model.hidden) * denseLayersPerStage,
                                        d2dBytesPerSecond: D2DBW)))
            }
            if moeLayersPerStage > 0 {
                let router = h * Double(model.experts)
                let sharedAll = Double(model.sharedExperts) * model.expertParams
                let shared = sharedAll / R
                terms.append(weights(DecodeTerm(name: "MoE router + shared experts (weights)", kind: .weights,
                                        flopsPerSeq: q * 2 * (router / D + sharedAll / T) * moeLayersPerStage,
                                        bytesFixed: (router * act + shared * wb) * dieRanks * moeLayersPerStage, sustainedFlops: F, bytesPerSecond: BW)))
                // Expected local experts touched by b sequences: min(all local, b·q·k/ep), each
                // expert's weights split over tp/ep chips (DP attention: whole experts, at
                // least one and ceil(E/ep) per chip).
                let perExpertBytes = model.expertParams * wb / T
                let cap = dp ? expertsPerChip * model.expertParams * wb : Double(model.experts) * perExpertBytes
                let imbalance = imbalanceCoefficient(q: q)
                terms.append(expertStage(imbalanced(imbalance, weights(DecodeTerm(name: "MoE routed experts (weights)", kind: .weights,
                                        flopsPerSeq: q * 2 * Double(model.expertsPerToken) * model.expertParams / T * moeLayersPerStage,
                                        bytesPerSeq: q * Double(model.expertsPerToken) * perExpertBytes * moeLayersPerStage,
                                        bytesPerSeqCap: cap * moeLayersPerStage,
                                        sustainedFlops: F, bytesPerSecond: BW,
                                        d2dBytesPerSeq: q * Double(model.expertsPerToken) / Double(epWidth)
                                            * gemmD2D(n: Double(model.expertFfnHidden * (model.gatedMlp ? 3 : 2) * epWidth) / T, k: model.hidden)
                                            * moeLayersPerStage,
                                        d2dBytesPerSecond: D2DBW)))))
                // Token permutation: each (token, expert) row is written once in expert order and
                // read once more in the weighted combine (the grouped GEMMs' own operand traffic is
                // in their terms), on the chips that hold the expert (MegaBlocks, Gale et al. 2023,
                // section 5: permutation is memory-bound).
                let rows = Double(model.expertsPerToken) / Double(epWidth)
                terms.append(expertStage(imbalanced(imbalance, DecodeTerm(name: "MoE token permutation", kind: .elementwise,
                                        bytesPerSeq: q * 2 * rows * h * act * moeLayersPerStage, sustainedFlops: V, bytesPerSecond: BW))))
            }
            // Norms and residuals (`elementwiseAccessesPerLayer` reads/writes of h per layer).
            terms.append(DecodeTerm(name: "element-wise (norms, activations)", kind: .elementwise,
                                    flopsPerSeq: q * InferenceCalibration.elementwiseAccessesPerLayer * h / D * layersPerStage,
                                    bytesPerSeq: q * InferenceCalibration.elementwiseAccessesPerLayer * h * act / D * layersPerStage,
                                    sustainedFlops: V, bytesPerSecond: BW))
            // LM head on the last stage; it bounds the pipeline period.
            let headParams = Double(model.vocab) * h
            let head = weights(DecodeTerm(name: "LM head (weights)", kind: .weights, flopsPerSeq: q * 2 * headParams / T, bytesFixed: headParams / R * wb * dieRanks,
                                  bytesPerSeq: q * Double(model.vocab) / T * 4, sustainedFlops: F, bytesPerSecond: BW,
                                  d2dBytesPerSeq: q * gemmD2D(n: Double(model.vocab) / T, k: model.hidden) / Double(D), d2dBytesPerSecond: D2DBW))

            var comms: [DecodeComm] = []
            let tpTier = tp <= net.scaleUp.domainSize ? net.scaleUp : net.scaleOut
            if tp > 1 && !dp {
                let moeAllReduce = (epWidth > 1 && tp / epWidth == 1) ? 0 : moeLayersPerStage
                comms.append(DecodeComm(name: "TP all-reduce (\(tp) chips)", collective: .allReduce,
                                        count: layersPerStage + denseLayersPerStage + moeAllReduce,
                                        bytesPerSeq: q * h * act, n: tp,
                                        tier: tp <= net.scaleUp.domainSize ? net.scaleUpTier(for: .allReduce, n: tp) : tpTier))
            }
            if epWidth > 1 && moeLayersPerStage > 0 {
                // Large-EP (data-parallel attention) deployments dispatch in the 8-bit GEMM
                // format when the weights are 8-bit or narrower (DeepSeek: "dispatch
                // transmissions adopt the FP8 format", DeepEP; CloudMatrix: INT8 dispatch) and
                // combine in BF16; TP-group EP moves 16-bit activations both ways.
                let inDomain = tp <= net.scaleUp.domainSize
                let epTier = inDomain ? net.scaleUpTier(for: .allToAll, n: epWidth) : tpTier
                let dispatchBytes = dp && wb <= 1 ? 1.0 : act
                let rowsPerSeq = q * Double(model.expertsPerToken) * h / Double(epWidth)
                // The one-sided kernels' own rate where it is measured (`scaleUp.expertAllToAll`
                // inside the domain, `scaleOut.expertAllToAll` across domains).
                let ranks = dieRanks
                let link = inDomain ? chip.scaleUpPerDirectionGBps : chip.scaleOutPerDirectionGBps
                // At this EP size where the spec has a table by EP (`<key>ByExpertParallel`).
                let epRanks = epWidth * max(1, Int(ranks))
                let tierKey = inDomain ? "scaleUp." : "scaleOut."
                let dispatchGBps = chip.expertKernelGBps(tierKey + "decodeDispatchGBps", ranks: epRanks)
                let combineGBps = chip.expertKernelGBps(tierKey + "decodeCombineGBps", ranks: epRanks)
                let dispatchTier = dp ? Self.expertKernelTier(epTier, gbps: dispatchGBps, ranksPerChip: ranks, linkGBps: link) : epTier
                let combineTier = dp ? Self.expertKernelTier(epTier, gbps: combineGBps, ranksPerChip: ranks, linkGBps: link) : epTier
                // The busiest receiver sets both (`ExpertLoadImbalance`).
                var dispatch = DecodeComm(name: "EP dispatch all-to-all (\(epWidth) chips)", collective: .allToAll, count: moeLayersPerStage,
                                          bytesPerSeq: rowsPerSeq * dispatchBytes, n: epWidth,
                                          tier: dispatchTier, oneSided: dp)
                var combine = DecodeComm(name: "EP combine all-to-all (\(epWidth) chips)", collective: .allToAll, count: moeLayersPerStage,
                                         bytesPerSeq: rowsPerSeq * act, n: epWidth,
                                         tier: combineTier, oneSided: dp)
                dispatch.imbalanceCoefficient = imbalanceCoefficient(q: q)
                combine.imbalanceCoefficient = dispatch.imbalanceCoefficient
                combine.isCombine = true
                comms.append(dispatch)
                comms.append(combine)
            }
            if pp > 1 {
                let ppTier = tp * pp <= net.scaleUp.domainSize ? net.scaleUp : net.scaleOut
                comms.append(DecodeComm(name: "PP send/recv", collective: .pointToPoint, count: 1, bytesPerSeq: q * h * act, n: 2,
                                        tier: tp * pp <= net.scaleUp.domainSize ? net.scaleUpTier(for: .pointToPoint, n: 2) : ppTier))
            }
            return (terms, head, comms)
        }
        let q = Double((speculative?.draftTokens ?? 0) + 1)
        let main = stageTerms(q: q)
        var terms = main.layers + [main.head]
        var comms = main.comms
        if let spec = speculative, spec.method == .mtp {
            // MTP draft: k sequential passes of one more layer (DeepSeek-V3's MTP module is one
            // transformer block sharing the embedding and the output head), each with its LM
            // head: the per-layer terms scaled by k / layers (exact for roofline maxima) plus k
            // LM heads.
            let one = stageTerms(q: 1)
            let k = Double(spec.draftTokens)
            let perLayer = k / max(1, layersPerStage)
            terms += one.layers.map { $0.scaled(perLayer, prefix: "MTP draft: ") } + [one.head.scaled(k, prefix: "MTP draft: ")]
            comms += one.comms.map { $0.scaled(perLayer, prefix: "MTP draft: ") }
        }
        let pipeline = InferenceCalibration.pipelineEfficiency(pp: pp)
        // DP-attention large EP decodes with two-batch overlap (`MicroBatchOverlap`); the
        // low-latency kernels receive through a hook without SMs (DeepEP README), share 0.
        let overlap = twoBatchOverlap && dp && epWidth > 1 && moeLayersPerStage > 0 ? MicroBatchOverlap(moeLayers: moeLayersPerStage) : nil
        decode = DecodeStepModel(terms: terms, comms: comms, pp: pp, efficiency: calibration.decodeEfficiency * pipeline,
                                 overheadSeconds: calibration.stepOverheadSeconds, overlap: overlap,
                                 hostSecondsPerSequence: InferenceCalibration.hostSecondsPerScheduledSequence,
                                 hostSchedulers: Double(dp ? tp : 1))
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
    /// and the per-replica occupancy (throughput cost: the pipeline overlaps stages); with
    /// `explain`, one line per operation (the search asks without: formatting them cost more
    /// than the roofline).
    public func prefillSeconds(sequences: Int, length: Int, explain: Bool = false) -> (latency: Double, occupancy: Double, lines: [String]) {
        guard sequences > 0, length > 0 else { return (0, 0, []) }
        var stage = 0.0
        var lines: [String] = []
        for (name, op, count) in prefillLayerOps(sequences: sequences, length: length) {
            let isAttention: Bool
            if case .attention = op { isAttention = true } else { isAttention = false }
            let r = Roofline.evaluate(op, on: isAttention ? attentionDevice : device, labels: explain)
            stage += r.seconds * count / calibration.prefillEfficiency
            if explain { lines.append("  \(name): \(op.name) x\(formatQuantity(count)) = \(formatQuantity(r.seconds * count * 1e3 / calibration.prefillEfficiency)) ms (\(r.bound.rawValue)-bound)") }
        }
        // Logits only for the last token of each prompt.
        stage += prefillHeadSeconds(sequences: sequences)
        let m = Double(sequences * length)
        let comm = prefillCommSeconds(tokens: m)
        var p2p = 0.0
        if pp > 1 {
            p2p = network.time(.pointToPoint, bytes: m * Double(model.hidden) * InferenceCalibration.activationBytes, groupSize: 2,
                               innerSize: tp * pp <= network.scaleUp.domainSize ? 2 : 1)
        }
        if explain && comm > 0 { lines.append("  TP/EP communication per stage: \(formatQuantity(comm * 1e3)) ms") }
        // Communication adds to compute, except in DP-attention large EP, where two micro-batches
        // hide one's all-to-all behind the other's compute (`MicroBatchOverlap`).
        let stageSeconds = prefillStageSeconds(compute: stage, comm: comm, sequences: sequences, length: length)
        let latency = Double(pp) * stageSeconds + Double(pp - 1) * p2p
        // Pipelined prefill chunks share the stages with decode micro-batches: the same
        // imbalance as decode (`pipelineEfficiency(pp:)`) applies to their occupancy.
        let occupancy = pp > 1 ? (stageSeconds + p2p) / InferenceCalibration.pipelineEfficiency(pp: pp) : stageSeconds
        return (latency, occupancy, lines)
    }
}
