import Foundation

/// The plan space of one training search, in enumeration order, from the workload, the cluster
/// shape and the constraints only (no spec value enters it): the (TP, CP, EP, PP) outer items,
/// the per-layer cost shapes they need, and every group (outer item x microbatch x SP) with
/// the value lists of its inner choices (virtual stages, ZeRO, recompute, overlaps) and the
/// position of its first candidate in the outer item's enumeration. Candidates are ranked by
/// (step time, outer item, position), so the exhaustive and the branch-and-bound searches rank
/// ties alike whatever they skip.
///
/// `rowMemory` caches, per group, the memory of every (virtual stages, ZeRO, recompute) row:
/// memory per chip depends on the workload, the plan and the calibration, not on the chip's
/// speeds, so it is computed once for all spec corners and samples. The search checks the
/// cached value against the freshly computed one for every row it evaluates and rebuilds the
/// space when they differ (`TrainingSearch.run`).
final class TrainingSearchSpace: @unchecked Sendable {
    struct LayerKey: Hashable, Sendable { var t: Int, c: Int, e: Int, b: Int, sp: Bool }
    struct Outer: Sendable { var t: Int, c: Int, e: Int, p: Int, d: Int }

    /// DP overlap levels: none, gradient reduction with backward, + weight all-gather with the
    /// next forward (ZeRO-1/2 only); bit i of `Group.dpMask` is level i.
    struct DPLevel: Sendable, Equatable {
        var overlapDP: Bool, overlapParamGather: Bool
        static let all = [DPLevel(overlapDP: false, overlapParamGather: false), DPLevel(overlapDP: true, overlapParamGather: false),
                          DPLevel(overlapDP: true, overlapParamGather: true)]
    }

    /// One group's inner choices. The small value sets are bit masks over ascending values (the
    /// enumeration order): ZeRO stages 0-3, recompute modes in `RecomputeMode.allCases` order,
    /// EP all-to-all overlap, DP levels (`DPLevel.all`), TP and p2p overlap off (bit 0) / on
    /// (bit 1). Virtual-stage counts are `vValues[vStart ..< vStart + vCount]` of the space. A
    /// row is (virtual stages, ZeRO, recompute, EP overlap): memory depends on all four; its
    /// variants are the DP, TP and p2p overlap options.
    struct Group: Sendable {
        var outer: Int
        var microBatch: Int
        var sequenceParallel: Bool
        /// Index into `keys` (and the search's layer costs).
        var key: Int
        var vStart: Int, vCount: Int
        var zMask: UInt8, rMask: UInt8, oepMask: UInt8, dpMask: UInt8, otpMask: UInt8, oppMask: UInt8
        /// Position of the group's first candidate in its outer item's enumeration.
        var offset: Int
        /// First row of the group in `rowMemory`.
        var firstRow: Int
        var zCount: Int, rCount: Int, oepCount: Int, variants: Int

        var rows: Int { vCount * zCount * rCount * oepCount }
        var count: Int { rows * variants }

        /// Row index (within the group) of (vi, zi, ri, ei): v outermost, EP overlap innermost.
        @inline(__always) func row(_ vi: Int, _ zi: Int, _ ri: Int, _ ei: Int) -> Int { ((vi * zCount + zi) * rCount + ri) * oepCount + ei }

        var zValues: [Int] { (0..<4).filter { zMask & (1 << $0) != 0 } }
        var rValues: [RecomputeMode] { RecomputeMode.allCases.enumerated().filter { rMask & (1 << $0.offset) != 0 }.map(\.element) }
        var dpLevels: [DPLevel] { DPLevel.all.enumerated().filter { dpMask & (1 << $0.offset) != 0 }.map(\.element) }
        var otpValues: [Bool] { [false, true].filter { otpMask & (1 << ($0 ? 1 : 0)) != 0 } }
        var oepValues: [Bool] { [false, true].filter { oepMask & (1 << ($0 ? 1 : 0)) != 0 } }
        var oppValues: [Bool] { [false, true].filter { oppMask & (1 << ($0 ? 1 : 0)) != 0 } }

        static func mask(_ bits: [Int]) -> UInt8 { bits.reduce(0) { $0 | UInt8(1 << $1) } }
    }

    let outers: [Outer]
    let keys: [LayerKey]
    let groups: [Group]
    /// Virtual-stage counts of the groups (`Group.vStart`, `Group.vCount`).
    let vValues: [Int]
    /// Memory per chip (bytes) of every row of every group (`Group.firstRow` + `Group.row`).
    let rowMemory: [Double]
    /// Candidates in the space.
    let candidates: Int

    /// What the space depends on: two searches with equal keys share one space.
    struct Key: Equatable, Sendable {
        var workload: TrainingWorkload
        var calibration: FamilyCalibration
        var chips: Int
        var domainSize: Int
        /// Changes the activation memory (the unfused s x s scores).
        var fusedAttention: Bool
        var constraints: PlanConstraints
        var overlapDataParallel: Bool?
        var overlapTensorParallel: Bool?
        var overlapPipelineComm: Bool?
        var overlapExpertParallel: Bool?
    }

