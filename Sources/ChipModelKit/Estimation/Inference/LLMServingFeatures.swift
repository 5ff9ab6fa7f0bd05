extension InferenceEstimator {
    /// A prefill-only estimate (CASES v2 `workload.phase = "prefill"`): prompt tokens per
    /// second of the replicas running back-to-back chunks of `chunkSeqs` prompts, TTFT of one
    /// prompt alone.
    static func prefillPhaseEstimate(_ w: InferenceWorkload, m: LLMServingModel, chunkSeqs: Int,
                                     chunk: (latency: Double, occupancy: Double, lines: [String]),
                                     single: (latency: Double, occupancy: Double, lines: [String]),
                                     replicas: Int, chips: Int) -> InferenceEstimate {
        let input = max(1, w.inputTokens)
        let prompts = Double(replicas) * Double(chunkSeqs) / max(chunk.occupancy, 1e-300)
        let inputTps = prompts * Double(input)
        var lines = ["model \(w.model.name): prefill only, \(input)-token prompts, weights \(w.precision.rawValue) (GEMMs at \(m.device.computeFormat.rawValue)), KV \(m.kvFormat.rawValue)",
                     "plan: tp \(m.tp)\(m.dpAttention ? " (data-parallel attention)" : "") pp \(m.pp) ep \(m.ep) x \(replicas) replicas",
                     "prefill of \(chunkSeqs) x \(input) tokens (one chunk): occupancy \(formatQuantity(chunk.occupancy * 1e3)) ms, latency \(formatQuantity(chunk.latency * 1e3)) ms"]
        lines += chunk.lines
        lines.append("throughput: \(formatQuantity(inputTps)) prompt tokens/s system, \(formatQuantity(inputTps / Double(chips))) per chip; TTFT of one prompt \(formatQuantity(single.latency * 1e3)) ms")
        return InferenceEstimate(
            chipID: m.chip.id, chips: chips, modelID: w.model.id, scenario: w.scenario,
            plan: InferencePlan(tp: m.tp, pp: m.pp, ep: m.ep, replicas: replicas, batch: chunkSeqs, dpAttention: m.dpAttention),
            tokensPerSecond: nil, tokensPerSecondPerChip: nil, samplesPerSecond: prompts,
            ttftMs: single.latency * 1e3, tpotMs: nil, latencyMs: single.latency * 1e3,
            memory: m.memory(batch: chunkSeqs, tokensPerSequence: Double(input)), binding: "prefill (compute)", sweep: [],
            explanation: lines, usesEstimatedSpecs: m.chip.usesEstimates, calibrated: InferenceCalibration.isCalibrated(m.chip.family),
            weightPrecision: w.precision, computePrecision: m.device.computeFormat, kvPrecision: m.kvFormat, phase: .prefill,
            speculative: w.speculative, inputTokensPerSecond: inputTps)
    }

    /// Explanation lines for what the 2026 serving features changed: formats and conversion
    /// cost, speculative decoding, large expert parallelism, the decode-only phase.
    static func annotateServingFeatures(_ est: InferenceEstimate, w: InferenceWorkload, m: LLMServingModel,
                                        constraints: PlanConstraints) -> InferenceEstimate {
        var e = est
        var lines: [String] = []
        let context = Double(max(1, w.inputTokens)) + Double(w.outputTokens) / 2
        let b = Double(est.plan.batch) / Double(m.pp)
        if m.weightConversionOpsPerByte > 0 || m.kvConversionOpsPerByte > 0 {
            var conv = 0.0
            for t in m.decode.terms { conv += t.conversionSeconds(batch: b, context: context) }
            let how = w.computePrecision != nil ? "as asked (--compute-precision)" : "emulated (--emulate: the chip has no \(w.precision.rawValue) peak)"
            lines.append("formats: weights stored \(w.precision.rawValue) (\(formatQuantity(w.precision.bytesPerElement)) B/param), GEMMs at the \(m.device.computeFormat.rawValue) peak \(how), KV \(m.kvFormat.rawValue); converting them costs \(formatQuantity(InferenceCalibration.dequantizeOpsPerElement)) vector ops per weight element (\(formatQuantity(InferenceCalibration.convertOpsPerElement)) per KV element) = \(formatQuantity(conv * 1e3 * Double(m.pp) / m.decode.efficiency)) ms of vector time per step, a ceiling beside memory and compute")
        }
        if let s = w.speculative {
            let draft = s.method == .mtp ? "MTP draft cost included (k passes of one layer + k LM heads)" : "draft-model cost not modelled (no draft model given)"
            lines.append("speculative (\(s.method.rawValue)): each step verifies \(s.draftTokens + 1) tokens per sequence and keeps \(formatQuantity(s.acceptedTokensPerStep)) on average: TPOT = step / \(formatQuantity(s.acceptedTokensPerStep)); \(draft)")
        }
        if m.dpAttention && m.tp > 8 {
            let domain = m.network.scaleUp.domainSize
            let tier = m.tp <= domain ? "the scale-up fabric (\(m.tp) <= domain \(domain))" : "the scale-out network (\(m.tp) chips > domain \(domain))"
            lines.append("large EP: replica of \(m.tp) chips with data-parallel attention (each chip its own sequences and KV cache), \((w.model.experts + m.tp - 1) / m.tp) routed expert(s) per chip per layer; dispatch (\(w.precision.bytesPerElement <= 1 ? "8-bit" : "16-bit")) and combine (16-bit) all-to-all over \(tier)")
        }
        if m.dpAttention && m.ep > 1 && w.model.moeLayers > 0 {
            if m.twoBatchOverlap {
                lines.append("two-batch overlap (asked for): two micro-batches, each's expert dispatch/combine beside the other's compute (SGLang's TBO schedule, per MoE layer max(compute, comm) of four parts), each micro-batch at half the batch (weights read twice); the step is the faster of overlapped and serial. An upper bound on what overlap hides: on SGLang's prefill it gives about twice the gain SGLang measured")
            } else {
                lines.append("two-batch overlap: off (the default, --two-batch-overlap on to model it): dispatch/combine add to compute")
            }
        }
        if m.ep > 1 && w.model.expertsPerToken > 0 && w.model.moeLayers > 0 {
            let ranks = m.ep * (m.dpAttention ? max(1, m.chip.devicesPerPackage) : 1)
            let q = Double((w.speculative?.draftTokens ?? 0) + 1)
            let f = ExpertLoadImbalance.factor(batch: b, rowsPerSequencePerRank: q * Double(w.model.expertsPerToken) / Double(ranks), ranks: ranks)
            lines.append("expert load: the busiest of \(ranks) expert ranks takes \(formatQuantity(f)) x the mean rows at this batch (mean + sqrt(2·mean·ln R), the balls-into-bins floor; routed-expert GEMMs and dispatch/combine wait for it)")
        }
        if m.dpAttention, let tp = constraints.tp, tp != m.tp {
            lines.append("note: plan tp \(tp) is read as the attention layout inside each data-parallel rank, which is not modelled (attention runs whole on each chip)")
        }
        if w.phase == .decode {
            lines.append("phase decode: steady-state decode at context \(formatQuantity(context)) tokens, no prompt share in the step (prefill runs elsewhere); TTFT not estimated")
        }
        e.explanation += lines
        return e
    }
}
