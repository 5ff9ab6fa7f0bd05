import Foundation

extension RoadmapWorkload {
    /// The roadmap's standard workloads on the real estimators (see `StandardTraining` and
    /// `StandardInference` for their definitions): training tokens/s per chip and inference
    /// tokens/s of the whole 8-chip system.
    ///
    /// Training ranges: a part's nominal corner runs the full plan search; its low and high
    /// corners re-rank that search's best plans at the corner (a full search when none fits).
    ///
    /// Attribution runs the workload on many hybrid chips (about ten per step and workload).
    /// The inference estimator's search is small and runs in full. The training plan search
    /// (~10^5 candidates) is replaced for the hybrids by a reduced search: only the
    /// `attributionCandidates` best plans of each endpoint part's full search are evaluated
    /// (exactly, memory checked) and the fastest that fits is taken. The endpoints' values are
    /// the full search's (their own best plan is among the candidates and beats the other's),
    /// so the steps still sum to the whole change.
    public static func estimatorDefaults(model: ModelSpec, training: StandardTraining? = nil,
                                         inference: StandardInference? = nil, attributionCandidates: Int = 5) -> [RoadmapWorkload] {
        let train = training ?? StandardTraining(model: model)
        let infer = inference ?? StandardInference(model: model)
        let k = max(1, attributionCandidates)
        let memo = TrainingMemo()
        // A part's nominal corner runs the full search (remembered); its low and high corners
        // re-rank that search's best plans (as `whatif` does; `estimate` keeps the nominal plan).
        @Sendable func full(_ p: ChipParameters) throws -> TrainingEstimate {
            if let e = memo.find(p) { return e }
            let e = try train.estimate(p)
            memo.add(p, e)
            return e
        }
        var t = RoadmapWorkload(name: "training", unit: "training tokens/s per chip", label: train.label) { p in
            if p.corner != .nominal, let n = memo.nominal(of: p.id),
               let e = try? train.estimate(p, candidates: Array(n.top.prefix(k).map(\.plan)) + [n.plan]) {
                return e.tokensPerSecondPerChip
            }
            // No nominal search yet, or none of its plans fits this corner: search in full.
            return try full(p).tokensPerSecondPerChip
        }
        t.attribution = { a, b in
            var plans: [TrainingPlan] = []
            let ea = try full(a), eb = try full(b)
            for e in [ea, eb] {
                for r in e.top.prefix(k) where !plans.contains(r.plan) { plans.append(r.plan) }
                if !plans.contains(e.plan) { plans.append(e.plan) }
            }
            let candidates = plans
            let (va, vb) = (ea.tokensPerSecondPerChip, eb.tokensPerSecondPerChip)
            return { p in
                // The endpoints keep their full search's value (the table's).
                if p == a { return va }
                if p == b { return vb }
                return try train.estimate(p, candidates: candidates).tokensPerSecondPerChip
            }
        }
        let i = RoadmapWorkload(name: "inference", unit: "inference tokens/s (\(infer.chips) chips)", label: infer.label) { p in
            let e = try infer.estimate(p)
            guard let tps = e.tokensPerSecond else { throw DoesNotFitError("\(infer.model.id) is not a decoder LLM") }
            return tps
        }
        return [t, i]
    }
}

/// Full-search training estimates already made in one roadmap run, by parameters.
final class TrainingMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(ChipParameters, TrainingEstimate)] = []

    func find(_ p: ChipParameters) -> TrainingEstimate? {
        lock.lock(); defer { lock.unlock() }
        return entries.first { $0.0 == p }?.1
    }

    /// The nominal-corner estimate of the part with this id.
    func nominal(of id: String) -> TrainingEstimate? {
        lock.lock(); defer { lock.unlock() }
        return entries.first { $0.0.id == id && $0.0.corner == .nominal }?.1
    }

    func add(_ p: ChipParameters, _ e: TrainingEstimate) {
        lock.lock(); defer { lock.unlock() }
        entries.append((p, e))
    }
}
