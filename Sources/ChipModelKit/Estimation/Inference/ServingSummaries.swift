/// The server scenario's queue simulation, as an estimate reports it: the highest Poisson
/// rate meeting the p99 bounds and the latency distribution there (`Estimation/Serving`).
public struct ServingQueueSummary: Sendable, Equatable {
    /// System requests (samples) per second at the bound.
    public var requestsPerSecond: Double
    /// "p99 TTFT <= 2000 ms, p99 TPOT <= 200 ms" or "p99 latency <= 15 ms".
    public var boundsLabel: String
    /// p50 / p90 / p99, ms (nil where the metric does not apply).
    public var ttftMs: [Double]?
    public var tpotMs: [Double]?
    public var latencyMs: [Double]
    /// Mean sequences (samples) per iteration (batch) of one scheduler in the simulation.
    public var meanBatch: Double
    public var simulatedRequests: Int
    public var evaluations: Int
    /// What the lowest failing rate tried broke, e.g. "at 21 requests/s it p99 TTFT ...".
    public var aboveBound: String?

    static func ms(_ s: LatencySummary) -> [Double] { [s.p50Seconds * 1e3, s.p90Seconds * 1e3, s.p99Seconds * 1e3] }

    init(result r: ServingSimulationResult, requestsPerSecond: Double, bounds: String, tokens: Bool, requests: Int, evaluations: Int) {
        self.requestsPerSecond = requestsPerSecond
        boundsLabel = bounds
        ttftMs = tokens ? Self.ms(r.ttft) : nil
        tpotMs = tokens && r.tpot.count > 0 ? Self.ms(r.tpot) : nil
        latencyMs = Self.ms(r.latency)
        meanBatch = r.meanBatch
        simulatedRequests = requests
        self.evaluations = evaluations
    }

    /// "p50 / p90 / p99 = 1.2 / 3.4 / 5.6 ms".
    static func line(_ v: [Double]) -> String {
        "p50 / p90 / p99 = " + v.map { formatQuantity($0) }.joined(separator: " / ") + " ms"
    }
}

/// A disaggregated deployment's two pools (Splitwise / DistServe), as an estimate reports it.
public struct DisaggregationSummary: Sendable, Equatable {
    public var prefillChips: Int
    public var decodeChips: Int
    public var prefillPlan: InferencePlan
    public var decodePlan: InferencePlan
    /// What each pool could sustain alone, requests/s.
    public var prefillRequestsPerSecond: Double
    public var decodeRequestsPerSecond: Double
    /// KV cache of one request moved from prefill to decode, bytes, and the part of its
    /// transfer not hidden behind the prefill (layer-streamed), ms.
    public var kvBytesPerRequest: Double
    public var kvTransferExposedMs: Double
    public var transferTier: String
    /// Dynamic P/D roles (xLLM): instances of this many chips, each switching between prefill
    /// and decode; the chip counts above are then the time-averaged shares. nil: static pools.
    public var dynamicRoleInstanceChips: Int? = nil

    /// Prefill chips per decode chip.
    public var prefillToDecodeRatio: Double { Double(prefillChips) / Double(max(1, decodeChips)) }
}
