/// The estimator's own error on a headline metric, measured by cross-validation on the
/// calibration cases: signed relative errors (estimate - measured) / measured, so a band of
/// [-0.18, +0.15] on a tokens/s estimate x says the measured value was between x / 1.15 and
/// x / 0.82 for the cases behind it. Values are generated into `ModelErrorBands.swift` by
/// the cross-validation test (`CHIPMODEL_UPDATE_BANDS=1 swift test --filter CrossValidationTests`),
/// which fails when they are stale.
public struct ModelErrorBand: Sendable, Equatable {
    public var low: Double
    public var high: Double
    /// How it was measured ("leave-one-source-out, 12 nvidia-hopper cases").
    public var basis: String
    public var cases: Int

    public init(low: Double, high: Double, basis: String, cases: Int) {
        self.low = low
        self.high = high
        self.basis = basis
        self.cases = cases
    }

    /// The range of the true value given an estimated range [lo, hi] of the metric:
    /// [lo / (1 + high), hi / (1 + low)].
    public func trueRange(low lo: Double, high hi: Double) -> (low: Double, high: Double) {
        (lo / (1 + high), hi / (1 + max(low, -0.95)))
    }
}

extension ModelErrorBands {
    /// The training band (tokens/s per chip) of a chip family: its own cases' leave-one-source-out
    /// errors when the family has calibration cases, else the wider band of an uncalibrated family.
    public static func training(family: String) -> ModelErrorBand {
        trainingByFamily[family] ?? trainingUncalibrated
    }
}

extension InferenceModelErrorBands {
    /// The serving band (throughput) of a chip family: its inference cases' in-sample errors
    /// when it has some, else the band of a family estimated with the prior constants.
    public static func band(family: String) -> ModelErrorBand { byFamily[family] ?? uncalibrated }
}
