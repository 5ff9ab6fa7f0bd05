// The training estimator: how long a transformer takes to train on N chips, with which plan, and why.
//
// Model (each piece cites its source in the doc comment where it is computed):
// - Per layer and microbatch, `TrainingCostModel.layerCosts` builds the layer's operations sharded
//   by TP (Megatron column/row parallel attention and MLP, Shoeybi 2019, Narayanan 2021 section 3.2),
//   CP (queries split, ring-attention K/V exchange) and EP (local experts, all-to-all dispatch and
//   combine), and times each on the roofline (`Roofline.evaluate` on a `RooflineDevice`). GPT
//   (2-matrix MLP), Llama (gated MLP, GQA), MoE (top-k routed experts, shared experts, dense first
//   layers) and MLA (DeepSeek-V3 low-rank projections) shapes come from `ModelSpec`; embeddings and
//   logits run on the pipeline's last stage. Attention is fused (FlashAttention); in FP8 training it
//   runs at the BF16 peak.
// - Backward = 2 x forward. Recompute: selective recomputes the attention core, full the whole
//   forward (Korthikanti 2022).
// - Pipeline: (m + (p-1)/v) microbatch-times per step (1F1B and interleaved schedules, Narayanan
//   2021 section 2.2), p2p on the fill/drain critical path (and every microbatch without p2p
//   overlap).
// - Communication: TP all-reduces (or SP all-gather/reduce-scatter) per layer, optionally hidden
//   behind GEMMs; DP gradient all-reduce / reduce-scatter + all-gather per ZeRO stage (ZeRO-3
//   gathers weights per microbatch), optionally overlapped with backward/forward; EP all-to-all;
//   CP K/V ring. Collectives use `ClusterNetwork` (two-tier alpha-beta; a group spanning scale-up
//   domains runs hierarchically and pays the NICs for the traffic that leaves the domain). Rank
//   order TP, CP, DP, PP: TP stays in the scale-up domain when it fits.
// - Memory per chip: weights, gradients and Adam states per ZeRO stage (16 bytes/param unsharded,
//   Rajbhandari 2020), Korthikanti's activation formulas per recompute mode and SP, the in-flight
//   microbatches of 1F1B / interleaving, logits on the last stage; against the usable HBM.
// - The step-time function over these inputs (`candidateStepSeconds`) is evaluated for every valid
//   plan by `TrainingSearch` in SIMD8 batches (Calculon-style exhaustive search, Isaev et al. SC23).
// - FLOP convention: model FLOPs = 3 x forward (6·N_active·tokens + attention QK^T/AV over the full
//   square, logits included, embedding lookup excluded), as Korthikanti's 72·B·s·l·h²(1 + s/(6h) +
//   V/(12·l·h)); MFU divides by the chip's dense peak in the training format; HFU adds recompute.
// - Efficiency constants: `Calibration.families[...].training` (fitted per chip family on the
//   training cases of Benchmarks/calibration-cases.json).
import Foundation

