/// The highest Poisson arrival rate whose simulated latencies meet the bounds: the search
/// MLPerf LoadGen runs on hardware ("LoadGen will use a binary search to find a candidate
/// value. If a run fails, it will reduce the value", inference_rules.adoc, LoadGen
/// Operation) and Vidur's capacity search runs on its simulator (`capacity_search.py`,
/// bisection, 20 iterations). Every evaluation replays the same request stream scaled to the
/// rate (common random numbers), so neighbouring rates differ only by the rate.
public enum ServerRateSearch {
    public struct Outcome: Sendable {
        /// The highest rate found that meets the bounds, requests/s.
        public var ratePerSecond: Double
        /// The simulation at that rate (its latency distribution and throughput).
        public var result: ServingSimulationResult
        /// The lowest rate tried that failed, when one was found (the bracket's top), and its
        /// simulation (which bound it broke).
        public var failingRatePerSecond: Double?
        public var failingResult: ServingSimulationResult?
        public var evaluations: Int
    }

    /// Bisection on [lowest, highest] starting from `upperRatePerSecond` (e.g. the analytic
    /// capacity): if the upper rate passes it is doubled (up to 8 times); if it fails, rates
    /// of upper/2, /8, /64 are tried until one passes (none: at 1/64 of the capacity the
    /// replica is nearly idle, so the bounds cannot be met at any load: nil). Stops when the bracket is within `relativeTolerance` of its top or after
    /// `maxEvaluations`.
    public static func maximumRate(bounds: ServingLatencyBounds, upperRatePerSecond: Double, relativeTolerance: Double = 0.002,
                                   maxEvaluations: Int = 40,
                                   evaluate: (Double) throws -> ServingSimulationResult) throws -> Outcome? {
        try bounds.validate()
        guard upperRatePerSecond.isFinite, upperRatePerSecond > 0 else {
            throw ServingInputError("search upper rate must be a finite number > 0 (got \(upperRatePerSecond))")
        }
        var evaluations = 0
        func run(_ r: Double) throws -> ServingSimulationResult {
            evaluations += 1
            return try evaluate(r)
        }
        var hi = upperRatePerSecond
        var hiResult = try run(hi)
        var passing: (rate: Double, result: ServingSimulationResult)?
        var doublings = 0
        while bounds.isMet(by: hiResult) {
            passing = (hi, hiResult)
            if doublings == 8 {
                return Outcome(ratePerSecond: hi, result: hiResult, failingRatePerSecond: nil, failingResult: nil, evaluations: evaluations)
            }
            hi *= 2
            hiResult = try run(hi)
            doublings += 1
        }
        // Step down from a failing top: the bound usually binds within a factor of two of the
        // capacity, so halving first keeps the bracket (and the simulations) small.
        if passing == nil {
            for divisor in [2.0, 8, 64] {
                let rate = hi / divisor
                let r = try run(rate)
                if bounds.isMet(by: r) {
                    passing = (rate, r)
                    break
                }
                hi = rate
                hiResult = r
            }
            if passing == nil { return nil }
        }
        guard var (lo, loResult) = passing else { return nil }
        while (hi - lo) > relativeTolerance * hi && evaluations < maxEvaluations {
            // Bisect in log space while the bracket spans orders of magnitude, linearly after.
            let mid = hi / lo > 4 ? (lo * hi).squareRoot() : (lo + hi) / 2
            let r = try run(mid)
            if bounds.isMet(by: r) {
                lo = mid
                loResult = r
            } else {
                hi = mid
                hiResult = r
            }
        }
        return Outcome(ratePerSecond: lo, result: loResult, failingRatePerSecond: hi, failingResult: hiResult, evaluations: evaluations)
    }

    /// LLM server scenario: the highest rate at which one continuous-batching replica meets
    /// `bounds` on `load`; the analytic capacity gives the starting bracket.
    public static func continuousBatching(load: ServingLoad, config: ContinuousBatchingConfig, bounds: ServingLatencyBounds,
                                          relativeTolerance: Double = 0.002) throws -> Outcome? {
        let stream = try ServingRequestStream(load)
        let est = ServingAnalytic.continuousBatching(config: config, ratePerSecond: 0, meanInputTokens: load.inputTokens.mean,
                                                     meanOutputTokens: load.outputTokens.mean, phase: load.phase)
        let upper = est.capacityRequestsPerSecond.isFinite && est.capacityRequestsPerSecond > 0 ? est.capacityRequestsPerSecond * 1.05 : 1
        // A request alone must meet the bounds: 50 requests far apart (cheap), else no rate can.
        var alone = load
        alone.requests = min(50, load.requests)
        alone.warmupRequests = 0
        let single = try ContinuousBatchingSimulator.run(try ServingRequestStream(alone), ratePerSecond: upper * 1e-6, config: config,
                                                         phase: load.phase, warmupRequests: 0)
        var latencyOnly = bounds
        latencyOnly.minimumSustainedFraction = 0
        if !latencyOnly.isMet(by: single) { return nil }
        return try maximumRate(bounds: bounds, upperRatePerSecond: upper, relativeTolerance: relativeTolerance) { rate in
            try ContinuousBatchingSimulator.run(stream, ratePerSecond: rate, config: config, phase: load.phase,
                                                warmupRequests: load.warmupRequests)
        }
    }

    /// CNN/BERT server scenario: the highest rate at which `config.servers` chips with dynamic
    /// batching meet `bounds` (MLPerf: p99 latency <= 15 ms ResNet-50, 130 ms BERT).
    public static func dynamicBatching(load: ServingLoad, config: DynamicBatchingConfig, bounds: ServingLatencyBounds,
                                       relativeTolerance: Double = 0.002) throws -> Outcome? {
        var single = load
        single.inputTokens = .fixed(1)
        single.outputTokens = .fixed(1)
        single.phase = .prefillOnly
        let stream = try ServingRequestStream(single)
        let est = ServingAnalytic.dynamicBatching(config: config, ratePerSecond: 0)
        return try maximumRate(bounds: bounds, upperRatePerSecond: est.capacitySamplesPerSecond * 1.05,
                               relativeTolerance: relativeTolerance) { rate in
            try DynamicBatchingSimulator.run(stream, ratePerSecond: rate, config: config, warmupRequests: load.warmupRequests)
        }
    }
}
