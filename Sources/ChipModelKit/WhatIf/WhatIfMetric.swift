/// A number an estimate reports, with its unit and, when the chip has ranged spec values,
/// its low / high over the corners (or a Monte Carlo interval).
public struct MetricValue: Sendable, Equatable {
    /// Short name (`tokensPerSecond`, `stepSeconds`).
    public var name: String
    /// Unit for people (`tokens/s`, `s`, `TFLOPS`).
    public var unit: String
    public var nominal: Double
    public var low: Double?
    public var high: Double?
    /// True when more is better (throughput); false for times and costs.
    public var higherIsBetter: Bool
    /// The estimator's own cross-validated error on this metric, when known (`ModelErrorBand`).
    public var modelError: ModelErrorBand? = nil

    public init(name: String, unit: String, nominal: Double, low: Double? = nil, high: Double? = nil, higherIsBetter: Bool = true) {
        self.name = name
        self.unit = unit
        self.nominal = nominal
        self.low = low
        self.high = high
        self.higherIsBetter = higherIsBetter
    }

    public init(name: String, unit: String, _ ranged: RangedValue, higherIsBetter: Bool = true) {
        self.init(name: name, unit: unit, nominal: ranged.nominal, low: ranged.low, high: ranged.high,
                  higherIsBetter: higherIsBetter)
    }

    public var hasRange: Bool {
        guard let l = low, let h = high else { return false }
        return h > l * (1 + 1e-12)
    }

    /// `1234 (1000-1500)` or `1234`; with a model-error band
    /// `1234 (1000-1500 spec; 880-1700 with model error)` or `1234 (1100-1400 with model error)`.
    public var formatted: String {
        let n = formatQuantity(nominal)
        var spec: String?
        if hasRange, let l = low, let h = high {
            let (ls, hs) = (formatQuantity(l), formatQuantity(h))
            if ls != n || hs != n { spec = "\(ls)-\(hs)" }
        }
        guard let band = modelError else { return spec.map { "\(n) (\($0))" } ?? n }
        let t = band.trueRange(low: low ?? nominal, high: high ?? nominal)
        let model = "\(formatQuantity(t.low))-\(formatQuantity(t.high)) with model error"
        return spec.map { "\(n) (\($0) spec; \(model))" } ?? "\(n) (\(model))"
    }
}

/// What an estimate returns for one chip at one sweep point: headline metrics (the first is
/// the one charted) and the binding resource.
public struct MetricRow: Sendable, Equatable {
    public var metrics: [MetricValue]
    /// The resource that bounds the estimate (`compute`, `memory`, `d2d`, `scale-out`, ...).
    public var binding: String
    /// Caveats to print once (what the metric ignores).
    public var notes: [String]
    /// Monte Carlo percentiles of the headline metric, when the range policy asks for them.
    public var monteCarlo: MonteCarlo.Summary?
    /// What would help most at the nominal corner, largest gain first (training: `TrainingLevers`);
    /// empty when the metric does not compute levers.
    public var levers: [LeverGain] = []

    public init(metrics: [MetricValue], binding: String, notes: [String] = [], monteCarlo: MonteCarlo.Summary? = nil) {
        self.metrics = metrics
        self.binding = binding
        self.notes = notes
        self.monteCarlo = monteCarlo
    }

    public var headline: MetricValue? { metrics.first }

    /// True when the estimate failed at this point (`notes` says why).
    public var failed: Bool { metrics.isEmpty }
}

/// An estimate a what-if sweep runs at every point: training or inference throughput, or the
/// roofline fallback. Plug a new estimator in by making one of these.
///
/// - `parameters`: the workload parameters the metric understands and `--vary` may sweep
///   besides spec keys (`chips`, `batch`, `tp`, ...). A sweep point's value for one of them
///   overrides the metric's own setting.
/// - `evaluate`: the estimate for a chip (already derived with the point's spec values) at a
///   point, with ranges under the range policy (`Ranges`; `ranged(...)` does this).
public struct WhatIfMetric: Sendable {
    /// Human label printed above results (`training tokens/s, llama3-70b on 1024 chips`).
    public var label: String
    public var parameters: [String]
    public var evaluate: @Sendable (Chip, SweepPoint, RangePolicy) throws -> MetricRow

    public init(label: String, parameters: [String], evaluate: @escaping @Sendable (Chip, SweepPoint, RangePolicy) throws -> MetricRow) {
        self.label = label
        self.parameters = parameters
        self.evaluate = evaluate
    }
}

extension WhatIfMetric {
    /// The shape of one headline output of `ranged(...)`.
    public struct Output: Sendable {
        public var name: String
        public var unit: String
        public var higherIsBetter: Bool
        public init(_ name: String, unit: String, higherIsBetter: Bool = true) {
            self.name = name
            self.unit = unit
            self.higherIsBetter = higherIsBetter
        }
    }

