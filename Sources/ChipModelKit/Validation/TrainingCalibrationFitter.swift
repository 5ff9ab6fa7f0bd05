import Foundation

/// The fit behind `TrainingCalibration.shared` and the family factors of `Calibration.families`,
/// and the refits of cross-validation (`TrainingCrossValidation`).
///
/// Objective: the weighted mean absolute relative error over the training cases it is given
/// (weights from the case file; a case that cannot be estimated counts as error 1). Method:
/// coordinate descent over the shared constants (`Parameter`), each by a coarse scan of its
/// bounded interval followed by a golden-section search in the best bracket, two rounds.
/// Speed: between rounds every case's plan is searched once with the current constants
/// (the given plan fields held fixed, as `chipmodel validate` does); inside a round the plans
/// stay fixed and only the cost model and the step-time function are evaluated, so one
/// objective evaluation costs one `TrainingEstimator.evaluate` per case, not a search.
/// Family factors (`familyMatmulFactor`) are fitted afterwards, one family at a time on its own
/// cases, and kept only where they lower that family's error by at least `factorGain`.
public struct TrainingCalibrationFitter: Sendable {
    /// One training case ready to estimate.
    public struct FitCase: Sendable {
        public var id: String
        public var source: String
        public var family: String
        public var weight: Double
        public var measured: Double
        public var metric: CaseMetric
        /// Nil when the case cannot be estimated at all (`unusable` says why).
        public var workload: TrainingWorkload?
        public var cluster: Cluster?
        public var constraints: PlanConstraints
        public var unusable: String?
    }

    /// A fitted constant and its bounds.
    public enum Parameter: String, Sendable, CaseIterable {
        case matmulPeakFraction, lowPrecisionMatmulScale, gemmFixedSeconds, microbatchOverheadSeconds,
             stepOverheadSeconds, scaleOutFraction

        public var bounds: ClosedRange<Double> {
            switch self {
            case .matmulPeakFraction: return 0.3...0.95
            case .lowPrecisionMatmulScale: return 0.4...1.1
            case .gemmFixedSeconds: return 0...40e-6
            case .microbatchOverheadSeconds: return 0...4e-3
            case .stepOverheadSeconds: return 0...0.4
            case .scaleOutFraction: return 0.3...1.0
            }
        }

        func get(_ c: TrainingCalibration) -> Double {
            switch self {
            case .matmulPeakFraction: return c.matmulPeakFraction ?? 0.6
            case .lowPrecisionMatmulScale: return c.lowPrecisionMatmulScale
            case .gemmFixedSeconds: return c.gemmFixedSeconds
            case .microbatchOverheadSeconds: return c.microbatchOverheadSeconds
            case .stepOverheadSeconds: return c.stepOverheadSeconds
            case .scaleOutFraction: return c.scaleOutFraction ?? 0.8
            }
        }

        func set(_ c: inout TrainingCalibration, _ v: Double) {
            switch self {
            case .matmulPeakFraction: c.matmulPeakFraction = v
            case .lowPrecisionMatmulScale: c.lowPrecisionMatmulScale = v
            case .gemmFixedSeconds: c.gemmFixedSeconds = v
            case .microbatchOverheadSeconds: c.microbatchOverheadSeconds = v
            case .stepOverheadSeconds: c.stepOverheadSeconds = v
            case .scaleOutFraction: c.scaleOutFraction = v
            }
        }
    }

    /// Shared constants and per-family factors.
    public struct Constants: Sendable, Equatable {
        public var shared: TrainingCalibration
        public var familyFactors: [String: Double]

        public init(shared: TrainingCalibration, familyFactors: [String: Double] = [:]) {
            self.shared = shared
            self.familyFactors = familyFactors
        }

        /// The family calibration a case of `family` is estimated with.
        public func calibration(for family: String) -> FamilyCalibration {
            var f = Calibration.default
            f.training = shared.with(familyMatmulFactor: familyFactors[family] ?? 1)
            return f
        }
    }

    public var cases: [FitCase]
    /// Minimum improvement of a family's weighted mean |error| for its factor to be kept.
    public var factorGain = 0.01
    public var rounds = 2

    public init(cases: [FitCase]) {
        self.cases = cases
    }

