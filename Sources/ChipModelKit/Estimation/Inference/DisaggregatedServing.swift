/// Disaggregated serving: a prefill pool and a decode pool on separate chips of one system,
/// the KV cache of every request moved between them (Splitwise, Patel et al. ISCA 2024;
/// DistServe, Zhong et al. OSDI 2024; Mooncake, Qin et al. FAST 2025).
///
/// - Prefill pool: the prefill-only estimate (`phase: .prefill`) of its chips and layout; it
///   sustains λ_p prompts/s. Server scenario: the p99 TTFT of its queue, simulated with Poisson
///   arrivals (a prefill-only continuous-batching replica; DistServe models the same queue as
///   M/D/1, section 3.1).
/// - Decode pool: the decode-only estimate (`phase: .decode`) at the TPOT bound (server: the
///   p99 TPOT of its simulated queue); it sustains λ_d = tokens/s / output requests/s.
/// - KV transfer: the request's whole KV cache, L·(values per token per layer)·bytes·prompt,
///   over the scale-up fabric when both pools fit one scale-up domain, else the scale-out NICs,
///   the prefill replica's chips sending in parallel; streamed layer by layer behind the prefill
///   (Splitwise section IV-C), so max(T/L, T − T_prefill·(L−1)/L) of it adds to TTFT.
/// - The system serves λ = min(λ_p, λ_d); searched splits maximize it, and the ratio of
///   prefill to decode chips is an output.
extension InferenceEstimator {
    struct PoolEstimate {
        var chips: Int
        var estimate: InferenceEstimate
        var requestsPerSecond: Double
    }

    static func estimateDisaggregated(_ w: InferenceWorkload, on cluster: Cluster, plan: DisaggregatedPlan,
                                      exhaustive: Bool = false, calibration: InferenceFamilyCalibration? = nil) throws -> InferenceEstimate {
        let model = w.model
        guard model.isDecoder else { throw DoesNotFitError("plan.disaggregated applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model") }
        guard w.phase == .both else { throw DoesNotFitError("plan.disaggregated covers both phases; workload.phase '\(w.phase.rawValue)' measures one") }
        let total = cluster.count
        guard total >= 2 else { throw DoesNotFitError("disaggregated serving needs at least 2 chips (one per pool), got \(total)") }
        var splits: [Int] = []
        switch (plan.prefill.chips, plan.decode.chips) {
        case let (p?, d?):
            guard p + d == total else { throw DoesNotFitError("prefill \(p) + decode \(d) chips != system.count \(total)") }
            splits = [p]
        case let (p?, nil): splits = [p]
        case let (nil, d?): splits = [total - d]
        case (nil, nil): splits = candidateSplits(total: total, domain: cluster.scaleUpDomain)
        }
        splits = splits.filter { $0 >= 1 && $0 < total }
        guard !splits.isEmpty else { throw DoesNotFitError("no split of \(total) chips into a prefill and a decode pool") }

        var prefillCache: [Int: Result<PoolEstimate, Error>] = [:]
        var decodeCache: [Int: Result<PoolEstimate, Error>] = [:]
        var best: (rate: Double, p: PoolEstimate, d: PoolEstimate)?
        var lastError: Error?
        for np in splits {
            let nd = total - np
            let p = prefillCache[np] ?? Result { try prefillPool(w, cluster: cluster.with(count: np), plan: plan.prefill, exhaustive: exhaustive, calibration: calibration) }
            prefillCache[np] = p
            let d = decodeCache[nd] ?? Result { try decodePool(w, cluster: cluster.with(count: nd), plan: plan.decode, exhaustive: exhaustive, calibration: calibration) }
            decodeCache[nd] = d
            switch (p, d) {
            case let (.success(pe), .success(de)):
                let rate = min(pe.requestsPerSecond, de.requestsPerSecond)
                if best == nil || rate > best!.rate { best = (rate, pe, de) }
            case let (.failure(e), _), let (_, .failure(e)):
                lastError = e
            }
        }
        // Searched splits also try instances that switch roles (xLLM's dynamic PD disaggregation),
        // offline only: their TTFT queue is not simulated.
        if splits.count > 1 && w.scenario != .server,
           let dynamic = try? dynamicRoles(w, on: cluster, plan: plan, exhaustive: exhaustive, calibration: calibration),
           dynamic.rate > (best?.rate ?? 0) {
            return dynamic.estimate
        }
        guard let best else { throw lastError ?? DoesNotFitError("no disaggregated split of \(total) chips serves \(model.id)") }
        return try combine(w, cluster: cluster, prefill: best.p, decode: best.d, searched: splits.count > 1)
    }