/// A training estimate: one plan on one cluster, with every number it was made from.
public struct TrainingEstimate: Sendable {
    public var chipID: String
    public var chips: Int
    public var modelName: String
    public var workload: TrainingWorkload
    public var plan: TrainingPlan
    public var corner: Corner
    public var stepSeconds: Double
    public var breakdown: StepBreakdown
    public var tokensPerSecond: Double
    public var tokensPerSecondPerChip: Double
    /// Model FLOPs utilization: `workload.modelFlopsPerStep` (6·N_active·tokens + attention,
    /// no recompute) / (step time x chips x the chip's dense peak in the training format).
    public var mfu: Double
    /// Hardware FLOPs utilization: adds the recomputed forward work.
    public var hfu: Double
    /// Dense peak per chip in the training format, FLOP/s.
    public var peakFlops: Double
    public var memory: TrainingMemory
    /// Days to train `workload.tokenBudget` tokens.
    public var days: Double
    public var layer: LayerCosts
    public var inputs: CandidateInputs
    public var microbatches: Int
    /// Search statistics (0 when the plan was fully given): candidates the search evaluated,
    /// of `searchSpace` in the space (branch and bound prunes the rest, exactly).
    public var candidatesEvaluated: Int
    public var searchSeconds: Double
    /// Runners-up of the search, best first (includes the chosen plan).
    public var top: [RankedPlan]
    public var usesEstimatedSpecs: Bool
    public var calibrationProvenance: String
    /// Assumptions made for spec values the chip lacks.
    public var assumptions: [String] = []
    /// Candidates in the searched plan space (0 when the plan was fully given).
    public var searchSpace: Int = 0
    /// Chips per scale-up domain the estimate used.
    public var scaleUpDomain: Int = 1
    /// Parallel groups of the plan that span more than one scale-up domain ("tp", "cp", "ep"),
    /// costed on the scale-out NICs (`TrainingEstimator.scaleUpCrossings`).
    public var scaleUpCrossings: [String] = []
    /// The estimator's own error on tokens/s per chip for this chip family, from
    /// cross-validation (`ModelErrorBands`): wider for a family with no calibration case.
    public var modelErrorBand: ModelErrorBand = ModelErrorBands.trainingUncalibrated
}

/// No plan fits or no plan is valid: the reason, with memory needed vs available.
public struct TrainingInfeasibleError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var candidatesEvaluated: Int
    public var leastMemoryPlan: TrainingPlan?
    public var neededBytes: Double?
    public var usableBytes: Double?
    public var description: String { message }
}

/// One row of a scaling table.
public struct ScalingRow: Sendable {
    public var chips: Int
    public var plan: TrainingPlan?
    public var tokensPerSecond: Double
    public var tokensPerSecondPerChip: Double
    /// Per-chip throughput relative to the first row.
    public var efficiency: Double
    public var note: String?
}

/// The training estimator: builds the cost model, searches the plan space (or evaluates the
/// given plan), and reports the best plan with its breakdown.
public enum TrainingEstimator {
    /// Checks a plan constraint against the cluster and the model; nil when valid, else the
    /// usage problem (a degree that does not divide the chip count, the heads, the batch, ...).
    public static func validate(_ c: PlanConstraints, workload w: TrainingWorkload, chips: Int) -> String? {
        let m = w.model
        for (name, v) in [("tp", c.tp), ("pp", c.pp), ("dp", c.dp), ("cp", c.cp)] {
            if let v, chips % v != 0 { return "--\(name) \(v) does not divide the chip count \(chips)" }
        }
        // Products in Double: each degree is at most the chip count, their product may not fit an Int.
        let given = [c.tp, c.pp, c.dp, c.cp].compactMap { $0 }
        let fixed = given.reduce(1.0) { $0 * Double($1) }
        if fixed > Double(chips) || chips % Int(fixed) != 0 {
            return "the product of the given parallel degrees (\(given.map(String.init).joined(separator: " x "))) does not divide the chip count \(chips)"
        }
        if c.tp != nil, c.pp != nil, c.dp != nil, fixed != Double(chips) {
            return "tp x pp x dp x cp = \(formatQuantity(fixed)) but the cluster has \(chips) chips"
        }
        if let tp = c.tp, m.heads % tp != 0 { return "--tp \(tp) does not divide the model's \(m.heads) attention heads" }
        if let pp = c.pp, pp > m.layers { return "--pp \(pp) exceeds the model's \(m.layers) layers" }
        if let cp = c.cp, w.sequenceLength % cp != 0 { return "--cp \(cp) does not divide the sequence length \(w.sequenceLength)" }
        if let ep = c.ep, ep > 1 {
            if !m.isMoE { return "--ep \(ep) needs a mixture-of-experts model; \(m.name) is dense" }
            if m.experts % ep != 0 { return "--ep \(ep) does not divide the model's \(m.experts) experts" }
        }
        if let dp = c.dp {
            if dp > w.globalBatch { return "--dp \(dp) exceeds the global batch of \(w.globalBatch) sequences" }
            let perRank = (w.globalBatch + dp - 1) / dp
            if let mb = c.microBatch, perRank % mb != 0 {
                return "--microbatch \(mb) does not divide the \(perRank) sequences per DP rank (global batch \(w.globalBatch) / dp \(dp))"
            }
        }
        if let pp = c.pp, let v = c.virtualStages, pp * v > m.layers { return "pp x virtual stages = \(pp * v) exceeds the \(m.layers) layers" }
        if let v = c.virtualStages, v > 1, c.pp == 1 { return "--virtual-stages \(v) needs --pp > 1" }
        return nil
    }

