/// One row of the throughput-vs-latency table.
public struct InferenceSweepRow: Sendable, Equatable {
    public var batch: Int
    /// System tokens/s (LLM) or samples/s (encoder/CNN).
    public var throughput: Double
    public var ttftMs: Double?
    public var tpotMs: Double?
    /// Batch latency for encoder/CNN rows, ms.
    public var latencyMs: Double?
    public var meetsBounds: Bool
}

/// The answer for one chip: metrics, plan, memory, what binds, and the sweep.
public struct InferenceEstimate: Sendable {
    public var chipID: String
    public var chips: Int
    public var modelID: String
    public var scenario: InferenceScenario
    public var plan: InferencePlan
    /// Generated tokens per second, whole system (nil for encoder/CNN).
    public var tokensPerSecond: Double?
    public var tokensPerSecondPerChip: Double?
    /// Completed requests (samples) per second, whole system.
    public var samplesPerSecond: Double?
    public var ttftMs: Double?
    public var tpotMs: Double?
    /// End-to-end latency of one request (LLM) or one batch (encoder/CNN), ms.
    public var latencyMs: Double?
    public var memory: InferenceMemory
    public var binding: String
    public var sweep: [InferenceSweepRow]
    public var explanation: [String]
    public var usesEstimatedSpecs: Bool
    public var calibrated: Bool
    /// Formats used (every comparison row names them): weights as stored, GEMMs, KV cache.
    public var weightPrecision: NumberFormat? = nil
    public var computePrecision: NumberFormat? = nil
    public var kvPrecision: NumberFormat? = nil
    public var phase: InferencePhase = .both
    public var speculative: SpeculativeDecoding? = nil
    /// Prompt tokens per second, whole system (prefill-phase estimates).
    public var inputTokensPerSecond: Double? = nil
    /// Server scenario: the simulated latency distribution at the highest rate meeting the
    /// bounds (nil for offline and single-stream).
    public var queue: ServingQueueSummary? = nil
    /// Disaggregated prefill/decode: the two pools (nil when aggregated).
    public var disaggregation: DisaggregationSummary? = nil

    /// "fp8 weights / fp8 KV" (with the GEMM format when it differs), for table rows.
    public var precisionLabel: String {
        guard let w = weightPrecision else { return "-" }
        var s = w.rawValue
        if let c = computePrecision, c != w { s += " (\(c.rawValue) GEMM)" }
        if let k = kvPrecision { s += " / KV \(k.rawValue)" }
        return s
    }
    /// Where a replica's time goes at the chosen batch (for the power model); nil if not split.
    public var timeShares: InferenceTimeShares? = nil

    public var memoryPerChipGB: Double { memory.neededBytes / 1e9 }
}

/// A replica's time at the chosen batch by what bounds it, in seconds per step (per decode step
/// for LLMs with the prefill share included, per batch for encoders and CNNs): compute-bound
/// work, memory-bound work (HBM, on-chip SRAM or D2D bound), and waits (scale-up communication,
/// scheduling overhead, and in the server scenario the queue headroom the load fraction
/// leaves). The power model weighs each by its power fraction of TDP.
public struct InferenceTimeShares: Sendable, Equatable {
    public var computeBoundSeconds: Double
    public var memoryBoundSeconds: Double
    public var idleSeconds: Double

    public init(computeBoundSeconds: Double, memoryBoundSeconds: Double, idleSeconds: Double) {
        self.computeBoundSeconds = computeBoundSeconds
        self.memoryBoundSeconds = memoryBoundSeconds
        self.idleSeconds = idleSeconds
    }

    /// The split from `InferenceEstimator`'s time-by-bound table (its `binding` keys) and the
    /// server load fraction (busy time / wall time).
    static func fromBindingTimes(_ byKind: [String: Double], loadFraction: Double) -> InferenceTimeShares {
        var compute = 0.0, memory = 0.0, idle = 0.0
        // Sorted keys: a dictionary's order changes from run to run, and so would the sums' last bits.
        for (k, v) in byKind.sorted(by: { $0.key < $1.key }) {
            if k == "compute" || k == "prefill compute" { compute += v }
            else if k == "scale-up network" || k == "scheduling overhead" { idle += v }
            else { memory += v }
        }
        let busy = compute + memory + idle
        if loadFraction > 0, loadFraction < 1 { idle += busy * (1 - loadFraction) / loadFraction }
        return InferenceTimeShares(computeBoundSeconds: compute, memoryBoundSeconds: memory, idleSeconds: idle)
    }
}

