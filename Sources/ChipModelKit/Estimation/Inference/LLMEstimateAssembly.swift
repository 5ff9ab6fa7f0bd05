extension InferenceEstimator {
    /// The estimate of the layout the search chose (`LLMLayoutSearch`): the sweep table, what
    /// binds, the explanation lines. Built once, for the winner only.
    static func assembleLLM(_ s: LLMLayoutSearch.Scored, search: LLMLayoutSearch, effort: InferenceSearchEffort) -> InferenceEstimate {
        let w = search.w, model = w.model, chip = search.chip, chips = search.chips, batch = search.batch
        let c = s.candidate
        let (tp, pp, dp) = (c.layout.tp, c.layout.pp, c.layout.dp)
        let m = c.model, kvMax = c.kvMax, replicas = c.replicas, chunkSeqs = s.chunkSeqs, cap = s.cap
        let input = search.input, output = search.output, context = search.context
        let chunk = m.prefillSeconds(sequences: chunkSeqs, length: input, explain: true)
        let single = s.single
        if w.phase == .prefill {
            var e = prefillPhaseEstimate(w, m: m, chunkSeqs: chunkSeqs, chunk: chunk, single: (single.latency, single.occupancy, []),
                                         replicas: replicas, chips: chips)
            e.search = effort
            e.explanation.append(effort.line)
            return e
        }
        let sweep = s.sweep!
        let server = w.scenario == .server
        let tpotBound = search.tpotBound, ttftBound = search.ttftBound
        let accepted = search.accepted
        let b = s.batch
        let loadFraction = 1.0
        let p = sweep.evaluate(batch: Double(b))
        let single1 = w.scenario == .singleStream
        let tpot = single1 ? m.decode.stepSeconds(batch: 1, context: context) / accepted : p.tpotSeconds
        let ttft = single1 ? single.latency : p.ttftSeconds
        let latency = ttft + Double(max(0, w.outputTokens - 1)) * tpot
        // Single-stream: each replica serves one request after another.
        let tps = (single1 ? output / latency : p.tokensPerSecond * loadFraction) * Double(replicas)
        let used = replicas * tp * pp
        let tableCands = BatchSweep.candidates(maxBatch: max(1, cap))
        var rows: [InferenceSweepRow] = []
        for c in tableCands {
            let q = sweep.evaluate(batch: Double(c))
            let ok = (tpotBound.map { q.tpotSeconds <= $0 } ?? true) && (ttftBound.map { q.ttftSeconds <= $0 } ?? true)
            rows.append(InferenceSweepRow(batch: c, throughput: q.tokensPerSecond * Double(replicas) * loadFraction,
                                          ttftMs: q.ttftSeconds * 1e3, tpotMs: q.tpotSeconds * 1e3, latencyMs: nil, meetsBounds: ok))
        }
        // KV held: each sequence's whole length reserved (the scheduler's admission rule), or the
        // mean context for a given batch above that reservation (on-demand paging).
        let reservedMax = m.maxBatch(tokensPerSequence: search.reservedTokens)
        let reservedFits = b <= reservedMax
        let mem = m.memory(batch: b, tokensPerSequence: reservedFits ? search.reservedTokens : context)
        // Binding resource at the chosen batch.
        let parts = m.decode.breakdown(batch: Double(b), context: context)
        var byKind: [String: Double] = [:]
        for (i, part) in parts.enumerated() {
            let key: String
            if i < m.decode.terms.count {
                let t = m.decode.terms[i]
                if t.ceiling(batch: Double(b) / Double(m.decode.pp), context: context) == .d2d {
                    key = "d2d link"
                } else {
                    key = part.computeBound ? "compute" : (t.kind == .kvCache ? "memory bandwidth (KV cache reads)" : "memory bandwidth (weight reads)")
                }
            } else if i < m.decode.terms.count + m.decode.comms.count {
                key = "scale-up network"
            } else { key = part.name == DecodeStepModel.hostWaitName ? DecodeStepModel.hostBindingName : "scheduling overhead" }
            byKind[key, default: 0] += part.seconds
        }
        let prefillShare = Double(b) / output * sweep.prefillPerSequenceSeconds
        // The prefill share goes to the ceiling that binds each prefill operation (roofline),
        // so a D2D- or memory-bound prefill is named as such.
        var prefillByBound: [String: Double] = [:]
        for (_, op, count) in m.prefillLayerOps(sequences: chunkSeqs, length: input) {
            let r = Roofline.evaluate(op, on: m.device)
            let name: String
            switch r.bound {
            case .compute: name = "prefill compute"
            case .memory: name = "prefill memory bandwidth"
            case .sram: name = "prefill on-chip bandwidth"
            case .d2d: name = "prefill d2d link"
            }
            prefillByBound[name, default: 0] += r.seconds * count
        }
        let prefillTotal = prefillByBound.values.reduce(0, +)
        if prefillTotal > 0 {
            for (k, v) in prefillByBound { byKind[k, default: 0] += prefillShare * v / prefillTotal }
        } else {
            byKind["prefill compute", default: 0] += prefillShare
        }
        var binding = byKind.max { $0.value < $1.value }?.key ?? "compute"
        // A host-bound step is bound by the host whatever the chips' parts add up to, unless
        // the prompt share outweighs the whole step.
        if m.decode.isHostBound(batch: Double(b), context: context),
           m.decode.stepSeconds(batch: Double(b), context: context) >= prefillShare {
            binding = DecodeStepModel.hostBindingName
        }
        if batch == nil && !single1 && b == kvMax { binding += "; batch limited by KV-cache capacity" }
        else if batch == nil && !single1 && b == InferenceCalibration.maxScheduledBatch * (dp ? tp : 1) { binding += "; batch at the scheduler limit" }
        else if server && b < cap { binding += "; batch limited by the latency bounds" }
        var lines: [String] = []
        lines.append("model \(model.name): \(formatQuantity(model.totalParams / 1e9)) B params (\(formatQuantity(model.activeParams / 1e9)) B active), weights \(w.precision.rawValue), KV cache \(m.kvFormat.rawValue)")
        lines.append("chip \(chip.id) (\(chip.corner.rawValue)): \(formatQuantity(m.device.peakFlops / 1e12)) TFLOPS \(m.device.computeFormat.rawValue) dense, \(formatQuantity(m.device.peakMemoryBytesPerSecond / 1e9)) GB/s, \(formatQuantity(m.capacityBytes / 1e9)) GB")
        lines.append("plan: tp \(tp)\(dp ? " (data-parallel attention)" : "") pp \(pp) ep \(m.ep) x \(replicas) replicas = \(used) of \(chips) chips; batch \(b) sequences per replica (KV-cache limit \(kvMax) with \(formatQuantity(search.reservedTokens)) tokens reserved per sequence)")
        if !reservedFits {
            lines.append("note: batch \(b) exceeds the KV cache with each sequence's whole length reserved (\(reservedMax)); its KV is held at the mean context of \(formatQuantity(context)) tokens, as a runtime that pages on demand and preempts holds it")
        }
        lines.append("memory per chip: weights \(formatQuantity(mem.weightsBytes / 1e9)) GB + workspace \(formatQuantity(mem.workspaceBytes / 1e9)) GB + KV \(formatQuantity(mem.kvUsedBytes / 1e9)) GB of \(formatQuantity(mem.capacityBytes / 1e9)) GB; KV \(formatQuantity(mem.kvBytesPerToken / 1e3)) kB/token")
        if model.attention == .mla && tp > 1 && !dp {
            lines.append("note: MLA latent KV cache replicated on each of the \(tp) TP ranks (this layout runs attention tensor-parallel, not data-parallel)")
        }
        if chip.sramMB == nil && chip.l2CacheMB == nil {
            lines.append("note: the spec gives no on-chip memory; GEMM tiling assumes \(formatQuantity(InferenceCalibration.assumedOnChipMBWhenUnknown)) MB (InferenceCalibration.assumedOnChipMBWhenUnknown)")
        }
        let cal = m.calibration
        lines.append("calibration: decode \(formatQuantity(cal.decodeEfficiency)), prefill \(formatQuantity(cal.prefillEfficiency)), step overhead \(formatQuantity(cal.stepOverheadSeconds * 1e3)) ms (\(cal.provenance)); roofline fractions matrix \(formatQuantity(m.device.calibration.matmulPeakFraction)), memory \(formatQuantity(m.device.calibration.memoryBandwidthFraction))")
        lines.append("decode step at batch \(b), mean context \(formatQuantity(context)) tokens: \(formatQuantity(m.decode.stepSeconds(batch: Double(b), context: context) * 1e3)) ms")
        for part in parts {
            lines.append("  \(part.name): \(formatQuantity(part.seconds * 1e3)) ms\(part.computeBound ? " (compute-bound)" : "")")
            if let t = m.decode.terms.first(where: { $0.name == part.name }),
               t.ceiling(batch: Double(b) / Double(m.decode.pp), context: context) == .d2d {
                lines[lines.count - 1] += " (d2d-bound)"
            }
        }
        if w.phase == .decode {
            // Decode-only: prompts are prefilled elsewhere; no prefill share, no TTFT.
            lines.append("TPOT \(formatQuantity(tpot * 1e3)) ms (decode only: no prompt share in the step)")
        } else {
            lines.append("prefill of \(chunkSeqs) x \(input) tokens (one chunk): occupancy \(formatQuantity(chunk.occupancy * 1e3)) ms, latency \(formatQuantity(chunk.latency * 1e3)) ms")
            lines += chunk.lines
            lines.append("prefill share per token: \(formatQuantity(prefillShare * 1e3)) ms; TPOT \(formatQuantity(tpot * 1e3)) ms, TTFT \(formatQuantity(ttft * 1e3)) ms")
        }
        lines.append("throughput: \(formatQuantity(tps)) tokens/s system, \(formatQuantity(tps / Double(chips))) per chip; bound by \(binding)")
        var est = InferenceEstimate(
            chipID: chip.id, chips: chips, modelID: model.id, scenario: w.scenario,
            plan: InferencePlan(tp: tp, pp: pp, ep: m.ep, replicas: replicas, batch: b, dpAttention: dp),
            tokensPerSecond: tps, tokensPerSecondPerChip: tps / Double(chips), samplesPerSecond: tps / output,
            ttftMs: w.phase == .decode ? nil : ttft * 1e3, tpotMs: tpot * 1e3,
            latencyMs: w.phase == .decode ? nil : latency * 1e3, memory: mem, binding: binding,
            sweep: rows, explanation: lines, usesEstimatedSpecs: chip.usesEstimates,
            calibrated: InferenceCalibration.isCalibrated(chip.family),
            weightPrecision: w.precision, computePrecision: m.device.computeFormat, kvPrecision: m.kvFormat,
            phase: w.phase, speculative: w.speculative)
        est.timeShares = .fromBindingTimes(byKind, loadFraction: loadFraction)
        est.search = effort
        est.explanation.append(effort.line)
        return annotateServingFeatures(est, w: w, m: m, constraints: search.constraints)
    }
}
