// The model's own error on a mixed estimate. Each group's throughput carries its family's
// cross-validated band (`ModelErrorBands.training`); the groups' errors may be correlated
// (shared constants), so the mixed band takes the widest ends of the bands of the groups that
// train, not a narrower combination.

extension MixedTrainingEstimate {
    /// The envelope of the training groups' model-error bands (a group alone with no plan, or
    /// an idle group, does not count; with none, the uncalibrated band).
    public var modelErrorBand: ModelErrorBand {
        let bands = groups.filter { $0.chipsUsed > 0 }.map { $0.alone?.modelErrorBand ?? ModelErrorBands.trainingUncalibrated }
        guard let first = bands.first else { return ModelErrorBands.trainingUncalibrated }
        if bands.count == 1 { return first }
        let low = bands.map(\.low).min() ?? first.low, high = bands.map(\.high).max() ?? first.high
        return ModelErrorBand(low: low, high: high, basis: "widest ends of the groups' bands (\(bands.map(\.basis).joined(separator: "; ")))",
                              cases: bands.map(\.cases).max() ?? first.cases)
    }

    /// tokens/s range of the true value: the spec corners' range widened by the model's error.
    public var tokensPerSecondWithModelError: (low: Double, high: Double) {
        modelErrorBand.trueRange(low: tokensPerSecondLow ?? tokensPerSecond, high: tokensPerSecondHigh ?? tokensPerSecond)
    }
}