    /// Split sizes tried for the prefill pool: every multiple of the scale-up domain and the
    /// fractions 1/8 ... 3/4 of the system (at most ~24 splits).
    static func candidateSplits(total: Int, domain: Int) -> [Int] {
        var s = Set<Int>()
        let step = max(1, min(domain, total / 4))
        var x = step
        while x < total && s.count < 16 { s.insert(x); x += step }
        let fractions: [Double] = [0.125, 1.0 / 6, 0.2, 0.25, 1.0 / 3, 0.375, 0.5, 0.625, 2.0 / 3, 0.75]
        for f in fractions {
            let n = Int((Double(total) * f).rounded())
            s.insert(max(1, min(total - 1, n)))
        }
        return s.sorted()
    }

    static func prefillPool(_ w: InferenceWorkload, cluster: Cluster, plan: InferencePoolPlan, exhaustive: Bool = false,
                            calibration: InferenceFamilyCalibration? = nil) throws -> PoolEstimate {
        var pw = w
        pw.phase = .prefill
        pw.scenario = .offline
        let e = try estimate(pw, on: cluster, constraints: plan.constraints, options: Options(exhaustiveSearch: exhaustive, calibration: calibration))
        return PoolEstimate(chips: cluster.count, estimate: e, requestsPerSecond: e.samplesPerSecond ?? 0)
    }

    static func decodePool(_ w: InferenceWorkload, cluster: Cluster, plan: InferencePoolPlan, exhaustive: Bool = false,
                           calibration: InferenceFamilyCalibration? = nil) throws -> PoolEstimate {
        var dw = w
        dw.phase = .decode
        let e = try estimate(dw, on: cluster, constraints: plan.constraints, options: Options(exhaustiveSearch: exhaustive, calibration: calibration))
        let output = Double(max(1, w.outputTokens))
        return PoolEstimate(chips: cluster.count, estimate: e, requestsPerSecond: (e.tokensPerSecond ?? 0) / output)
    }

    static func combine(_ w: InferenceWorkload, cluster: Cluster, prefill p: PoolEstimate, decode d: PoolEstimate,
                        searched: Bool) throws -> InferenceEstimate {
        let model = w.model
        let chip = cluster.chip
        let net = ClusterNetwork(chip: chip, domainSize: cluster.scaleUpDomainOverride, fabric: cluster.fabric)
        let input = Double(max(1, w.inputTokens)), output = Double(max(1, w.outputTokens))
        // KV cache of one request, all layers, as the decode pool stores it.
        let kvFormat = d.estimate.kvPrecision ?? .bf16
        let kvBytes = Double(model.layers) * model.kvValuesPerTokenPerLayer * kvFormat.bytesPerElement * input
        let sameDomain = p.chips + d.chips <= net.scaleUp.domainSize
        let tier = sameDomain ? net.scaleUp : net.scaleOut
        guard tier.bytesPerSecond > 0 else {
            throw MissingSpecError(chip: chip.id, key: sameDomain ? "scaleUp.bandwidthGBps" : "scaleOut.nicBandwidthGBps")
        }
        let senders = Double(max(1, p.estimate.plan.chipsPerReplica))
        let transfer = tier.latencySeconds + kvBytes / (senders * tier.bytesPerSecond)
        let prefillSeconds = (p.estimate.ttftMs ?? 0) / 1e3
        let layers = Double(max(1, model.layers))
        let exposed = max(transfer / layers, transfer - prefillSeconds * (layers - 1) / layers)
        let stepSeconds = (d.estimate.tpotMs ?? 0) / 1e3 * (w.speculative?.acceptedTokensPerStep ?? 1)
        var rate = min(p.requestsPerSecond, d.requestsPerSecond)
        var ttft = prefillSeconds + exposed + stepSeconds
        var queue: ServingQueueSummary?
        var lines: [String] = []
        if w.scenario == .server {
            // The prefill pool's queue under Poisson arrivals: p99 TTFT within what the bound
            // leaves after the transfer and the first decode step.
            let bound = (w.ttftBoundMs ?? StandardRunDefaults.serverTTFTBoundMs) / 1e3 - exposed - stepSeconds
            guard bound > 0 else {
                throw DoesNotFitError("the KV transfer (\(formatQuantity(exposed * 1e3)) ms exposed) and the first decode step leave no time within the TTFT bound")
            }
            let q = try prefillQueue(p, input: Int(input), boundSeconds: bound)
            rate = min(q.requestsPerSecond, d.requestsPerSecond)
            ttft = (q.ttftMs?[2] ?? prefillSeconds * 1e3) / 1e3 + exposed + stepSeconds
            queue = q
            lines.append("prefill pool queue (Poisson arrivals, prefill-only continuous batching per replica): highest rate with p99 TTFT <= \(formatQuantity(bound * 1e3)) ms = \(formatQuantity(q.requestsPerSecond)) requests/s; TTFT " + ServingQueueSummary.line(q.ttftMs ?? []))
        }
        let tps = rate * output
        let summary = DisaggregationSummary(prefillChips: p.chips, decodeChips: d.chips, prefillPlan: p.estimate.plan,
                                            decodePlan: d.estimate.plan, prefillRequestsPerSecond: queue?.requestsPerSecond ?? p.requestsPerSecond,
                                            decodeRequestsPerSecond: d.requestsPerSecond, kvBytesPerRequest: kvBytes,
                                            kvTransferExposedMs: exposed * 1e3, transferTier: tier.name)
        var e = d.estimate
        e.chips = cluster.count
        e.tokensPerSecond = tps
        e.tokensPerSecondPerChip = tps / Double(cluster.count)
        e.samplesPerSecond = rate
        e.ttftMs = ttft * 1e3
        e.latencyMs = (ttft + (output - 1) * (d.estimate.tpotMs ?? 0) / 1e3) * 1e3
        e.phase = .both
        e.scenario = w.scenario
        e.disaggregation = summary
        e.queue = queue ?? d.estimate.queue
        let pp = p.estimate.plan, dp = d.estimate.plan
        let binding = p.requestsPerSecond < d.requestsPerSecond ? "prefill pool" : "decode pool"
        e.binding = "\(binding) (\(binding == "prefill pool" ? p.estimate.binding : d.estimate.binding))"
        var head = ["disaggregated: \(p.chips) prefill + \(d.chips) decode chips (prefill:decode = \(formatQuantity(summary.prefillToDecodeRatio))\(searched ? ", split searched" : ", split given")); the system serves min(prefill \(formatQuantity(summary.prefillRequestsPerSecond)), decode \(formatQuantity(d.requestsPerSecond))) = \(formatQuantity(rate)) requests/s = \(formatQuantity(tps)) tokens/s, \(formatQuantity(tps / Double(cluster.count))) per chip",
                    "prefill pool: tp \(pp.tp)\(pp.dpAttention ? " (DP attention)" : "") pp \(pp.pp) ep \(pp.ep) x \(pp.replicas), \(formatQuantity(p.estimate.inputTokensPerSecond ?? 0)) prompt tokens/s, TTFT of one prompt \(formatQuantity(prefillSeconds * 1e3)) ms",
                    "decode pool: tp \(dp.tp)\(dp.dpAttention ? " (DP attention)" : "") pp \(dp.pp) ep \(dp.ep) x \(dp.replicas), batch \(dp.batch), TPOT \(formatQuantity(d.estimate.tpotMs ?? 0)) ms",
                    "KV transfer: \(formatQuantity(kvBytes / 1e6)) MB per request (\(kvFormat.rawValue)) over \(tier.name) from \(Int(senders)) chips: \(formatQuantity(transfer * 1e3)) ms, \(formatQuantity(exposed * 1e3)) ms exposed after layer-by-layer streaming behind the prefill"]
        head += lines
        e.explanation = head + ["decode pool breakdown:"] + d.estimate.explanation.map { "  " + $0 }
            + ["prefill pool breakdown:"] + p.estimate.explanation.map { "  " + $0 }
        return e
    }

