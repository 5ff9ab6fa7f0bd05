/// The encoder/CNN server scenario from its definition (MLPerf: single-sample queries with
/// Poisson arrivals, p99 latency <= 15 ms ResNet-50 / 130 ms BERT): dynamic batching on every
/// chip, the highest rate meeting the bound found by simulation (`Estimation/Serving`).
enum EncoderServerScenario {
    static let requests = 20_000

    /// `times`: the batch time at the batches the estimator evaluated (powers of two whose
    /// batch alone fits the bound); batch times in between are linear interpolations.
    static func rate(times: [(batch: Int, seconds: Double)], chips: Int, boundSeconds: Double) throws -> ServingQueueSummary {
        guard let last = times.last else { throw DoesNotFitError("no batch finishes within the server bound") }
        // Times at the evaluated batches, linear between them (and proportional below the first).
        var table = [Double](repeating: 0, count: last.batch)
        var j = 0
        for b in 1...last.batch {
            while j + 1 < times.count && times[j + 1].batch <= b { j += 1 }
            let lo = times[j]
            if b <= lo.batch || j + 1 >= times.count {
                table[b - 1] = b == lo.batch ? lo.seconds : lo.seconds * Double(b) / Double(lo.batch)
            } else {
                let hi = times[j + 1]
                table[b - 1] = lo.seconds + Double(b - lo.batch) / Double(hi.batch - lo.batch) * (hi.seconds - lo.seconds)
            }
        }
        let config = DynamicBatchingConfig(servers: chips, maxBatch: last.batch, batchTimeoutSeconds: 0, batchSeconds: table,
                                           routing: .roundRobin)
        let bounds = ServingLatencyBounds(percentile: 0.99, latencySeconds: boundSeconds)
        let load = ServingLoad(requests: requests, warmupRequests: requests / 10, inputTokens: .fixed(1), outputTokens: .fixed(1),
                               phase: .prefillOnly)
        guard let found = try ServerRateSearch.dynamicBatching(load: load, config: config, bounds: bounds, relativeTolerance: 0.01) else {
            throw DoesNotFitError("no Poisson arrival rate keeps the p99 latency within \(formatQuantity(boundSeconds * 1e3)) ms")
        }
        var q = ServingQueueSummary(result: found.result, requestsPerSecond: found.ratePerSecond,
                                   bounds: "p99 latency <= \(formatQuantity(boundSeconds * 1e3)) ms", tokens: false,
                                   requests: requests, evaluations: found.evaluations)
        if let top = found.failingRatePerSecond, let fr = found.failingResult, let why = bounds.violation(fr) {
            q.aboveBound = "at \(formatQuantity(top)) samples/s it \(why)"
        }
        return q
    }
}
