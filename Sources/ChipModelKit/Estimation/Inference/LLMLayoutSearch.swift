/// How much of the LLM serving search was evaluated: layouts (tp x pp x ep x attention) and
/// layout x batch points, each against the size of the searched space.
public struct InferenceSearchEffort: Sendable, Equatable {
    /// Layouts the constraints allow.
    public var layouts: Int
    /// Layouts that fit in memory and have the network their collectives need (each gets an
    /// upper bound from its decode step alone).
    public var layoutsBounded: Int
    /// Layouts evaluated in full (prefill chunk, prompt latency and the batch sweep).
    public var layoutsEvaluated: Int
    /// Layout x batch points of the fitting layouts, and those evaluated in full.
    public var points: Int
    public var pointsEvaluated: Int

    public var line: String {
        "search: \(layoutsEvaluated) of \(layouts) layouts evaluated in full (\(layoutsBounded) bounded from the decode step alone), \(pointsEvaluated) of \(points) layout x batch points"
    }
}

/// The LLM serving search over layouts and batches, exact by branch and bound.
///
/// Every layout that fits gets an admissible upper bound on its score from its decode step
/// alone: the batch sweep with the prompt's share left out (prefill per sequence = 0, prefill
/// latency = 0). Leaving a non-negative term out of TPOT and TTFT can only lower them, so the
/// relaxed sweep admits every batch the true one admits and rates each at least as high
/// (tokens/s = B / TPOT); in floating point too, since adding a non-negative number and
/// dividing by a larger one are monotone. Single-stream: the latency without the prompt's
/// prefill. Layouts are then evaluated in full (two prefill roofline passes and the sweep, the
/// bulk of the work) in the order of their bounds, and the search stops when no remaining
/// bound can beat the best score (ties keep the layout full enumeration keeps: the first in
/// `llmLayouts` order). `exhaustive` evaluates every layout in order (the reference).
/// Prefill-phase estimates have no bound cheaper than the prefill itself and are enumerated.
struct LLMLayoutSearch {
    /// A layout that fits, with its serving model: what its bound and its full evaluation read.
    struct Candidate {
        /// Position in `llmLayouts` order (ties go to the lower).
        var index: Int
        var layout: InferenceEstimator.LLMLayout
        var model: LLMServingModel
        /// Concurrent sequences the KV cache admits with every sequence's whole length reserved
        /// (`reservedTokens`); a given batch above it that fits at the mean context is kept.
        var kvMax: Int
        var replicas: Int
    }

    /// A layout before the search: it fits, or why it does not.
    enum Prepared {
        case fits(Candidate)
        case missingNetwork(key: String)
        case doesNotFit(need: Double, have: Double)
    }

    /// One layout evaluated in full.
    struct Scored {
        var candidate: Candidate
        var chunkSeqs: Int
        /// Occupancy and latency of one prefill chunk and of one prompt alone (no lines).
        var chunk: (latency: Double, occupancy: Double)
        var single: (latency: Double, occupancy: Double)
        /// Decode and both phases: the sweep, the scheduler cap and the chosen batch.
        var sweep: BatchSweep?
        var cap: Int
        var batch: Int
        var score: Double
    }

    struct Result {
        /// The `keep` highest-scoring layouts, best first (ties: enumeration order). The server
        /// scenario queue-rates them all.
        var top: [Scored] = []
        var best: Scored? { top.first }
        var effort: InferenceSearchEffort
        var missingKey: String?
        var smallestNeed: (need: Double, have: Double, plan: String)?
        /// Layouts whose weights, workspace and KV cache fit in memory (met the bounds or not).
        var fittingLayouts = 0
    }

    let w: InferenceWorkload
    let chip: ChipParameters
    let chips: Int
    let constraints: PlanConstraints
    let batch: Int?
    /// Serving constants instead of the chip family's (a validation refit), else nil.
    let calibration: InferenceFamilyCalibration?
    let input: Int
    let output: Double
    let context: Double
    /// KV tokens the scheduler reserves per admitted sequence: its whole length, input +
    /// output. TensorRT-LLM's default capacity scheduler (`GUARANTEED_NO_EVICT`) admits a
    /// request only when blocks for its prompt and all its `max_tokens` are free, so a running
    /// batch never needs eviction; the KV read per step is still the mean `context`. A runtime
    /// that allocates on demand and preempts (vLLM, TensorRT-LLM's `MAX_UTILIZATION`, which
    /// the MLPerf harnesses use) holds about the mean context instead: a case's given batch
    /// that fits only that way is kept (it ran) and said in the breakdown.
    let reservedTokens: Double
    let accepted: Double
    let tpotBound: Double?
    let ttftBound: Double?
    var singleStream: Bool { w.scenario == .singleStream }