    /// The training cases of a case list, resolved against the catalog and the zoo.
    public init(cases list: [MeasurementCase], catalog: ChipCatalog, zoo: ModelZoo) {
        var out: [FitCase] = []
        for c in list where c.kind == .training {
            var problem: String?
            var family = "?"
            var cluster: Cluster?
            var workload: TrainingWorkload?
            do {
                let chip = try catalog.chip(c.chip)
                family = chip.family
                cluster = Cluster(chip: ChipParameters(chip: chip), count: c.chipCount, scaleUpDomain: c.scaleUpDomain)
                let model = try c.resolveModel(in: zoo)
                if let s = c.sequenceLength, let b = c.globalBatch, model.isDecoder, c.kind == .training, c.metric.applies(to: .training) {
                    let w = TrainingWorkload(model: model, sequenceLength: s, globalBatch: b, precision: c.precision)
                    workload = w
                    problem = TrainingEstimator.validate(c.plan, workload: w, chips: c.chipCount)
                } else {
                    problem = "not an estimable training case"
                }
            } catch {
                problem = "\(error)"
            }
            out.append(FitCase(id: c.id, source: TrainingCalibrationFitter.sourceKey(c.source), family: family, weight: c.weight,
                               measured: c.measured, metric: c.metric, workload: workload, cluster: cluster,
                               constraints: c.plan, unusable: problem))
        }
        cases = out
    }

    /// The publication a case comes from: its `source` up to the first comma ("Narayanan et
    /// al. 2021", "NVIDIA NeMo Framework performance summary", "MLCommons MLPerf Training
    /// v4.0 results", ...), so every table and row of one publication leaves together.
    public static func sourceKey(_ source: String) -> String {
        String(source.split(separator: ",", maxSplits: 1).first ?? Substring(source)).trimmingCharacters(in: .whitespaces)
    }

    /// The estimate of one case: with `plan`, that plan evaluated; else the plan searched.
    /// Returns the metric value and the plan, or nil when it cannot be estimated.
    public func estimate(_ c: FitCase, constants: Constants, plan: TrainingPlan? = nil) -> (value: Double, plan: TrainingPlan)? {
        guard c.unusable == nil, let workload = c.workload, let cluster = c.cluster else { return nil }
        let cal = constants.calibration(for: c.family)
        let e: TrainingEstimate
        if let plan {
            guard let model = try? TrainingCostModel(workload: workload, cluster: cluster, calibration: cal),
                  let x = TrainingEstimator.evaluate(plan, model: model), x.stepSeconds.isFinite else { return nil }
            e = x
        } else {
            guard let x = try? TrainingEstimator.estimate(workload, on: cluster, constraints: c.constraints,
                                                         options: TrainingEstimator.Options(calibration: cal)) else { return nil }
            e = x
        }
        switch c.metric {
        case .stepTimeSeconds: return (e.stepSeconds, e.plan)
        case .tokensPerSecondPerChip: return (e.tokensPerSecondPerChip, e.plan)
        default: return nil
        }
    }

    /// Signed relative error (estimate - measured) / measured of each case (nil: not estimated).
    public func errors(_ subset: [Int], constants: Constants, plans: [Int: TrainingPlan]? = nil) -> [Int: Double?] {
        var out: [Int: Double?] = [:]
        for i in subset {
            let c = cases[i]
            if let r = estimate(c, constants: constants, plan: plans?[i]) {
                out[i] = (r.value - c.measured) / c.measured
            } else {
                out[i] = .some(nil)
            }
        }
        return out
    }

    /// Weighted mean |relative error| of `subset` (a failed case counts 1).
    public func objective(_ subset: [Int], constants: Constants, plans: [Int: TrainingPlan]?) -> Double {
        var sum = 0.0, wsum = 0.0
        for i in subset where cases[i].weight > 0 {
            let c = cases[i]
            let err: Double
            if let r = estimate(c, constants: constants, plan: plans?[i]) { err = abs(r.value - c.measured) / c.measured } else { err = 1 }
            sum += c.weight * err
            wsum += c.weight
        }
        return wsum > 0 ? sum / wsum : 0
    }

    /// Searched plans of `subset` under `constants`.
    public func searchPlans(_ subset: [Int], constants: Constants) -> [Int: TrainingPlan] {
        var plans: [Int: TrainingPlan] = [:]
        for i in subset { if let r = estimate(cases[i], constants: constants) { plans[i] = r.plan } }
        return plans
    }

