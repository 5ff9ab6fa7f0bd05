/// The discrete-event simulation of one continuous-batching replica under Poisson arrivals,
/// with the schedule of `ContinuousBatchingReference` (same trace for the same stream; the
/// tests compare them element by element) at O(1) work per iteration plus O(log n) per
/// request:
/// - arrivals are in time order and admission is FIFO, so the waiting queue is the index
///   range [queueHead, nextArrival) and at most one request is ever partly prefilled;
/// - every decoding sequence advances one step per iteration, so a sequence's last step is
///   known when it starts decoding: a min-heap keyed by that iteration pops finishes;
/// - the context the decodes attend to is Σ(input + 1) + a·Σ(steps done), two integer sums
///   kept incrementally (the reference re-sums them; the same integers, the same Double).
public enum ContinuousBatchingSimulator {
    public static func simulate(_ stream: ServingRequestStream, ratePerSecond: Double, config: ContinuousBatchingConfig,
                                phase: ServingPhase) throws -> ServingTrace {
        try config.validate()
        guard ratePerSecond.isFinite, ratePerSecond > 0 else { throw ServingInputError("arrival rate must be a finite number > 0 (got \(ratePerSecond))") }
        let n = stream.count
        let inputs = stream.inputTokens, outputs = stream.outputTokens
        for i in 0..<n where inputs[i] + outputs[i] > config.kvCapacityTokens {
            throw ServingInputError("request \(i) needs \(inputs[i] + outputs[i]) KV tokens, more than the replica's kvCapacityTokens \(config.kvCapacityTokens)")
        }
        var arrival = [Double](repeating: 0, count: n)
        for i in 0..<n { arrival[i] = stream.unitArrivalSeconds[i] / ratePerSecond }
        var admission = [Double](repeating: .nan, count: n), first = admission, finish = admission
        var steps = [Int](repeating: 0, count: n)
        let step = config.step
        let a = config.acceptedTokensPerStep
        let maxRunning = config.maxRunningSequences, kvCap = config.kvCapacityTokens
        let chunk = config.chunkTokens ?? Int.max, perDecode = config.budgetTokensPerDecode
        let decodeOnly = phase == .decodeOnly

        var heap = FinishHeap(capacity: min(n, maxRunning) + 1)
        var completedPrefill: [Int] = []
        completedPrefill.reserveCapacity(64)
        var t = 0.0
        var nextArrival = 0, queueHead = 0, done = 0
        var headActive = false, headIndex = 0, headRemaining = 0
        var running = 0, kvUsed = 0
        var decoders = 0, baseTokens = 0, stepTokens = 0
        var iteration = 0
        var batchSum = 0.0, busy = 0.0

        while done < n {
            while nextArrival < n && arrival[nextArrival] <= t { nextArrival += 1 }
            if decoders == 0 && !headActive && queueHead == nextArrival && running == 0 {
                t = arrival[nextArrival]
                continue
            }
            var prefillTokens = 0, touched = 0
            completedPrefill.removeAll(keepingCapacity: true)
            if decodeOnly {
                while queueHead < nextArrival && running < maxRunning {
                    let i = queueHead
                    let need = inputs[i] + outputs[i]
                    if kvUsed + need > kvCap { break }
                    kvUsed += need
                    running += 1
                    admission[i] = t
                    first[i] = arrival[i]
                    let s = config.decodeSteps(outputTokens: outputs[i])
                    steps[i] = s
                    decoders += 1
                    baseTokens += inputs[i] + 1
                    heap.push(key: iteration + s - 1, index: i)
                    queueHead += 1
                }
            } else {
                var budget = chunk == Int.max ? Int.max : max(0, chunk - decoders * perDecode)
                if headActive && budget > 0 {
                    let take = min(headRemaining, budget)
                    headRemaining -= take
                    budget -= take
                    prefillTokens += take
                    touched += 1
                    if headRemaining == 0 {
                        headActive = false
                        completedPrefill.append(headIndex)
                    }
                }
                while budget > 0 && !headActive && queueHead < nextArrival && running < maxRunning {
                    let i = queueHead
                    let need = inputs[i] + outputs[i]
                    if kvUsed + need > kvCap { break }
                    kvUsed += need
                    running += 1
                    admission[i] = t
                    let take = min(inputs[i], budget)
                    budget -= take
                    prefillTokens += take
                    touched += 1
                    queueHead += 1
                    if take < inputs[i] {
                        headActive = true
                        headIndex = i
                        headRemaining = inputs[i] - take
                    } else {
                        completedPrefill.append(i)
                    }
                }
            }
            let context = Double(baseTokens) + a * Double(stepTokens)
            let dt = step.seconds(decodeSequences: decoders, prefillTokens: prefillTokens, contextTokens: context)
            t += dt
            batchSum += Double(decoders + touched)
            busy += dt
            stepTokens += decoders
            while heap.count > 0 && heap.topKey <= iteration {
                let i = heap.popIndex()
                finish[i] = t
                decoders -= 1
                baseTokens -= inputs[i] + 1
                stepTokens -= steps[i]
                running -= 1
                kvUsed -= inputs[i] + outputs[i]
                done += 1
            }
            for i in completedPrefill {
                first[i] = t
                let s = config.decodeSteps(outputTokens: outputs[i])
                if s == 0 {
                    finish[i] = t
                    running -= 1
                    kvUsed -= inputs[i] + outputs[i]
                    done += 1
                } else {
                    steps[i] = s
                    decoders += 1
                    baseTokens += inputs[i] + 1
                    heap.push(key: iteration + s, index: i)
                }
            }
            iteration += 1
        }
        return ServingTrace(arrivalSeconds: arrival, admissionSeconds: admission, firstTokenSeconds: first, finishSeconds: finish,
                            outputTokens: outputs, inputTokens: decodeOnly ? [Int](repeating: 0, count: n) : inputs,
                            iterations: iteration, batchSequenceSum: batchSum, busySeconds: busy)
    }

