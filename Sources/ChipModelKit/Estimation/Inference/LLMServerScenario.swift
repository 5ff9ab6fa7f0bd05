/// The LLM server scenario from its definition: Poisson arrivals, continuous batching with
/// chunked prefill, p99 TTFT and TPOT bounds (MLPerf LoadGen rules; `Estimation/Serving`). The
/// plan's roofline decode step is linearized into `ServingStepModel` and the highest arrival
/// rate meeting the bounds is searched by simulation, replacing a fitted load fraction.
enum LLMServerScenario {
    /// Requests simulated per rate tried: ten times the batch the scheduler can hold (the
    /// warm-up, a tenth, then spans the time a request stays), within [2,000, 8,000] to keep a
    /// search cheap (the bisection stops within 2% of the highest passing rate).
    static func requests(maxRunning: Int) -> Int { min(8_000, max(2_000, 10 * maxRunning)) }

    /// The step model of one scheduler at mean context L0, exact at batch 0 and `b0`
    /// (secant), with the context slope taken between L0 and 2·L0 at b0. `ranks` data-parallel
    /// schedulers share the replica's step (each holds 1/ranks of its batch), so a sequence or
    /// a prompt token of one scheduler costs `ranks` times its share of the replica's time:
    /// `prefillPerTokenSeconds` is the replica's time per prompt token (all its chips), and
    /// the ranks prefill side by side in the same steps (charged once, a DP-attention server
    /// estimate prefilled `ranks` times faster than the same plan offline). Exact under
    /// symmetric load (every rank prefilling, as near capacity); a lone prompt at light load is
    /// charged as if the other ranks prefilled beside it, so a TTFT bound that binds at light
    /// load is met at a lower rate than the hardware would allow (its attention runs on its own
    /// rank, the experts on all of them: ranks·attention + the rest, which independent
    /// schedulers cannot express).
    /// A secant is exact only at 0 and b0: a dense model's step is convex (overstated below
    /// b0), an MoE model's concave from small batches (understated); `rate` says which b0 it
    /// uses and why. The inference calibration was fitted with b0 = the plan's batch
    /// (INF-MLPI40-H100x8-L2-SRV); linearizing again at the simulated mean batch makes that row
    /// +31% (from +10%): a step exact at every batch would need the server's length variance
    /// (`ServingLoad` lengths are fixed at the means) to be modelled with it.
    static func stepModel(_ d: DecodeStepModel, b0: Int, context l0: Double, ranks: Int, prefillPerTokenSeconds: Double) -> ServingStepModel {
        let b = Double(max(1, b0)), r = Double(max(1, ranks))
        let fixed = d.stepSeconds(batch: 0, context: l0)
        let s0 = d.stepSeconds(batch: b, context: l0)
        let s1 = d.stepSeconds(batch: b, context: 2 * l0)
        let perContext = max(0, (s1 - s0) / (b * l0))
        let perSeq = max(0, (s0 - fixed - perContext * b * l0) / b)
        return ServingStepModel(fixedSeconds: max(fixed, 1e-9), perDecodeSequenceSeconds: perSeq * r,
                                perPrefillTokenSeconds: prefillPerTokenSeconds * r, perContextTokenSeconds: perContext * r)
    }