    /// What the estimator may search and how.
    public struct Options: Sendable {
        public var search: TrainingSearch.Options
        /// Constants instead of the chip family's (the calibration fit and cross-validation).
        public var calibration: FamilyCalibration?
        /// Evaluate only these plans (each exactly, memory checked) and take the fastest that
        /// fits, instead of searching (the roadmap attribution's reduced search).
        public var candidates: [TrainingPlan]?

        public init(search: TrainingSearch.Options = TrainingSearch.Options(), calibration: FamilyCalibration? = nil,
                    candidates: [TrainingPlan]? = nil) {
            self.search = search
            self.calibration = calibration
            self.candidates = candidates
        }
    }

    /// The training estimator's one door: `workload` on `cluster` (one spec corner of one
    /// chip), with the plan fields `constraints` leaves open searched (`TrainingSearch`) and the
    /// best plan evaluated in full. Ranges over a chip's spec corners come from calling it per
    /// corner (`Ranges.evaluate`). Throws `TrainingInfeasibleError` (with the memory needed
    /// against usable when nothing fits), `MissingSpecError` or `UnsupportedFormatError`.
    public static func estimate(_ workload: TrainingWorkload, on cluster: Cluster,
                                constraints: PlanConstraints = PlanConstraints(),
                                options: Options = Options()) throws -> TrainingEstimate {
        let params = cluster.chip, chips = cluster.count
        let model = try TrainingCostModel(workload: workload, cluster: cluster, calibration: options.calibration)
        if let candidates = options.candidates {
            var best: TrainingEstimate?
            for plan in candidates {
                guard let e = evaluate(plan, model: model), e.stepSeconds.isFinite else { continue }
                if best == nil || e.stepSeconds < best!.stepSeconds { best = e }
            }
            guard let best else {
                throw TrainingInfeasibleError(message: "none of the \(candidates.count) candidate plans runs on \(chips) x \(params.id)",
                                              candidatesEvaluated: candidates.count)
            }
            return best
        }
        let result = TrainingSearch.run(model, constraints: constraints, options: options.search)
        guard let best = result.best else {
            if let least = result.leastMemory, least.memoryBytes <= model.scalars.capacityBytes {
                // Fits in memory but has no finite time: a collective cannot run (missing link spec).
                throw TrainingInfeasibleError(
                    message: "no plan can run on \(chips) x \(params.id): " + (model.assumptions.isEmpty ? "every candidate has an unbounded communication time" : model.assumptions.joined(separator: "; ")),
                    candidatesEvaluated: result.candidatesEvaluated)
            }
            if let least = result.leastMemory {
                let usable = model.scalars.capacityBytes
                throw TrainingInfeasibleError(
                    message: "no plan fits in memory on \(chips) x \(params.id): the smallest of \(result.searchSpace) candidates (\(least.plan)) needs \(gb(least.memoryBytes)) GB per chip (weights, optimizer, activations, working set, runtime and collective buffers), \(gb(usable)) GB usable of \(gb(params.memoryCapacityGB.map { $0 * 1e9 } ?? 0)) GB installed",
                    candidatesEvaluated: result.candidatesEvaluated, leastMemoryPlan: least.plan,
                    neededBytes: least.memoryBytes, usableBytes: usable)
            }
            throw TrainingInfeasibleError(
                message: "no valid plan for \(workload.model.name) on \(chips) x \(params.id) under the given constraints (global batch \(workload.globalBatch), \(workload.model.heads) heads, \(workload.model.layers) layers)",
                candidatesEvaluated: 0, leastMemoryPlan: nil, neededBytes: nil, usableBytes: nil)
        }
        guard var est = evaluate(best.plan, model: model) else {
            throw TrainingInfeasibleError(message: "internal: the searched plan \(best.plan) could not be re-evaluated",
                                          candidatesEvaluated: result.candidatesEvaluated)
        }
        est.candidatesEvaluated = result.candidatesEvaluated
        est.searchSpace = result.searchSpace
        est.searchSeconds = result.searchSeconds
        est.top = result.top
        return est
    }

