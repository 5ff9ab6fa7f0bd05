/// Percentiles of a latency sample, seconds, with MLPerf LoadGen's definition: the value at
/// index `Int(n · p)` of the ascending sort (loadgen/results.cc, `ProcessLatencies` and
/// `ProcessTokenLatencies`: `sorted[sample_count * percentile]`).
public struct LatencySummary: Sendable, Equatable {
    public var count: Int
    public var meanSeconds: Double
    public var p50Seconds: Double
    public var p90Seconds: Double
    public var p99Seconds: Double
    public var maxSeconds: Double

    public static let empty = LatencySummary(count: 0, meanSeconds: .nan, p50Seconds: .nan, p90Seconds: .nan, p99Seconds: .nan,
                                             maxSeconds: .nan)

    /// Summarizes the finite values of `values` (NaN marks "not applicable", e.g. the TPOT of
    /// a one-token request). Order statistics by selection (Hoare's quickselect, expected
    /// O(n)), the same values a full sort gives (`sortedPercentile` is that reference).
    public init(_ values: [Double]) {
        var v: [Double] = []
        v.reserveCapacity(values.count)
        var sum = 0.0, largest = -Double.infinity
        for x in values where x.isFinite {
            v.append(x)
            sum += x
            if x > largest { largest = x }
        }
        guard !v.isEmpty else {
            self = .empty
            return
        }
        let n = v.count
        let k50 = min(n - 1, Int(Double(n) * 0.50)), k90 = min(n - 1, Int(Double(n) * 0.90)), k99 = min(n - 1, Int(Double(n) * 0.99))
        let (p50, p90, p99) = v.withUnsafeMutableBufferPointer { b -> (Double, Double, Double) in
            Self.select(b, k50, from: 0, to: n - 1)
            Self.select(b, k90, from: k50, to: n - 1)
            Self.select(b, k99, from: k90, to: n - 1)
            return (b[k50], b[k90], b[k99])
        }
        self.init(count: n, meanSeconds: sum / Double(n), p50Seconds: p50, p90Seconds: p90, p99Seconds: p99, maxSeconds: largest)
    }