    /// Simulates and summarizes (the usual entry point).
    public static func run(_ stream: ServingRequestStream, ratePerSecond: Double, config: ContinuousBatchingConfig,
                           phase: ServingPhase, warmupRequests: Int) throws -> ServingSimulationResult {
        let trace = try simulate(stream, ratePerSecond: ratePerSecond, config: config, phase: phase)
        return ServingSimulationResult(trace: trace, arrivalRatePerSecond: ratePerSecond, warmupRequests: warmupRequests)
    }
}

/// A binary min-heap of (iteration, request index) pairs: the iteration in which a decoding
/// sequence takes its last step.
struct FinishHeap {
    private var keys: [Int] = []
    private var indices: [Int32] = []

    init(capacity: Int) {
        keys.reserveCapacity(capacity)
        indices.reserveCapacity(capacity)
    }

    var count: Int { keys.count }
    var topKey: Int { keys[0] }

    mutating func push(key: Int, index: Int) {
        keys.append(key)
        indices.append(Int32(truncatingIfNeeded: index))
        var c = keys.count - 1
        while c > 0 {
            let p = (c - 1) >> 1
            if keys[p] <= key { break }
            keys[c] = keys[p]
            indices[c] = indices[p]
            c = p
        }
        keys[c] = key
        indices[c] = Int32(truncatingIfNeeded: index)
    }

    /// Removes the minimum and returns its request index.
    mutating func popIndex() -> Int {
        let out = Int(indices[0])
        let lastKey = keys.removeLast()
        let lastIndex = indices.removeLast()
        let n = keys.count
        if n > 0 {
            var p = 0
            while true {
                let l = 2 * p + 1
                if l >= n { break }
                let r = l + 1
                let c = r < n && keys[r] < keys[l] ? r : l
                if keys[c] >= lastKey { break }
                keys[p] = keys[c]
                indices[p] = indices[c]
                p = c
            }
            keys[p] = lastKey
            indices[p] = lastIndex
        }
        return out
    }
}
