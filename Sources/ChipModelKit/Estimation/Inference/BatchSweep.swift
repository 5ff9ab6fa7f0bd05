/// Serving metrics of one plan as a function of the replica batch B (steady-state continuous
/// batching, Orca/vLLM style: every iteration advances each running sequence by one token and
/// admits new prompts as sequences finish).
///
/// With mean context L = input + output/2 and one prompt admitted per output/B iterations, the
/// time between two tokens of a sequence is
///
///     tpot(B) = decodeStep(B, L) + (B / output) · prefillPerSequence
///
/// and a replica generates B / tpot(B) tokens per second. TTFT is the prompt's own prefill
/// latency plus the decode iteration it waits for. With speculative decoding each step yields
/// a = `acceptedTokensPerStep` tokens per sequence: an iteration takes
/// decodeStep(B, L) + (B·a / output) · prefillPerSequence and TPOT is that over a.
public struct BatchSweep: Sendable {
    public var decode: DecodeStepModel
    public var context: Double
    public var outputTokens: Double
    /// Replica occupancy per admitted prompt (prefill batched in chunks), seconds.
    public var prefillPerSequenceSeconds: Double
    /// One prompt's prefill latency through all stages, seconds.
    public var prefillLatencySeconds: Double
    /// Tokens per sequence per decode step (speculative decoding; 1 without).
    public var acceptedTokensPerStep: Double

    public init(decode: DecodeStepModel, context: Double, outputTokens: Double, prefillPerSequenceSeconds: Double,
                prefillLatencySeconds: Double, acceptedTokensPerStep: Double = 1) {
        self.acceptedTokensPerStep = acceptedTokensPerStep
        self.decode = decode
        self.context = context
        self.outputTokens = outputTokens
        self.prefillPerSequenceSeconds = prefillPerSequenceSeconds
        self.prefillLatencySeconds = prefillLatencySeconds
    }

    public struct Point: Sendable, Equatable {
        public var batch: Double
        public var tokensPerSecond: Double
        public var tpotSeconds: Double
        public var ttftSeconds: Double
    }

    /// Scalar reference.
    public func evaluate(batch: Double) -> Point {
        let step = decode.stepSeconds(batch: batch, context: context)
        let a = acceptedTokensPerStep
        let tpot = (step + batch * a / outputTokens * prefillPerSequenceSeconds) / a
        let tps = batch / tpot
        let ttft = prefillLatencySeconds + step
        return Point(batch: batch, tokensPerSecond: tps, tpotSeconds: tpot, ttftSeconds: ttft)
    }

    /// SIMD version over 8 batches, bit-identical to `evaluate(batch:)`.
    public func evaluate(batches: SIMD8<Double>) -> (tokensPerSecond: SIMD8<Double>, tpotSeconds: SIMD8<Double>, ttftSeconds: SIMD8<Double>) {
        let step = decode.stepSeconds(batches: batches, context: context)
        let a = acceptedTokensPerStep
        let tpot = (step + batches * a / SIMD8(repeating: outputTokens) * prefillPerSequenceSeconds) / SIMD8(repeating: a)
        let tps = batches / tpot
        let ttft = SIMD8(repeating: prefillLatencySeconds) + step
        return (tps, tpot, ttft)
    }

    /// Candidate batches 1...maxBatch: 1, 2, 3, 4, 6, 8, 12, 16, ... and maxBatch itself.
    public static func candidates(maxBatch: Int) -> [Int] {
        guard maxBatch >= 1 else { return [] }
        var out: [Int] = []
        var p = 1
        while p <= maxBatch {
            out.append(p)
            let q = p + p / 2
            if q > p && q <= maxBatch && q < 2 * p { out.append(q) }
            if p > maxBatch / 2 { break }
            p *= 2
        }
        if out.last != maxBatch { out.append(maxBatch) }
        return out
    }

    /// The best batch among `candidates` (SIMD, 8 at a time): the highest tokens/s whose TPOT
    /// and TTFT stay under the bounds (nil bound = unbounded). Returns the index into
    /// `candidates`, or nil when none meets the bounds.
    public func best(candidates: [Int], tpotBound: Double?, ttftBound: Double?) -> Int? {
        var bestIndex: Int?
        var bestTps = -1.0
        let tpotB = tpotBound ?? .infinity, ttftB = ttftBound ?? .infinity
        var i = 0
        while i < candidates.count {
            var v = SIMD8<Double>(repeating: Double(candidates[candidates.count - 1]))
            for j in 0..<8 where i + j < candidates.count { v[j] = Double(candidates[i + j]) }
            let r = evaluate(batches: v)
            var tps = r.tokensPerSecond
            let bad = (r.tpotSeconds .> SIMD8(repeating: tpotB)) .| (r.ttftSeconds .> SIMD8(repeating: ttftB))
            tps.replace(with: SIMD8(repeating: -1), where: bad)
            for j in 0..<8 where i + j < candidates.count && tps[j] > bestTps {
                bestTps = tps[j]
                bestIndex = i + j
            }
            i += 8
        }
        return bestIndex
    }

    /// Scalar reference of `best`.
    public func bestScalar(candidates: [Int], tpotBound: Double?, ttftBound: Double?) -> Int? {
        var bestIndex: Int?
        var bestTps = -1.0
        for (i, b) in candidates.enumerated() {
            let p = evaluate(batch: Double(b))
            if let t = tpotBound, p.tpotSeconds > t { continue }
            if let t = ttftBound, p.ttftSeconds > t { continue }
            if p.tokensPerSecond > bestTps { bestTps = p.tokensPerSecond; bestIndex = i }
        }
        return bestIndex
    }
}
