/// The estimators `chipmodel validate` and the validation test use, one per case kind.
///
/// This is the single place where estimators are registered. The validation test in
/// `swift test` requires both kinds to be covered, so it fails (saying which kind is
/// missing) until they are.
public enum ValidationEstimators {
    /// The default registry: every case kind mapped to the estimator that handles it.
    public static var `default`: [MeasurementCase.Kind: any CaseEstimating] {
        [.training: TrainingCaseEstimator(), .inference: InferenceCaseEstimator()]
    }

    /// Kinds the default registry does not cover yet.
    public static var missingKinds: [MeasurementCase.Kind] {
        let registry = Self.default
        return MeasurementCase.Kind.allCases.filter { registry[$0] == nil }
    }
}
