/// Closed-form steady-state approximations of the two simulations, checked against them in
/// the tests (ServingSimulationTests). They give the search its upper bracket and a reader a
/// formula to check a simulated number with.
public enum ServingAnalytic {
    /// Continuous batching in steady state at arrival rate λ (requests/s), mean prompt Ī and
    /// mean output Ō tokens, a tokens per decode step, S̄ = (Ō − 1)/a decode steps per request.
    ///
    /// Every iteration holds N decoding sequences and the prompt tokens that arrived during
    /// the previous iteration (λ·Ī·Δ of them, all processed while the budget allows):
    ///
    ///     Δ = f + (d + c·L̄)·N + p·λ·Ī·Δ        (step model, L̄ = mean context while decoding)
    ///     N = λ·S̄·Δ                           (Little's law: a request decodes S̄ iterations)
    ///
    /// so Δ = f / (1 − λ·(S̄·(d + c·L̄) + Ī·p)), with L̄ = Ī + 1 + a·(S̄ − 1)/2. The mean TPOT
    /// is Δ / a. When N would exceed the slots N_cap = min(maxRunning, KV tokens / (Ī + Ō)),
    /// the replica saturates at λ_cap = N_cap / (S̄·f + N_cap·(S̄·(d + c·L̄) + Ī·p)), the
    /// same balance with N = N_cap. (Prefill-only: S̄ = 0 and the iteration carries at most
    /// `chunkTokens` prompt tokens, so λ_cap = chunk / (Ī·(f + p·chunk)).)
    public struct ContinuousBatchingEstimate: Sendable, Equatable {
        /// Mean iteration seconds at the given rate (infinite at or past capacity).
        public var iterationSeconds: Double
        /// Mean decoding sequences per iteration.
        public var decodingSequences: Double
        public var meanTPOTSeconds: Double
        /// Highest sustainable arrival rate, requests/s.
        public var capacityRequestsPerSecond: Double
    }

    public static func continuousBatching(config: ContinuousBatchingConfig, ratePerSecond lambda: Double, meanInputTokens: Double,
                                          meanOutputTokens: Double, phase: ServingPhase) -> ContinuousBatchingEstimate {
        let m = config.step
        let a = config.acceptedTokensPerStep
        let prompt = phase == .decodeOnly ? 0 : meanInputTokens
        let output = phase == .prefillOnly ? 1 : meanOutputTokens
        let steps = max(0, (output - 1) / a)
        let context = meanInputTokens + 1 + a * max(0, steps - 1) / 2
        let perSeq = m.perDecodeSequenceSeconds + m.perContextTokenSeconds * context
        let slots = min(Double(config.maxRunningSequences), Double(config.kvCapacityTokens) / max(1, meanInputTokens + output))
        var capacity: Double
        if phase == .prefillOnly {
            let chunk = Double(config.chunkTokens ?? Int.max)
            capacity = chunk.isFinite && chunk < 1e15
                ? chunk / (prompt * (m.fixedSeconds + m.perPrefillTokenSeconds * chunk))
                : 1 / (prompt * m.perPrefillTokenSeconds)
            // Slots also bound it: a prompt occupies a slot for about one iteration.
            let perIteration = m.fixedSeconds + m.perPrefillTokenSeconds * slots * prompt
            capacity = min(capacity, slots / perIteration)
        } else {
            capacity = slots / (steps * m.fixedSeconds + slots * (steps * perSeq + prompt * m.perPrefillTokenSeconds))
        }
        let load = lambda * (steps * perSeq + prompt * m.perPrefillTokenSeconds)
        let delta = lambda < capacity && load < 1 ? m.fixedSeconds / (1 - load) : Double.infinity
        return ContinuousBatchingEstimate(iterationSeconds: delta, decodingSequences: lambda * steps * delta,
                                          meanTPOTSeconds: delta / a, capacityRequestsPerSecond: capacity)
    }

    /// Dynamic batching with timeout 0, per chip: a chip receiving λ/K samples per second
    /// (K = 1, or round-robin routing over K chips) takes whatever waits when it frees, so a
    /// batch holds the arrivals of the previous batch: B = (λ/K)·T(B), solved by fixed-point
    /// iteration on the batch-time table (linear interpolation between sizes). A sample
    /// arriving during a batch waits for it to end (uniform on [0, T]) and then takes its own
    /// batch: mean latency ≈ 1.5·T, p99 ≈ 1.99·T. Capacity: K·maxBatch / T(maxBatch). (A
    /// shared queue with timeout 0 and K > 1 batches unevenly, idle chips grabbing small
    /// batches; the simulation shows longer latencies than this there.)
    public struct DynamicBatchingEstimate: Sendable, Equatable {
        public var batchSize: Double
        public var batchSeconds: Double
        public var meanLatencySeconds: Double
        public var p99LatencySeconds: Double
        public var capacitySamplesPerSecond: Double
    }

    public static func dynamicBatching(config: DynamicBatchingConfig, ratePerSecond lambda: Double) -> DynamicBatchingEstimate {
        let k = Double(max(1, config.servers))
        let perChip = lambda / k
        let table = config.batchSeconds
        let maxB = Double(config.maxBatch)
        func time(_ b: Double) -> Double {
            let x = min(max(b, 1), maxB)
            let lo = Int(x.rounded(.down))
            let hi = min(config.maxBatch, lo + 1)
            let w = x - Double(lo)
            return table[lo - 1] * (1 - w) + table[hi - 1] * w
        }
        let capacity = k * maxB / time(maxB)
        var b = 1.0
        for _ in 0..<200 {
            let nb = min(maxB, max(1, perChip * time(b)))
            if abs(nb - b) < 1e-9 * max(1, b) { b = nb; break }
            b = nb
        }
        let t = time(b)
        let saturated = lambda >= capacity
        return DynamicBatchingEstimate(batchSize: b, batchSeconds: t,
                                       meanLatencySeconds: saturated ? .infinity : t * 1.5,
                                       p99LatencySeconds: saturated ? .infinity : t * 1.99,
                                       capacitySamplesPerSecond: capacity)
    }
}
