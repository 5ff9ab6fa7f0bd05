import Foundation

/// Checkpoint-restart under Poisson failures: the cost function and its optimum.
///
/// Notation (Daly 2006): `M` mean time between failures of the job, `delta` the time one
/// checkpoint stalls the job, `R` the restart time, `tau` the compute time between
/// checkpoints, `Ts` the failure-free solve time. All in seconds.
///
/// - J. W. Young, "A first order approximation to the optimum checkpoint interval",
///   Communications of the ACM 17(9), 1974: `tau = sqrt(2 delta M)`.
/// - J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart
///   dumps", Future Generation Computer Systems 22(3), 2006. Its complete model of the
///   expected wall-clock time under exponential failures (failures may also strike during
///   checkpoints and restarts) is
///   `Tw(tau) = M e^(R/M) (e^((tau+delta)/M) - 1) Ts / tau`,
///   and its higher-order estimate of the optimum is
///   `tau = sqrt(2 delta M) [1 + (1/3) sqrt(delta/(2M)) + (1/9) delta/(2M)] - delta` for
///   `delta < 2M`, else `tau = M`. Daly's figures 3-5 (delta = 5 min, R = 10 min) give 117,
///   57 and 9.1 min for M = 24 h, 6 h and 15 min.
///
/// chipmodel uses the **exact** minimiser of Daly's complete model (the estimates above are
/// its approximations and are kept for reporting and tests). Setting the derivative of
/// `(e^((tau+delta)/M) - 1) / tau` to zero gives `(1 - y) e^y = e^(-delta/M)` with
/// `y = tau/M`, i.e. `y = 1 + W0(-e^(-1-delta/M))` (Lambert W, principal branch; Daly 2006
/// names the Lambert function as the exact solution). `R` does not move the optimum.
public enum CheckpointInterval {
    /// Young (1974): `sqrt(2 delta M)`.
    public static func young(checkpointSeconds delta: Double, mtbfSeconds m: Double) -> Double {
        (2 * delta * m).squareRoot()
    }

    /// Daly (2006), higher-order estimate; `M` when `delta >= 2M`.
    public static func daly(checkpointSeconds delta: Double, mtbfSeconds m: Double) -> Double {
        guard delta < 2 * m else { return m }
        let r = delta / (2 * m)
        return (2 * delta * m).squareRoot() * (1 + r.squareRoot() / 3 + r / 9) - delta
    }

    /// The exact minimiser of Daly's complete cost function over `tau > 0`.
    public static func exactOptimum(checkpointSeconds delta: Double, mtbfSeconds m: Double) -> Double {
        m * optimumFraction(deltaOverM: delta / m)
    }

    /// `y` in (0, 1) with `ln(1 - y) + y + d = 0` (`y = tau_opt / M`, `d = delta / M`).
    /// `g(y) = ln(1-y) + y + d` falls strictly from `g(0) = d` to minus infinity, so the root
    /// is unique; safeguarded Newton within the bracket [lo, hi].
    static func optimumFraction(deltaOverM d: Double) -> Double {
        guard d > 0 else { return 0 }
        func g(_ y: Double) -> Double { logOneMinusPlus(y) + d }
        var lo = 0.0
        var hi = 1.0.nextDown
        if g(hi) >= 0 { return hi }
        // Start from the small-d expansion y = sqrt(2d) (Young), inside the bracket.
        var y = min((2 * d).squareRoot(), 0.5)
        for _ in 0..<100 {
            let gy = g(y)
            if gy > 0 { lo = y } else { hi = y }
            if gy == 0 || hi - lo <= 4 * hi.ulp { break }
            let slope = -y / (1 - y)
            var next = slope < 0 ? y - gy / slope : (lo + hi) / 2
            if !(next > lo && next < hi) { next = (lo + hi) / 2 }
            if abs(next - y) <= 2 * y.ulp { y = next; break }
            y = next
        }
        return y
    }

    /// `ln(1 - y) + y` without cancellation for small `y` (series `-sum y^k/k, k >= 2`).
    static func logOneMinusPlus(_ y: Double) -> Double {
        if y < 0.01 {
            var term = y * y
            var sum = 0.0
            var k = 2.0
            while k <= 16 {
                sum -= term / k
                term *= y
                k += 1
            }
            return sum
        }
        return log1p(-y) + y
    }

    /// Daly's complete model as goodput: useful compute over wall-clock time,
    /// `tau / (M e^(R/M) (e^((tau+delta)/M) - 1))`, computed in log space. With no failures
    /// (`M` infinite) it is `tau / (tau + delta)`. Returns the natural log of the fraction
    /// (always <= 0; may be very negative when the job fails faster than it can restart).
    public static func logGoodput(intervalSeconds tau: Double, checkpointSeconds delta: Double,
                                  restartSeconds r: Double, mtbfSeconds m: Double) -> Double {
        guard m.isFinite else { return log(tau) - log(tau + delta) }
        let x = (tau + delta) / m
        let logExpm1 = x > 30 ? x + log(-expm1(-x)) : log(expm1(x))
        return min(0, log(tau) - log(m) - r / m - logExpm1)
    }
}
