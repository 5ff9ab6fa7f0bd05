/// Disaggregation with dynamic roles (xLLM technical report, Liu et al. arXiv 2510.14686,
/// "dynamic PD disaggregation": the ratio of prefill to decode instances follows the load and an
/// instance switches role quickly, instead of a fixed split). Every instance holds the whole model
/// and spends a share of its time in each role, so the chip-time split is continuous rather than
/// a whole number of instances per pool. In steady state an instance of s chips that alone would
/// prefill λ_p requests/s and decode λ_d requests/s serves
///
///     λ_inst = 1 / (1/λ_p + 1/λ_d)
///
/// requests/s (each request costs 1/λ_p of prefill time and 1/λ_d of decode time), and the system
/// (N/s instances) serves N/s · λ_inst. A static split can at best match this (it quantizes the
/// time shares to whole instances); the prefill share of chip-time is (1/λ_p) / (1/λ_p + 1/λ_d).
/// KV transfer between instances is the static model's (layer-streamed, usually hidden).
extension InferenceEstimator {
    static func dynamicRoles(_ w: InferenceWorkload, on cluster: Cluster, plan: DisaggregatedPlan, exhaustive: Bool = false,
                             calibration: InferenceFamilyCalibration? = nil) throws
        -> (rate: Double, estimate: InferenceEstimate)? {
        let total = cluster.count
        var sizes = Set<Int>()
        var s = total
        while s >= 1 { if total % s == 0 { sizes.insert(s) }; s /= 2 }
        if total % cluster.scaleUpDomain == 0 { sizes.insert(cluster.scaleUpDomain) }
        var best: (rate: Double, size: Int, p: PoolEstimate, d: PoolEstimate)?
        for size in sizes.sorted() where size >= 1 {
            let sub = cluster.with(count: size)
            guard let p = try? prefillPool(w, cluster: sub, plan: plan.prefill, exhaustive: exhaustive, calibration: calibration),
                  let d = try? decodePool(w, cluster: sub, plan: plan.decode, exhaustive: exhaustive, calibration: calibration),
                  p.requestsPerSecond > 0, d.requestsPerSecond > 0 else { continue }
            let perInstance = 1 / (1 / p.requestsPerSecond + 1 / d.requestsPerSecond)
            let rate = Double(total / size) * perInstance
            if best == nil || rate > best!.rate { best = (rate, size, p, d) }
        }
        guard let best else { return nil }
        // Present it through the static combination of one instance's two roles, then restate the
        // system's rate and the time-averaged pool sizes.
        var e = try combine(w, cluster: cluster.with(count: 2 * best.size), prefill: best.p, decode: best.d, searched: true)
        let output = Double(max(1, w.outputTokens))
        let prefillShare = (1 / best.p.requestsPerSecond) / (1 / best.p.requestsPerSecond + 1 / best.d.requestsPerSecond)
        let tps = best.rate * output
        e.chips = total
        e.tokensPerSecond = tps
        e.tokensPerSecondPerChip = tps / Double(total)
        e.samplesPerSecond = best.rate
        if var d = e.disaggregation {
            d.prefillChips = Int((prefillShare * Double(total)).rounded())
            d.decodeChips = total - d.prefillChips
            d.dynamicRoleInstanceChips = best.size
            e.disaggregation = d
        }
        e.binding = "dynamic P/D roles: \(formatPercent(prefillShare)) of chip-time prefilling"
        if !e.explanation.isEmpty { e.explanation[0] = "one instance's two roles as a static pair, for comparison: " + e.explanation[0] }
        e.explanation.insert("dynamic P/D roles (xLLM dynamic PD disaggregation): \(total / best.size) instance(s) of \(best.size) chips, each switching between prefill (alone \(formatQuantity(best.p.requestsPerSecond)) requests/s) and decode (alone \(formatQuantity(best.d.requestsPerSecond)) requests/s): 1 / (1/λp + 1/λd) = \(formatQuantity(best.rate / Double(total / best.size))) requests/s each, \(formatQuantity(best.rate)) requests/s = \(formatQuantity(tps)) tokens/s system, \(formatQuantity(tps / Double(total))) per chip; \(formatPercent(prefillShare)) of chip-time prefilling (better than any static split searched)", at: 0)
        return (best.rate, e)
    }
}
