/// Server-scenario batching for models without a decode loop (ResNet-50, BERT in MLPerf):
/// single-sample queries arrive as a Poisson process into one FIFO queue served by `servers`
/// identical chips. An idle chip starts a batch when `maxBatch` samples wait or when the oldest
/// has waited `batchTimeoutSeconds` (the dynamic batcher of Triton / TensorRT harnesses:
/// `max_queue_delay`), and takes up to `maxBatch` waiting samples; a batch of b samples takes
/// `batchSeconds[b - 1]`. Timeout 0 takes whatever is waiting as soon as a chip is free.
/// With `.roundRobin` routing the harness deals query i to chip i mod K, each chip batching
/// its own queue (per-device batchers); with `.sharedQueue` every chip pulls from one queue.
public struct DynamicBatchingConfig: Sendable, Equatable {
    public enum Routing: String, Sendable, CaseIterable { case sharedQueue, roundRobin }
    public var servers: Int
    public var routing: Routing
    public var maxBatch: Int
    public var batchTimeoutSeconds: Double
    /// Seconds of one batch of b samples at index b − 1 (b = 1 ... maxBatch).
    public var batchSeconds: [Double]

    public init(servers: Int, maxBatch: Int, batchTimeoutSeconds: Double, batchSeconds: [Double], routing: Routing = .sharedQueue) {
        self.servers = servers
        self.routing = routing
        self.maxBatch = maxBatch
        self.batchTimeoutSeconds = batchTimeoutSeconds
        self.batchSeconds = batchSeconds
    }

    /// A batch time linear in the batch: `fixedSeconds + perSampleSeconds · b`.
    public init(servers: Int, maxBatch: Int, batchTimeoutSeconds: Double, fixedSeconds: Double, perSampleSeconds: Double,
                routing: Routing = .sharedQueue) {
        self.init(servers: servers, maxBatch: maxBatch, batchTimeoutSeconds: batchTimeoutSeconds,
                  batchSeconds: (1...max(1, maxBatch)).map { fixedSeconds + perSampleSeconds * Double($0) }, routing: routing)
    }

    func validate() throws {
        guard servers >= 1 else { throw ServingInputError("servers must be >= 1 (got \(servers))") }
        guard maxBatch >= 1 else { throw ServingInputError("maxBatch must be >= 1 (got \(maxBatch))") }
        guard batchSeconds.count >= maxBatch else {
            throw ServingInputError("batchSeconds has \(batchSeconds.count) entries, maxBatch \(maxBatch) needs one per batch size")
        }
        guard batchTimeoutSeconds.isFinite, batchTimeoutSeconds >= 0 else {
            throw ServingInputError("batchTimeoutSeconds must be a finite number >= 0 (got \(batchTimeoutSeconds))")
        }
        for (i, s) in batchSeconds.prefix(maxBatch).enumerated() where !(s.isFinite && s > 0) {
            throw ServingInputError("batchSeconds[\(i)] (batch \(i + 1)) must be a finite number > 0 (got \(s))")
        }
    }
}

public enum DynamicBatchingSimulator {
    /// Fast version: batches are formed in order; the next one goes to the chip that is free
    /// first, and starts at max(that chip's free time, min(time the maxBatch-th sample
    /// arrives, oldest arrival + timeout)). O(batch) per batch, O(servers) to pick the chip.
    public static func simulate(_ stream: ServingRequestStream, ratePerSecond: Double, config: DynamicBatchingConfig) throws -> ServingTrace {
        try config.validate()
        guard ratePerSecond.isFinite, ratePerSecond > 0 else { throw ServingInputError("arrival rate must be a finite number > 0 (got \(ratePerSecond))") }
        let n = stream.count
        var arrival = [Double](repeating: 0, count: n)
        for i in 0..<n { arrival[i] = stream.unitArrivalSeconds[i] / ratePerSecond }
        var admission = [Double](repeating: .nan, count: n), finish = admission
        var counters = (batches: 0, batchSum: 0.0, busy: 0.0)
        for (queue, chips) in queues(n: n, config: config) {
            serve(queue, chips: chips, arrival: arrival, config: config, admission: &admission, finish: &finish, counters: &counters)
        }
        return ServingTrace(arrivalSeconds: arrival, admissionSeconds: admission, firstTokenSeconds: finish, finishSeconds: finish,
                            outputTokens: [Int](repeating: 1, count: n), inputTokens: [Int](repeating: 0, count: n),
                            iterations: counters.batches, batchSequenceSum: counters.batchSum, busySeconds: counters.busy)
    }

    /// The queues and the chips serving each: one shared queue of all requests, or one queue
    /// per chip with every K-th request.
    static func queues(n: Int, config: DynamicBatchingConfig) -> [([Int], Int)] {
        switch config.routing {
        case .sharedQueue: return [(Array(0..<n), config.servers)]
        case .roundRobin: return (0..<config.servers).map { s in (Array(stride(from: s, to: n, by: config.servers)), 1) }
        }
    }

