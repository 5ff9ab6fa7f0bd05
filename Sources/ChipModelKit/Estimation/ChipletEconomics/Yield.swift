import Foundation

/// Die-yield models: the fraction of dies of area `A` free of killer defects at defect
/// density `D` (defects per cm²).
public enum YieldModel: Sendable, Equatable {
    /// Poisson: `Y = e^(-A·D)`: defects land independently and uniformly (Seeds; see
    /// Flynn, *Computer Architecture: Pipelined and Parallel Processor Design*, 1995, sec. 2.4,
    /// whose example gives Y = 0.1 for A = 2.3 cm² and 0.37 for A = 1 cm² at D = 1/cm²).
    /// Pessimistic for large dies, because real defects cluster.
    case poisson
    /// Murphy: `Y = ((1 - e^(-A·D)) / (A·D))²` (B. T. Murphy, "Cost-size optima of
    /// monolithic integrated circuits", Proc. IEEE 52(12), 1964): defect density varies
    /// across wafers with a triangular distribution. The usual default for cost models.
    case murphy
    /// Negative binomial ("Bose-Einstein" form of Hennessy & Patterson):
    /// `Y = (1 + D·A)^(-N)` with N the process-complexity factor (H&P, *Computer
    /// Architecture: A Quantitative Approach*, 5th ed., 2012, sec. 1.6: N = 13.5 for a 40 nm
    /// process; the standard negative-binomial form with clustering α is `(1 + D·A/α)^(-α)`).
    case hennessyPatterson(n: Double)

    public var name: String {
        switch self {
        case .poisson: return "poisson"
        case .murphy: return "murphy"
        case let .hennessyPatterson(n): return "hennessy-patterson(N=\(formatQuantity(n)))"
        }
    }

    /// Die yield for `areaCm2` at `defectsPerCm2` (both >= 0); 1 for a defect-free process.
    public func dieYield(areaCm2: Double, defectsPerCm2: Double) -> Double {
        let ad = max(0, areaCm2) * max(0, defectsPerCm2)
        switch self {
        case .poisson:
            return exp(-ad)
        case .murphy:
            guard ad > 1e-12 else { return 1 }
            let f = (1 - exp(-ad)) / ad
            return f * f
        case let .hennessyPatterson(n):
            return pow(1 + ad, -n)
        }
    }
}

public enum Wafer {
    /// Gross dies per wafer, the standard approximation (Hennessy & Patterson, *Computer
    /// Architecture: A Quantitative Approach*, sec. 1.6):
    /// `π·(d/2)² / A − π·d / √(2·A)`: wafer area over die area, less the partial dies lost
    /// along the edge. `d` and `√A` in the same length unit (mm here). Not rounded; H&P's
    /// example (30 cm wafer, 1.5 cm die) is 269.7, which the book quotes as 270.
    public static func grossDies(waferDiameterMm d: Double, dieAreaMm2 a: Double) -> Double {
        guard a > 0, d > 0 else { return 0 }
        let r = d / 2
        return max(0, Double.pi * r * r / a - Double.pi * d / (2 * a).squareRoot())
    }

    /// The lithography reticle field, 26 mm x 33 mm = 858 mm²: the largest die a scanner
    /// exposes in one shot (ASML NXT/NXE field size); a monolithic die above it cannot be made.
    public static let reticleLimitMm2 = 858.0
}
