/// Estimates inference measurement cases (Benchmarks/CASES.md): honours the case's plan fields and batch,
/// searches the rest, and returns the metric the case measured with the full breakdown.
public struct InferenceCaseEstimator: CaseEstimating {
    public init() {}

    public func estimate(_ c: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate {
        guard c.kind == .inference else { throw DoesNotFitError("case \(c.id) is not an inference case") }
        let chip = ChipParameters(chip: try catalog.chip(c.chip))
        let model = try c.resolveModel(in: zoo)
        let scenario = c.scenario ?? .offline
        let input = c.inputTokens ?? (model.architecture == .bert ? 384 : 0)
        let w = InferenceWorkload(model: model, scenario: scenario, inputTokens: input, outputTokens: c.outputTokens ?? 0,
                                  precision: c.precision, ttftBoundMs: c.ttftBoundMs, tpotBoundMs: c.tpotBoundMs)
        let e = try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: c.chipCount, scaleUpDomain: c.scaleUpDomain),
                                                constraints: c.plan, options: InferenceEstimator.Options(batch: c.batch))
        let value: Double?
        switch c.metric {
        case .tokensPerSecond: value = e.tokensPerSecond
        case .samplesPerSecond: value = e.samplesPerSecond
        case .ttftMs: value = e.ttftMs
        case .tpotMs: value = e.tpotMs
        case .latencyMs: value = e.latencyMs
        case .stepTimeSeconds, .tokensPerSecondPerChip: value = nil
        }
        guard let value, value.isFinite else {
            throw DoesNotFitError("metric \(c.metric.rawValue) does not apply to \(model.id) (\(model.architecture.rawValue))")
        }
        var lines = e.explanation
        if !e.calibrated { lines.append("note: family '\(chip.family)' has no inference calibration case; prior inference constants used") }
        if !Calibration.isCalibrated(chip.family) { lines.append("note: roofline fractions for '\(chip.family)' are the documented prior (Calibration.default)") }
        return CaseEstimate(value: value, plan: e.plan.json, explanation: lines, usesEstimatedSpecs: e.usesEstimatedSpecs)
    }
}
