/// Which part of serving a workload (or a measurement) covers (Benchmarks/CASES.md v2,
/// `workload.phase`).
public enum InferencePhase: String, Sendable, CaseIterable {
    /// Prefill and decode of every request on the same chips (default).
    case both
    /// Steady-state decode only, at a context of input + output/2 tokens: prefill runs
    /// elsewhere (a disaggregated prefill pool) or is excluded from the measurement.
    case decode
    /// Prompt processing only.
    case prefill
}

/// Speculative decoding (Benchmarks/CASES.md v2, `workload.speculative`): each decode step
/// verifies `draftTokens + 1` tokens per sequence and keeps `acceptedTokensPerStep` of them on
/// average (Leviathan et al. 2023; DeepSeek-V3's multi-token prediction, arXiv 2412.19437
/// section 2.2, used as the draft at inference).
public struct SpeculativeDecoding: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        /// Multi-token prediction modules of the model itself: each draft token costs one pass
        /// of one extra transformer layer.
        case mtp
        /// A separate draft model (its cost is not modelled: the spec gives no draft model).
        case draft
    }
    public var method: Method
    public var draftTokens: Int
    public var acceptedTokensPerStep: Double

    public init(method: Method, draftTokens: Int, acceptedTokensPerStep: Double) {
        self.method = method
        self.draftTokens = draftTokens
        self.acceptedTokensPerStep = acceptedTokensPerStep
    }

    /// Why the values are impossible (a >= 1, a <= k + 1, k >= 1), or nil.
    public var problem: String? {
        if draftTokens < 1 { return "draftTokens must be >= 1 (got \(draftTokens))" }
        if !(acceptedTokensPerStep.isFinite && acceptedTokensPerStep >= 1) {
            return "acceptedTokensPerStep must be >= 1 (got \(acceptedTokensPerStep))"
        }
        if acceptedTokensPerStep > Double(draftTokens + 1) {
            return "acceptedTokensPerStep \(acceptedTokensPerStep) exceeds draftTokens + 1 = \(draftTokens + 1)"
        }
        return nil
    }
}
