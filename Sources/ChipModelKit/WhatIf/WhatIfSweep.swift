import Foundation

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
    /// How every point's ranges are computed (`Ranges`).
    public var policy: RangePolicy

    public init(templates: [ChipTemplate], sets: [(String, Double)] = [], name: String? = nil, axes: [SweepAxis] = [],
                metric: WhatIfMetric, policy: RangePolicy = .corners) {
        self.templates = templates
        self.sets = sets
        self.name = name
        self.axes = axes
        self.metric = metric
        self.policy = policy
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

    /// Points to evaluate (computed, not built; `Int.max` on overflow).
    public var pointCount: Int {
        let (n, overflow) = templates.count.multipliedReportingOverflow(by: SweepPoint.count(axes))
        return overflow ? Int.max : n
    }

    /// Evaluates every point and returns the results; `progress(done, total)` is called after
    /// each. An estimate that cannot be made at one point (a format the chip lacks, a shape
    /// that does not fit) becomes a row without metrics, not a failed sweep. For large sweeps
    /// use `forEachResult`, which holds none of them.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> [SweepResult] {
        let total = pointCount
        var results: [SweepResult] = []
        results.reserveCapacity(min(total, 1 << 16))
        try forEachResult { r in
            results.append(r)
            progress(results.count, total)
        }
        return results
    }
}