    /// Evaluates one fully specified plan (scalar path). Nil when the plan does not divide the
    /// model or the cluster. The step time is +infinity when it does not fit (unless
    /// `ignoreMemory`, used for the corners of a plan chosen at nominal).
    public static func evaluate(_ plan: TrainingPlan, model: TrainingCostModel, ignoreMemory: Bool = false) -> TrainingEstimate? {
        guard plan.chips == model.chips,
              let layer = model.layerCosts(tp: plan.tp, cp: plan.cp, ep: plan.ep, microBatch: plan.microBatch,
                                           sequenceParallel: plan.sequenceParallel),
              let g = model.group(tp: plan.tp, cp: plan.cp, ep: plan.ep, pp: plan.pp, microBatch: plan.microBatch,
                                  sequenceParallel: plan.sequenceParallel, layer: layer),
              g.dp == plan.dp else { return nil }
        let x = model.inputs(g, virtualStages: plan.virtualStages, recompute: plan.recompute, zero: plan.zeroStage,
                             overlapDP: plan.overlapDataParallel, overlapParamGather: plan.overlapParamGather,
                             overlapTP: plan.overlapTensorParallel, overlapPP: plan.overlapPipelineComm,
                             overlapEP: plan.overlapExpertParallel)
        var k = model.scalars
        if ignoreMemory { k.capacityBytes = .infinity }
        let br = candidateBreakdown(x, k)
        let w = model.workload
        let step = br.total
        let tokens = w.tokensPerStep
        let n = Double(model.chips)
        let peak = model.device.peakFlops
        let mem = model.memory(g, stageLayers: Int(x.stageLayers), virtualStages: plan.virtualStages,
                               recompute: plan.recompute, zero: plan.zeroStage,
                               overlapExpertParallel: plan.overlapExpertParallel && plan.ep > 1)
        let tps = tokens / step
        return TrainingEstimate(
            chipID: model.chip.id, chips: model.chips, modelName: w.model.name, workload: w, plan: plan,
            corner: model.chip.corner, stepSeconds: step, breakdown: br, tokensPerSecond: tps, tokensPerSecondPerChip: tps / n,
            mfu: w.modelFlopsPerStep / (step * n * peak), hfu: w.hardwareFlopsPerStep(recompute: plan.recompute) / (step * n * peak),
            peakFlops: peak,
            memory: mem,
            days: w.tokenBudget / tps / 86400, layer: layer, inputs: x, microbatches: g.microbatches,
            candidatesEvaluated: 0, searchSeconds: 0, top: [],
            usesEstimatedSpecs: model.chip.usesEstimates, calibrationProvenance: model.calibration.provenance,
            assumptions: model.assumptions, scaleUpDomain: model.domainSize,
            scaleUpCrossings: scaleUpCrossings(plan, domain: model.domainSize),
            modelErrorBand: ModelErrorBands.training(family: model.chip.family))
    }

    /// The parallel groups of `plan` that cross the scale-up domain of `domain` chips, with
    /// ranks laid out TP, CP, EP (inside DP), DP, PP: TP when tp > domain, CP when tp·cp >
    /// domain, EP when tp·cp·ep > domain. Their collectives run hierarchically and pay the
    /// scale-out NICs for what leaves the domain (`ClusterNetwork`), and a crossing TP group
    /// gets no comm-GEMM overlap (`TrainingCostModel.tensorParallelOverlapPossible`). DP and PP
    /// are expected to cross and are not flagged.
    public static func scaleUpCrossings(_ plan: TrainingPlan, domain: Int) -> [String] {
        var out: [String] = []
        if plan.tp > domain { out.append("tp") }
        if plan.cp > 1 && plan.tp * plan.cp > domain { out.append("cp") }
        if plan.ep > 1 && plan.tp * plan.cp * plan.ep > domain { out.append("ep") }
        return out
    }

