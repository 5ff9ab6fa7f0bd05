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
                do { row = try metric.evaluate(chip, p, policy) } catch {
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