    static func rate(_ est: InferenceEstimate, workload w: InferenceWorkload, model m: LLMServingModel, sweep: BatchSweep,
                     cap: Int) throws -> InferenceEstimate {
        let ranks = m.dpAttention ? m.tp : 1
        let decodeOnly = w.phase == .decode
        let input = max(1, w.inputTokens), output = max(2, w.outputTokens)
        // Linearized to the plan's batch. Known artifact: that batch shrinks as the bounds
        // tighten, so a dense model's (convex) step gets a flatter secant and a tighter TPOT
        // bound can raise the rate of the same plan (Llama-3.1-70B on 8 x H100: 13.8k tok/s at
        // 200 ms, 15.4k at 100 ms). The secant over the scheduler's whole range (0 to its cap)
        // removes that but is far too fast for MoE, whose step is concave (expert weights are
        // all read from small batches on): an 8-chip DeepSeek-R1 decode pool served 14x its
        // steady state at TPOT 50 ms. A step exact at every batch (a table in
        // `ServingStepModel`) is the fix; it moves the calibrated server rows and waits for a refit.
        let step = stepModel(m.decode, b0: est.plan.batch, context: sweep.context, ranks: ranks,
                             prefillPerTokenSeconds: sweep.prefillPerSequenceSeconds / Double(input))
        let maxRunning = max(1, cap / ranks)
        let q = (w.speculative?.draftTokens ?? 0) + 1
        let config = ContinuousBatchingConfig(step: step, maxRunningSequences: maxRunning, kvCapacityTokens: maxRunning * (input + output),
                                              chunkTokens: InferenceCalibration.prefillChunkTokens, budgetTokensPerDecode: q,
                                              acceptedTokensPerStep: sweep.acceptedTokensPerStep)
        let ttftBound = (w.ttftBoundMs ?? StandardRunDefaults.serverTTFTBoundMs) / 1e3
        let tpotBound = (w.tpotBoundMs ?? StandardRunDefaults.serverTPOTBoundMs) / 1e3
        let bounds = ServingLatencyBounds(percentile: 0.99, ttftSeconds: decodeOnly ? nil : ttftBound, tpotSeconds: tpotBound)
        let n = requests(maxRunning: maxRunning)
        let load = ServingLoad(requests: n, warmupRequests: n / 10, inputTokens: .fixed(input), outputTokens: .fixed(output),
                               phase: decodeOnly ? .decodeOnly : .both)
        let label = (decodeOnly ? "" : "p99 TTFT <= \(formatQuantity(ttftBound * 1e3)) ms, ") + "p99 TPOT <= \(formatQuantity(tpotBound * 1e3)) ms"
        guard let found = try ServerRateSearch.continuousBatching(load: load, config: config, bounds: bounds, relativeTolerance: 0.02) else {
            throw DoesNotFitError("no Poisson arrival rate meets \(label) for \(w.model.id) on \(est.chips) x \(est.chipID) (plan tp \(est.plan.tp) pp \(est.plan.pp); unloaded step \(formatQuantity(step.fixedSeconds * 1e3)) ms)")
        }
        let schedulers = Double(ranks * est.plan.replicas)
        let requestsPerSecond = found.ratePerSecond * schedulers
        let tps = requestsPerSecond * Double(output)
        var e = est
        let r = found.result
        // The power model's idle share: the replicas run the simulated rate's share of the
        // steady-state throughput the plan was chosen at.
        if var shares = e.timeShares, let planned = est.tokensPerSecond, planned > 0 {
            let u = min(1, max(1e-6, tps / planned))
            shares.idleSeconds += (shares.computeBoundSeconds + shares.memoryBoundSeconds + shares.idleSeconds) * (1 - u) / u
            e.timeShares = shares
        }
        e.tokensPerSecond = tps
        e.tokensPerSecondPerChip = tps / Double(est.chips)
        e.samplesPerSecond = requestsPerSecond
        e.ttftMs = decodeOnly ? nil : r.ttft.p99Seconds * 1e3
        e.tpotMs = r.tpot.p99Seconds * 1e3
        e.latencyMs = r.latency.p99Seconds * 1e3
        e.plan.batch = max(1, Int((r.meanBatch * Double(ranks)).rounded()))
        e.queue = ServingQueueSummary(result: r, requestsPerSecond: requestsPerSecond, bounds: label, tokens: true, requests: n,
                                      evaluations: found.evaluations)
        e.explanation.append("server (queue simulation: Poisson arrivals, continuous batching, chunked prefill \(InferenceCalibration.prefillChunkTokens) tokens, \(n) requests per rate, \(found.evaluations) rates tried): highest rate meeting \(label) = \(formatQuantity(found.ratePerSecond)) requests/s per scheduler x \(Int(schedulers)) schedulers = \(formatQuantity(requestsPerSecond)) requests/s")
        if let s = w.boundsSource { e.explanation.append("  bounds not given, from the model's MLPerf rule (\(s))") }
        if !decodeOnly { e.explanation.append("  TTFT " + ServingQueueSummary.line(ServingQueueSummary.ms(r.ttft))) }
        e.explanation.append("  TPOT " + ServingQueueSummary.line(ServingQueueSummary.ms(r.tpot)) + "; mean batch \(formatQuantity(r.meanBatch)) per scheduler (cap \(maxRunning))")
        if let top = found.failingRatePerSecond, let fr = found.failingResult, let why = bounds.violation(fr) {
            e.explanation.append("  at \(formatQuantity(top)) requests/s per scheduler it \(why)")
        }
        e.explanation.append("  step model (linearized at batch \(est.plan.batch), context \(formatQuantity(sweep.context))): \(formatQuantity(step.fixedSeconds * 1e3)) ms + \(formatQuantity(step.perDecodeSequenceSeconds * 1e6)) us per sequence + \(formatQuantity(step.perContextTokenSeconds * 1e9)) ns per context token + \(formatQuantity(step.perPrefillTokenSeconds * 1e6)) us per prompt token")
        e.explanation.append("throughput at the bound: \(formatQuantity(tps)) tokens/s system, \(formatQuantity(tps / Double(est.chips))) per chip")
        e.binding += "; server rate at the p99 bounds (queue simulation)"
        return e
    }
}
