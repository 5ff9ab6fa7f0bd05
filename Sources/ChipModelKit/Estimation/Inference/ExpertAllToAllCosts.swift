import Foundation

/// Expert all-to-all (MoE dispatch + combine) costs of the serving model that go beyond the
/// alpha-beta collectives: DeepEP-style hierarchical prefill across scale-up domains, and the
/// measured per-rank ceiling of one-sided expert kernels (`scaleUp.expertAllToAll`).
extension LLMServingModel {
    /// One MoE layer's dispatch + combine in large-EP prefill spanning G = ep / domain scale-up
    /// domains, with DeepEP's normal (hierarchical) kernels: a token goes once to every remote
    /// domain holding one of its k experts (RDMA, then NVLink/UB forwarding inside it), so the
    /// scale-out bytes per token are (G − 1)·(1 − (1 − 1/G)^k) rows (k experts placed uniformly
    /// at random) instead of k; the in-domain part moves on the scale-up tier. Dispatch is 8-bit
    /// with 8-bit weights (FP8 dispatch), combine 16-bit.
    func largeEPPrefillAllToAll(tokensPerChip: Double) -> Double {
        let domain = Double(max(1, network.scaleUp.domainSize))
        let g = max(1, (Double(ep) / domain).rounded(.up))
        let k = Double(model.expertsPerToken)
        let remoteRows = (g - 1) * (1 - pow(1 - 1 / g, k))
        let localRows = k * (domain - 1) / Double(ep)
        let h = Double(model.hidden), act = InferenceCalibration.activationBytes
        let dispatchBytes = weightFormat.bytesPerElement <= 1 ? 1.0 : act
        var t = 0.0
        for bytesPerElement in [dispatchBytes, act] {
            let out = network.scaleOut, up = network.scaleUp
            let remote = tokensPerChip * remoteRows * h * bytesPerElement
            let local = tokensPerChip * localRows * h * bytesPerElement
            t += out.latencySeconds + remote / max(out.bytesPerSecond, 1e-300) + (local > 0 ? up.latencySeconds + local / max(up.bytesPerSecond, 1e-300) : 0)
        }
        return t
    }

    /// The scale-up tier with the one-sided expert kernels' measured per-rank bandwidth as its
    /// ceiling (`scaleUp.expertAllToAll`, x the ranks a chip runs: one per die under DP
    /// attention): the Ascend DeepEP kernels reach 49-58 GB/s (INT8 dispatch) and 97-116 GB/s
    /// (BF16 combine) per die of the UB's ~196 GB/s, i.e. the same ~130-150 ns per (token,
    /// expert) row either way: the kernel, not the link, sets their time. Unchanged when the
    /// chip's spec has no figure.
    static func expertKernelTier(_ tier: NetworkTier, gbps: Double?, ranksPerChip: Double) -> NetworkTier {
        guard let g = gbps, g > 0 else { return tier }
        var t = tier
        t.bytesPerSecond = min(tier.bytesPerSecond, g * 1e9 * max(1, ranksPerChip))
        return t
    }

    /// One MoE layer's dispatch + combine in DP-attention prefill inside one scale-up domain with
    /// the normal (high-throughput) expert kernels' measured per-rank bandwidth: each chip sends
    /// (ep − 1)/ep of its k routed rows per token, dispatch in 8 bits with 8-bit weights,
    /// combine in 16 bits, at min(link, kernel x ranks per chip).
    func measuredKernelPrefillAllToAll(tokensPerChip: Double) -> Double {
        let up = network.scaleUp
        let ranks = Double(max(1, chip.computeDies))
        let h = Double(model.hidden), k = Double(model.expertsPerToken), act = InferenceCalibration.activationBytes
        let dispatchBytes = weightFormat.bytesPerElement <= 1 ? 1.0 : act
        let remote = Double(max(0, ep - 1)) / Double(max(1, ep))
        var t = 0.0
        for (bytesPerElement, gbps) in [(dispatchBytes, chip.expertPrefillDispatchGBps), (act, chip.expertPrefillCombineGBps)] {
            let tier = Self.expertKernelTier(up, gbps: gbps, ranksPerChip: ranks)
            t += up.latencySeconds + tokensPerChip * k * h * bytesPerElement * remote / max(tier.bytesPerSecond, 1e-300)
        }
        return t
    }
}
