// The one range policy of chipmodel: how an estimate made from a chip with ranged
// (estimated or roadmap) spec values gets its low-high range. Every command (`estimate`,
// `whatif`, `roadmap`) and every estimator goes through `Ranges.evaluate`, so the same run
// prints the same range wherever it appears.
//
// - `.corners` (the default): the estimate is made in full at the chip's pessimistic, nominal
//   and optimistic corners (`Corner`): every ranged capability at its low / nominal / high end,
//   latencies and power the other way round. "In full" means each corner runs the estimator's
//   own search (its best plan for that corner's chip), never the nominal plan re-timed. The
//   range of a metric is the lowest and highest value over the corners that could be
//   estimated; a corner that cannot (the pessimistic chip has too little memory for any plan)
//   is named in the result instead of silently dropped.
// - `.monteCarlo(samples:seed:)`: the corners, plus seeded Monte Carlo samples (each ranged
//   value drawn from triangular(low, nominal, high), every sample estimated in full);
//   percentiles p5/p50/p95 are reported beside the corner range.
//
// Corner analysis bounds a metric that is monotone in each spec value (throughput never falls
// when a bandwidth rises), which the roofline and alpha-beta models are at a fixed plan.

/// A result with its uncertainty: the nominal value and the lowest and highest values over the
/// evaluated corners (or Monte Carlo percentiles). `low <= nominal <= high` is not assumed of
/// the inputs (a metric need not be monotone in every spec); `low`/`high` are the extremes.
public struct RangedValue: Sendable, Equatable {
    public var low: Double
    public var nominal: Double
    public var high: Double
    /// Corners that could not be estimated, with the reason (`low corner: does not fit ...`).
    public var unavailable: [String]

    public init(low: Double, nominal: Double, high: Double, unavailable: [String] = []) {
        self.low = low
        self.nominal = nominal
        self.high = high
        self.unavailable = unavailable
    }

    public init(exact x: Double) { self.init(low: x, nominal: x, high: x) }

    public var hasRange: Bool { high > low * (1 + 1e-12) }
}

/// How ranges are computed (see the top of this file).
public enum RangePolicy: Sendable, Equatable {
    case corners
    case monteCarlo(samples: Int, seed: UInt64)

    /// Monte Carlo samples asked for (0 for `.corners`).
    public var samples: Int {
        if case let .monteCarlo(n, _) = self { return n }
        return 0
    }
}

/// An estimate of any kind made under a `RangePolicy`: the nominal estimate, the estimates at
/// the other corners (or why they failed), and Monte Carlo samples when asked.
public struct RangedEstimate<Estimate: Sendable>: Sendable {
    public var nominal: Estimate
    /// The low and high corners, when the chip has ranged values: each estimated in full, or the
    /// reason it could not be.
    public var corners: [(corner: Corner, outcome: Result<Estimate, RangeCornerFailure>)]
    /// Monte Carlo samples that could be estimated (empty unless the policy asks for them).
    public var samples: [Estimate]
    /// Monte Carlo samples asked for (so a summary can say how many failed).
    public var samplesRequested: Int
    public var seed: UInt64?

    /// The estimates at the low and high corners that could be made.
    public var cornerEstimates: [Estimate] { corners.compactMap { try? $0.outcome.get() } }

    /// The range of one metric: nominal, and the extremes over nominal and the corners.
    public func range(_ metric: (Estimate) -> Double) -> RangedValue {
        let n = metric(nominal)
        let values = [n] + cornerEstimates.map(metric).filter(\.isFinite)
        let failed = corners.compactMap { c -> String? in
            if case let .failure(f) = c.outcome { return "\(c.corner.rawValue) corner: \(f.message)" }
            return nil
        }
        return RangedValue(low: values.min() ?? n, nominal: n, high: values.max() ?? n, unavailable: failed)
    }

    /// Monte Carlo percentiles of one metric, nil without samples.
    public func monteCarlo(_ metric: (Estimate) -> Double) -> MonteCarlo.Summary? {
        guard samplesRequested > 0 else { return nil }
        return MonteCarlo.summarize(samples.map(metric))
    }

    /// The same ranged estimate with every point mapped (e.g. to its headline metrics).
    public func map<T: Sendable>(_ f: (Estimate) throws -> T) rethrows -> RangedEstimate<T> {
        RangedEstimate<T>(nominal: try f(nominal),
                          corners: try corners.map { c in
                              switch c.outcome {
                              case let .success(e): return (c.corner, .success(try f(e)))
                              case let .failure(x): return (c.corner, .failure(x))
                              }
                          },
                          samples: try samples.map(f), samplesRequested: samplesRequested, seed: seed)
    }
}

/// Why one corner of a ranged estimate could not be made.
public struct RangeCornerFailure: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

public enum Ranges {
    /// Estimates `body` under `policy` on `chip`: nominal first (its error is the estimate's
    /// error), then the low and high corners when the chip has ranged values, then Monte Carlo
    /// samples when asked. A corner or sample that throws is recorded, not fatal. The corners
    /// and samples are independent estimates and run in parallel on every core (`parallelMap`:
    /// results in order, identical to a sequential run); each finished one is reported to the
    /// thread's `ProgressSink`.
    public static func evaluate<E: Sendable>(_ chip: Chip, policy: RangePolicy = .corners,
                                              _ body: @Sendable (ChipParameters) throws -> E) throws -> RangedEstimate<E> {
        let nominal = try body(ChipParameters(chip: chip, corner: .nominal))
        let cornerList: [Corner] = chip.hasRanges ? [.low, .high] : []
        var points = cornerList.map { ChipParameters(chip: chip, corner: $0) }
        var seed: UInt64?
        if case let .monteCarlo(n, s) = policy, n > 0 {
            seed = s
            points += MonteCarlo.sampleChips(chip, samples: n, seed: s).map { ChipParameters(chip: $0, corner: .nominal) }
        }
        let sink = ProgressSink.current
        let outcomes = parallelMap(points) { p -> Result<E, RangeCornerFailure> in
            defer { sink?.report() }
            do { return .success(try body(p)) } catch { return .failure(RangeCornerFailure(oneLine("\(error)", limit: 300))) }
        }
        let corners = zip(cornerList, outcomes).map { (corner: $0, outcome: $1) }
        let samples = outcomes.dropFirst(cornerList.count).compactMap { try? $0.get() }
        return RangedEstimate(nominal: nominal, corners: corners, samples: samples, samplesRequested: policy.samples, seed: seed)
    }
}

/// The corner range of one number computed from a chip (`Ranges.evaluate` under `.corners`,
/// then `range`): the convenience for metrics that are a single number.
public func evaluateWithRanges(_ chip: Chip, _ body: @Sendable (ChipParameters) throws -> Double) throws -> RangedValue {
    try Ranges.evaluate(chip) { try body($0) }.range { $0 }
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