    /// A metric from an estimator that works on `ChipParameters` (one corner): it is run under
    /// the range policy (`Ranges.evaluate`: the chip's low, nominal and high corners, plus Monte
    /// Carlo samples when asked) and each output gets its range; the binding resource is the
    /// nominal corner's. This is the one-line way to
    /// plug the training or inference estimator into `whatif`:
    ///
    /// ```swift
    /// WhatIfMetric.ranged(label: "training, llama3-70b on 1024 chips", parameters: ["chips", "batch"],
    ///                     outputs: [.init("tokensPerSecond", unit: "training tokens/s"), .init("mfu", unit: "fraction")]) { params, point in
    ///     let e = try TrainingEstimator.estimate(params, chips: Int(point["chips"] ?? 1024), ...)
    ///     return ([e.tokensPerSecond, e.mfu], e.binding)
    /// }
    /// ```
    public static func ranged(label: String, parameters: [String], outputs: [Output],
                              estimate: @escaping @Sendable (ChipParameters, SweepPoint) throws -> (values: [Double], binding: String)) -> WhatIfMetric {
        ranged(label: label, parameters: parameters, outputs: outputs) { p, point in
            let r = try estimate(p, point)
            return (r.values, r.binding, [])
        }
    }

    /// A metric from a training run under the range policy, with the nominal corner's levers
    /// (`TrainingLevers`, six more plan searches per point) as the row's binding
    /// (`d2d +6.1%`) and `levers`; `levers: false` keeps the breakdown's largest term instead.
    public static func training(label: String, parameters: [String], outputs: [Output], levers: Bool,
                                run: @escaping @Sendable (SweepPoint) throws -> TrainingRun,
                                values: @escaping @Sendable (TrainingEstimate) -> [Double],
                                notes: @escaping @Sendable (TrainingRun, TrainingEstimate, SweepPoint) -> [String]) -> WhatIfMetric {
        WhatIfMetric(label: label, parameters: parameters) { chip, point, policy in
            let t = try run(point)
            let ranged = try Ranges.evaluate(chip, policy: policy) { p in try t.estimate(p) }
            let metrics = outputs.enumerated().map { i, o in
                MetricValue(name: o.name, unit: o.unit, ranged.range { values($0)[i] }, higherIsBetter: o.higherIsBetter)
            }
            var row = MetricRow(metrics: metrics, binding: trainingBinding(ranged.nominal.breakdown),
                                notes: [label] + notes(t, ranged.nominal, point),
                                monteCarlo: ranged.monteCarlo { values($0).first ?? .nan })
            if levers {
                let l = t.levers(ChipParameters(chip: chip), baseline: ranged.nominal)
                row.binding = l.topSummary
                row.levers = l.levers
            }
            return row
        }
    }

    /// `ranged` for an estimate that also returns notes for the row (the nominal corner's are
    /// kept: e.g. the plan the search chose).
    public static func ranged(label: String, parameters: [String], outputs: [Output],
                              estimate: @escaping @Sendable (ChipParameters, SweepPoint) throws -> (values: [Double], binding: String, notes: [String])) -> WhatIfMetric {
        WhatIfMetric(label: label, parameters: parameters) { chip, point, policy in
            let ranged = try Ranges.evaluate(chip, policy: policy) { p in try estimate(p, point) }
            let metrics = outputs.enumerated().map { i, o in
                MetricValue(name: o.name, unit: o.unit, ranged.range { $0.values[i] }, higherIsBetter: o.higherIsBetter)
            }
            return MetricRow(metrics: metrics, binding: ranged.nominal.binding, notes: [label] + ranged.nominal.notes,
                             monteCarlo: ranged.monteCarlo { $0.values.first ?? .nan })
        }
    }
}

extension WhatIfMetric {
    /// The same metric with a per-chip caveat appended to each row's notes.
    /// The same metric with the model-error band of the chip on its headline (first) output.
    public func withModelError(_ band: @escaping @Sendable (Chip) -> ModelErrorBand?) -> WhatIfMetric {
        let inner = evaluate
        return WhatIfMetric(label: label, parameters: parameters) { chip, point, policy in
            var row = try inner(chip, point, policy)
            if !row.metrics.isEmpty { row.metrics[0].modelError = band(chip) }
            return row
        }
    }

    public func withCaveat(_ caveat: @escaping @Sendable (Chip) -> String?) -> WhatIfMetric {
        let inner = evaluate
        return WhatIfMetric(label: label, parameters: parameters) { chip, point, policy in
            var row = try inner(chip, point, policy)
            if let c = caveat(chip) { row.notes.append(c) }
            return row
        }
    }
}