    static func key(_ model: TrainingCostModel, _ c: PlanConstraints, _ options: TrainingSearch.Options) -> Key {
        Key(workload: model.workload, calibration: model.calibration, chips: model.chips, domainSize: model.domainSize,
            fusedAttention: model.fusedAttention,
            constraints: c, overlapDataParallel: options.overlapDataParallel, overlapTensorParallel: options.overlapTensorParallel,
            overlapPipelineComm: options.overlapPipelineComm, overlapExpertParallel: options.overlapExpertParallel)
    }

    static func divisors(_ n: Int) -> [Int] { TrainingSearch.divisors(n) }

    /// The outer items and the layer shapes they need (enumeration order).
    static func outersAndKeys(_ model: TrainingCostModel, _ c: PlanConstraints) -> (outers: [Outer], keys: [LayerKey]) {
        let w = model.workload, m = w.model, n = model.chips
        let B = w.globalBatch, s = w.sequenceLength
        let tValues = c.tp.map { [$0] } ?? divisors(m.heads).filter { n % $0 == 0 }
        let cValues = c.cp.map { [$0] } ?? [1, 2, 4, 8, 16].filter { $0 == 1 || (s % $0 == 0 && s / $0 >= 128) }
        let eValues = c.ep.map { [$0] } ?? (m.isMoE ? divisors(m.experts) : [1])
        var outers: [Outer] = []
        for t in tValues { for cc in cValues where n % (t * cc) == 0 {
            let rest = n / (t * cc)
            let pValues = c.pp.map { [$0] } ?? divisors(rest).filter { $0 <= m.layers }
            for p in pValues where rest % p == 0 {
                let d = rest / p
                if let fixed = c.dp, fixed != d { continue }
                for e in eValues where d % e == 0 { outers.append(Outer(t: t, c: cc, e: e, p: p, d: d)) }
            }
        } }
        var keys: [LayerKey] = []
        var seen: Set<LayerKey> = []
        for o in outers where o.d <= B {
            for b in microBatches(o, B, c) {
                for sp in sequenceParallel(o, c) {
                    let k = LayerKey(t: o.t, c: o.c, e: o.e, b: b, sp: sp)
                    if seen.insert(k).inserted { keys.append(k) }
                }
            }
        }
        return (outers, keys)
    }

    static func microBatches(_ o: Outer, _ B: Int, _ c: PlanConstraints) -> [Int] {
        c.microBatch.map { [$0] } ?? divisors((B + o.d - 1) / o.d)
    }

    static func sequenceParallel(_ o: Outer, _ c: PlanConstraints) -> [Bool] {
        c.sequenceParallel.map { [$0] } ?? (o.t > 1 ? [false, true] : [false])
    }

