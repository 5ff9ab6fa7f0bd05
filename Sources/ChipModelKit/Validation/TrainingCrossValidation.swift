import Dispatch
import Foundation

/// Cross-validation of the training estimator's fitted constants (`chipmodel validate
/// --cross-validate family|source`): the constants are refit with one chip family (or one
/// publication) left out, and each left-out case is estimated with the refit constants. The
/// left-out family gets no family factor, exactly what a chip of a family with no calibration
/// case gets, so leave-one-family-out is the error to expect on an uncalibrated chip;
/// leave-one-source-out is the error on a new workload for a calibrated family.
///
/// Speed: the training cases' plans are searched once with the shared starting constants and
/// held fixed while each fold is fitted (`TrainingCalibrationFitter`, fixed-plan objective);
/// each left-out case is then estimated with a full plan search under its fold's constants.
public enum TrainingCrossValidation {
    public enum Grouping: String, Sendable, CaseIterable {
        case family, source
    }

    /// One case's estimate: `error` is the signed relative error on the case's metric;
    /// `throughputError` the same error on tokens/s/chip (the headline metric of an estimate):
    /// for a step-time case 1/(1 + error) - 1.
    public struct Residual: Sendable, Equatable {
        public var id: String
        public var family: String
        public var source: String
        public var weight: Double
        public var metric: CaseMetric
        public var measured: Double
        public var estimate: Double?
        public var error: Double?
        public var plan: TrainingPlan?
        public var failure: String?

        public var throughputError: Double? { error.map(metric.throughputError) }
    }

    /// One left-out group and the constants fitted without it.
    public struct Fold: Sendable {
        public var key: String
        public var constants: TrainingCalibrationFitter.Constants
        public var residuals: [Residual]
    }

    public struct Report: Sendable {
        public var grouping: Grouping
        /// Every case with the checked-in constants (in-sample).
        public var inSample: [Residual]
        public var folds: [Fold]
        /// Every case as estimated in the fold that left it out, in case-file order.
        public var crossValidated: [Residual] {
            let byID = Dictionary(folds.flatMap(\.residuals).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            return inSample.compactMap { byID[$0.id] }
        }
    }

    /// Weighted summary of residuals (weight > 0): lower weighted median, mean and max |error|,
    /// and the failures.
    public struct Summary: Sendable, Equatable {
        public var count: Int
        public var weightedMedianAbsError: Double?
        public var weightedMeanAbsError: Double?
        public var maxAbsError: Double?
        public var failed: Int

        public init(_ rows: [Residual]) {
            let scored = rows.filter { $0.weight > 0 }
            let pairs = scored.compactMap { r in r.error.map { (value: abs($0), weight: r.weight) } }
            count = scored.count
            weightedMedianAbsError = weightedLowerMedian(pairs)
            let w = pairs.reduce(0) { $0 + $1.weight }
            weightedMeanAbsError = w > 0 ? pairs.reduce(0) { $0 + $1.value * $1.weight } / w : nil
            maxAbsError = pairs.map(\.value).max()
            failed = scored.filter { $0.error == nil }.count
        }
    }

    /// The key a case is grouped by.
    static func key(_ c: TrainingCalibrationFitter.FitCase, _ g: Grouping) -> String {
        g == .family ? c.family : c.source
    }

    /// Residuals of `subset` under `constants` (plans searched).
    public static func residuals(_ fitter: TrainingCalibrationFitter, _ subset: [Int],
                                 constants: TrainingCalibrationFitter.Constants) -> [Residual] {
        subset.map { i in
            let c = fitter.cases[i]
            var r = Residual(id: c.id, family: c.family, source: c.source, weight: c.weight, metric: c.metric,
                             measured: c.measured, estimate: nil, error: nil, plan: nil, failure: c.unusable)
            if let e = fitter.estimate(c, constants: constants) {
                r.estimate = e.value
                r.error = (e.value - c.measured) / c.measured
                r.plan = e.plan
            } else if r.failure == nil {
                r.failure = "no plan fits or runs"
            }
            return r
        }
    }

    /// Runs the cross-validation for each grouping: one fold per distinct group key with at
    /// least one weighted case. The in-sample residuals use `checkedIn`; every fold's fit
    /// starts from `start` (documented priors) with the plans searched once under `start`.
    public static func run(_ fitter: TrainingCalibrationFitter, groupings: [Grouping],
                           checkedIn: TrainingCalibrationFitter.Constants = .checkedIn,
                           start: TrainingCalibrationFitter.Constants = .neutralStart) -> [Report] {
        let all = Array(fitter.cases.indices)
        let inSample = residuals(fitter, all, constants: checkedIn)
        let plans = fitter.searchPlans(all, constants: start)
        return groupings.map { run(fitter, grouping: $0, inSample: inSample, plans: plans, start: start) }
    }

    public static func run(_ fitter: TrainingCalibrationFitter, grouping: Grouping) -> Report {
        run(fitter, groupings: [grouping])[0]
    }

    static func run(_ fitter: TrainingCalibrationFitter, grouping: Grouping, inSample: [Residual],
                    plans: [Int: TrainingPlan], start: TrainingCalibrationFitter.Constants) -> Report {
        let all = Array(fitter.cases.indices)
        var keys: [String] = []
        for i in all where fitter.cases[i].weight > 0 && fitter.cases[i].unusable == nil {
            let k = key(fitter.cases[i], grouping)
            if !keys.contains(k) { keys.append(k) }
        }
        // Folds are independent: fitted concurrently, collected in key order.
        let foldKeys = keys
        let box = FoldBox(count: foldKeys.count)
        DispatchQueue.concurrentPerform(iterations: foldKeys.count) { i in
            let k = foldKeys[i]
            let train = all.filter { key(fitter.cases[$0], grouping) != k }
            let held = all.filter { key(fitter.cases[$0], grouping) == k }
            var constants = fitter.fit(train, start: start, plans: plans)
            // The left-out family is uncalibrated: no family factor (its own factor was never fitted).
            if grouping == .family { constants.familyFactors[k] = nil }
            box.set(i, Fold(key: k, constants: constants, residuals: residuals(fitter, held, constants: constants)))
        }
        return Report(grouping: grouping, inSample: inSample, folds: box.folds.compactMap { $0 })
    }
}

/// Fold results written by concurrent workers, one slot each.
final class FoldBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var folds: [TrainingCrossValidation.Fold?]
    init(count: Int) { folds = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ f: TrainingCrossValidation.Fold) {
        lock.lock()
        folds[i] = f
        lock.unlock()
    }
}