    /// Rearranges b[lo...hi] so that b[k] holds the value a sort would put there, everything
    /// before it is <= and everything after >= (Hoare partition, median-of-three pivot).
    static func select(_ b: UnsafeMutableBufferPointer<Double>, _ k: Int, from lo0: Int, to hi0: Int) {
        var lo = lo0, hi = hi0
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            if b[mid] < b[lo] { b.swapAt(mid, lo) }
            if b[hi] < b[lo] { b.swapAt(hi, lo) }
            if b[hi] < b[mid] { b.swapAt(hi, mid) }
            let pivot = b[mid]
            var i = lo, j = hi
            while i <= j {
                while b[i] < pivot { i += 1 }
                while pivot < b[j] { j -= 1 }
                if i <= j {
                    b.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }

    /// The percentile by sorting a copy: the obvious version the selection is tested against.
    public static func sortedPercentile(_ values: [Double], _ p: Double) -> Double {
        let v = values.filter { $0.isFinite }.sorted()
        guard !v.isEmpty else { return .nan }
        return v[min(v.count - 1, max(0, Int(Double(v.count) * p)))]
    }

    public init(count: Int, meanSeconds: Double, p50Seconds: Double, p90Seconds: Double, p99Seconds: Double, maxSeconds: Double) {
        self.count = count
        self.meanSeconds = meanSeconds
        self.p50Seconds = p50Seconds
        self.p90Seconds = p90Seconds
        self.p99Seconds = p99Seconds
        self.maxSeconds = maxSeconds
    }

}

/// Per-request outcomes of one simulation, in request order (index i = the i-th arrival), and
/// the counters both simulators keep. Two simulators agree when these arrays are equal.
public struct ServingTrace: Sendable, Equatable {
    /// Arrival, seconds from the start of the run.
    public var arrivalSeconds: [Double]
    /// Admission: the request's first prefill chunk (or, decode-only, its first decode step,
    /// or a sample's batch start) begins, seconds from the start. Admission minus arrival is
    /// Vidur's scheduling delay.
    public var admissionSeconds: [Double]
    /// First token (LLM; decode-only: the arrival, the token came with the request) or
    /// completion (batched samples), seconds from the start.
    public var firstTokenSeconds: [Double]
    /// Completion of the last token / of the sample, seconds from the start.
    public var finishSeconds: [Double]
    /// Generated tokens of each request (1 for a sample).
    public var outputTokens: [Int]
    /// Prompt tokens of each request (0 for a sample).
    public var inputTokens: [Int]
    /// Iterations (LLM) or batches (dynamic batching) executed.
    public var iterations: Int
    /// Sum over iterations of the sequences (or samples) each one held, for the mean batch.
    public var batchSequenceSum: Double
    /// Sum over iterations of each iteration's seconds (busy time; per server for batching).
    public var busySeconds: Double
}

/// What a serving simulation reports: the latency distribution (MLPerf's TTFT, TPOT and
/// end-to-end latency per query) and the throughput, over the requests after the warm-up.
public struct ServingSimulationResult: Sendable, Equatable {
    /// Offered rate, requests per second.
    public var arrivalRatePerSecond: Double
    public var measuredRequests: Int
    /// The measurement window: from the first measured arrival to the last arrival, seconds.
    public var windowSeconds: Double
    /// Requests (of any index) finishing inside the window, per second of window: the
    /// departure rate. It equals the arrival rate when the replica keeps up (the population in
    /// the system is the same at both ends of the window) and the capacity when it does not.
    public var completedRequestsPerSecond: Double
    /// Whether the replica keeps up: 1 − (backlog growth beyond noise) / arrivals in the window.
    /// Arrivals − departures in the window = N(stop) − N(start), the growth of the population
    /// in the system; a replica that keeps up only fluctuates (about sqrt(N) requests, so 3
    /// standard deviations, 3·sqrt(N(start) + N(stop) + 1), are allowed), one that falls behind
    /// grows by (rate − capacity) · window: then this is about capacity / rate.
    public var sustainedFraction: Double
    /// N(stop) − N(start): requests in the system at the last arrival minus at the first
    /// measured one.
    public var backlogGrowth: Int
    /// Output tokens of the requests finishing inside the window, per second.
    public var generatedTokensPerSecond: Double
    /// Prompt tokens of the requests finishing inside the window, per second.
    public var inputTokensPerSecond: Double
    /// Time to first token (LLM); for batched samples, equal to `latency`.
    public var ttft: LatencySummary
    /// MLPerf per-query TPOT, (latency − TTFT) / (tokens − 1) (LoadGen logging.cc); requests
    /// of one token are left out.
    public var tpot: LatencySummary
    /// End-to-end latency per request.
    public var latency: LatencySummary
    /// Admission minus arrival (Vidur's scheduling delay; its capacity search bounds the p99 at 5 s).
    public var schedulingDelay: LatencySummary
    /// Mean sequences (samples) per iteration (batch).
    public var meanBatch: Double
    public var iterations: Int
    /// Busy time / (window x servers): 1 = never idle.
    public var utilization: Double

    /// Summarizes a trace. `servers` is 1 for an LLM replica, K for K batching servers.
    public init(trace: ServingTrace, arrivalRatePerSecond: Double, warmupRequests: Int, servers: Int = 1) {
        let n = trace.arrivalSeconds.count
        let first = min(max(0, warmupRequests), max(0, n - 1))
        var ttfts: [Double] = []
        var tpots: [Double] = []
        var lats: [Double] = []
        var delays: [Double] = []
        delays.reserveCapacity(n - first)
        ttfts.reserveCapacity(n - first)
        tpots.reserveCapacity(n - first)
        lats.reserveCapacity(n - first)
        for i in first..<n {
            let a = trace.arrivalSeconds[i], f = trace.firstTokenSeconds[i], e = trace.finishSeconds[i]
            ttfts.append(f - a)
            lats.append(e - a)
            delays.append(trace.admissionSeconds[i] - a)
            let tokens = trace.outputTokens[i]
            tpots.append(tokens > 1 ? (e - f) / Double(tokens - 1) : .nan)
        }
        let start = n > 0 ? trace.arrivalSeconds[first] : 0
        let stop = n > 0 ? trace.arrivalSeconds[n - 1] : 0
        var departures = 0, generated = 0.0, prompt = 0.0
        for i in 0..<n where trace.finishSeconds[i] >= start && trace.finishSeconds[i] <= stop {
            departures += 1
            generated += Double(trace.outputTokens[i])
            prompt += Double(trace.inputTokens[i])
        }
        let window = max(stop - start, 1e-300)
        self.arrivalRatePerSecond = arrivalRatePerSecond
        measuredRequests = n - first
        windowSeconds = window
        completedRequestsPerSecond = Double(departures) / window
        var inStart = 0, inStop = 0
        for i in 0..<n {
            let a = trace.arrivalSeconds[i], e = trace.finishSeconds[i]
            if a <= start && e > start { inStart += 1 }
            if a <= stop && e > stop { inStop += 1 }
        }
        backlogGrowth = inStop - inStart
        let noise = 3 * Double(inStart + inStop + 1).squareRoot()
        sustainedFraction = n - first > 0 ? 1 - max(0, Double(backlogGrowth) - noise) / Double(n - first) : 0
        generatedTokensPerSecond = generated / window
        inputTokensPerSecond = prompt / window
        ttft = LatencySummary(ttfts)
        tpot = LatencySummary(tpots)
        latency = LatencySummary(lats)
        schedulingDelay = LatencySummary(delays)
        meanBatch = trace.iterations > 0 ? trace.batchSequenceSum / Double(trace.iterations) : 0
        iterations = trace.iterations
        var end = 0.0
        for e in trace.finishSeconds where e > end { end = e }
        let total = max(end, 1e-300)
        utilization = trace.busySeconds / (total * Double(max(1, servers)))
    }
}
