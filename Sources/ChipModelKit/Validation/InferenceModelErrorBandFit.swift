import Foundation

/// How the serving model-error bands of `InferenceModelErrorBands` are measured on the inference
/// calibration cases (weight > 0), as signed relative errors on throughput
/// (`CaseMetric.throughputError`: a high band always means the estimate ran fast):
/// - a family with inference calibration cases: its cases' in-sample errors and their
///   leave-one-case-out errors (`leaveOneOut`): minimum to maximum of both, never narrower than
///   ± the weighted median |error| of all inference cases;
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
            Residual(id: c.id, family: family(of: c, catalog: catalog), weight: c.weight,
                     throughputError: throughputError(c, estimator: estimator, catalog: catalog, zoo: zoo))
        }
    }

    /// The chip family of a case ("?" for a chip the catalog lacks).
    static func family(of c: MeasurementCase, catalog: ChipCatalog) -> String { (try? catalog.chip(c.chip).family) ?? "?" }

    /// A case's signed relative error on throughput under `estimator`; nil when it was not
    /// estimated or has no positive measurement.
    static func throughputError(_ c: MeasurementCase, estimator: InferenceCaseEstimator, catalog: ChipCatalog,
                                zoo: ModelZoo) -> Double? {
        guard c.measured > 0, let e = try? estimator.estimate(c, catalog: catalog, zoo: zoo) else { return nil }
        return c.metric.throughputError(e.value / c.measured - 1)
    }

    /// The lower weighted median of |throughput error| (`weightedLowerMedian`), 0 with none.
    static func weightedMedianAbs(_ r: [Residual]) -> Double {
        weightedLowerMedian(r.compactMap { x in x.throughputError.map { (value: abs($0), weight: x.weight) } }) ?? 0
    }

    public static func compute(inSample: [Residual], leaveOneOut: [Residual], prior: [Residual])
        -> (byFamily: [String: ModelErrorBand], uncalibrated: ModelErrorBand) {
        let floor = ModelErrorBandFit.rounded(weightedMedianAbs(inSample))
        var byFamily: [String: ModelErrorBand] = [:]
        for f in Set(inSample.map(\.family)).sorted() where InferenceCalibration.isCalibrated(f) {
            let own = inSample.filter { $0.family == f }.compactMap(\.throughputError)
            let out = leaveOneOut.filter { $0.family == f }.compactMap(\.throughputError)
            let errors = (own + out).sorted()
            guard let lo = errors.first, let hi = errors.last else { continue }
            byFamily[f] = ModelErrorBand(low: ModelErrorBandFit.rounded(min(lo, -floor)), high: ModelErrorBandFit.rounded(max(hi, floor)),
                                         basis: "\(own.count) \(f) serving cases, in sample and each left out of its family's refit",
                                         cases: own.count)
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

    /// The serving constants a leave-one-out refit moves.
    public enum Constant: String, CaseIterable, Sendable {
        case decode, prefill, conv

        func value(_ c: InferenceFamilyCalibration) -> Double {
            switch self {
            case .decode: return c.decodeEfficiency
            case .prefill: return c.prefillEfficiency
            case .conv: return c.convEfficiency
            }
        }

        func with(_ v: Double, in c: InferenceFamilyCalibration) -> InferenceFamilyCalibration {
            var c = c
            switch self {
            case .decode: c.decodeEfficiency = v
            case .prefill: c.prefillEfficiency = v
            case .conv: c.convEfficiency = v
            }
            return c
        }
    }

    /// Values a refit tries for a constant whose checked-in value is `base`: 0.6 to 1.2 times it
    /// in steps of a tenth (the checked-in value itself among them), none above 1. Steps of a
    /// tenth are about as fine as the hand-chosen grids the constants came from (0.05 at 0.5-0.9).
    public static func refitGrid(base: Double) -> [Double] {
        var out: [Double] = []
        for i in 6...12 {
            let v = i == 10 ? base : min(1, base * Double(i) / 10)
            if !out.contains(v) { out.append(v) }
        }
        return out
    }

    /// Leave-one-case-out errors of every calibrated family's serving cases. For each case, each
    /// constant its estimate depends on (moving the constant down by a tenth moves the estimate)
    /// is refit on the family's other cases that depend on it: the `refitGrid` value with the lowest
    /// weighted mean |throughput error| over them (ties: the one nearest the checked-in value),
    /// the family's other constants held at their checked-in values. A constant no other case
    /// depends on falls back to the prior (`InferenceCalibration.default`), what a family
    /// without that case would have. The left-out case is then estimated with the refit
    /// constants. Partial in one respect: the constants it does not depend on keep values its
    /// family's fit may have chosen with it.
    public static func leaveOneOut(_ cases: [MeasurementCase], catalog: ChipCatalog, zoo: ModelZoo) -> [Residual] {
        let scored = cases.filter { $0.kind == .inference && $0.weight > 0 && $0.measured > 0 }
        func error(_ c: MeasurementCase, _ cal: InferenceFamilyCalibration) -> Double? {
            throughputError(c, estimator: InferenceCaseEstimator(calibrationOverride: cal), catalog: catalog, zoo: zoo)
        }
        var out: [Residual] = []
        for f in Set(scored.map { family(of: $0, catalog: catalog) }).sorted() where InferenceCalibration.isCalibrated(f) {
            let fc = scored.filter { family(of: $0, catalog: catalog) == f }
            let base = InferenceCalibration.family(f)
            let baseErrors = fc.map { error($0, base) }
            let grids = Dictionary(uniqueKeysWithValues: Constant.allCases.map { ($0, refitGrid(base: $0.value(base))) })
            // The estimate a tenth below the checked-in value both tells whether a case depends on a
            // constant and is that grid point's error.
            var lowered: [Constant: [Double?]] = [:]
            for k in Constant.allCases { lowered[k] = fc.map { error($0, k.with(k.value(base) * 9 / 10, in: base)) } }
            let uses: [[Constant]] = fc.indices.map { i in
                Constant.allCases.filter { k in
                    guard let moved = lowered[k]![i], let e = baseErrors[i] else { return false }
                    return abs(moved - e) > 1e-9
                }
            }
            var gridErrors: [Constant: [Int: [Double?]]] = [:]
            for k in Constant.allCases {
                // A constant only one case depends on is never refit (its case falls back to the prior).
                let users = fc.indices.filter { uses[$0].contains(k) }
                guard users.count > 1 else { continue }
                let b = k.value(base)
                for i in users {
                    gridErrors[k, default: [:]][i] = grids[k]!.map { v in
                        v == b ? baseErrors[i] : v == b * 9 / 10 ? lowered[k]![i] : error(fc[i], k.with(v, in: base))
                    }
                }
            }
            for i in fc.indices {
                var refit = base
                for k in uses[i] {
                    let others = fc.indices.filter { $0 != i && uses[$0].contains(k) }
                    guard !others.isEmpty else {
                        refit = k.with(k.value(InferenceCalibration.default), in: refit)
                        continue
                    }
                    var best: (score: Double, distance: Double, value: Double)?
                    for (g, v) in grids[k]!.enumerated() {
                        var sum = 0.0, weight = 0.0
                        for o in others {
                            guard let e = gridErrors[k]?[o]?[g] else { sum = .infinity; break }
                            sum += fc[o].weight * abs(e)
                            weight += fc[o].weight
                        }
                        let score = weight > 0 ? sum / weight : .infinity
                        let distance = abs(v - k.value(base))
                        if best == nil || score < best!.score - 1e-12 || (abs(score - best!.score) <= 1e-12 && distance < best!.distance) {
                            best = (score, distance, v)
                        }
                    }
                    if let b = best, b.score.isFinite { refit = k.with(b.value, in: refit) }
                }
                out.append(Residual(id: fc[i].id, family: f, weight: fc[i].weight, throughputError: error(fc[i], refit)))
            }
        }
        return out
    }

    /// `InferenceModelErrorBands.swift` for these bands.
    public static func swiftSource(byFamily: [String: ModelErrorBand], uncalibrated: ModelErrorBand) -> String {
        ModelErrorBandFit.generatedSource(test: "InferenceModelErrorBandTests", metric: "serving throughput",
                                          fit: "InferenceModelErrorBandFit: how they are measured", enumName: "InferenceModelErrorBands",
                                          byFamilyName: "byFamily", byFamily: byFamily, otherName: "uncalibrated", other: uncalibrated)
    }
}
