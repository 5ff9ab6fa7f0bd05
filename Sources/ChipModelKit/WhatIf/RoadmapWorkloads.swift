import Foundation

extension RoadmapWorkload {
    /// The roadmap's standard workloads on the real estimators (see `TrainingRun` and
    /// `InferenceRun` for their definitions): training tokens/s per chip and inference tokens/s
    /// of the whole 8-chip system.
    ///
    /// Ranges follow the one range policy (`Ranges`): every corner of a part runs the full
    /// plan search, as in `estimate` and `whatif`.
    ///
    /// Attribution runs the workload on many hybrid chips (about ten per step and workload).
    /// The inference estimator's search is small and runs in full. The training plan search
    /// (~10^5 candidates) is replaced for the hybrids by a reduced search: only the
    /// `attributionCandidates` best plans of each endpoint part's full search are evaluated
    /// (exactly, memory checked) and the fastest that fits is taken. The endpoints' values are
    /// the full search's (their own best plan is among the candidates and beats the other's),
    /// so the steps still sum to the whole change.
    public static func estimatorDefaults(model: ModelSpec, training: TrainingRun? = nil,
                                         inference: InferenceRun? = nil, attributionCandidates: Int = 5) -> [RoadmapWorkload] {
        let train = training ?? TrainingRun(model: model)
        let infer = inference ?? InferenceRun(model: model)
        let k = max(1, attributionCandidates)
        let memo = TrainingMemo()
        // Full searches made in this run, remembered by parameters (the attribution's endpoints
        // are the parts' nominal corners, already searched for the table).
        @Sendable func full(_ p: ChipParameters) throws -> TrainingEstimate {
            if let e = memo.find(p) { return e }
            let e = try train.estimate(p)
            memo.add(p, e)
            return e
        }
        var t = RoadmapWorkload(name: "training", unit: "training tokens/s per chip", label: train.label) { p in
            try full(p).tokensPerSecondPerChip
        }
        t.modelError = { ModelErrorBands.training(family: $0.family) }
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
        var i = RoadmapWorkload(name: "inference", unit: "inference tokens/s (\(infer.chips) chips)", label: infer.label) { p in
            let e = try infer.estimate(p)
            guard let tps = e.tokensPerSecond else { throw DoesNotFitError("\(infer.model.id) is not a decoder LLM") }
            return tps
        }
        i.modelError = { InferenceModelErrorBands.band(family: $0.family) }
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

    func add(_ p: ChipParameters, _ e: TrainingEstimate) {
        lock.lock(); defer { lock.unlock() }
        entries.append((p, e))
    }
}
