import Foundation

/// Runs without interruption, as statements about failure rates (Poisson failures).
///
/// A synchronous job fails when any part it spans fails; with independent exponential
/// failures the job's failures form a Poisson process with the summed rate, so
/// `P(no failure in T) = exp(-lambda_job T)`. Read backwards, a claimed unbroken run bounds the
/// rate: the largest per-chip rate under which a run of `D` days on `N` chips stays unbroken
/// with probability at least `p` is `-ln(p) / (N D 24)`. With `p = 0.05` this is the
/// "rule of three" 95% upper bound from one observed unbroken run (-ln 0.05 = 3.0);
/// `p = 0.5` makes the claimed run the typical run rather than a lucky one.
public enum UnbrokenRun {
    /// `exp(-failuresPerHour x days x 24)`.
    public static func probability(jobFailuresPerHour: Double, days: Double) -> Double {
        exp(-jobFailuresPerHour * days * 24)
    }

    /// The largest all-in per-chip failure rate (failures per hour) for which `chips` chips run
    /// `days` days unbroken with probability at least `probability`.
    public static func impliedMaxFailuresPerChipHour(chips: Int, days: Double, probability: Double) -> Double {
        -log(probability) / (Double(chips) * days * 24)
    }

    /// The same bound as a per-chip MTBF in hours (the smallest MTBF the claim needs).
    public static func impliedMinChipMTBFHours(chips: Int, days: Double, probability: Double) -> Double {
        1 / impliedMaxFailuresPerChipHour(chips: chips, days: days, probability: probability)
    }
}
