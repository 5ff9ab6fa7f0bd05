import ChipModelKit

/// The work a run will do, estimated from its arguments before any of it starts, and the limit
/// a run may not pass without `--max-work`.
///
/// Work is counted in **work units**: one unit is about one roofline layer evaluation on one
/// derived chip (about 0.1-0.2 ms in a release build). Per evaluation (one spec corner or one
/// Monte Carlo sample of one point; a chip with ranged spec values has 3 corners, else 1):
/// - roofline layer metric: 1 unit;
/// - inference estimate (plan and batch search): 10 units;
/// - training estimate: 1,000 units for a plan search (any of tp, pp, dp left open), 100 when
///   the degrees are fixed (the search over the other fields is small).
/// A training `--scaling` table adds one search per row (one scale-up domain up to --chips,
/// doubling). The default limit, `defaultUnits` = 200,000 units, is about half a minute to a
/// minute of work in a release build; a larger run is a usage error (exit 64) that gives its
/// size, the limit and the flag that allows it: `--max-work N` (N >= the size; a run's size
/// never changes its results).
public struct WorkEstimate: Sendable, Equatable {
    public var units: Double
    /// What the units are made of, for the message ("40,000 points x 3 corners x 1 unit").
    public var what: String

    public init(units: Double, what: String) {
        self.units = units
        self.what = what
    }

    public static let zero = WorkEstimate(units: 0, what: "nothing")

    /// Work units per evaluation.
    public enum Cost {
        public static let rooflineEvaluation = 1.0
        public static let inferenceEstimate = 10.0
        public static let trainingSearch = 1_000.0
        public static let trainingFixedDegrees = 100.0
    }

    public static func + (a: WorkEstimate, b: WorkEstimate) -> WorkEstimate {
        if a.units == 0 { return b }
        if b.units == 0 { return a }
        return WorkEstimate(units: a.units + b.units, what: a.what + " + " + b.what)
    }

    /// `count` items of `unitsEach` units, described as "COUNT NOUN x UNITS units".
    public static func items(_ count: Double, _ noun: String, unitsEach: Double, detail: String = "") -> WorkEstimate {
        let each = unitsEach == 1 ? "1 unit" : "\(formatCount(unitsEach)) units"
        return WorkEstimate(units: count * unitsEach, what: "\(formatCount(count)) \(noun) x \(each)\(detail.isEmpty ? "" : " (\(detail))")")
    }
}

public enum WorkLimit {
    /// The largest run accepted without `--max-work` (see `WorkEstimate`).
    public static let defaultUnits = 200_000

    public static let option = OptionSpec.value("--max-work", "UNITS",
        "Allow a run estimated above \(formatCount(Double(defaultUnits))) work units (see 'Limits' in the help).")

    /// The help paragraph commands with a work limit print.
    public static let helpText = """
        Limits: before starting, a run's work is estimated in work units (1 unit ~ one roofline layer evaluation;
        an inference estimate 10; a training plan search 1,000, or 100 with tp, pp and dp fixed; x 3 for a chip with
        ranged specs, + 1 evaluation per Monte Carlo sample; whatif: per grid point; validate: per case; --scaling:
        per table row). A run above \(formatCount(Double(defaultUnits))) units is refused (exit 64) with its size;
        --max-work N allows up to N units. Results are streamed (whatif, validate), so memory stays bounded.
        """

    /// Refuses `estimate` when it is above the limit (`--max-work` or the default).
    public static func check(_ estimate: WorkEstimate, _ args: ParsedArguments) throws(UsageError) {
        let limit = try args.int("--max-work", range: 1...Int(Int64(1) << 53)) ?? defaultUnits
        guard estimate.units > Double(limit) else { return }
        let size = estimate.units.isFinite && estimate.units < 9e18 ? formatCount(estimate.units) : "more than 9e18"
        throw UsageError("this run is about \(size) work units (\(estimate.what)), above the limit of \(formatCount(Double(limit))); "
                         + "make it smaller, or pass --max-work \(estimate.units < 9e15 ? formatCount(estimate.units).replacingOccurrences(of: ",", with: "") : "N") to run it anyway")
    }
}

/// `1,234,567` (whole numbers; `1.2e+20` beyond 1e15).
func formatCount(_ x: Double) -> String {
    guard x.isFinite, x < 1e15 else { return "\(x)" }
    let digits = String(Int64(x.rounded(.up)))
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}