    /// Minimizes `f` over `range`: a scan of `scan` points, then golden-section search in the
    /// bracket around the best point (`steps` iterations). Returns (argmin, min).
    /// With `scan` = 0 the bracket is ±`width`/10 around `start` (a refinement round).
    static func lineSearch(_ range: ClosedRange<Double>, start: Double, scan: Int = 6, steps: Int = 10,
                           _ f: (Double) -> Double) -> (Double, Double) {
        var bestX = min(max(start, range.lowerBound), range.upperBound)
        var bestF = f(bestX)
        let width = range.upperBound - range.lowerBound
        var grid: [Double] = []
        for i in 0..<scan { grid.append(range.lowerBound + width * Double(i) / Double(max(1, scan - 1))) }
        for x in grid { let y = f(x); if y < bestF { bestF = y; bestX = x } }
        let step = scan > 1 ? width / Double(scan - 1) : width / 10
        var a = max(range.lowerBound, bestX - step), b = min(range.upperBound, bestX + step)
        let g = (5.0.squareRoot() - 1) / 2
        var x1 = b - g * (b - a), x2 = a + g * (b - a)
        var f1 = f(x1), f2 = f(x2)
        for _ in 0..<steps {
            if f1 < f2 { b = x2; x2 = x1; f2 = f1; x1 = b - g * (b - a); f1 = f(x1) }
            else { a = x1; x1 = x2; f1 = f2; x2 = a + g * (b - a); f2 = f(x2) }
        }
        for (x, y) in [(x1, f1), (x2, f2)] where y < bestF { bestF = y; bestX = x }
        return (bestX, bestF)
    }

    /// Fits the shared constants on `subset` (family factors 1), then the family factors. With
    /// `plans`, those plans are held fixed throughout (cross-validation); else every round
    /// starts by searching the plans with the current constants.
    public func fit(_ subset: [Int], start: Constants = Constants(shared: .shared), fitFamilyFactors: Bool = true,
                    plans fixedPlans: [Int: TrainingPlan]? = nil) -> Constants {
        var k = Constants(shared: start.shared)
        for round in 0..<rounds {
            let plans = fixedPlans ?? searchPlans(subset, constants: k)
            for p in Parameter.allCases {
                // The first round scans each interval, later rounds refine around the value.
                let (x, _) = TrainingCalibrationFitter.lineSearch(p.bounds, start: p.get(k.shared),
                                                                  scan: round == 0 ? 5 : 0, steps: round == 0 ? 7 : 6) { v in
                    var trial = k
                    p.set(&trial.shared, v)
                    return objective(subset, constants: trial, plans: plans)
                }
                p.set(&k.shared, TrainingCalibrationFitter.rounded(x))
            }
        }
        guard fitFamilyFactors else { return k }
        let families = Set(subset.map { cases[$0].family }).sorted()
        for family in families {
            let own = subset.filter { cases[$0].family == family }
            let plans = fixedPlans ?? searchPlans(own, constants: k)
            let base = objective(own, constants: k, plans: plans)
            let (x, y) = TrainingCalibrationFitter.lineSearch(0.6...1.4, start: 1, scan: 5, steps: 7) { v in
                var trial = k
                trial.familyFactors[family] = v
                return objective(own, constants: trial, plans: plans)
            }
            if base - y >= factorGain { k.familyFactors[family] = TrainingCalibrationFitter.rounded(x) }
        }
        return k
    }

    /// Three significant digits (what the checked-in table records).
    static func rounded(_ x: Double) -> Double {
        guard x != 0, x.isFinite else { return x }
        let e = (log10(abs(x))).rounded(.down) - 2
        let s = pow(10, e)
        return (x / s).rounded() * s
    }
}

extension TrainingCalibrationFitter.Constants {
    /// Where every fit starts: documented priors, not fitted values, so a cross-validation fold
    /// never starts from constants that saw its left-out cases (GEMM fraction 0.6, 8-bit scale
    /// 0.8, 5 µs per kernel, 0.25 ms per microbatch, 0.1 s per step, NIC efficiency 0.8).
    public static var neutralStart: TrainingCalibrationFitter.Constants {
        var s = TrainingCalibration.shared
        s.matmulPeakFraction = 0.6
        s.lowPrecisionMatmulScale = 0.8
        s.gemmFixedSeconds = 5e-6
        s.microbatchOverheadSeconds = 0.25e-3
        s.stepOverheadSeconds = 0.1
        s.scaleOutFraction = 0.8
        return TrainingCalibrationFitter.Constants(shared: s)
    }

    /// The constants checked in (`TrainingCalibration.shared` and the families' factors).
    public static var checkedIn: TrainingCalibrationFitter.Constants {
        var factors: [String: Double] = [:]
        for (name, f) in Calibration.families where f.training.familyMatmulFactor != 1 { factors[name] = f.training.familyMatmulFactor }
        return TrainingCalibrationFitter.Constants(shared: .shared, familyFactors: factors)
    }
}
