import Foundation

/// One swept parameter and its values, parsed from `NAME=SPEC` where SPEC is
/// - a list: `448,896,1792,3584`;
/// - a geometric range: `256..8192*2` (256, 512, ..., 8192);
/// - an arithmetic range: `1000..4000+500` (1000, 1500, ..., 4000).
/// Range ends are inclusive when the last step lands on them (within 1e-9 relative).
public struct SweepAxis: Sendable, Equatable {
    public var name: String
    public var values: [Double]

    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }

    /// The most points one axis may have (a guard against `1..1e9+1`).
    public static let maximumPoints = 10_000

    /// Parses `NAME=SPEC`; errors are one line naming the problem.
    public static func parse(_ text: String) throws(SweepSyntaxError) -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw SweepSyntaxError(text, "expected NAME=VALUES (e.g. d2d.bandwidthGBps=448,896 or chips=256..8192*2)")
        }
        let name = String(text[..<eq]).trimmingSpaces
        let spec = String(text[text.index(after: eq)...]).trimmingSpaces
        guard !name.isEmpty else { throw SweepSyntaxError(text, "missing parameter name before '='") }
        guard !spec.isEmpty else { throw SweepSyntaxError(text, "missing values after '='") }
        func number(_ s: Substring) throws(SweepSyntaxError) -> Double {
            let t = String(s).trimmingSpaces.replacingUnderscores
            guard let d = Double(t), d.isFinite else { throw SweepSyntaxError(text, "'\(s)' is not a number") }
            return d
        }
        if let dots = spec.range(of: "..") {
            let start = try number(spec[..<dots.lowerBound])
            let rest = spec[dots.upperBound...]
            guard let opIndex = rest.lastIndex(where: { $0 == "*" || $0 == "+" }), opIndex != rest.startIndex else {
                throw SweepSyntaxError(text, "a range needs a step: a..b*ratio (geometric) or a..b+step (arithmetic)")
            }
            let end = try number(rest[..<opIndex])
            let step = try number(rest[rest.index(after: opIndex)...])
            guard end >= start else { throw SweepSyntaxError(text, "range end \(formatQuantity(end)) is below its start \(formatQuantity(start))") }
            var values: [Double] = []
            let tolerance = 1e-9 * max(abs(end), 1)
            if rest[opIndex] == "*" {
                guard start > 0 else { throw SweepSyntaxError(text, "a geometric range must start above 0") }
                guard step > 1 else { throw SweepSyntaxError(text, "a geometric ratio must be above 1, got \(formatQuantity(step))") }
                var v = start
                while v <= end + tolerance {
                    values.append(v)
                    if values.count > maximumPoints { throw SweepSyntaxError(text, "more than \(maximumPoints) points") }
                    v *= step
                }
            } else {
                guard step > 0 else { throw SweepSyntaxError(text, "an arithmetic step must be above 0, got \(formatQuantity(step))") }
                let count = ((end - start) / step + 1e-9).rounded(.down) + 1
                guard count <= Double(maximumPoints) else { throw SweepSyntaxError(text, "more than \(maximumPoints) points") }
                for i in 0..<Int(count) { values.append(start + Double(i) * step) }
            }
            return SweepAxis(name: name, values: values)
        }
        var values: [Double] = []
        for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
            guard !String(part).trimmingSpaces.isEmpty else { throw SweepSyntaxError(text, "empty value in the list") }
            values.append(try number(part))
        }
        if values.count > maximumPoints { throw SweepSyntaxError(text, "more than \(maximumPoints) points") }
        return SweepAxis(name: name, values: values)
    }

    /// True when the values span more than a factor of 10 (a chart uses a log axis).
    public var spansDecade: Bool {
        guard let lo = values.min(), let hi = values.max(), lo > 0 else { return false }
        return hi / lo > 10
    }
}

/// A malformed `--vary` value.
public struct SweepSyntaxError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var message: String
    public init(_ text: String, _ message: String) {
        self.text = text
        self.message = message
    }
    public var description: String { "malformed sweep '\(text)': \(message)" }
}

/// One point of a sweep: the value of each swept parameter, in axis order.
public struct SweepPoint: Sendable, Equatable {
    public var values: [(name: String, value: Double)]

    public init(_ values: [(name: String, value: Double)]) { self.values = values }

    public subscript(_ name: String) -> Double? { values.first { $0.name == name }?.value }

    public static func == (a: SweepPoint, b: SweepPoint) -> Bool {
        a.values.count == b.values.count && zip(a.values, b.values).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// The grid of points over one or two axes (first axis outermost). No axes: one empty point.
    public static func grid(_ axes: [SweepAxis]) -> [SweepPoint] {
        var points = [SweepPoint([])]
        for axis in axes {
            var next: [SweepPoint] = []
            for p in points { for v in axis.values { next.append(SweepPoint(p.values + [(axis.name, v)])) } }
            points = next
        }
        return points
    }
}

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

