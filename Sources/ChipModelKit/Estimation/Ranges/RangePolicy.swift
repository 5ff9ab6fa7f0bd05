/// A result with its uncertainty: the nominal value and the lowest and highest values over the
/// evaluated corners (or Monte Carlo percentiles). `low <= nominal <= high` is not assumed of
/// the inputs (a metric need not be monotone in every spec); `low`/`high` are the extremes.
public struct RangedValue: Sendable, Equatable {
    public var low: Double
    public var nominal: Double
    public var high: Double

    public init(low: Double, nominal: Double, high: Double) {
        self.low = low
        self.nominal = nominal
        self.high = high
    }

    public init(exact x: Double) { self.init(low: x, nominal: x, high: x) }

    public var hasRange: Bool { high > low * (1 + 1e-12) }
}

/// Evaluates `body` at the chip's pessimistic, nominal and optimistic corners (every ranged
/// capability at its low / nominal / high end, latencies and power the other way round, see
/// `Corner`) and reports the nominal value with the extremes as the range. For a chip with
/// no ranged values the three are equal. This is corner analysis: it bounds a metric that is
/// monotone in each spec value (throughput never falls when a bandwidth rises), which every
/// roofline and alpha-beta model is.
///
/// Estimators call it as `evaluateWithRanges(chip) { params in try myEstimate(params) }`.
public func evaluateWithRanges(_ chip: Chip, _ body: (ChipParameters) throws -> Double) rethrows -> RangedValue {
    let nominal = try body(ChipParameters(chip: chip, corner: .nominal))
    guard chip.hasRanges else { return RangedValue(exact: nominal) }
    let a = try body(ChipParameters(chip: chip, corner: .low))
    let b = try body(ChipParameters(chip: chip, corner: .high))
    return RangedValue(low: min(a, b, nominal), nominal: nominal, high: max(a, b, nominal))
}

/// Like `evaluateWithRanges(_:_:)` for an estimate with several outputs: the closure returns
/// one number per output; each output gets its own range.
public func evaluateWithRanges(_ chip: Chip, outputs: Int, _ body: (ChipParameters) throws -> [Double]) throws -> [RangedValue] {
    let nominal = try body(ChipParameters(chip: chip, corner: .nominal))
    guard nominal.count == outputs else { throw RangeEvaluationError(expected: outputs, got: nominal.count) }
    guard chip.hasRanges else { return nominal.map(RangedValue.init(exact:)) }
    let a = try body(ChipParameters(chip: chip, corner: .low))
    let b = try body(ChipParameters(chip: chip, corner: .high))
    guard a.count == outputs, b.count == outputs else { throw RangeEvaluationError(expected: outputs, got: min(a.count, b.count)) }
    return (0..<outputs).map { RangedValue(low: min(a[$0], b[$0], nominal[$0]), nominal: nominal[$0], high: max(a[$0], b[$0], nominal[$0])) }
}

/// A multi-output estimate returned the wrong number of values.
public struct RangeEvaluationError: Error, Sendable, CustomStringConvertible {
    public var expected: Int
    public var got: Int
    public var description: String { "estimate returned \(got) values, expected \(expected)" }
}

/// Seeded Monte Carlo over a chip's ranged spec values.
///
/// Each ranged value is drawn independently from the triangular distribution on
/// `[low, high]` with mode `nominal` (the usual three-point estimate distribution; a value
/// with no range stays at its nominal). Draws are made column-wise (one array per spec value,
/// all samples at once) with a SplitMix64 generator (Steele, Lea & Flood 2014), so a seed
/// gives the same samples on every platform. The metric is then evaluated per sample.
public enum MonteCarlo {
    /// The result: percentiles of the metric over the samples.
    public struct Summary: Sendable, Equatable {
        public var samples: Int
        public var p5: Double
        public var p50: Double
        public var p95: Double
        public var mean: Double
        public var ranged: RangedValue { RangedValue(low: p5, nominal: p50, high: p95) }
    }

