// The plan space of the mixed planner (shared by the exhaustive reference and the fast search,
// so both search exactly the same plans).

/// The choices of a mixed plan. Per pipeline (a cluster of groups replicated `d` times):
/// the DP degree `d`, microbatch size `b` (one activation shape crosses every stage), virtual
/// stages `v` (a pipeline of one group only: interleaving across vendors is not modeled), the
/// group order; per group: stages `p`, layers, TP `t`, CP `c`, SP, recompute, ZeRO stage.
/// Overlaps are on (each overlap only subtracts hidden time in `candidateStepSeconds`, so on
/// never costs more) unless `MixedOverlap` turns one off. EP is not searched (experts stay
/// replicated per stage).
public struct MixedSearchSpace: Sendable {
    public var constraints: PlanConstraints
    public var overlap: MixedOverlap
    /// Batch shares of data-parallel clusters are multiples of B / `batchUnits` (see `units`).
    public var maxBatchUnits: Int

    public init(constraints: PlanConstraints = PlanConstraints(), overlap: MixedOverlap = MixedOverlap(), maxBatchUnits: Int = 16) {
        self.constraints = constraints
        self.overlap = overlap
        self.maxBatchUnits = max(1, maxBatchUnits)
    }

    /// DP degrees: the 3-smooth numbers (2^i·3^j) up to the batch. A set fixed in advance (not
    /// derived from the chip counts) so adding chips only adds plans; it holds every DP degree
    /// of a homogeneous plan on a power-of-two or 3·2^k cluster.
    static func dataParallelDegrees(batch: Int) -> [Int] {
        guard batch >= 1 else { return [] }
        var out: [Int] = []
        var a = 1
        while a <= batch {
            var x = a
            while x <= batch { out.append(x); x *= 3 }
            a *= 2
        }
        return out.sorted()
    }

    func dValues(batch: Int) -> [Int] {
        if let d = constraints.dp { return d <= batch ? [d] : [] }
        return MixedSearchSpace.dataParallelDegrees(batch: batch)
    }

    func bValues(perRank: Int) -> [Int] {
        if let b = constraints.microBatch { return perRank % b == 0 ? [b] : [] }
        return divisorsOf(perRank)
    }

    func tValues(_ m: ModelSpec) -> [Int] {
        constraints.tp.map { [$0] } ?? divisorsOf(m.heads)
    }

    func cValues(sequence s: Int) -> [Int] {
        constraints.cp.map { [$0] } ?? [1, 2, 4, 8, 16].filter { $0 == 1 || (s % $0 == 0 && s / $0 >= 128) }
    }

    func spValues(t: Int) -> [Bool] {
        constraints.sequenceParallel.map { [$0] } ?? (t > 1 ? [false, true] : [false])
    }

    var rValues: [RecomputeMode] { constraints.recompute.map { [$0] } ?? RecomputeMode.allCases }

    func zValues(d: Int) -> [Int] {
        constraints.zeroStage.map { [$0] } ?? (d > 1 ? [0, 1, 2, 3] : [0])
    }

    /// Virtual stages of a one-group pipeline of `p` stages (the homogeneous search's rule:
    /// divisors of ceil(L / p), p·v <= L, and v > 1 only when m is a multiple of p).
    func vValues(layers L: Int, p: Int, microbatches m: Int) -> [Int] {
        if let v = constraints.virtualStages { return (p * v <= L && (v == 1 || (p > 1 && m % p == 0))) ? [v] : [] }
        guard p > 1 else { return [1] }
        return divisorsOf((L + p - 1) / p).filter { p * $0 <= L && ($0 == 1 || m % p == 0) }
    }

    /// Batch shares of data-parallel clusters: U units of B / U sequences, U the largest
    /// divisor of B not above `maxBatchUnits` (16: shares in steps of 1/16 of the batch).
    func units(batch: Int) -> Int {
        var u = min(maxBatchUnits, batch)
        while u > 1 && batch % u != 0 { u -= 1 }
        return max(1, u)
    }
}

/// The workload's fixed numbers the searches read often.
struct MixedShape {
    let layers: Int
    let heads: Int
    let sequence: Int
    let parameters: Double
    init(_ w: TrainingWorkload) {
        layers = w.model.layers
        heads = w.model.heads
        sequence = w.sequenceLength
        parameters = w.model.totalParams
    }
}

/// The divisors of n >= 1, ascending.
func divisorsOf(_ n: Int) -> [Int] {
    guard n >= 1 else { return [] }
    var small: [Int] = [], large: [Int] = []
    var i = 1
    while i * i <= n {
        if n % i == 0 { small.append(i); if i != n / i { large.append(n / i) } }
        i += 1
    }
    return small + large.reversed()
}

/// Permutations of 0..<n (Heap's algorithm; n <= 8).
func permutations(_ n: Int) -> [[Int]] {
    var a = Array(0..<n)
    var out: [[Int]] = [a]
    var c = [Int](repeating: 0, count: n)
    var i = 0
    while i < n {
        if c[i] < i {
            if i % 2 == 0 { a.swapAt(0, i) } else { a.swapAt(c[i], i) }
            out.append(a)
            c[i] += 1
            i = 0
        } else {
            c[i] = 0
            i += 1
        }
    }
    return out
}
