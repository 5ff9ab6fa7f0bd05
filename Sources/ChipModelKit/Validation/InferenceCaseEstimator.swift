/// Estimates inference measurement cases (Benchmarks/CASES.md): honours the case's plan fields and batch,
/// searches the rest, and returns the metric the case measured with the full breakdown.
public struct InferenceCaseEstimator: CaseEstimating {
    /// Estimate every chip as a family without calibration cases would be: the prior inference
    /// and roofline constants (`InferenceModelErrorBandFit` measures the uncalibrated band so).
    public var asUncalibratedFamily: Bool
    /// Serving constants to estimate with instead of the chip family's (a validation refit).
    public var calibrationOverride: InferenceFamilyCalibration?

    public init(asUncalibratedFamily: Bool = false, calibrationOverride: InferenceFamilyCalibration? = nil) {
        self.asUncalibratedFamily = asUncalibratedFamily
        self.calibrationOverride = calibrationOverride
    }

    /// The family name a chip takes with `asUncalibratedFamily`: no table knows it.
    public static let uncalibratedFamily = "(uncalibrated: prior constants)"

    public func estimate(_ c: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate {
        guard c.kind == .inference else { throw DoesNotFitError("case \(c.id) is not an inference case") }
        var chip = ChipParameters(chip: try catalog.chip(c.chip))
        if asUncalibratedFamily { chip.family = Self.uncalibratedFamily }
        let model = try c.resolveModel(in: zoo)
        let scenario = c.scenario ?? .offline
        let input = c.inputTokens ?? (model.architecture == .bert ? 384 : 0)
        if let s = c.speculative, !model.isDecoder {
            throw DoesNotFitError("workload.speculative (\(s.method.rawValue)) applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model")
        }
        if c.phase != .both, !model.isDecoder {
            throw DoesNotFitError("workload.phase '\(c.phase.rawValue)' applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model")
        }
        if c.interactive, !model.isDecoder {
            throw DoesNotFitError("workload.scenario 'interactive' applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model")
        }
        let given = InferenceWorkload(model: model, scenario: scenario, inputTokens: input, outputTokens: c.outputTokens ?? 0,
                                      precision: c.precision, ttftBoundMs: c.ttftBoundMs, tpotBoundMs: c.tpotBoundMs,
                                      emulate: c.emulate, phase: c.phase, speculative: c.speculative)
        // Server bounds not given: the model's MLPerf rule (interactive: its interactive rule).
        guard let w = given.withServerBounds(interactive: c.interactive) else {
            throw DoesNotFitError("workload.scenario 'interactive': \(MLPerfServerRules.noInteractiveRule(modelID: model.id)); give workload.latency")
        }
        let e = try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: c.chipCount, scaleUpDomain: c.scaleUpDomain),
                                                constraints: c.plan,
                                                options: InferenceEstimator.Options(batch: c.batch, calibration: calibrationOverride))
        let value: Double?
        switch c.metric {
        case .tokensPerSecond: value = e.tokensPerSecond
        case .samplesPerSecond: value = e.samplesPerSecond
        case .ttftMs: value = e.ttftMs
        case .tpotMs: value = e.tpotMs
        case .latencyMs: value = e.latencyMs
        case .tokensPerSecondPerChip: value = e.tokensPerSecondPerChip
        case .inputTokensPerSecond: value = e.inputTokensPerSecond
        case .stepTimeSeconds: value = nil
        }
        guard let value, value.isFinite else {
            throw DoesNotFitError("metric \(c.metric.rawValue) is not estimated for \(model.id) (\(model.architecture.rawValue)) in phase '\(c.phase.rawValue)'")
        }
        var lines = e.explanation
        if !e.calibrated { lines.append("note: family '\(chip.family)' has no inference calibration case; prior inference constants used") }
        if !Calibration.isCalibrated(chip.family) { lines.append("note: roofline fractions for '\(chip.family)' are the documented prior (Calibration.default)") }
        var plan = e.plan.json
        plan.append(("precision", .string(e.precisionLabel)))
        if let d = e.disaggregation {
            plan.append(("prefillChips", .number(Double(d.prefillChips))))
            plan.append(("decodeChips", .number(Double(d.decodeChips))))
        }
        var estimate = CaseEstimate(value: value, plan: plan, explanation: lines, usesEstimatedSpecs: e.usesEstimatedSpecs)
        estimate.planLabel = "TP\(e.plan.tp) PP\(e.plan.pp) EP\(e.plan.ep) x\(e.plan.replicas) batch \(e.plan.batch)" + (e.plan.dpAttention ? " dp-attn" : "")
            + " \(e.precisionLabel)" + (e.disaggregation.map { " P\($0.prefillChips):D\($0.decodeChips)" + ($0.dynamicRoleInstanceChips.map { " dynamic roles x\($0)" } ?? "") } ?? "")
        return estimate
    }
}