/// Estimates serving throughput and latency: LLMs (prefill + decode with continuous batching),
/// BERT-style encoders and ResNet CNNs, searching unset plan fields.
public enum InferenceEstimator {
    /// What the estimator may search.
    public struct Options: Sendable, Equatable {
        /// Concurrent sequences per replica (LLM) or samples per chip batch (encoder/CNN);
        /// nil: the best batch that fits (and meets the latency bounds) is searched.
        public var batch: Int?
        public init(batch: Int? = nil) { self.batch = batch }
    }

    /// The inference estimator's one door: `workload` served on `cluster` (one spec corner of
    /// one chip), honouring the fixed fields of `constraints` (tp, pp, ep, replicas) and
    /// `options.batch`, searching the rest. Ranges over a chip's spec corners come from calling
    /// it per corner (`Ranges.evaluate`). Throws `DoesNotFitError` (memory needed vs available)
    /// when no plan fits, `MissingSpecError` when a needed spec value is absent.
    public static func estimate(_ workload: InferenceWorkload, on cluster: Cluster,
                                constraints: PlanConstraints = PlanConstraints(),
                                options: Options = Options()) throws -> InferenceEstimate {
        let chip = cluster.chip, chips = cluster.count, batch = options.batch
        guard chips >= 1 else { throw DoesNotFitError("need at least one chip") }
        if let s = workload.speculative, let problem = s.problem { throw DoesNotFitError("speculative decoding: \(problem)") }
        if let d = constraints.disaggregated {
            return try estimateDisaggregated(workload, on: cluster, plan: d)
        }
        switch workload.model.architecture {
        case .bert, .resnet:
            return try EncoderVisionEstimator.estimate(workload, chip: chip, chips: chips, constraints: constraints, batch: batch)
        case .gpt, .llama, .moe:
            return try estimateLLM(workload, chip: chip, chips: chips, constraints: constraints, batch: batch,
                                   scaleUpDomain: cluster.scaleUpDomainOverride, fabric: cluster.fabric)
        }
    }

    /// Candidate (tp, pp, ep) layouts under the constraints: powers of two (or the given
    /// values), TP within a scale-up domain when searched, heads divisible by TP, EP dividing
    /// both TP (experts split inside the TP group) and the expert count.
    public static func candidatePlans(model: ModelSpec, chips: Int, constraints: PlanConstraints, domain: Int) -> [(tp: Int, pp: Int, ep: Int)] {
        func pow2(upTo n: Int) -> [Int] {
            var out: [Int] = []
            var x = 1
            while x <= n { out.append(x); x *= 2 }
            return out
        }
        let tps = constraints.tp.map { [$0] } ?? pow2(upTo: min(chips, max(1, domain))).filter { model.heads % $0 == 0 }
        var out: [(Int, Int, Int)] = []
        for tp in tps {
            let pps = constraints.pp.map { [$0] } ?? pow2(upTo: chips / tp).filter { $0 <= model.layers }
            for pp in pps {
                if tp * pp > chips { continue }
                if let r = constraints.replicas, r * tp * pp > chips { continue }
                let eps: [Int]
                if !model.isMoE { eps = [1] } else if let e = constraints.ep { eps = [e] } else {
                    eps = Array(Set([1, tp])).sorted().filter { model.experts % $0 == 0 }
                }
                for ep in eps where tp % ep == 0 { out.append((tp, pp, ep)) }
            }
        }
        return out
    }

