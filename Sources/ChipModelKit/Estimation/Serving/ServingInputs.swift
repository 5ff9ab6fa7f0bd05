import Foundation

// The serving queue simulation (issue 13) takes its inputs as plain named numbers so that
// any estimator can drive it: the per-iteration step time of one replica, the scheduler's
// limits, and the request load. Nothing here knows about chips or models.

/// A serving input that cannot be simulated (a negative rate, a request larger than the KV
/// cache, no requests). The message names the field.
public struct ServingInputError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Seconds of one continuous-batching iteration of one replica, linear in what the iteration
/// holds (the Vidur / vllm-sr-sim form `W + H·n`, Agrawal et al. 2024, with prefill and
/// context terms added):
///
///     seconds = fixedSeconds
///             + perDecodeSequenceSeconds · decoding sequences
///             + perPrefillTokenSeconds   · prompt tokens processed this iteration
///             + perContextTokenSeconds   · KV-cache tokens the decoding sequences attend to
///
/// `fixedSeconds` holds what every iteration pays whatever its batch (reading the weights
/// once, launch and scheduler time); a speculative step's verification of k+1 tokens per
/// sequence belongs in `perDecodeSequenceSeconds`. The estimator linearizes its roofline step
/// at the operating point to fill these.
public struct ServingStepModel: Sendable, Equatable {
    public var fixedSeconds: Double
    public var perDecodeSequenceSeconds: Double
    public var perPrefillTokenSeconds: Double
    public var perContextTokenSeconds: Double

    public init(fixedSeconds: Double, perDecodeSequenceSeconds: Double = 0, perPrefillTokenSeconds: Double = 0,
                perContextTokenSeconds: Double = 0) {
        self.fixedSeconds = fixedSeconds
        self.perDecodeSequenceSeconds = perDecodeSequenceSeconds
        self.perPrefillTokenSeconds = perPrefillTokenSeconds
        self.perContextTokenSeconds = perContextTokenSeconds
    }

    /// The step time; both simulators call exactly this (same operations, same order).
    @inline(__always)
    public func seconds(decodeSequences: Int, prefillTokens: Int, contextTokens: Double) -> Double {
        fixedSeconds + perDecodeSequenceSeconds * Double(decodeSequences) + perPrefillTokenSeconds * Double(prefillTokens)
            + perContextTokenSeconds * contextTokens
    }

    func validate() throws {
        let all = [("fixedSeconds", fixedSeconds), ("perDecodeSequenceSeconds", perDecodeSequenceSeconds),
                   ("perPrefillTokenSeconds", perPrefillTokenSeconds), ("perContextTokenSeconds", perContextTokenSeconds)]
        for (name, v) in all where !(v.isFinite && v >= 0) {
            throw ServingInputError("step model \(name) must be a finite number >= 0 (got \(v))")
        }
        guard fixedSeconds > 0 else {
            throw ServingInputError("step model fixedSeconds must be > 0 (an iteration that takes no time never advances the clock)")
        }
    }
}

/// What a replica's requests go through: both phases, or one of them when prefill and decode
/// run on separate pools (disaggregation, CASES v2 `workload.phase`).
public enum ServingPhase: String, Sendable, CaseIterable {
    /// Prefill then decode on the same replica (aggregated serving).
    case both
    /// Prompt processing only: a request is done at its first token (a prefill pool).
    case prefillOnly
    /// Decode only: requests arrive with their KV cache (from a prefill pool) and one token;
    /// the replica generates the remaining `outputTokens - 1`.
    case decodeOnly
}

/// The scheduler of one continuous-batching replica, Sarathi-Serve style (Agrawal et al.,
/// OSDI 2024; the Sarathi replica scheduler of Vidur): each iteration runs every decoding
/// sequence (one step each) and fills the rest of a token budget with prompt chunks in FIFO
/// order, admitting a new request only while the running count and the KV cache allow.
public struct ContinuousBatchingConfig: Sendable, Equatable {
    public var step: ServingStepModel
    /// Running sequences (decoding + prefilling) the replica schedules at most.
    public var maxRunningSequences: Int
    /// KV-cache tokens the replica holds; a request reserves `input + output` tokens when
    /// admitted (no preemption) and frees them when it finishes.
    public var kvCapacityTokens: Int
    /// Token budget per iteration (decodes count `budgetTokensPerDecode` each, prompts fill the
    /// rest); nil = no budget: every admissible prompt is prefilled whole in the next iteration.
    public var chunkTokens: Int?
    /// Budget tokens one decoding sequence uses per iteration (1; k+1 with k draft tokens).
    public var budgetTokensPerDecode: Int
    /// Generated tokens per decode step per sequence on average (speculative decoding / MTP:
    /// `acceptedTokensPerStep` of CASES v2; 1 without).
    public var acceptedTokensPerStep: Double

    public init(step: ServingStepModel, maxRunningSequences: Int, kvCapacityTokens: Int, chunkTokens: Int? = 8192,
                budgetTokensPerDecode: Int = 1, acceptedTokensPerStep: Double = 1) {
        self.step = step
        self.maxRunningSequences = maxRunningSequences
        self.kvCapacityTokens = kvCapacityTokens
        self.chunkTokens = chunkTokens
        self.budgetTokensPerDecode = budgetTokensPerDecode
        self.acceptedTokensPerStep = acceptedTokensPerStep
    }