    static func serve(_ queue: [Int], chips: Int, arrival: [Double], config: DynamicBatchingConfig, admission: inout [Double],
                      finish: inout [Double], counters: inout (batches: Int, batchSum: Double, busy: Double)) {
        var free = [Double](repeating: 0, count: chips)
        let maxBatch = config.maxBatch, timeout = config.batchTimeoutSeconds
        let m = queue.count
        var head = 0
        while head < m {
            var s = 0
            for k in 1..<free.count where free[k] < free[s] { s = k }
            let oldest = arrival[queue[head]]
            let ready = max(free[s], oldest)
            let fullIndex = head + maxBatch - 1
            let full = fullIndex < m ? arrival[queue[fullIndex]] : Double.infinity
            let start = max(ready, min(full, oldest + timeout))
            var end = head
            let limit = min(m, head + maxBatch)
            while end < limit && arrival[queue[end]] <= start { end += 1 }
            let dt = config.batchSeconds[end - head - 1]
            let done = start + dt
            for j in head..<end {
                admission[queue[j]] = start
                finish[queue[j]] = done
            }
            free[s] = done
            counters.batches += 1
            counters.batchSum += Double(end - head)
            counters.busy += dt
            head = end
        }
    }

    public static func run(_ stream: ServingRequestStream, ratePerSecond: Double, config: DynamicBatchingConfig,
                           warmupRequests: Int) throws -> ServingSimulationResult {
        let trace = try simulate(stream, ratePerSecond: ratePerSecond, config: config)
        return ServingSimulationResult(trace: trace, arrivalRatePerSecond: ratePerSecond, warmupRequests: warmupRequests,
                                       servers: config.servers)
    }

    /// The obvious event loop, for checking `simulate`: the clock jumps to the next event (an
    /// arrival, a chip becoming free, the oldest waiting sample's timeout); at each event the
    /// arrivals so far join the queue and every idle chip, earliest-free first, starts a batch
    /// if `maxBatch` samples wait or the oldest has waited the timeout.
    public static func simulateReference(_ stream: ServingRequestStream, ratePerSecond: Double,
                                         config: DynamicBatchingConfig) throws -> ServingTrace {
        try config.validate()
        guard ratePerSecond.isFinite, ratePerSecond > 0 else { throw ServingInputError("arrival rate must be a finite number > 0 (got \(ratePerSecond))") }
        let n = stream.count
        let arrival = stream.unitArrivalSeconds.map { $0 / ratePerSecond }
        var admission = [Double](repeating: .nan, count: n), finish = admission
        var batches = 0
        var batchSum = 0.0, busy = 0.0
        for (members, chips) in queues(n: n, config: config) {
            var free = [Double](repeating: 0, count: chips)
            var queue: [Int] = []
            var next = 0, served = 0
            var t = 0.0
            while served < members.count {
                while next < members.count && arrival[members[next]] <= t {
                    queue.append(members[next])
                    next += 1
                }
                // Idle chips, earliest free first (ties: lower index).
                let idle = free.indices.filter { free[$0] <= t }.sorted { (free[$0], $0) < (free[$1], $1) }
                for s in idle {
                    guard let oldest = queue.first else { break }
                    let ready = queue.count >= config.maxBatch || t >= arrival[oldest] + config.batchTimeoutSeconds
                    if !ready { break }
                    let take = Array(queue.prefix(config.maxBatch))
                    queue.removeFirst(take.count)
                    let dt = config.batchSeconds[take.count - 1]
                    for i in take {
                        admission[i] = t
                        finish[i] = t + dt
                    }
                    free[s] = t + dt
                    served += take.count
                    batches += 1
                    batchSum += Double(take.count)
                    busy += dt
                }
                // Next event: an arrival, a chip becoming free, the oldest sample's timeout.
                var nextT = Double.infinity
                if next < members.count { nextT = min(nextT, arrival[members[next]]) }
                for f in free where f > t { nextT = min(nextT, f) }
                if let oldest = queue.first, free.contains(where: { $0 <= t }) {
                    let timeoutAt = arrival[oldest] + config.batchTimeoutSeconds
                    if timeoutAt > t { nextT = min(nextT, timeoutAt) }
                }
                if served < members.count {
                    guard nextT.isFinite else { throw ServingInputError("dynamic batching reference found no next event (internal error)") }
                    t = nextT
                }
            }
        }
        return ServingTrace(arrivalSeconds: arrival, admissionSeconds: admission, firstTokenSeconds: finish, finishSeconds: finish,
                            outputTokens: [Int](repeating: 1, count: n), inputTokens: [Int](repeating: 0, count: n),
                            iterations: batches, batchSequenceSum: batchSum, busySeconds: busy)
    }
}
