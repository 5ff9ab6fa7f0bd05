/// A bad input to the power, energy or cost model; the message names the input.
public struct PowerInputError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// How an accelerator spends wall time: the fractions of a training step (or of serving
/// time) that are compute-bound, memory-bound, and idle (pipeline bubbles, exposed
/// communication, host waits). The fractions are non-negative and sum to 1.
///
/// Why three states: measured accelerator power follows what the chip is doing, not a
/// "utilization" number. Compute-bound phases (dense GEMM, prefill) draw close to TDP;
/// memory-bound phases (decode, optimizer, elementwise) draw far less because the arithmetic
/// units wait on HBM; communication phases drop toward idle (Splitwise, Patel et al. ISCA 2024;
/// POLCA, Patel et al. ASPLOS 2024; Choukse et al. arXiv:2508.14318, 2025). The training step
/// breakdown and the inference phases give the three shares.
public struct ActivityMix: Sendable, Equatable {
    public private(set) var computeBound: Double
    public private(set) var memoryBound: Double
    public private(set) var idle: Double

    /// From the seconds (any common unit) spent in each state; normalized to fractions.
    public init(computeBoundSeconds: Double, memoryBoundSeconds: Double, idleSeconds: Double) throws(PowerInputError) {
        for (name, x) in [("computeBoundSeconds", computeBoundSeconds), ("memoryBoundSeconds", memoryBoundSeconds), ("idleSeconds", idleSeconds)] {
            guard x.isFinite, x >= 0 else { throw PowerInputError("activity: \(name) must be finite and >= 0, found \(x)") }
        }
        let total = computeBoundSeconds + memoryBoundSeconds + idleSeconds
        guard total > 0, total.isFinite else { throw PowerInputError("activity: the time in the three states must be positive, found \(total)") }
        computeBound = computeBoundSeconds / total
        memoryBound = memoryBoundSeconds / total
        idle = idleSeconds / total
    }

    /// From fractions that already sum to 1 (within 1e-6).
    public init(computeBound: Double, memoryBound: Double, idle: Double) throws(PowerInputError) {
        let sum = computeBound + memoryBound + idle
        guard abs(sum - 1) <= 1e-6 else {
            throw PowerInputError("activity: the fractions must sum to 1, found \(sum)")
        }
        try self.init(computeBoundSeconds: computeBound, memoryBoundSeconds: memoryBound, idleSeconds: idle)
    }

    /// All of the time compute-bound (the TDP-bound reading of published energy estimates).
    public static let allComputeBound = ActivityMix(unchecked: 1, 0, 0)

    private init(unchecked c: Double, _ m: Double, _ i: Double) {
        computeBound = c
        memoryBound = m
        idle = i
    }
}