    /// `1234 (1000-1500)` or `1234`.
    public var formatted: String {
        let n = formatQuantity(nominal)
        if hasRange, let l = low, let h = high {
            let (ls, hs) = (formatQuantity(l), formatQuantity(h))
            if ls != n || hs != n { return "\(n) (\(ls)-\(hs))" }
        }
        return n
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

    public init(metrics: [MetricValue], binding: String, notes: [String] = []) {
        self.metrics = metrics
        self.binding = binding
        self.notes = notes
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
///   point. Report ranges (e.g. with `evaluateWithRanges`) when `chip.hasRanges`.
public struct WhatIfMetric: Sendable {
    /// Human label printed above results (`training tokens/s, llama3-70b on 1024 chips`).
    public var label: String
    public var parameters: [String]
    public var evaluate: @Sendable (Chip, SweepPoint) throws -> MetricRow

    public init(label: String, parameters: [String], evaluate: @escaping @Sendable (Chip, SweepPoint) throws -> MetricRow) {
        self.label = label
        self.parameters = parameters
        self.evaluate = evaluate
    }
}

/// One evaluated sweep point.
public struct SweepResult: Sendable {
    public var chipID: String
    public var chipName: String
    public var point: SweepPoint
    public var row: MetricRow
    /// The chip evaluated (derived with the point's spec values).
    public var chip: Chip
}

/// Runs a what-if sweep: for every base chip and every grid point, derive the chip with the
/// point's spec values (plus the fixed `--set` values), then evaluate the metric.
public struct WhatIfSweep: Sendable {
    public var templates: [ChipTemplate]
    /// Fixed spec edits applied to every chip before the swept ones.
    public var sets: [(String, Double)]
    /// New name for the derived chip (only with one template).
    public var name: String?
    public var axes: [SweepAxis]
    public var metric: WhatIfMetric

    public init(templates: [ChipTemplate], sets: [(String, Double)] = [], name: String? = nil, axes: [SweepAxis] = [],
                metric: WhatIfMetric) {
        self.templates = templates
        self.sets = sets
        self.name = name
        self.axes = axes
        self.metric = metric
    }

    /// Checks that every axis names a spec key or a metric parameter, and at most two axes.
    public func validate() throws {
        guard axes.count <= 2 else { throw SweepSyntaxError(axes.map(\.name).joined(separator: ", "), "at most two --vary parameters (a grid)") }
        var seen: Set<String> = []
        for a in axes {
            if !seen.insert(a.name).inserted { throw SweepSyntaxError(a.name, "parameter varied twice") }
        }
        for t in templates {
            for (k, _) in sets { try t.checkKey(k) }
            for a in axes where !metric.parameters.contains(a.name) {
                do { try t.checkKey(a.name) } catch {
                    let valid = metric.parameters + error.valid
                    throw WhatIfKeyError(key: a.name, valid: valid, suggestions: nearestNames(to: a.name, in: valid),
                                         alsoAccepted: "a parameter of the metric (\(metric.parameters.isEmpty ? "none" : metric.parameters.joined(separator: ", ")))")
                }
            }
        }
    }

    public var pointCount: Int { templates.count * SweepPoint.grid(axes).count }

    /// Evaluates every point; `progress(done, total)` is called after each.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> [SweepResult] {
        try validate()
        let points = SweepPoint.grid(axes)
        let total = templates.count * points.count
        var results: [SweepResult] = []
        results.reserveCapacity(total)
        var done = 0
        for t in templates {
            for p in points {
                let specSets = p.values.filter { !metric.parameters.contains($0.name) }.map { ($0.name, $0.value) }
                let chip = try t.derive(sets + specSets, name: name)
                // An estimate that cannot be made at one point (a format the chip lacks, a
                // shape that does not fit) becomes a row without metrics, not a failed sweep.
                let row: MetricRow
                do { row = try metric.evaluate(chip, p) } catch {
                    row = MetricRow(metrics: [], binding: "n/a", notes: ["\(error)"])
                }
                results.append(SweepResult(chipID: chip.id, chipName: chip.name, point: p, row: row, chip: chip))
                done += 1
                progress(done, total)
            }
        }
        return results
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    var replacingUnderscores: String { String(filter { $0 != "_" }) }
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

    /// A metric from an estimator that works on `ChipParameters` (one corner): it is run at
    /// the chip's low, nominal and high corners (`evaluateWithRanges`) and each output gets
    /// its range; the binding resource is the nominal corner's. This is the one-line way to
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
        WhatIfMetric(label: label, parameters: parameters) { chip, point in
            var binding = "n/a"
            let ranges = try evaluateWithRanges(chip, outputs: outputs.count) { p in
                let r = try estimate(p, point)
                if p.corner == .nominal { binding = r.binding }
                return r.values
            }
            let metrics = zip(outputs, ranges).map { o, r in MetricValue(name: o.name, unit: o.unit, r, higherIsBetter: o.higherIsBetter) }
            return MetricRow(metrics: metrics, binding: binding, notes: [label])
        }
    }
}

extension WhatIfMetric {
    /// The same metric with a per-chip caveat appended to each row's notes.
    public func withCaveat(_ caveat: @escaping @Sendable (Chip) -> String?) -> WhatIfMetric {
        let inner = evaluate
        return WhatIfMetric(label: label, parameters: parameters) { chip, point in
            var row = try inner(chip, point)
            if let c = caveat(chip) { row.notes.append(c) }
            return row
        }
    }
}
