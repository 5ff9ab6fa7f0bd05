/// Estimates training measurement cases (`stepTimeSeconds`, `tokensPerSecondPerChip`):
/// the given plan fields are held fixed and the absent ones searched.
public struct TrainingCaseEstimator: CaseEstimating {
    public var options: TrainingSearch.Options
    public var calibration: FamilyCalibration?

    public init(options: TrainingSearch.Options = TrainingSearch.Options(), calibration: FamilyCalibration? = nil) {
        self.options = options
        self.calibration = calibration
    }

    public func estimate(_ c: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate {
        guard c.kind == .training else { throw TrainingInfeasibleError(message: "not a training case", candidatesEvaluated: 0) }
        if c.groups != nil { return try MixedCaseEstimation.estimate(c, catalog: catalog, zoo: zoo) }
        let chip = ChipParameters(chip: try catalog.chip(c.chip))
        let model = try c.resolveModel(in: zoo)
        guard model.isDecoder else {
            throw TrainingInfeasibleError(message: "the training estimator models decoder transformers; \(model.name) is \(model.architecture.rawValue)", candidatesEvaluated: 0)
        }
        guard let s = c.sequenceLength, let b = c.globalBatch else {
            throw TrainingInfeasibleError(message: "a training case needs sequenceLength and globalBatch", candidatesEvaluated: 0)
        }
        let w = TrainingWorkload(model: model, sequenceLength: s, globalBatch: b, precision: c.precision)
        if let problem = TrainingEstimator.validate(c.plan, workload: w, chips: c.chipCount) {
            throw TrainingInfeasibleError(message: problem, candidatesEvaluated: 0)
        }
        let e = try TrainingEstimator.estimate(w, on: Cluster(chip: chip, count: c.chipCount, scaleUpDomain: c.scaleUpDomain),
                                               constraints: c.plan,
                                               options: TrainingEstimator.Options(search: options, calibration: calibration))
        let value: Double
        switch c.metric {
        case .stepTimeSeconds: value = e.stepSeconds
        case .tokensPerSecondPerChip: value = e.tokensPerSecondPerChip
        default: throw TrainingInfeasibleError(message: "metric \(c.metric.rawValue) is not a training metric", candidatesEvaluated: 0)
        }
        // A measured step has no token budget: the "days for N T tokens" line is left out.
        var estimate = CaseEstimate(value: value, plan: e.plan.jsonMembers, explanation: TrainingEstimator.explain(e).filter { !$0.hasPrefix("days for ") },
                                    usesEstimatedSpecs: e.usesEstimatedSpecs)
        estimate.planLabel = e.plan.description
        return estimate
    }
}

extension TrainingInfeasibleError {
    init(message: String, candidatesEvaluated: Int) {
        self.init(message: message, candidatesEvaluated: candidatesEvaluated, leastMemoryPlan: nil, neededBytes: nil, usableBytes: nil)
    }
}
