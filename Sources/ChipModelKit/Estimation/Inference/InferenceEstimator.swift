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
    /// LLM layout search: what was evaluated of the space (nil for encoders/CNNs).
    public var search: InferenceSearchEffort? = nil
    /// The serving model's own error on throughput for the chip's family
    /// (`InferenceModelErrorBands.band(family:)`), set by the estimator's door.
    public var modelErrorBand: ModelErrorBand = InferenceModelErrorBands.uncalibrated

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
            else if k == "scale-up network" || k == "scheduling overhead" || k == DecodeStepModel.hostBindingName { idle += v }
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
        /// Evaluate every LLM layout in full, in order (the reference the branch-and-bound
        /// search is tested and benchmarked against); the answer is the same.
        public var exhaustiveSearch: Bool
        /// Serving constants to estimate with instead of the chip family's
        /// (`InferenceCalibration.family`): set only by validation refits
        /// (`InferenceModelErrorBandFit.leaveOneOut`).
        public var calibration: InferenceFamilyCalibration?
        public init(batch: Int? = nil, exhaustiveSearch: Bool = false, calibration: InferenceFamilyCalibration? = nil) {
            self.batch = batch
            self.exhaustiveSearch = exhaustiveSearch
            self.calibration = calibration
        }
    }

    /// The inference estimator's one door: `given` served on `cluster` (one spec corner of
    /// one chip; a server workload without latency bounds takes its model's MLPerf rule,
    /// `InferenceWorkload.withServerBounds`), honouring the fixed fields of `constraints` (tp, pp, ep, replicas) and
    /// `options.batch`, searching the rest. Ranges over a chip's spec corners come from calling
    /// it per corner (`Ranges.evaluate`). Throws `DoesNotFitError` (memory needed vs available)
    /// when no plan fits, `MissingSpecError` when a needed spec value is absent.
    public static func estimate(_ given: InferenceWorkload, on cluster: Cluster,
                                constraints: PlanConstraints = PlanConstraints(),
                                options: Options = Options()) throws -> InferenceEstimate {
        var e = try estimateUnbanded(given, on: cluster, constraints: constraints, options: options)
        e.modelErrorBand = InferenceModelErrorBands.band(family: cluster.chip.family)
        return e
    }

    static func estimateUnbanded(_ given: InferenceWorkload, on cluster: Cluster, constraints: PlanConstraints,
                                 options: Options) throws -> InferenceEstimate {
        // A server workload without bounds holds its MLPerf rule's, else the standard defaults.
        let workload = given.withServerBounds(interactive: false) ?? given
        let chip = cluster.chip, chips = cluster.count, batch = options.batch
        guard chips >= 1 else { throw DoesNotFitError("need at least one chip") }
        if let s = workload.speculative, let problem = s.problem { throw DoesNotFitError("speculative decoding: \(problem)") }
        if var d = constraints.disaggregated {
            // The plan's two-batch overlap applies to both pools unless a pool sets its own.
            d.prefill.twoBatchOverlap = d.prefill.twoBatchOverlap ?? constraints.twoBatchOverlap
            d.decode.twoBatchOverlap = d.decode.twoBatchOverlap ?? constraints.twoBatchOverlap
            return try estimateDisaggregated(workload, on: cluster, plan: d, exhaustive: options.exhaustiveSearch,
                                             calibration: options.calibration)
        }
        switch workload.model.architecture {
        case .bert, .resnet:
            return try EncoderVisionEstimator.estimate(workload, chip: chip, chips: chips, constraints: constraints, batch: batch,
                                                       calibration: options.calibration ?? InferenceCalibration.family(chip.family))
        case .gpt, .llama, .moe:
            return try estimateLLM(workload, chip: chip, chips: chips, constraints: constraints, batch: batch,
                                   scaleUpDomain: cluster.scaleUpDomainOverride, fabric: cluster.fabric,
                                   exhaustive: options.exhaustiveSearch, calibration: options.calibration)
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

    /// Plans the server scenario queue-rates (the best by bounded steady-state throughput).
    static let serverPlansQueueRated = 3

    static func estimateLLM(_ w: InferenceWorkload, chip: ChipParameters, chips: Int, constraints: PlanConstraints,
                            batch: Int?, scaleUpDomain: Int?, fabric: ScaleUpFabric? = nil, exhaustive: Bool = false,
                            calibration: InferenceFamilyCalibration? = nil) throws -> InferenceEstimate {
        let model = w.model
        let net = ClusterNetwork(chip: chip, domainSize: scaleUpDomain, fabric: fabric)
        let layouts = llmLayouts(model: model, chips: chips, constraints: constraints, domain: net.scaleUp.domainSize,
                                 dies: chip.devicesPerPackage)
        if layouts.isEmpty {
            throw DoesNotFitError("no parallel layout of \(chips) chips matches the given plan (tp \(constraints.tp.map(String.init) ?? "any"), pp \(constraints.pp.map(String.init) ?? "any"), replicas \(constraints.replicas.map(String.init) ?? "any"))")
        }
        let search = LLMLayoutSearch(w, chip: chip, chips: chips, constraints: constraints, batch: batch, calibration: calibration)
        let queued = w.scenario == .server && w.phase != .prefill
        let found = try search.run(layouts: layouts, scaleUpDomain: scaleUpDomain, fabric: fabric, exhaustive: exhaustive,
                                   keep: queued ? serverPlansQueueRated : 1)
        if let s = found.best {
            // Server scenario: the plans with the best bounded steady-state throughput are
            // re-rated by the queue simulation (`LLMServerScenario`) and the highest rate wins.
            // The steady state has no queue: a plan that wins it on a large batch can lose under
            // Poisson arrivals to one whose prefill is faster (TTFT p99), so one plan is not enough
            // (with it, a tighter TPOT bound could raise the server rate by picking another plan).
            if queued {
                var best: InferenceEstimate?
                var lastError: Error?
                // Every one is simulated: the queue's rate of a plan can exceed its bounded
                // steady state (chunked prefill spreads the prompt over steps the sweep charges
                // whole), so the steady state is no bound to prune with.
                for t in found.top {
                    guard let sweep = t.sweep else { continue }
                    let est = assembleLLM(t, search: search, effort: found.effort)
                    do {
                        let r = try LLMServerScenario.rate(est, workload: w, model: t.candidate.model, sweep: sweep, cap: batch ?? t.cap)
                        if best == nil || (r.tokensPerSecond ?? 0) > (best!.tokensPerSecond ?? 0) { best = r }
                    } catch { lastError = lastError ?? error }
                }
                if var best {
                    if found.top.count > 1 {
                        best.explanation.append("plans queue-rated: the \(found.top.count) best by steady-state throughput under the bounds; this one served the most")
                    }
                    return best
                }
                if let lastError { throw lastError }
            }
            return assembleLLM(s, search: search, effort: found.effort)
        }
        if let key = found.missingKey, found.smallestNeed == nil, found.fittingLayouts == 0 { throw MissingSpecError(chip: chip.id, key: key) }
        // Memory is the reason only when no layout fits; when some fit and none meets the
        // bounds, the bounds are (a smaller layout's memory need would name the wrong cause).
        if found.fittingLayouts == 0, let s = found.smallestNeed {
            throw DoesNotFitError("\(model.id) does not fit on \(chip.id): needs \(formatQuantity(s.need / 1e9)) GB per chip (best layout \(s.plan)), has \(formatQuantity(s.have / 1e9)) GB")
        }
        let fitting = found.fittingLayouts > 0 ? "; \(found.fittingLayouts) layout\(found.fittingLayouts == 1 ? "" : "s") fit in memory, none at any batch" : ""
        throw DoesNotFitError("no plan of \(model.id) on \(chips) x \(chip.id) meets the latency bounds (TTFT \(formatQuantity(w.ttftBoundMs ?? StandardRunDefaults.serverTTFTBoundMs)) ms, TPOT \(formatQuantity(w.tpotBoundMs ?? StandardRunDefaults.serverTPOTBoundMs)) ms)\(fitting)")
    }
}
