import Foundation

// Mixture-of-experts token dispatch and combine on the two-tier network.
//
// - Plain all-to-all (Megatron-Core's `alltoall` dispatcher): every routed copy of a token
//   (k per token) travels to its expert's rank; of a rank's buffer, (a-1)/n stays in the
//   scale-up domain and (n-a)/n crosses the scale-out NICs (`ClusterNetwork.time(.allToAll)`).
// - Node-limited routing with per-node deduplication (DeepSeek-V3 Technical Report, arXiv
//   2412.19437, section 3.2.2; DeepEP, Megatron-Core `flex` dispatcher): a model whose routing
//   limits each token to `expertGroupsPerToken` of `expertGroups` expert groups reaches at most
//   that many domains; a token crosses the NICs once per remote destination domain and is
//   forwarded to the experts inside the domain over the scale-up links. DeepSeek-V3 on H800:
//   at most 4 nodes per token, 3.2 experts per node on average.
// - FP8 dispatch, BF16 combine in FP8 training with the deduplicating dispatcher (DeepSeek-V3
//   section 3.3.4: "activations before MoE up-projections are quantized into FP8 ... for the
//   dispatch"; the combine stays BF16), 16-bit both ways otherwise.
// - The busiest rank receives `loadImbalance` x the mean: the collective waits for it.

extension TrainingCostModel {
    /// Expected number of distinct scale-up domains, other than the sender's, that one token's
    /// k routed experts reach when the EP group spans `domains` domains: with group-limited
    /// routing at most `limit` = min(domains, groups per token x domains per group, k); the
    /// destination domains are taken uniformly, so (domains - 1)/domains of them are remote.
    /// Without a limit: the expected distinct domains of k uniform picks,
    /// domains·(1 - (1 - 1/domains)^k).
    func remoteDomainsPerToken(domains n: Int) -> Double {
        guard n > 1 else { return 0 }
        let m = workload.model
        let N = Double(n), k = Double(m.expertsPerToken)
        let reached: Double
        if m.expertGroups > 0 && m.expertGroupsPerToken > 0 {
            let domainsPerGroup = max(1, N / Double(m.expertGroups))
            reached = min(N, Double(m.expertGroupsPerToken) * domainsPerGroup, k)
        } else {
            reached = N * (1 - Foundation.pow(1 - 1 / N, k))
        }
        return reached * (N - 1) / N
    }

    /// Dispatch plus combine of one MoE layer, forward, seconds, for `tokens` tokens per rank
    /// (after CP and, with SP, after TP) on an EP group of `ep` ranks laid out `inner` per
    /// scale-up domain.
    func expertAllToAllSeconds(tokens: Double, ep e: Int, inner a: Int) -> Double {
        guard e > 1 else { return 0 }
        let m = workload.model
        let h = Double(m.hidden), k = Double(m.expertsPerToken)
        let imbalance = calibration.training.expertParallel.loadImbalance
        let domains = max(1, e / max(1, a))
        let combineBytes = activationElementBytes
        if m.expertGroups > 0 && domains > 1 {
            let dispatchBytes = workload.precision == .fp8 ? 1 + 4.0 / 128 : activationElementBytes // FP8 + per-128 scales
            var total = 0.0
            for bytesPerElement in [dispatchBytes, combineBytes] {
                let acrossBytes = imbalance * tokens * h * bytesPerElement * remoteDomainsPerToken(domains: domains)
                let withinBytes = imbalance * tokens * k * h * bytesPerElement * Double(max(0, a - 1)) / Double(max(1, a))
                let out = network.scaleOut, up = network.scaleUp
                let across = acrossBytes / out.bytesPerSecond + Double(domains - 1) * out.latencySeconds
                let within = a > 1 ? withinBytes / up.bytesPerSecond + Double(a - 1) * up.latencySeconds : 0
                total += max(across, within) // the forwarding inside the domain is pipelined with the NIC transfer
            }
            return total
        }
        let bytes = imbalance * tokens * k * h * combineBytes
        return 2 * network.time(.allToAll, bytes: bytes, groupSize: e, innerSize: a)
    }
}