    static func estimateLLM(_ w: InferenceWorkload, chip: ChipParameters, chips: Int, constraints: PlanConstraints,
                            batch: Int?, scaleUpDomain: Int?, fabric: ScaleUpFabric? = nil) throws -> InferenceEstimate {
        let model = w.model
        let net = ClusterNetwork(chip: chip, domainSize: scaleUpDomain, fabric: fabric)
        let layouts = llmLayouts(model: model, chips: chips, constraints: constraints, domain: net.scaleUp.domainSize,
                                 dies: chip.computeDies)
        if layouts.isEmpty {
            throw DoesNotFitError("no parallel layout of \(chips) chips matches the given plan (tp \(constraints.tp.map(String.init) ?? "any"), pp \(constraints.pp.map(String.init) ?? "any"), replicas \(constraints.replicas.map(String.init) ?? "any"))")
        }
        let output = Double(max(1, w.outputTokens))
        let input = max(1, w.inputTokens)
        let context = Double(input) + Double(w.outputTokens) / 2
        // Paged KV cache: in steady state a running sequence holds its mean context.
        let reserve = context
        var best: (score: Double, est: InferenceEstimate)?
        // Server scenario: the plans ranked by their bounded steady-state throughput; the best
        // is then re-rated by the queue simulation (`LLMServerScenario`).
        var serverPick: (score: Double, est: InferenceEstimate, model: LLMServingModel, sweep: BatchSweep, cap: Int)?
        let accepted = w.speculative?.acceptedTokensPerStep ?? 1
        var smallestNeed: (need: Double, have: Double, plan: String)?
        var missingKey: String?
        for (tp, pp, ep, dp) in layouts {
            let m = try LLMServingModel(model: model, chip: chip, precision: w.precision, kvPrecision: w.kvPrecision,
                                        tp: tp, pp: pp, ep: ep, scaleUpDomain: scaleUpDomain, emulate: w.emulate, dpAttention: dp,
                                        computePrecision: w.computePrecision, speculative: w.speculative,
                                        fabric: fabric)
            if let key = m.missingNetworkKey {
                missingKey = missingKey ?? key
                continue
            }
            let kvMax = m.maxBatch(tokensPerSequence: reserve)
            let need = m.weightsBytes + m.workspaceBytes + reserve * m.kvBytesPerToken * Double(batch ?? 1)
            if kvMax < (batch ?? 1) {
                if smallestNeed == nil || need < smallestNeed!.need {
                    smallestNeed = (need, m.capacityBytes, "tp \(tp) pp \(pp)")
                }
                continue
            }
            // Each data-parallel attention rank (each die of a multi-die package) fills its own
            // prefill chunk: a DP replica's prefill iteration holds ranks x one chunk.
            let dpRanks = dp ? tp * max(1, chip.computeDies) : 1
            let chunkSeqs = max(1, InferenceCalibration.prefillChunkTokens / input) * dpRanks
            let chunk = m.prefillSeconds(sequences: chunkSeqs, length: input)
            let single = m.prefillSeconds(sequences: 1, length: input)
            let replicas = constraints.replicas ?? max(1, chips / (tp * pp))
            if w.phase == .prefill {
                let e = prefillPhaseEstimate(w, m: m, chunkSeqs: chunkSeqs, chunk: chunk, single: single, replicas: replicas, chips: chips)
                let score = e.inputTokensPerSecond ?? 0
                if best == nil || score > best!.score { best = (score, e) }
                continue
            }
            // Decode-only measurements exclude prefill: no prompt share in the iteration.
            let sweep = BatchSweep(decode: m.decode, context: context, outputTokens: output,
                                   prefillPerSequenceSeconds: w.phase == .decode ? 0 : chunk.occupancy / Double(chunkSeqs),
                                   prefillLatencySeconds: single.latency, acceptedTokensPerStep: accepted)
            // Each data-parallel attention rank runs its own scheduler.
            let cap = min(kvMax, InferenceCalibration.maxScheduledBatch * (dp ? tp : 1))
            let cands: [Int]
            if let batch { cands = [batch] } else if w.scenario == .singleStream { cands = [1] } else { cands = BatchSweep.candidates(maxBatch: max(1, cap)) }
            let server = w.scenario == .server
            let tpotBound = server ? (w.tpotBoundMs ?? StandardRunDefaults.serverTPOTBoundMs) / 1e3 : w.tpotBoundMs.map { $0 / 1e3 }
            let ttftBound = server ? (w.ttftBoundMs ?? StandardRunDefaults.serverTTFTBoundMs) / 1e3 : w.ttftBoundMs.map { $0 / 1e3 }
            guard let idx = sweep.best(candidates: cands, tpotBound: tpotBound, ttftBound: ttftBound) else { continue }
            let b = cands[idx]
            let loadFraction = 1.0
            let p = sweep.evaluate(batch: Double(b))
            let single1 = w.scenario == .singleStream
            let tpot = single1 ? m.decode.stepSeconds(batch: 1, context: context) / accepted : p.tpotSeconds
            let ttft = single1 ? single.latency : p.ttftSeconds
            let latency = ttft + Double(max(0, w.outputTokens - 1)) * tpot
            // Single-stream: each replica serves one request after another.
            let tps = (single1 ? output / latency : p.tokensPerSecond * loadFraction) * Double(replicas)
            let used = replicas * tp * pp
            let score = single1 ? -latency : tps
            if let bcur = best, bcur.score >= score { continue }
            // Sweep table over the candidate batches (all, to show the trade-off).
            let tableCands = BatchSweep.candidates(maxBatch: max(1, cap))
            var rows: [InferenceSweepRow] = []
            for c in tableCands {
                let q = sweep.evaluate(batch: Double(c))
                let ok = (tpotBound.map { q.tpotSeconds <= $0 } ?? true) && (ttftBound.map { q.ttftSeconds <= $0 } ?? true)
                rows.append(InferenceSweepRow(batch: c, throughput: q.tokensPerSecond * Double(replicas) * loadFraction,
                                              ttftMs: q.ttftSeconds * 1e3, tpotMs: q.tpotSeconds * 1e3, latencyMs: nil, meetsBounds: ok))
            }
            let mem = m.memory(batch: b, tokensPerSequence: reserve)
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
                } else { key = "scheduling overhead" }
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
            if batch == nil && !single1 && b == kvMax { binding += "; batch limited by KV-cache capacity" }
            else if batch == nil && !single1 && b == InferenceCalibration.maxScheduledBatch * (dp ? tp : 1) { binding += "; batch at the scheduler limit" }
            else if server && b < cap { binding += "; batch limited by the latency bounds" }
            var lines: [String] = []
            lines.append("model \(model.name): \(formatQuantity(model.totalParams / 1e9)) B params (\(formatQuantity(model.activeParams / 1e9)) B active), weights \(w.precision.rawValue), KV cache \(m.kvFormat.rawValue)")
            lines.append("chip \(chip.id) (\(chip.corner.rawValue)): \(formatQuantity(m.device.peakFlops / 1e12)) TFLOPS \(m.device.computeFormat.rawValue) dense, \(formatQuantity(m.device.peakMemoryBytesPerSecond / 1e9)) GB/s, \(formatQuantity(m.capacityBytes / 1e9)) GB")
            lines.append("plan: tp \(tp)\(dp ? " (data-parallel attention)" : "") pp \(pp) ep \(m.ep) x \(replicas) replicas = \(used) of \(chips) chips; batch \(b) sequences per replica (KV-cache limit \(kvMax))")
            lines.append("memory per chip: weights \(formatQuantity(mem.weightsBytes / 1e9)) GB + workspace \(formatQuantity(mem.workspaceBytes / 1e9)) GB + KV \(formatQuantity(mem.kvUsedBytes / 1e9)) GB of \(formatQuantity(mem.capacityBytes / 1e9)) GB; KV \(formatQuantity(mem.kvBytesPerToken / 1e3)) kB/token")
            if model.attention == .mla && tp > 1 && !dp {
                lines.append("note: MLA latent KV cache replicated on each of the \(tp) TP ranks (data-parallel attention is not modelled)")
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
            lines.append("prefill of \(chunkSeqs) x \(input) tokens (one chunk): occupancy \(formatQuantity(chunk.occupancy * 1e3)) ms, latency \(formatQuantity(chunk.latency * 1e3)) ms")
            lines += chunk.lines
            lines.append("prefill share per token: \(formatQuantity(prefillShare * 1e3)) ms; TPOT \(formatQuantity(tpot * 1e3)) ms, TTFT \(formatQuantity(ttft * 1e3)) ms")
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
            let annotated = annotateServingFeatures(est, w: w, m: m, constraints: constraints)
            if server && serverPick.map({ $0.score < score }) ?? true {
                serverPick = (score, annotated, m, sweep, batch ?? cap)
            }
            best = (score, annotated)
        }
        if let pick = serverPick {
            return try LLMServerScenario.rate(pick.est, workload: w, model: pick.model, sweep: pick.sweep, cap: pick.cap)
        }
        if let best { return best.est }
        if let key = missingKey, smallestNeed == nil { throw MissingSpecError(chip: chip.id, key: key) }
        if let s = smallestNeed {
            throw DoesNotFitError("\(model.id) does not fit on \(chip.id): needs \(formatQuantity(s.need / 1e9)) GB per chip (best layout \(s.plan)), has \(formatQuantity(s.have / 1e9)) GB")
        }
        throw DoesNotFitError("no plan of \(model.id) on \(chips) x \(chip.id) meets the latency bounds (TTFT \(formatQuantity(w.ttftBoundMs ?? StandardRunDefaults.serverTTFTBoundMs)) ms, TPOT \(formatQuantity(w.tpotBoundMs ?? StandardRunDefaults.serverTPOTBoundMs)) ms)")
    }
}