    /// The prefill pool as a queue: each replica runs prefill-only continuous batching with the
    /// estimate's cost per prompt token (chunk occupancy / chunk tokens).
    static func prefillQueue(_ p: PoolEstimate, input: Int, boundSeconds: Double) throws -> ServingQueueSummary {
        let e = p.estimate
        let replicas = max(1, e.plan.replicas)
        let perReplica = p.requestsPerSecond / Double(replicas)
        let perToken = 1 / (perReplica * Double(input))
        let chunk = InferenceCalibration.prefillChunkTokens
        let slots = max(1, chunk / max(1, input) + 1)
        let config = ContinuousBatchingConfig(step: ServingStepModel(fixedSeconds: 1e-4, perPrefillTokenSeconds: perToken),
                                              maxRunningSequences: slots, kvCapacityTokens: slots * (input + 1),
                                              chunkTokens: chunk)
        let n = 4_000
        let load = ServingLoad(requests: n, warmupRequests: n / 10, inputTokens: .fixed(input), outputTokens: .fixed(1), phase: .prefillOnly)
        let bounds = ServingLatencyBounds(percentile: 0.99, ttftSeconds: boundSeconds)
        guard let found = try ServerRateSearch.continuousBatching(load: load, config: config, bounds: bounds, relativeTolerance: 0.02) else {
            throw DoesNotFitError("the prefill pool cannot keep p99 TTFT within \(formatQuantity(boundSeconds * 1e3)) ms at any rate (one prompt takes \(formatQuantity((e.ttftMs ?? 0))) ms)")
        }
        return ServingQueueSummary(result: found.result, requestsPerSecond: found.ratePerSecond * Double(replicas),
                                   bounds: "p99 TTFT <= \(formatQuantity(boundSeconds * 1e3)) ms", tokens: true, requests: n,
                                   evaluations: found.evaluations)
    }
}
