/// The obvious per-request, per-token simulation of continuous batching with chunked prefill:
/// a waiting list and a running list of request records, every token's timestamp appended to
/// its request, the KV context re-summed over the running list each iteration. It exists to
/// check `ContinuousBatchingSimulator` (which must give the same trace for the same stream)
/// and as the benchmark's reference; it is not used by estimators.
///
/// The schedule, per iteration (Sarathi-Serve, Agrawal et al. OSDI 2024, as in Vidur's
/// `SarathiReplicaScheduler`):
/// 1. requests that arrived by the iteration's start join the waiting list (FIFO);
/// 2. every decoding sequence takes one decode step (`acceptedTokensPerStep` tokens);
/// 3. the token budget left (`chunkTokens` − decodes · `budgetTokensPerDecode`) goes first to
///    the partly prefilled request, then to waiting requests in arrival order, each admitted
///    only while the running count stays within `maxRunningSequences` and its
///    `input + output` tokens fit in the KV cache (the head of the queue blocks the rest);
/// 4. the iteration takes `step.seconds(decodes, prompt tokens, context tokens)`; at its end a
///    request whose prompt is complete emits its first token and decodes from the next
///    iteration; a request whose last token came out finishes and frees its KV tokens.
/// Decode-only replicas admit in arrival order at the iteration's start and decode at once.
public enum ContinuousBatchingReference {
    struct Record {
        var index: Int
        var arrival: Double
        var input: Int
        var output: Int
        var stepsNeeded: Int
        var prefillLeft: Int
        var decoding = false
        var stepsDone = 0
        var admission = Double.nan
        var tokenTimes: [Double] = []
    }

    public static func simulate(_ stream: ServingRequestStream, ratePerSecond: Double, config: ContinuousBatchingConfig,
                                phase: ServingPhase) throws -> ServingTrace {
        try config.validate()
        guard ratePerSecond.isFinite, ratePerSecond > 0 else { throw ServingInputError("arrival rate must be a finite number > 0 (got \(ratePerSecond))") }
        let n = stream.count
        for i in 0..<n where stream.inputTokens[i] + stream.outputTokens[i] > config.kvCapacityTokens {
            throw ServingInputError("request \(i) needs \(stream.inputTokens[i] + stream.outputTokens[i]) KV tokens, more than the replica's kvCapacityTokens \(config.kvCapacityTokens)")
        }
        var waiting: [Record] = []
        var running: [Record] = []
        var finished: [Record] = []
        var next = 0
        var t = 0.0
        var kvUsed = 0
        var iterations = 0
        var batchSum = 0.0, busy = 0.0
        let a = config.acceptedTokensPerStep
        while finished.count < n {
            while next < n && stream.unitArrivalSeconds[next] / ratePerSecond <= t {
                let out = stream.outputTokens[next]
                waiting.append(Record(index: next, arrival: stream.unitArrivalSeconds[next] / ratePerSecond, input: stream.inputTokens[next],
                                      output: out, stepsNeeded: config.decodeSteps(outputTokens: out),
                                      prefillLeft: phase == .decodeOnly ? 0 : stream.inputTokens[next]))
                next += 1
            }
            if running.isEmpty && waiting.isEmpty {
                t = stream.unitArrivalSeconds[next] / ratePerSecond
                continue
            }
            var prefillTokens = 0
            var touched = 0
            if phase == .decodeOnly {
                while let w = waiting.first, running.count < config.maxRunningSequences,
                      kvUsed + w.input + w.output <= config.kvCapacityTokens {
                    var r = waiting.removeFirst()
                    kvUsed += r.input + r.output
                    r.admission = t
                    r.decoding = true
                    r.tokenTimes.append(r.arrival)
                    running.append(r)
                }
            }
            // Decoders of this iteration, and the context they attend to (integer sums).
            var decoders = 0, baseTokens = 0, stepTokens = 0
            for r in running where r.decoding {
                decoders += 1
                baseTokens += r.input + 1
                stepTokens += r.stepsDone
            }
            if phase != .decodeOnly {
                var budget = config.chunkTokens.map { max(0, $0 - decoders * config.budgetTokensPerDecode) } ?? Int.max
                for k in running.indices where !running[k].decoding && running[k].prefillLeft > 0 && budget > 0 {
                    let take = min(running[k].prefillLeft, budget)
                    running[k].prefillLeft -= take
                    budget -= take
                    prefillTokens += take
                    touched += 1
                }
                let partial = running.contains { !$0.decoding && $0.prefillLeft > 0 }
                if !partial {
                    while budget > 0, let w = waiting.first, running.count < config.maxRunningSequences,
                          kvUsed + w.input + w.output <= config.kvCapacityTokens {
                        var r = waiting.removeFirst()
                        kvUsed += r.input + r.output
                        r.admission = t
                        let take = min(r.prefillLeft, budget)
                        r.prefillLeft -= take
                        budget -= take
                        prefillTokens += take
                        touched += 1
                        running.append(r)
                        if r.prefillLeft > 0 { break }
                    }
                }
            }
            let context = Double(baseTokens) + a * Double(stepTokens)
            let dt = config.step.seconds(decodeSequences: decoders, prefillTokens: prefillTokens, contextTokens: context)
            t += dt
            iterations += 1
            batchSum += Double(decoders + touched)
            busy += dt
            // Decode step: tokens out, one timestamp each.
            for k in running.indices where running[k].decoding {
                running[k].stepsDone += 1
                let r = running[k]
                let emitted = r.tokenTimes.count
                let due = r.stepsDone >= r.stepsNeeded ? r.output : min(r.output, 1 + Int((Double(r.stepsDone) * a).rounded(.down)))
                for _ in emitted..<max(emitted, due) { running[k].tokenTimes.append(t) }
            }
            // Prompts completed in this iteration: first token now.
            for k in running.indices where !running[k].decoding && running[k].prefillLeft == 0 && running[k].tokenTimes.isEmpty {
                running[k].tokenTimes.append(t)
                running[k].decoding = true
            }
            // Finished requests leave and free their KV cache.
            var still: [Record] = []
            for r in running {
                if r.decoding && r.stepsDone >= r.stepsNeeded {
                    kvUsed -= r.input + r.output
                    finished.append(r)
                } else {
                    still.append(r)
                }
            }
            running = still
        }
        var arrival = [Double](repeating: .nan, count: n), admission = arrival, first = arrival, finish = arrival
        for r in finished {
            arrival[r.index] = r.arrival
            admission[r.index] = r.admission
            first[r.index] = r.tokenTimes[0]
            finish[r.index] = r.tokenTimes[r.tokenTimes.count - 1]
        }
        return ServingTrace(arrivalSeconds: arrival, admissionSeconds: admission, firstTokenSeconds: first, finishSeconds: finish,
                            outputTokens: stream.outputTokens, inputTokens: phase == .decodeOnly ? [Int](repeating: 0, count: n) : stream.inputTokens,
                            iterations: iterations, batchSequenceSum: batchSum, busySeconds: busy)
    }
}