    /// Draws `samples` variants of `chip` and summarizes `body` over them.
    public static func run(_ chip: Chip, samples: Int, seed: UInt64, _ body: (ChipParameters) throws -> Double) throws -> Summary {
        let n = max(1, samples)
        let chips = sampleChips(chip, samples: n, seed: seed)
        var values = [Double](repeating: 0, count: n)
        for i in 0..<n { values[i] = try body(ChipParameters(chip: chips[i], corner: .nominal)) }
        return summarize(values)
    }

    /// Percentiles (nearest rank) and mean; non-finite values are dropped.
    public static func summarize(_ raw: [Double]) -> Summary {
        let v = raw.filter(\.isFinite).sorted()
        guard !v.isEmpty else { return Summary(samples: 0, p5: .nan, p50: .nan, p95: .nan, mean: .nan) }
        func pct(_ p: Double) -> Double { v[min(v.count - 1, max(0, Int((p * Double(v.count)).rounded(.up)) - 1))] }
        return Summary(samples: v.count, p5: pct(0.05), p50: pct(0.5), p95: pct(0.95), mean: v.reduce(0, +) / Double(v.count))
    }

    /// `samples` copies of `chip` with every ranged spec value replaced by a draw (and the
    /// range dropped, so each copy is a point chip).
    public static func sampleChips(_ chip: Chip, samples: Int, seed: UInt64) -> [Chip] {
        var rng = SplitMix64(seed: seed)
        var out = [Chip](repeating: chip, count: samples)
        func column(_ v: SpecValue) -> [Double]? {
            guard v.hasRange, let l = v.low, let h = v.high else { return nil }
            return triangularSamples(low: l, mode: v.nominal, high: h, count: samples, rng: &rng)
        }
        func apply(_ v: SpecValue?, _ set: (inout Chip, SpecValue) -> Void) {
            guard let v, let col = column(v) else { return }
            for i in 0..<samples {
                var s = v
                s.nominal = col[i]
                s.low = nil
                s.high = nil
                set(&out[i], s)
            }
        }
        for f in NumberFormat.allCases {
            apply(chip.densePeaks[f]) { $0.densePeaks[f] = $1 }
            apply(chip.matrixPeaks[f]) { $0.matrixPeaks[f] = $1 }
        }
        apply(chip.memory.bandwidthGBps) { $0.memory.bandwidthGBps = $1 }
        apply(chip.memory.capacityGB) { $0.memory.capacityGB = $1 }
        apply(chip.onChip.sramMB) { $0.onChip.sramMB = $1 }
        apply(chip.onChip.l2CacheMB) { $0.onChip.l2CacheMB = $1 }
        apply(chip.onChip.bandwidthGBps) { $0.onChip.bandwidthGBps = $1 }
        apply(chip.d2d?.bandwidth.stated) { $0.d2d?.bandwidth.stated = $1 }
        apply(chip.d2d?.latencyNs) { $0.d2d?.latencyNs = $1 }
        apply(chip.scaleUp?.bandwidth.stated) { $0.scaleUp?.bandwidth.stated = $1 }
        apply(chip.scaleUp?.latencyUs) { $0.scaleUp?.latencyUs = $1 }
        apply(chip.scaleOut?.nicBandwidth.stated) { $0.scaleOut?.nicBandwidth.stated = $1 }
        apply(chip.scaleOut?.latencyUs) { $0.scaleOut?.latencyUs = $1 }
        apply(chip.tdpW) { $0.tdpW = $1 }
        return out
    }

    /// `count` draws from the triangular distribution (inverse CDF), column at a time.
    public static func triangularSamples(low a: Double, mode c: Double, high b: Double, count: Int, rng: inout SplitMix64) -> [Double] {
        var u = [Double](repeating: 0, count: count)
        for i in 0..<count { u[i] = rng.nextUnit() }
        guard b > a else { return [Double](repeating: c, count: count) }
        let fc = (c - a) / (b - a)
        let width = b - a
        // Elementwise, branch-free in the select: the loop vectorizes in release builds.
        var out = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let x = u[i]
            let lowSide = a + (x * width * (c - a)).squareRoot()
            let highSide = b - ((1 - x) * width * (b - c)).squareRoot()
            out[i] = x < fc ? lowSide : highSide
        }
        return out
    }
}