    /// Builds the space with the layer costs of one search (only their structure and memory
    /// terms are kept: which shapes exist, microbatch counts, activation bytes).
    init(model: TrainingCostModel, constraints c: PlanConstraints, options: TrainingSearch.Options,
         outers: [Outer], keys: [LayerKey], layers: [LayerCosts?]) {
        let w = model.workload, m = w.model, B = w.globalBatch
        var keyIndex: [LayerKey: Int] = [:]
        for (i, k) in keys.enumerated() { keyIndex[k] = i }
        var groups: [Group] = []
        var rowMemory: [Double] = []
        var vFlat: [Int] = []
        var total = 0
        // Divisors of ceil(L / p) per p (every group of a PP degree asks for the same list).
        var vDivisors: [Int: [Int]] = [:]
        for (oi, o) in outers.enumerated() where o.d <= B {
            var offset = 0
            for b in Self.microBatches(o, B, c) {
                for sp in Self.sequenceParallel(o, c) {
                    guard let ki = keyIndex[LayerKey(t: o.t, c: o.c, e: o.e, b: b, sp: sp)], let layer = layers[ki],
                          let g = model.group(tp: o.t, cp: o.c, ep: o.e, pp: o.p, microBatch: b, sequenceParallel: sp, layer: layer)
                    else { continue }
                    let d = o.d
                    let maxV = (m.layers + o.p - 1) / o.p
                    // Interleaving needs PP > 1 and, as in Megatron-LM, a microbatch count that is
                    // a multiple of PP.
                    let divs: [Int]
                    if let hit = vDivisors[maxV] { divs = hit } else { divs = Self.divisors(maxV); vDivisors[maxV] = divs }
                    let vValues = (c.virtualStages.map { [$0] }
                        ?? (o.p == 1 ? [1] : divs.filter { $0 == 1 || g.microbatches % o.p == 0 }))
                        .filter { v in v >= 1 && o.p * v <= m.layers && (v == 1 || (o.p > 1 && g.microbatches % o.p == 0)) }
                    // ZeRO stages 0-3 (a constraint outside them leaves no candidate).
                    let zValues = (c.zeroStage.map { [$0] } ?? (d > 1 ? [0, 1, 2, 3] : [0])).filter { (0...3).contains($0) }
                    let rValues = c.recompute.map { [$0] } ?? RecomputeMode.allCases
                    let dpLevels: [Int] = options.overlapDataParallel.map { $0 ? [1, 2] : [0] } ?? (d > 1 ? [0, 1, 2] : [0])
                    let oppValues = options.overlapPipelineComm.map { [$0] } ?? (o.p > 1 ? [false, true] : [true])
                    // TP comm-GEMM overlap only inside one scale-up domain
                    // (`tensorParallelOverlapPossible`); EP overlap only with EP.
                    let otpValues = !model.tensorParallelOverlapPossible(tp: o.t) ? [false]
                        : options.overlapTensorParallel.map { [$0] } ?? (o.t > 1 ? [false, true] : [false])
                    let oepValues = o.e == 1 ? [false]
                        : (c.overlapExpertParallel ?? options.overlapExpertParallel).map { [$0] } ?? [false, true]
                    let rIndex = rValues.map { r in RecomputeMode.allCases.firstIndex(of: r)! }
                    let zMask = Group.mask(zValues), rMask = Group.mask(rIndex), oepMask = Group.mask(oepValues.map { $0 ? 1 : 0 })
                    let dpMask = Group.mask(dpLevels), otpMask = Group.mask(otpValues.map { $0 ? 1 : 0 })
                    let oppMask = Group.mask(oppValues.map { $0 ? 1 : 0 })
                    // Counts of distinct values: the set bits of the masks.
                    let group = Group(outer: oi, microBatch: b, sequenceParallel: sp, key: ki, vStart: vFlat.count, vCount: vValues.count,
                                      zMask: zMask, rMask: rMask, oepMask: oepMask, dpMask: dpMask, otpMask: otpMask, oppMask: oppMask,
                                      offset: offset, firstRow: rowMemory.count, zCount: zMask.nonzeroBitCount,
                                      rCount: rMask.nonzeroBitCount, oepCount: oepMask.nonzeroBitCount,
                                      variants: dpMask.nonzeroBitCount * otpMask.nonzeroBitCount * oppMask.nonzeroBitCount)
                    vFlat += vValues
                    // Row order: v, ZeRO, recompute, EP overlap (ascending, `Group.row`).
                    for v in vValues {
                        let ls = TrainingCostModel.stageLayers(layers: m.layers, pp: o.p, virtualStages: v)
                        model.appendRowMemory(g, stageLayers: ls, virtualStages: v, zMask: zMask, rMask: rMask, oepMask: oepMask,
                                              to: &rowMemory)
                    }
                    offset += group.count
                    total += group.count
                    groups.append(group)
                }
            }
        }
        self.outers = outers
        self.keys = keys
        self.groups = groups
        self.vValues = vFlat
        self.rowMemory = rowMemory
        candidates = total
    }

    /// Per-layer costs of every shape (parallel over `threads`; deterministic).
    static func layerCosts(_ model: TrainingCostModel, keys: [LayerKey], threads: Int) -> [LayerCosts?] {
        var out = [LayerCosts?](repeating: nil, count: keys.count)
        let workers = max(1, min(threads, keys.count / 16))
        out.withUnsafeMutableBufferPointer { buf in
            let p = UnsafeMutableBufferPointerBox(buf)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var i = worker
                while i < keys.count {
                    let k = keys[i]
                    p.buffer[i] = model.layerCosts(tp: k.t, cp: k.c, ep: k.e, microBatch: k.b, sequenceParallel: k.sp)
                    i += workers
                }
            }
        }
        return out
    }
}

/// Spaces of recent searches, reused while only spec values change (corners, Monte Carlo
/// samples, what-if points of one shape). A few entries, most recent first.
final class TrainingSearchSpaceCache: @unchecked Sendable {
    static let shared = TrainingSearchSpaceCache()
    private let lock = NSLock()
    private var entries: [(TrainingSearchSpace.Key, TrainingSearchSpace)] = []
    let limit = 8

    func find(_ key: TrainingSearchSpace.Key) -> TrainingSearchSpace? {
        lock.lock(); defer { lock.unlock() }
        guard let i = entries.firstIndex(where: { $0.0 == key }) else { return nil }
        let e = entries.remove(at: i)
        entries.insert(e, at: 0)
        return e.1
    }

    func add(_ key: TrainingSearchSpace.Key, _ space: TrainingSearchSpace) {
        lock.lock(); defer { lock.unlock() }
        entries.removeAll { $0.0 == key }
        entries.insert((key, space), at: 0)
        if entries.count > limit { entries.removeLast() }
    }

    func remove(_ key: TrainingSearchSpace.Key) {
        lock.lock(); defer { lock.unlock() }
        entries.removeAll { $0.0 == key }
    }
}