    /// One line on the crossings, nil when there are none: "TP16 crosses the 8-chip scale-up
    /// domain (its collectives run over the scale-out NICs, without comm-GEMM overlap)".
    public static func crossingNote(_ e: TrainingEstimate) -> String? {
        guard !e.scaleUpCrossings.isEmpty else { return nil }
        let p = e.plan
        let names = e.scaleUpCrossings.map { g -> String in
            switch g {
            case "tp": return "TP\(p.tp)"
            case "cp": return "CP\(p.cp)"
            default: return "EP\(p.ep)"
            }
        }
        let tpNote = e.scaleUpCrossings.contains("tp") ? ", TP without comm-GEMM overlap" : ""
        return "\(names.joined(separator: ", ")) \(names.count == 1 ? "crosses" : "cross") the \(e.scaleUpDomain)-chip scale-up domain (collectives over the scale-out NICs\(tpNote))"
    }

    /// Throughput from one scale-up domain up to `cluster.count` chips (doubling), each with
    /// its own best plan for the same global batch (strong scaling); efficiency is per-chip
    /// throughput relative to the first row.
    public static func scaling(_ workload: TrainingWorkload, on cluster: Cluster, constraints: PlanConstraints = PlanConstraints(),
                               options: Options = Options()) -> [ScalingRow] {
        let chips = cluster.count
        var counts: [Int] = []
        var c = min(cluster.scaleUpDomain, chips)
        while c < chips { counts.append(c); c *= 2 }
        counts.append(chips)
        // One independent search per chip count, in parallel (results in order).
        let sink = ProgressSink.current
        let outcomes = parallelMap(counts) { n -> Result<TrainingEstimate, Error> in
            defer { sink?.report() }
            var cons = constraints
            cons.dp = nil // DP follows the chip count
            return Result { try estimate(workload, on: cluster.with(count: n), constraints: cons, options: options) }
        }
        var rows: [ScalingRow] = []
        var base: Double?
        for (n, outcome) in zip(counts, outcomes) {
            do {
                let e = try outcome.get()
                if base == nil { base = e.tokensPerSecondPerChip }
                rows.append(ScalingRow(chips: n, plan: e.plan, tokensPerSecond: e.tokensPerSecond,
                                       tokensPerSecondPerChip: e.tokensPerSecondPerChip,
                                       efficiency: base.map { e.tokensPerSecondPerChip / $0 } ?? 1, note: nil))
            } catch let e as TrainingInfeasibleError {
                let note = e.neededBytes.map { "does not fit: needs \(gb($0)) GB per chip, \(gb(e.usableBytes ?? 0)) GB usable" }
                    ?? "no valid plan"
                rows.append(ScalingRow(chips: n, plan: nil, tokensPerSecond: 0, tokensPerSecondPerChip: 0, efficiency: 0, note: note))
            } catch {
                rows.append(ScalingRow(chips: n, plan: nil, tokensPerSecond: 0, tokensPerSecondPerChip: 0, efficiency: 0,
                                       note: "\(error)"))
            }
        }
        return rows
    }

