import Dispatch
import Foundation

/// A plan with its step time.
public struct RankedPlan: Sendable, Equatable {
    public var plan: TrainingPlan
    public var stepSeconds: Double
    public var memoryBytes: Double
}

/// What a plan search found.
public struct TrainingSearchResult: Sendable {
    /// The fastest plans that fit, best first (at most `top`).
    public var top: [RankedPlan]
    /// Candidate executions evaluated by the step-time function (every valid combination in
    /// an exhaustive search; what branch and bound did not prune).
    public var candidatesEvaluated: Int
    /// Candidates in the searched space (`candidatesEvaluated / searchSpace` is the share the
    /// search had to evaluate).
    public var searchSpace: Int
    /// Candidates of the space that fit in memory.
    public var feasible: Int
    public var searchSeconds: Double
    /// The candidate with the least memory when none fits (for the infeasibility reason).
    public var leastMemory: RankedPlan?
    public var best: RankedPlan? { top.first }
}

/// The training plan search over every valid execution strategy (Calculon-style, Isaev et al.
/// SC23 section 4: enumerate and evaluate each with the analytical model), by exact branch and
/// bound: whole groups of candidates whose admissible lower bound exceeds the K-th best step
/// time found are skipped, so the top K plans are those of full enumeration, bit for bit.
public enum TrainingSearch {
    /// Which overlap options to search (nil = both values).
    public struct Options: Sendable {
        public var overlapDataParallel: Bool?
        public var overlapTensorParallel: Bool?
        public var overlapPipelineComm: Bool?
        /// EP all-to-all overlapped with compute (MoE only; a case's
        /// `plan.overlapExpertParallel` takes precedence).
        public var overlapExpertParallel: Bool?
        public var top: Int
        /// Workers for the per-layer costs and the exhaustive search (results do not depend on it).
        public var threads: Int
        /// Evaluate every candidate instead of branch and bound (the reference the property
        /// tests and the benchmarks compare against; same plans and times).
        public var exhaustive: Bool = false
        public init(overlapDataParallel: Bool? = nil, overlapTensorParallel: Bool? = nil, overlapPipelineComm: Bool? = nil,
                    overlapExpertParallel: Bool? = nil,
                    top: Int = 5, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.overlapPipelineComm = overlapPipelineComm
            self.overlapExpertParallel = overlapExpertParallel
            self.overlapDataParallel = overlapDataParallel
            self.overlapTensorParallel = overlapTensorParallel
            self.top = top
            self.threads = max(1, threads)
        }
    }

    static func divisors(_ n: Int) -> [Int] {
        guard n >= 1 else { return [] }
        var out: [Int] = []
        var i = 1
        while i * i <= n {
            if n % i == 0 { out.append(i); if i != n / i { out.append(n / i) } }
            i += 1
        }
        return out.sorted()
    }

    /// Packed inner choice of a candidate: group index (bits 0-23), virtual stages (24-35),
    /// recompute (36-37), ZeRO (38-39), overlap flags dp/ag/tp/pp/ep (40-44).
    @inline(__always)
    static func pack(group: Int, v: Int, r: Int, z: Int, odp: Bool, oag: Bool, otp: Bool, opp: Bool, oep: Bool = false) -> UInt64 {
        UInt64(group) | UInt64(v) << 24 | UInt64(r) << 36 | UInt64(z) << 38
            | (odp ? 1 << 40 : 0) | (oag ? 1 << 41 : 0) | (otp ? 1 << 42 : 0) | (opp ? 1 << 43 : 0) | (oep ? 1 << 44 : 0)
    }

    /// Searches every valid plan under `constraints` (given fields held fixed): branch and bound
    /// (`TrainingBranchAndBound.swift`), exact, or with `options.exhaustive` every candidate.
    /// The space (`TrainingSearchSpace`) is reused across searches that differ only in spec
    /// values (its cached memory per row is checked against every row evaluated; a mismatch
    /// rebuilds it).
    public static func run(_ model: TrainingCostModel, constraints c: PlanConstraints, options: Options = Options())
        -> TrainingSearchResult {
        let start = DispatchTime.now().uptimeNanoseconds
        if options.exhaustive {
            var full = referenceEnumeration(model, constraints: c, options: options)
            full.searchSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return full
        }
        let key = TrainingSearchSpace.key(model, c, options)
        var space = TrainingSearchSpaceCache.shared.find(key)
        let layers: [LayerCosts?]
        if let s = space {
            layers = TrainingSearchSpace.layerCosts(model, keys: s.keys, threads: options.threads)
        } else {
            let (outers, keys) = TrainingSearchSpace.outersAndKeys(model, c)
            layers = TrainingSearchSpace.layerCosts(model, keys: keys, threads: options.threads)
            space = TrainingSearchSpace(model: model, constraints: c, options: options, outers: outers, keys: keys, layers: layers)
            TrainingSearchSpaceCache.shared.add(key, space!)
        }
        var bb = BranchAndBound(model: model, space: space!, layers: layers, top: max(1, options.top))
        var result = bb.run()
        if bb.staleMemory {
            // The cached memory differs from the model's own: rebuild the space, search again.
            TrainingSearchSpaceCache.shared.remove(key)
            let (outers, keys) = TrainingSearchSpace.outersAndKeys(model, c)
            let fresh = TrainingSearchSpace(model: model, constraints: c, options: options, outers: outers, keys: keys, layers: layers)
            var again = BranchAndBound(model: model, space: fresh, layers: layers, top: max(1, options.top))
            result = again.run()
        }
        result.searchSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }

    /// Deterministic order: faster first, then the earlier candidate in enumeration order.
    static func better(_ a: (Double, Int, Int), than b: (Double, Int, Int, RankedPlan)) -> Bool {
        if a.0 != b.0 { return a.0 < b.0 }
        return (a.1, a.2) < (b.1, b.2)
    }

    static func insert(_ e: (Double, Int, Int, RankedPlan), into list: inout [(Double, Int, Int, RankedPlan)], limit: Int) {
        var i = list.count
        while i > 0 && better((e.0, e.1, e.2), than: list[i - 1]) { i -= 1 }
        if i < limit {
            list.insert(e, at: i)
            if list.count > limit { list.removeLast() }
        }
    }
}

/// Lets concurrent workers write disjoint elements of one buffer.
struct UnsafeMutableBufferPointerBox<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ b: UnsafeMutableBufferPointer<T>) { buffer = b }
}
