import Foundation

/// Two-batch (dual micro-batch) overlap of large-EP serving: the batch is split into two
/// micro-batches and one's expert dispatch/combine runs while the other computes.
///
/// Sources: DeepSeek's inference system overview (open-infra-index, day 6, 2025-02-28): prefill
/// runs "dual micro-batch overlap" (one micro-batch's communication hidden behind the other's
/// computation), decode a 5-stage pipeline of two micro-batches with attention split in two;
/// SGLang's large-scale EP blog (LMSYS, 2025-05-05) "two-batch overlap" (TBO) with DeepEP;
/// CloudMatrix-Infer (Zuo et al., arXiv 2506.12708) microbatch-based pipelines in decode and
/// prefill. All of them deploy it for DP-attention large EP; it is a plan option
/// (`PlanConstraints.twoBatchOverlap`, `estimate --two-batch-overlap on`; default
/// `InferenceCalibration.twoBatchOverlapByDefault`, off: see there why). The scheduler keeps the serial step when that is faster (SGLang PR
/// 9660: TBO in decode gains only at larger batches), so the step is min(serial, overlapped).
///
/// Makespan, from the schedule's structure: each MoE layer of a micro-batch is compute x
/// (attention, router, shared experts, norms: everything before the dispatch), dispatch d,
/// the expert stage y (routed-expert GEMMs, permutation), combine g. The compute units run the
/// two micro-batches A and B in turn, A.x, B.x, A.y, B.y, A.x', ..., and each all-to-all runs
/// beside the other micro-batch's next compute part: A's dispatch beside B.x, B's dispatch
/// beside A.y, A's combine beside B.y, B's combine beside A's next x. A part and the
/// all-to-all beside it end together at the later of the two, so per layer
///
///     T = pair(x, d) + pair(y, d) + pair(y, g) + pair(x, g),   pair(c, m) = max(c', m)
///
/// (x, y, d, g per layer of one micro-batch, evaluated at half the batch: every GEMM reads its
/// weights once per micro-batch, as each launches its own kernels; no source describes a
/// kernel sharing the two micro-batches' weight reads). The expert stage is short next to
/// attention in decode, so half of the all-to-all time can hide only behind it: overlap is
/// far from max(compute, comm) unless the schedule splits attention (DeepSeek's 5-stage decode
/// pipeline does; this model keeps SGLang's 4-part TBO schedule). c' = c + s·min(m, c/(1 − s))
/// is a compute part slowed while the communication kernel holds a share s of the compute
/// units (DeepEP's normal kernels run on 20 SMs by default, deep_ep/buffer.py `num_sms = 20`;
/// its low-latency kernels receive through a hook "without any SM occupation", DeepEP README).
/// Bounds over the stage (s = 0, tested): 2·max(X + Y, D + G) <= T <= 2·(X + Y + D + G); a
/// share s > 0 only lengthens T, by at most the compute's 1/(1 − s). Only the SGLang-style
/// 4-part schedule is modelled; its gain on SGLang's own EP32 prefill comes out about twice
/// the published one (see `InferenceCalibration.twoBatchOverlapByDefault`).
public struct MicroBatchOverlap: Sendable, Equatable {
    /// One micro-batch's stage seconds, split as the schedule pairs them.
    public struct Parts: Sendable, Equatable {
        public var attention: Double
        public var experts: Double
        public var dispatch: Double
        public var combine: Double
        public init(attention: Double, experts: Double, dispatch: Double, combine: Double) {
            self.attention = attention
            self.experts = experts
            self.dispatch = dispatch
            self.combine = combine
        }
    }

    /// `Parts` for 8 batches.
    public struct Parts8 {
        public var attention, experts, dispatch, combine: SIMD8<Double>
    }

    /// MoE layers per stage: the pairs repeat once per layer.
    public var moeLayers: Double
    /// Share of the compute units the communication kernels hold while they run (0...0.9).
    public var commComputeShare: Double

    public init(moeLayers: Double, commComputeShare: Double = 0) {
        self.moeLayers = max(1, moeLayers)
        self.commComputeShare = min(0.9, max(0, commComputeShare))
    }

    /// A compute part of `c` seconds beside an all-to-all of `m` seconds: both done.
    @inline(__always) func pair(_ c: Double, _ m: Double) -> Double {
        let s = commComputeShare
        let slowed = s > 0 ? c + s * min(m, c / (1 - s)) : c
        return max(slowed, m)
    }

    /// Makespan of two micro-batches, each of `p` (stage totals of one micro-batch).
    public func seconds(_ p: Parts) -> Double {
        let n = moeLayers
        let x = p.attention / n, y = p.experts / n, d = p.dispatch / n, g = p.combine / n
        return n * (pair(x, d) + pair(y, d) + pair(y, g) + pair(x, g))
    }

    @inline(__always) func pair(_ c: SIMD8<Double>, _ m: SIMD8<Double>) -> SIMD8<Double> {
        let s = commComputeShare
        var slowed = c
        if s > 0 {
            var lim = c / SIMD8(repeating: 1 - s)
            lim.replace(with: m, where: m .< lim)
            slowed = c + lim * s
        }
        slowed.replace(with: m, where: slowed .< m)
        return slowed
    }

    /// SIMD `seconds` (same operations in the same order).
    public func seconds(_ p: Parts8) -> SIMD8<Double> {
        let n = SIMD8<Double>(repeating: moeLayers)
        let x = p.attention / n, y = p.experts / n, d = p.dispatch / n, g = p.combine / n
        return n * (pair(x, d) + pair(y, d) + pair(y, g) + pair(x, g))
    }