    /// Explanation lines of an estimate (for `validate --explain` and `estimate`).
    public static func explain(_ e: TrainingEstimate, ranges: RangedEstimate<TrainingEstimate>? = nil) -> [String] {
        let b = e.breakdown
        func ms(_ x: Double) -> String { formatQuantity(x * 1e3) + " ms" }
        func pct(_ x: Double) -> String { formatQuantity(x * 100) + "%" }
        let w = e.workload
        var out: [String] = []
        out.append("\(e.modelName) on \(e.chips) x \(e.chipID) (\(w.precision.rawValue)), seq \(w.sequenceLength), global batch \(w.globalBatch)")
        out.append("plan: \(e.plan) (\(e.microbatches) microbatches per step)")
        if e.candidatesEvaluated > 0 {
            out.append("search: \(e.candidatesEvaluated) of \(e.searchSpace) candidates in \(formatQuantity(e.searchSeconds * 1e3)) ms")
        }
        out.append("step \(formatQuantity(e.stepSeconds)) s = forward \(ms(b.forward)) + backward \(ms(b.backward)) + recompute \(ms(b.recompute)) + bubble \(ms(b.bubble)) + TP \(ms(b.tpExposed)) + PP \(ms(b.ppExposed)) + DP \(ms(b.dpExposed)) + EP \(ms(b.epExposed)) + CP \(ms(b.cpExposed)) + optimizer \(ms(b.optimizer)) + overhead \(ms(b.overhead))")
        let l = e.layer
        out.append("per layer per microbatch: forward \(ms(l.forwardSeconds)) (GEMM \(ms(l.gemmSeconds)), attention \(ms(l.attentionCoreSeconds)), element-wise \(ms(l.elementwiseSeconds))), \(formatQuantity(l.forwardFlops / 1e9)) GFLOP; TP comm/pass \(ms(l.tpCommSeconds)); embedding+logits \(ms(l.embeddingLogitsSeconds))")
        out.append("tokens/s \(formatQuantity(e.tokensPerSecond)) total, \(formatQuantity(e.tokensPerSecondPerChip)) per chip; MFU \(pct(e.mfu)), HFU \(pct(e.hfu)) (model FLOPs 6·N·tokens + attention; peak \(formatQuantity(e.peakFlops / 1e12)) TFLOP/s dense \(w.precision.rawValue))")
        let m = e.memory
        out.append("memory per chip \(gb(m.total)) GB of \(gb(m.usable)) usable (\(gb(m.capacity)) installed): weights \(gb(m.weights)), gradients \(gb(m.gradients)), optimizer \(gb(m.optimizer)), activations \(gb(m.activations)) (\(m.inFlightChunks) chunks x \(formatQuantity(m.layersPerChunk)) layers x \(formatQuantity(m.perLayerActivations / 1e6)) MB), working set \(gb(m.workingSet)), fragmentation \(gb(m.fragmentation)), reserve \(gb(m.reserve)) (runtime + \(m.communicators) communicators)")
        out.append("days for \(formatQuantity(w.tokenBudget / 1e12)) T tokens: \(formatQuantity(e.days))")
        if let ranges, !ranges.corners.isEmpty {
            let step = ranges.range(\.stepSeconds), perChip = ranges.range(\.tokensPerSecondPerChip)
            var line = "range (spec corners, each searched): step \(formatQuantity(step.low))-\(formatQuantity(step.high)) s, tokens/s/chip \(formatQuantity(perChip.low))-\(formatQuantity(perChip.high))"
            for c in ranges.corners { if let p = try? c.outcome.get().plan, p != e.plan { line += "; \(c.corner.rawValue) corner plan \(p)" } }
            out.append(line)
            for u in step.unavailable { out.append("range: \(u)") }
        }
        if let note = crossingNote(e) { out.append("scale-up: " + note) }
        let band = e.modelErrorBand
        let perChip = ranges?.range(\.tokensPerSecondPerChip)
        let truth = band.trueRange(low: perChip?.low ?? e.tokensPerSecondPerChip, high: perChip?.high ?? e.tokensPerSecondPerChip)
        out.append("model error: \(formatSignedPercent(band.low)) to \(formatSignedPercent(band.high)) on tokens/s/chip (\(band.basis)): \(formatQuantity(truth.low))-\(formatQuantity(truth.high)) tokens/s/chip with model error")
        out.append("calibration: \(e.calibrationProvenance)")
        for a in e.assumptions { out.append("assumption: \(a)") }
        return out
    }
}

func gb(_ bytes: Double) -> String { formatQuantity(bytes / 1e9) }