    init(_ w: InferenceWorkload, chip: ChipParameters, chips: Int, constraints: PlanConstraints, batch: Int?,
         calibration: InferenceFamilyCalibration? = nil) {
        self.w = w
        self.chip = chip
        self.chips = chips
        self.constraints = constraints
        self.batch = batch
        self.calibration = calibration
        input = max(1, w.inputTokens)
        output = Double(max(1, w.outputTokens))
        // Paged KV cache: in steady state a running sequence holds its mean context.
        context = Double(input) + Double(w.outputTokens) / 2
        reservedTokens = Double(input) + Double(w.outputTokens)
        accepted = w.speculative?.acceptedTokensPerStep ?? 1
        let server = w.scenario == .server
        tpotBound = server ? (w.tpotBoundMs ?? StandardRunDefaults.serverTPOTBoundMs) / 1e3 : w.tpotBoundMs.map { $0 / 1e3 }
        ttftBound = server ? (w.ttftBoundMs ?? StandardRunDefaults.serverTTFTBoundMs) / 1e3 : w.ttftBoundMs.map { $0 / 1e3 }
    }

    /// Concurrent sequences per replica the scheduler and the KV cache allow.
    func cap(kvMax: Int, layout l: InferenceEstimator.LLMLayout) -> Int {
        // Each data-parallel attention rank runs its own scheduler.
        min(kvMax, InferenceCalibration.maxScheduledBatch * (l.dp ? l.tp : 1))
    }

    func batchCandidates(cap: Int) -> [Int] {
        if let batch { return [batch] }
        if singleStream { return [1] }
        return BatchSweep.candidates(maxBatch: max(1, cap))
    }

    /// Layout `l` (at `index` in `llmLayouts` order) with its serving model, if it fits.
    func prepare(_ index: Int, _ l: InferenceEstimator.LLMLayout, scaleUpDomain: Int?, fabric: ScaleUpFabric?) throws -> Prepared {
        let m = try LLMServingModel(model: w.model, chip: chip, precision: w.precision, kvPrecision: w.kvPrecision,
                                    tp: l.tp, pp: l.pp, ep: l.ep, scaleUpDomain: scaleUpDomain, emulate: w.emulate, dpAttention: l.dp,
                                    computePrecision: w.computePrecision, speculative: w.speculative, fabric: fabric,
                                    twoBatchOverlap: constraints.twoBatchOverlap ?? InferenceCalibration.twoBatchOverlapByDefault,
                                    calibration: calibration)
        if let key = m.missingNetworkKey { return .missingNetwork(key: key) }
        // A given batch must fit at the mean context (on-demand paging); a searched one is capped
        // by the whole-length reservation (`reservedTokens`), at least one sequence.
        let onDemand = m.maxBatch(tokensPerSequence: context)
        if onDemand < (batch ?? 1) {
            return .doesNotFit(need: m.weightsBytes + m.workspaceBytes + context * m.kvBytesPerToken * Double(batch ?? 1),
                               have: m.capacityBytes)
        }
        let kvMax = max(1, m.maxBatch(tokensPerSequence: reservedTokens))
        return .fits(Candidate(index: index, layout: l, model: m, kvMax: kvMax,
                               replicas: constraints.replicas ?? max(1, chips / (l.tp * l.pp))))
    }

    /// The batch candidates of a layout that fits.
    func batchCandidates(_ c: Candidate) -> [Int] { batchCandidates(cap: cap(kvMax: c.kvMax, layout: c.layout)) }

    /// Upper bound on the score of a layout (see the type's comment), or nil when even the
    /// relaxed sweep admits no batch (then the true one admits none either).
    func upperBound(_ c: Candidate, cands: [Int]) -> Double? {
        let m = c.model
        let relaxed = BatchSweep(decode: m.decode, context: context, outputTokens: output, prefillPerSequenceSeconds: 0,
                                 prefillLatencySeconds: 0, acceptedTokensPerStep: accepted)
        guard let idx = relaxed.best(candidates: cands, tpotBound: tpotBound, ttftBound: ttftBound) else { return nil }
        let bound: Double
        if singleStream {
            let tpot = m.decode.stepSeconds(batch: 1, context: context) / accepted
            bound = -(0 + Double(max(0, w.outputTokens - 1)) * tpot)
        } else {
            bound = relaxed.evaluate(batch: Double(cands[idx])).tokensPerSecond * Double(c.replicas)
        }
        return bound.isNaN ? .infinity : bound
    }