    /// Compute-unit share of DeepEP-style normal (high-throughput) expert kernels on a GPU of
    /// `computeUnits` SMs: 20 SMs (deep_ep/buffer.py default; DeepSeek-V3 report section 3.2.2:
    /// "only 20 SMs are sufficient to fully utilize the bandwidths of IB and NVLink"). Zero for
    /// other chips (no published figure: Ascend's kernels run on the vector cores) and when the
    /// spec has no `computeUnits`.
    static func normalKernelShare(family: String, computeUnits: Double?) -> Double {
        guard family.hasPrefix("nvidia"), let u = computeUnits, u > InferenceCalibration.expertNormalKernelSMs else { return 0 }
        return InferenceCalibration.expertNormalKernelSMs / u
    }
}

extension LLMServingModel {
    /// The two-batch overlap of this layout's prefill: DP-attention expert parallelism (the
    /// large-EP deployments above); nil for every other layout (TP all-reduces stay serial).
    func prefillOverlap() -> MicroBatchOverlap? {
        guard twoBatchOverlap, dpAttention, ep > 1, model.moeLayers > 0 else { return nil }
        return MicroBatchOverlap(moeLayers: Double(model.moeLayers) / Double(pp),
                                 commComputeShare: MicroBatchOverlap.normalKernelShare(family: chip.family, computeUnits: chip.computeUnits))
    }

    /// Compute seconds of one stage's prefill of `sequences` prompts of `length` tokens (the
    /// operations of `prefillLayerOps` and the LM head, as `prefillSeconds` times them), split
    /// into the expert stage (routed experts, permutation) and the rest.
    func prefillComputeSeconds(sequences: Int, length: Int) -> (attention: Double, experts: Double) {
        var x = 0.0, y = 0.0
        for (name, op, count) in prefillLayerOps(sequences: sequences, length: length) {
            let isAttention: Bool
            if case .attention = op { isAttention = true } else { isAttention = false }
            let t = Roofline.evaluate(op, on: isAttention ? attentionDevice : device, labels: false).seconds * count / calibration.prefillEfficiency
            if name == "MoE routed experts" || name == "MoE token permutation" { y += t } else { x += t }
        }
        x += prefillHeadSeconds(sequences: sequences)
        return (x, y)
    }

    /// The LM head of a prefill (logits of each prompt's last token), seconds.
    func prefillHeadSeconds(sequences: Int) -> Double {
        let head = dpAttention
            ? Roofline.evaluate(.gemm(m: (sequences + tp - 1) / tp, n: model.vocab, k: model.hidden), on: device, labels: false)
            : Roofline.evaluate(.gemm(m: sequences, n: max(1, model.vocab / tp), k: model.hidden), on: device, labels: false)
        return head.seconds / calibration.prefillEfficiency
    }

    /// TP all-reduce and expert all-to-all seconds of one stage's prefill of `tokens` tokens:
    /// the expert dispatch and combine of DP-attention EP apart, everything else in `other`.
    func prefillCommParts(tokens m: Double) -> (other: Double, dispatch: Double, combine: Double) {
        var other = 0.0
        if tp > 1 && !dpAttention {
            let count = Double(model.layers + model.denseFfnLayers + (ep > 1 && tp / ep == 1 ? 0 : model.moeLayers)) / Double(pp)
            other += count * network.time(.allReduce, bytes: m * Double(model.hidden) * InferenceCalibration.activationBytes,
                                          groupSize: tp, innerSize: min(tp, network.scaleUp.domainSize))
        }
        let domain = network.scaleUp.domainSize
        let moe = Double(model.moeLayers) / Double(pp)
        if ep > 1 && model.moeLayers > 0 && dpAttention && ep > domain {
            let a = largeEPPrefillAllToAll(tokensPerChip: m / Double(ep))
            return (other, moe * a.dispatch, moe * a.combine)
        } else if ep > 1 && model.moeLayers > 0 && dpAttention
                    && (chip.expertPrefillDispatchGBps != nil || chip.expertPrefillCombineGBps != nil) {
            let a = measuredKernelPrefillAllToAll(tokensPerChip: m / Double(ep))
            return (other, moe * a.dispatch, moe * a.combine)
        } else if ep > 1 && model.moeLayers > 0 {
            other += 2 * moe * network.time(.allToAll,
                bytes: m * Double(model.expertsPerToken * model.hidden) * InferenceCalibration.activationBytes / Double(ep),
                groupSize: ep, innerSize: min(ep, domain))
        }
        return (other, 0, 0)
    }

    /// All communication seconds of one stage's prefill of `tokens` tokens.
    func prefillCommSeconds(tokens m: Double) -> Double {
        let c = prefillCommParts(tokens: m)
        return c.other + c.dispatch + c.combine
    }

    /// One stage's prefill seconds for `sequences` prompts of `length` tokens whose serial
    /// compute and communication are `compute` and `comm`: with two-batch overlap (DP-attention
    /// large EP) the faster of serial and two micro-batches of half the prompts each.
    func prefillStageSeconds(compute: Double, comm: Double, sequences: Int, length: Int) -> Double {
        let serial = compute + comm
        guard let overlap = prefillOverlap(), sequences > 1, comm > 0 else { return serial }
        let half = (sequences + 1) / 2
        let c = prefillComputeSeconds(sequences: half, length: length)
        let m = prefillCommParts(tokens: Double(half * length))
        let parts = MicroBatchOverlap.Parts(attention: c.attention, experts: c.experts, dispatch: m.dispatch + m.other, combine: m.combine)
        return min(serial, overlap.seconds(parts))
    }
}