    func validate() throws {
        try step.validate()
        guard maxRunningSequences >= 1 else { throw ServingInputError("maxRunningSequences must be >= 1 (got \(maxRunningSequences))") }
        guard kvCapacityTokens >= 1 else { throw ServingInputError("kvCapacityTokens must be >= 1 (got \(kvCapacityTokens))") }
        if let c = chunkTokens, c < 1 { throw ServingInputError("chunkTokens must be >= 1 or absent (got \(c))") }
        guard budgetTokensPerDecode >= 0 else { throw ServingInputError("budgetTokensPerDecode must be >= 0 (got \(budgetTokensPerDecode))") }
        guard acceptedTokensPerStep.isFinite, acceptedTokensPerStep >= 1 else {
            throw ServingInputError("acceptedTokensPerStep must be a finite number >= 1 (got \(acceptedTokensPerStep))")
        }
    }

    /// Decode steps a sequence needs after its first token to reach `outputTokens` tokens at
    /// `acceptedTokensPerStep` per step: the smallest s with s·a >= output - 1. Both simulators
    /// use this one definition.
    @inline(__always)
    public func decodeSteps(outputTokens: Int) -> Int {
        let need = Double(outputTokens - 1)
        guard need > 0 else { return 0 }
        let a = acceptedTokensPerStep
        var s = Int((need / a).rounded(.up))
        while s > 0 && Double(s - 1) * a >= need { s -= 1 }
        while Double(s) * a < need { s += 1 }
        return s
    }
}

/// Request lengths in tokens: fixed, or uniform on an inclusive range.
public enum TokenCountDistribution: Sendable, Equatable {
    case fixed(Int)
    case uniform(min: Int, max: Int)

    public var minimum: Int {
        switch self {
        case let .fixed(n): return n
        case let .uniform(lo, _): return lo
        }
    }
    public var maximum: Int {
        switch self {
        case let .fixed(n): return n
        case let .uniform(_, hi): return hi
        }
    }
    public var mean: Double { (Double(minimum) + Double(maximum)) / 2 }

    @inline(__always)
    func draw(_ rng: inout SplitMix64) -> Int {
        switch self {
        case let .fixed(n): return n
        case let .uniform(lo, hi):
            let span = UInt64(hi - lo + 1)
            return lo + Int(rng.next().multipliedFullWidth(by: span).high)
        }
    }
}

/// The offered load: Poisson arrivals (MLPerf server scenario: "LoadGen sends new queries to
/// the SUT according to a Poisson distribution", inference_rules.adoc, Scenarios) of
/// `requests` requests with the given lengths. The first `warmupRequests` are simulated but
/// left out of the statistics.
public struct ServingLoad: Sendable, Equatable {
    public var requests: Int
    public var warmupRequests: Int
    public var inputTokens: TokenCountDistribution
    public var outputTokens: TokenCountDistribution
    public var phase: ServingPhase
    public var seed: UInt64

    public init(requests: Int, warmupRequests: Int = 0, inputTokens: TokenCountDistribution, outputTokens: TokenCountDistribution,
                phase: ServingPhase = .both, seed: UInt64 = 0x5EED_5EED) {
        self.requests = requests
        self.warmupRequests = warmupRequests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.phase = phase
        self.seed = seed
    }

    func validate() throws {
        guard requests >= 1 else { throw ServingInputError("requests must be >= 1 (got \(requests))") }
        guard warmupRequests >= 0, warmupRequests < requests else {
            throw ServingInputError("warmupRequests must be in 0..<requests (got \(warmupRequests) of \(requests))")
        }
        for (name, d) in [("inputTokens", inputTokens), ("outputTokens", outputTokens)] {
            guard d.minimum >= 0, d.maximum >= d.minimum, d.maximum <= 100_000_000 else {
                throw ServingInputError("\(name) range \(d.minimum)...\(d.maximum) is not a valid token count range")
            }
        }
        guard outputTokens.minimum >= 1 else { throw ServingInputError("outputTokens must be >= 1 (a request yields at least its first token)") }
        if phase == .decodeOnly, outputTokens.minimum < 2 {
            throw ServingInputError("decode-only phase needs outputTokens >= 2 (the first token comes from the prefill pool)")
        }
        if phase != .decodeOnly, inputTokens.minimum < 1 {
            throw ServingInputError("inputTokens must be >= 1 when the replica runs prefill")
        }
    }
}

/// The requests of one load, drawn once from the seed: arrival times of a unit-rate Poisson
/// process (exponential gaps, inverse transform) and lengths. A simulation at rate λ uses
/// `unitArrivalSeconds[i] / λ`, so runs at different rates see the same requests in the same
/// order (common random numbers: the rate search compares like with like).
public struct ServingRequestStream: Sendable {
    public var unitArrivalSeconds: [Double]
    public var inputTokens: [Int]
    public var outputTokens: [Int]

    public init(_ load: ServingLoad) throws {
        try load.validate()
        var rng = SplitMix64(seed: load.seed)
        let n = load.requests
        var arrivals = [Double](repeating: 0, count: n)
        var inputs = [Int](repeating: 0, count: n)
        var outputs = [Int](repeating: 0, count: n)
        var t = 0.0
        for i in 0..<n {
            // 1 - U is in (0, 1], so the logarithm is finite.
            t += -log(1 - rng.nextUnit())
            arrivals[i] = t
            inputs[i] = load.phase == .decodeOnly ? max(0, load.inputTokens.draw(&rng)) : load.inputTokens.draw(&rng)
            outputs[i] = load.phase == .prefillOnly ? 1 : load.outputTokens.draw(&rng)
        }
        unitArrivalSeconds = arrivals
        inputTokens = inputs
        outputTokens = outputs
    }

    public var count: Int { unitArrivalSeconds.count }
}