    /// The layout evaluated in full, or nil when no batch meets the bounds.
    func evaluate(_ candidate: Candidate) -> Scored? {
        let l = candidate.layout, m = candidate.model, replicas = candidate.replicas
        // Each data-parallel attention rank (each die of a multi-die package) fills its own
        // prefill chunk: a DP replica's prefill iteration holds ranks x one chunk.
        let dpRanks = l.dp ? l.tp * max(1, chip.devicesPerPackage) : 1
        let chunkSeqs = max(1, InferenceCalibration.prefillChunkTokens / input) * dpRanks
        let c = m.prefillSeconds(sequences: chunkSeqs, length: input)
        let s = m.prefillSeconds(sequences: 1, length: input)
        let cap = cap(kvMax: candidate.kvMax, layout: l)
        var out = Scored(candidate: candidate, chunkSeqs: chunkSeqs,
                         chunk: (c.latency, c.occupancy), single: (s.latency, s.occupancy), sweep: nil, cap: cap, batch: chunkSeqs, score: 0)
        if w.phase == .prefill {
            let prompts = Double(replicas) * Double(chunkSeqs) / max(c.occupancy, 1e-300)
            out.score = prompts * Double(input)
            return out
        }
        // Decode-only measurements exclude prefill: no prompt share in the iteration.
        let sweep = BatchSweep(decode: m.decode, context: context, outputTokens: output,
                               prefillPerSequenceSeconds: w.phase == .decode ? 0 : c.occupancy / Double(chunkSeqs),
                               prefillLatencySeconds: s.latency, acceptedTokensPerStep: accepted)
        let cands = batchCandidates(cap: cap)
        guard let idx = sweep.best(candidates: cands, tpotBound: tpotBound, ttftBound: ttftBound) else { return nil }
        let b = cands[idx]
        let p = sweep.evaluate(batch: Double(b))
        if singleStream {
            let tpot = m.decode.stepSeconds(batch: 1, context: context) / accepted
            out.score = -(s.latency + Double(max(0, w.outputTokens - 1)) * tpot)
        } else {
            out.score = p.tokensPerSecond * Double(replicas)
        }
        out.sweep = sweep
        out.batch = b
        return out
    }

    /// Runs the search over `layouts` (branch and bound unless `exhaustive`), keeping the
    /// `keep` best layouts: a layout is skipped once its bound cannot beat the keep-th best.
    func run(layouts: [InferenceEstimator.LLMLayout], scaleUpDomain: Int?, fabric: ScaleUpFabric?,
             exhaustive: Bool, keep: Int = 1) throws -> Result {
        struct Bounded {
            var candidate: Candidate
            var bound: Double
            var points: Int
        }
        var result = Result(effort: InferenceSearchEffort(layouts: layouts.count, layoutsBounded: 0, layoutsEvaluated: 0,
                                                                     points: 0, pointsEvaluated: 0))
        var open: [Bounded] = []
        for (i, l) in layouts.enumerated() {
            let c: Candidate
            switch try prepare(i, l, scaleUpDomain: scaleUpDomain, fabric: fabric) {
            case let .missingNetwork(key):
                result.missingKey = result.missingKey ?? key
                continue
            case let .doesNotFit(need, have):
                if result.smallestNeed == nil || need < result.smallestNeed!.need { result.smallestNeed = (need, have, "tp \(l.tp) pp \(l.pp)") }
                continue
            case let .fits(fit): c = fit
            }
            result.fittingLayouts += 1
            let cands = batchCandidates(c)
            let points = cands.count
            result.effort.points += points
            if exhaustive || w.phase == .prefill {
                open.append(Bounded(candidate: c, bound: .infinity, points: points))
                continue
            }
            guard let bound = upperBound(c, cands: cands) else { continue }
            result.effort.layoutsBounded += 1
            open.append(Bounded(candidate: c, bound: bound, points: points))
        }
        // Highest bound first; equal bounds in enumeration order (stable). Indices are sorted,
        // not the layouts (each holds its whole serving model).
        var order = Array(open.indices)
        if !exhaustive { order.sort { open[$0].bound != open[$1].bound ? open[$0].bound > open[$1].bound : $0 < $1 } }
        // Better: a higher score, or the same score earlier in enumeration order.
        func better(_ a: Scored, _ b: Scored) -> Bool { a.score > b.score || (a.score == b.score && a.candidate.index < b.candidate.index) }
        let keep = max(1, keep)
        for k in order {
            let o = open[k]
            if result.top.count == keep, let b = result.top.last,
               o.bound < b.score || (o.bound == b.score && o.candidate.index > b.candidate.index) {
                // Sorted by bound: nothing after this can beat the keep-th best either, unless it
                // ties the bound with an earlier index (not possible: equal bounds are in index order).
                break
            }
            result.effort.layoutsEvaluated += 1
            result.effort.pointsEvaluated += o.points
            guard let s = evaluate(o.candidate) else { continue }
            if result.top.count == keep, let last = result.top.last, !better(s, last) { continue }
            let at = result.top.firstIndex { better(s, $0) } ?? result.top.count
            result.top.insert(s, at: at)
            if result.top.count > keep { result.top.removeLast() }
        }
        return result
    }
}
