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
    func largeEPPrefillAllToAll(tokensPerChip: Double) -> (dispatch: Double, combine: Double) {
        let domain = Double(max(1, network.scaleUp.domainSize))
        let G = max(1, (Double(ep) / domain).rounded(.up))
        let k = Double(model.expertsPerToken)
        let remoteRows = (G - 1) * (1 - pow(1 - 1 / G, k))
        let localRows = k * (domain - 1) / Double(ep)
        let h = Double(model.hidden), act = InferenceCalibration.activationBytes
        let dispatchBytes = weightFormat.bytesPerElement <= 1 ? 1.0 : act
        var t: [Double] = []
        let measured = [chip.expertKernelGBps("scaleOut.prefillDispatchGBps", ranks: ep),
                        chip.expertKernelGBps("scaleOut.prefillCombineGBps", ranks: ep)]
        for (bytesPerElement, gbps) in [(dispatchBytes, measured[0]), (act, measured[1])] {
            let up = network.scaleUp
            let remote = tokensPerChip * remoteRows * h * bytesPerElement
            let local = tokensPerChip * localRows * h * bytesPerElement
            let localSeconds = local > 0 ? up.latencySeconds + local / max(up.bytesPerSecond, 1e-300) : 0
            if let g = gbps, g > 0, G > 1 {
                // Measured normal kernels (`scaleOut.expertAllToAll`): DeepEP's internode table
                // gives the RDMA "bottleneck bandwidth" with each token counted once per
                // destination node including its own (tests/test_internode.py,
                // num_rdma_token_sent), i.e. G/(G-1) of the rows that cross the NIC; the NVLink
                // forwarding runs under the RDMA transfer, so the slower leg sets the time.
                let out = Self.expertKernelTier(network.scaleOut, gbps: g * (G - 1) / G, ranksPerChip: 1,
                                                linkGBps: chip.scaleOutPerDirectionGBps)
                t.append(out.latencySeconds + max(remote / max(out.bytesPerSecond, 1e-300), localSeconds))
            } else {
                let out = network.scaleOut
                t.append(out.latencySeconds + remote / max(out.bytesPerSecond, 1e-300) + localSeconds)
            }
        }
        return (t[0], t[1])
    }

    /// A network tier at the expert kernels' measured per-rank bandwidth (`scaleUp.expertAllToAll`
    /// inside a domain, `scaleOut.expertAllToAll` across domains; x the ranks a chip runs: one
    /// per die under DP attention), never above the link's peak `linkGBps` (each way): the
    /// measured kernel rate replaces the family's sustained fraction of the link. The Ascend
    /// DeepEP kernels reach 49-58 GB/s (INT8 dispatch) and 97-116 GB/s (BF16 combine) per die of
    /// the UB's ~196 GB/s, i.e. the same ~130-150 ns per (token, expert) row either way: the
    /// kernel, not the link, sets their time; DeepEP's low-latency kernels on H800 + CX7 reach
    /// 39-43 GB/s per rank at EP 64-256 of the NIC's 50. Unchanged when the spec has no figure.
    static func expertKernelTier(_ tier: NetworkTier, gbps: Double?, ranksPerChip: Double, linkGBps: Double?) -> NetworkTier {
        guard let g = gbps, g > 0 else { return tier }
        var t = tier
        let link = (linkGBps ?? 0) > 0 ? linkGBps! * 1e9 : Double.infinity
        t.bytesPerSecond = min(link, g * 1e9 * max(1, ranksPerChip))
        return t
    }

    /// One MoE layer's dispatch + combine in DP-attention prefill inside one scale-up domain with
    /// the normal (high-throughput) expert kernels' measured per-rank bandwidth: each chip sends
    /// (ep − 1)/ep of its k routed rows per token, dispatch in 8 bits with 8-bit weights,
    /// combine in 16 bits, at min(link, kernel x ranks per chip).
    func measuredKernelPrefillAllToAll(tokensPerChip: Double) -> (dispatch: Double, combine: Double) {
        let up = network.scaleUp
        let ranks = Double(max(1, chip.devicesPerPackage))
        let h = Double(model.hidden), k = Double(model.expertsPerToken), act = InferenceCalibration.activationBytes
        let dispatchBytes = weightFormat.bytesPerElement <= 1 ? 1.0 : act
        let remote = Double(max(0, ep - 1)) / Double(max(1, ep))
        var t: [Double] = []
        let epRanks = ep * Int(ranks)
        let measured = [chip.expertKernelGBps("scaleUp.prefillDispatchGBps", ranks: epRanks),
                        chip.expertKernelGBps("scaleUp.prefillCombineGBps", ranks: epRanks)]
        for (bytesPerElement, gbps) in [(dispatchBytes, measured[0]), (act, measured[1])] {
            let tier = Self.expertKernelTier(up, gbps: gbps, ranksPerChip: ranks, linkGBps: chip.scaleUpPerDirectionGBps)
            t.append(up.latencySeconds + tokensPerChip * k * h * bytesPerElement * remote / max(tier.bytesPerSecond, 1e-300))
        }
        return (t[0], t[1])
    }
}
