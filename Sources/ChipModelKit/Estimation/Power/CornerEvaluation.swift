extension RangedValue {
    /// A spec value's nominal and range (`low`/`high` default to the nominal).
    public init(_ spec: SpecValue) {
        self.init(low: spec.low ?? spec.nominal, nominal: spec.nominal, high: spec.high ?? spec.nominal)
    }
}

/// Corner analysis over independent ranged inputs: evaluates `outputs` at the nominal point
/// and at every combination of each ranged input at its low or its high end (2^k points for
/// k ranged inputs), and reports each output's nominal value with the extremes seen. For an
/// output monotone in each input separately (every formula of the power and cost models is:
/// sums and products of non-negative terms, one quotient) the extremes are exact bounds.
///
/// Above `maximumFullInputs` ranged inputs the enumeration would grow too large; then the
/// corners are all-low, all-high and each input alone at either end (2 + 2k points), a
/// documented approximation (`RangedValue` extremes may then be inside the true bounds).
enum CornerEvaluation {
    static let maximumFullInputs = 16

    static func evaluate<Point>(_ nominal: Point, ranged: [(WritableKeyPath<Point, Double>, RangedValue)],
                                _ outputs: (Point) -> [Double]) -> [RangedValue] {
        var base = nominal
        for (path, range) in ranged { base[keyPath: path] = range.nominal }
        let center = outputs(base)
        var low = center
        var high = center
        func visit(_ p: Point) {
            let o = outputs(p)
            for i in 0..<min(o.count, center.count) {
                low[i] = min(low[i], o[i])
                high[i] = max(high[i], o[i])
            }
        }
        let active = ranged.filter { $0.1.hasRange }
        if active.count <= maximumFullInputs {
            for mask in 0..<(1 << active.count) {
                var p = base
                for (bit, (path, range)) in active.enumerated() {
                    p[keyPath: path] = (mask >> bit) & 1 == 0 ? range.low : range.high
                }
                visit(p)
            }
        } else {
            var allLow = base
            var allHigh = base
            for (path, range) in active {
                allLow[keyPath: path] = range.low
                allHigh[keyPath: path] = range.high
                var p = base
                p[keyPath: path] = range.low
                visit(p)
                p[keyPath: path] = range.high
                visit(p)
            }
            visit(allLow)
            visit(allHigh)
        }
        return center.indices.map { RangedValue(low: low[$0], nominal: center[$0], high: high[$0]) }
    }
}
