import Foundation

/// Expert load imbalance across the ranks of an expert-parallel group: every MoE layer waits
/// for its busiest rank (the grouped GEMMs and the receive side of dispatch/combine), so the
/// step follows the maximum rank load, not the mean.
///
/// With routing that spreads a rank's μ expected (token, expert) rows as independent draws
/// over R ranks (a perfectly balanced router, i.e. what DeepSeek's EPLB redundant experts aim
/// at), the heaviest of R bins holds μ + sqrt(2·μ·ln R)·(1 + o(1)) rows (Raab & Steger 1998,
/// "Balls into Bins: A Simple and Tight Analysis", RANDOM'98, Theorem 1, case m >> n·log n). It
/// is the floor of the imbalance: skewed expert popularity only adds to it, and no constant is
/// fitted for that part.
///
/// For a batch b with r rows per sequence per rank (μ = b·r), the busiest rank serves the batch
/// b + sqrt(c·b) with c = 2·ln R / r (`DecodeTerm.imbalanceCoefficient`).
enum ExpertLoadImbalance {
    /// The coefficient c for `rowsPerSequencePerRank` r and `ranks` R (0 when R < 2).
    static func coefficient(rowsPerSequencePerRank r: Double, ranks: Int) -> Double {
        guard ranks > 1, r > 0, r.isFinite else { return 0 }
        return 2 * Foundation.log(Double(ranks)) / r
    }

    /// max / mean load at a batch b (for explanations).
    static func factor(batch b: Double, rowsPerSequencePerRank r: Double, ranks: Int) -> Double {
        let c = coefficient(rowsPerSequencePerRank: r, ranks: ranks)
        return c > 0 && b > 0 ? 1 + (c / b).squareRoot() : 1
    }
}
