import Foundation

/// How the serving model-error bands of `InferenceModelErrorBands` are measured on the inference
/// calibration cases (weight > 0), as signed relative errors on throughput
/// (`CaseMetric.throughputError`: a high band always means the estimate ran fast):
/// - a family with inference calibration cases: its cases' in-sample errors (the inference
///   constants are chosen on those cases by hand, so no refit can leave one out): minimum to
///   maximum, never narrower than ± the weighted median |error| of all inference cases;
/// - a family without cases (every Chinese part, Intel, Google, roadmap parts): every case
///   estimated with the prior constants an uncalibrated family gets (its family renamed,
///   `InferenceCaseEstimator.asUncalibratedFamily`), the 10th to 90th percentile (nearest
///   rank) with 10 or more cases, widened to cover every calibrated family's band.
public enum InferenceModelErrorBandFit {
    public struct Residual: Sendable, Equatable {
        public var id: String
        public var family: String
        public var weight: Double
        /// Signed relative error on throughput; nil when the case was not estimated.
        public var throughputError: Double?
    }

    /// The residuals of `cases`' inference cases under `estimator`.
    public static func residuals(_ cases: [MeasurementCase], estimator: InferenceCaseEstimator, catalog: ChipCatalog,
                                 zoo: ModelZoo) -> [Residual] {
        cases.filter { $0.kind == .inference && $0.weight > 0 }.map { c in
            let family = (try? catalog.chip(c.chip).family) ?? "?"
            guard let e = try? estimator.estimate(c, catalog: catalog, zoo: zoo), c.measured > 0 else {
                return Residual(id: c.id, family: family, weight: c.weight, throughputError: nil)
            }
            return Residual(id: c.id, family: family, weight: c.weight, throughputError: c.metric.throughputError(e.value / c.measured - 1))
        }
    }

    /// The lower weighted median of |throughput error| (`weightedLowerMedian`), 0 with none.
    static func weightedMedianAbs(_ r: [Residual]) -> Double {
        weightedLowerMedian(r.compactMap { x in x.throughputError.map { (value: abs($0), weight: x.weight) } }) ?? 0
    }

    public static func compute(inSample: [Residual], prior: [Residual]) -> (byFamily: [String: ModelErrorBand], uncalibrated: ModelErrorBand) {
        let floor = ModelErrorBandFit.rounded(weightedMedianAbs(inSample))
        var byFamily: [String: ModelErrorBand] = [:]
        for f in Set(inSample.map(\.family)).sorted() where InferenceCalibration.isCalibrated(f) {
            let errors = inSample.filter { $0.family == f }.compactMap(\.throughputError).sorted()
            guard let lo = errors.first, let hi = errors.last else { continue }
            byFamily[f] = ModelErrorBand(low: ModelErrorBandFit.rounded(min(lo, -floor)), high: ModelErrorBandFit.rounded(max(hi, floor)),
                                         basis: "in-sample, \(errors.count) \(f) serving cases, not cross-validated",
                                         cases: errors.count)
        }
        let errors = prior.compactMap(\.throughputError)
        var u = ModelErrorBandFit.band(errors, basis: "\(errors.count) serving cases run with the prior constants of an uncalibrated family, at least every calibrated band",
                                       floor: weightedMedianAbs(prior))
        for b in byFamily.values {
            u.low = min(u.low, b.low)
            u.high = max(u.high, b.high)
        }
        return (byFamily, u)
    }

    /// `InferenceModelErrorBands.swift` for these bands.
    public static func swiftSource(byFamily: [String: ModelErrorBand], uncalibrated: ModelErrorBand) -> String {
        ModelErrorBandFit.generatedSource(test: "InferenceModelErrorBandTests", metric: "serving throughput",
                                          fit: "InferenceModelErrorBandFit: how they are measured", enumName: "InferenceModelErrorBands",
                                          byFamilyName: "byFamily", byFamily: byFamily, otherName: "uncalibrated", other: uncalibrated)
    }
}
