/// Sweeps that never hold their grid: points are computed from their index and every result
/// is handed on as soon as it is made, so memory does not grow with the number of points (a
/// 10,000 x 10,000 grid once asked for 247 GB just to list its points).
extension SweepPoint {
    /// The number of points of the grid over `axes` (1 with no axes), without building it;
    /// `Int.max` when the product overflows.
    public static func count(_ axes: [SweepAxis]) -> Int {
        var n = 1
        for a in axes {
            let (p, overflow) = n.multipliedReportingOverflow(by: a.values.count)
            if overflow { return Int.max }
            n = p
        }
        return n
    }

    /// Point `index` of the grid over `axes`: the same point as `grid(axes)[index]` (first axis
    /// outermost, last axis fastest).
    public static func at(_ index: Int, of axes: [SweepAxis]) -> SweepPoint {
        var rest = index
        var values = [(name: String, value: Double)](repeating: ("", 0), count: axes.count)
        for (k, a) in axes.enumerated().reversed() {
            let n = max(1, a.values.count)
            values[k] = (a.name, a.values.isEmpty ? 0 : a.values[rest % n])
            rest /= n
        }
        return SweepPoint(values)
    }
}

extension WhatIfSweep {
    /// Evaluates every point (templates outermost, then the grid in order) and calls `body`
    /// with each result as soon as it is made. An estimate that cannot be made at one point
    /// becomes a row without metrics (as in `run`); an error thrown by `body` stops the sweep.
    public func forEachResult(_ body: (SweepResult) throws -> Void) throws {
        try validate()
        let count = SweepPoint.count(axes)
        for t in templates {
            for i in 0..<count {
                let p = SweepPoint.at(i, of: axes)
                let specSets = p.values.filter { !metric.parameters.contains($0.name) }.map { ($0.name, $0.value) }
                let chip = try t.derive(sets + specSets, name: name)
                let row: MetricRow
                do { row = try metric.evaluate(chip, p, policy) } catch {
                    row = MetricRow(metrics: [], binding: "n/a", notes: ["\(error)"])
                }
                try body(SweepResult(chipID: chip.id, chipName: chip.name, point: p, row: row, chip: chip))
            }
        }
    }
}
