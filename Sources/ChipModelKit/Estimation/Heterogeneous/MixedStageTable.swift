// Stage tables of the fast mixed search: for one group at one (DP degree, microbatch), every
// stage option that can still be part of a plan faster than the incumbent, with dominated
// options removed. The pruning is exact (see each rule).

/// One stage option in a table (a multi-group pipeline, v = 1).
struct TableOption {
    var metrics: StageMetrics
    /// p·M + 2(p - 1)·p2p: the option's share of the additive part of the step (fill/drain
    /// work and its own p2p messages).
    var additive: Double
    var minLayers: Int
    var maxLayers: Int
    /// Chips of one pipeline replica (p·t·c).
    var chipsPerReplica: Int
}

/// The microbatch times of one layer shape: M(ls) for every recompute mode, the lower bound
/// every option of that shape obeys.
final class ShapeTimes {
    let t: Int, c: Int, sp: Bool, b: Int
    let layer: LayerCosts
    let model: GroupStageModel
    let modes: [RecomputeMode]
    let overlap: MixedOverlap
    /// [recompute index][ls] (row length `width`), computed on first use (NaN until then):
    /// most searches read a few stage sizes of most shapes. A raw buffer: no exclusivity checks
    /// on the hot path.
    private let cache: UnsafeMutablePointer<Double>
    private let width: Int

    init(t: Int, c: Int, sp: Bool, b: Int, layer: LayerCosts, model: GroupStageModel, modes: [RecomputeMode], overlap: MixedOverlap,
         maxLayers: Int) {
        self.t = t
        self.c = c
        self.sp = sp
        self.b = b
        self.layer = layer
        self.model = model
        self.modes = modes
        self.overlap = overlap
        width = maxLayers + 1
        cache = .allocate(capacity: modes.count * width)
        cache.initialize(repeating: .nan, count: modes.count * width)
    }

    deinit { cache.deallocate() }

    /// M(ls) of recompute mode `ri` (`GroupStageModel.microbatchSeconds`).
    @inline(__always)
    func time(_ ri: Int, _ ls: Int) -> Double {
        let x = cache[ri * width + ls]
        if !x.isNaN { return x }
        let y = model.microbatchSeconds(layer: layer, t: t, c: c, sp: sp, b: b, recompute: modes[ri], overlap: overlap, layers: ls)
        cache[ri * width + ls] = y
        return y
    }
}

final class StageTable {
    /// Sorted by microbatch time.
    let options: [TableOption]
    let layers: Int
    /// The group's fixed per-step overhead at this microbatch count.
    let overhead: Double
    /// The fields the branch and bound reads, as columns (struct-of-arrays, same order).
    let time: [Double], additive: [Double], tail: [Double], inter: [Double], p2p: [Double]
    let after: [Int], minLayers: [Int], maxLayers: [Int], stages: [Int], chips: [Int]
    /// Largest `maxLayers` among options[0...i].
    let prefixMaxLayers: [Int]
    let minAdditive: Double
    /// For c = 0...L: the smallest microbatch time and additive part among options holding at
    /// least c layers (+infinity if none): a group asked to hold c layers costs at least these.
    let minTimeFor: [Double], minAdditiveFor: [Double]
    let maxStages: Int
    /// Options by (stages p, stage layers ls), CSR: the indices of key p·(L+1) + ls are
    /// `layoutIndex[layoutStart[key] ..< layoutStart[key + 1]]`.
    let layoutStart: [Int32], layoutIndex: [Int32]

    /// A table of `options` sorted by microbatch time.
    init(options all: [TableOption], layers L: Int, overhead: Double) {
        options = all
        layers = L
        self.overhead = overhead
        time = all.map(\.metrics.microbatchSeconds)
        additive = all.map(\.additive)
        tail = all.map(\.metrics.tailSeconds)
        inter = all.map(\.metrics.interGroupSeconds)
        p2p = all.map(\.metrics.p2pSeconds)
        after = all.map(\.metrics.maxStagesAfter)
        minLayers = all.map(\.minLayers)
        maxLayers = all.map(\.maxLayers)
        stages = all.map(\.metrics.stages)
        chips = all.map(\.chipsPerReplica)
        var prefix: [Int] = [], running = 0
        var minT = [Double](repeating: .infinity, count: L + 1), minA = minT
        for o in all {
            running = max(running, o.maxLayers)
            prefix.append(running)
            let c = min(L, o.maxLayers)
            minT[c] = min(minT[c], o.metrics.microbatchSeconds)
            minA[c] = min(minA[c], o.additive)
        }
        for c in stride(from: L - 1, through: 0, by: -1) {
            minT[c] = min(minT[c], minT[c + 1])
            minA[c] = min(minA[c], minA[c + 1])
        }
        prefixMaxLayers = prefix
        minTimeFor = minT
        minAdditiveFor = minA
        minAdditive = minA[0]
        let pMax = all.map(\.metrics.stages).max() ?? 0
        maxStages = pMax
        let keys = (pMax + 1) * (L + 1)
        var counts = [Int32](repeating: 0, count: keys + 1)
        for o in all { counts[o.metrics.stages * (L + 1) + o.metrics.stageLayers + 1] += 1 }
        for i in 0..<keys { counts[i + 1] += counts[i] }
        layoutStart = counts
        var fill = counts
        var index = [Int32](repeating: 0, count: all.count)
        for (i, o) in all.enumerated() {
            let key = o.metrics.stages * (L + 1) + o.metrics.stageLayers
            index[Int(fill[key])] = Int32(i)
            fill[key] += 1
        }
        layoutIndex = index
    }

    /// Indices of the options with `p` stages of `ls` layers.
    @inline(__always)
    func options(stages p: Int, stageLayers ls: Int) -> ArraySlice<Int32> {
        guard p <= maxStages, ls >= 1, ls <= layers else { return [] }
        let key = p * (layers + 1) + ls
        return layoutIndex[Int(layoutStart[key])..<Int(layoutStart[key + 1])]
    }

    /// Most layers the group can hold with every stage's microbatch time at most `limit`.
    func capacity(below limit: Double) -> Int {
        var lo = 0, hi = options.count // first index with time > limit
        while lo < hi {
            let mid = (lo + hi) / 2
            if time[mid] <= limit { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? 0 : prefixMaxLayers[lo - 1]
    }

    /// The table of group `g` at DP degree `d`, microbatch `b` and `m` microbatches, for a
    /// pipeline of `members` groups whose largest fixed overhead is `clusterOverhead`: only
    /// options with m·M + overhead below `incumbent` (every step with the stage is at least that),
    /// that fit in memory with nothing after them, and that no other option of the same stages
    /// and layers dominates (microbatch time, tail, p2p, inter-group message all <=, memory
    /// headroom >=).
    /// `minLayers`: the fewest layers this group must be able to hold (the other groups can hold
    /// at most L - minLayers below the incumbent); options whose stages hold fewer are useless.
    static func build(_ g: GroupStageModel, shapes: [ShapeTimes], d: Int, b: Int, m: Int, members: Int, minLayers need: Int,
                      clusterOverhead: Double, incumbent: Double, space: MixedSearchSpace, clusters: Int) -> StageTable {
        let L = g.workload.model.layers
        let N = g.group.count
        let rModes = space.rValues
        let M = Double(m)
        let ownOverhead = g.model.scalars.stepOverhead + M * g.model.scalars.microbatchOverhead
        let limit = (incumbent - clusterOverhead) / M
        var byKey: [Int: [TableOption]] = [:]
        let zValues = space.zValues(d: d)
        for s in shapes where d * s.t * s.c <= N {
            let pMax = min(L - (members - 1), N / (d * s.t * s.c))
            guard pMax >= 1 else { continue }
            for p in 1...pMax {
                let gc = g.groupCosts(layer: s.layer, t: s.t, c: s.c, p: p, d: d, b: b, sp: s.sp, microbatches: m)
                let lsMax = (L - (members - 1) + p - 1) / p
                let lsMin = max(1, (need + p - 1) / p)
                guard lsMin <= lsMax else { continue }
                for ls in lsMin...lsMax {
                    var any = false
                    // DP and optimizer inputs per ZeRO stage, shared by the recompute modes
                    // (what `metrics` computes for this stage: not the whole model, one stage).
                    var zeroCache = [TrainingCostModel.ZeroInputs?](repeating: nil, count: 4)
                    let st = g.stageInputs(t: gc.tp, ls: ls, singleStage: false)
                    for (ri, r) in rModes.enumerated() where s.time(ri, ls) <= limit {
                        for z in zValues {
                            let zi: TrainingCostModel.ZeroInputs
                            if (0...3).contains(z), let hit = zeroCache[z] { zi = hit } else {
                                zi = g.model.zeroInputs(gc, st, zero: z)
                                if (0...3).contains(z) { zeroCache[z] = zi }
                            }
                            guard let x = g.metrics(gc, ls: ls, v: 1, recompute: r, zero: z, singleGroup: false,
                                                    overlap: space.overlap, maxAfter: L, clusters: clusters,
                                                    pruneAbove: incumbent - clusterOverhead + ownOverhead, zeroInputs: zi)
                            else { continue }
                            any = true
                            let lo = max(p, p * (ls - 1) + 1)
                            let opt = TableOption(metrics: x, additive: Double(p) * x.microbatchSeconds + 2 * Double(p - 1) * x.p2pSeconds,
                                                  minLayers: lo, maxLayers: p * ls, chipsPerReplica: p * s.t * s.c)
                            byKey[p << 20 | ls, default: []].append(opt)
                        }
                    }
                    // Larger ls only raises the microbatch time and the memory: if nothing is left
                    // at this ls, nothing is at a larger one.
                    if !any { break }
                }
            }
        }
        var all: [TableOption] = []
        for (_, list) in byKey {
            var kept: [TableOption] = []
            for i in list.indices.sorted(by: { list[$0].metrics.microbatchSeconds < list[$1].metrics.microbatchSeconds }) {
                let o = list[i]
                if !kept.contains(where: { dominates($0, o) }) { kept.append(o) }
            }
            all.append(contentsOf: kept)
        }
        let order = all.indices.sorted { i, j in
            let a = all[i].metrics, b = all[j].metrics
            if a.microbatchSeconds != b.microbatchSeconds { return a.microbatchSeconds < b.microbatchSeconds }
            return (a.stages, a.stageLayers, a.tp, a.cp, i) < (b.stages, b.stageLayers, b.tp, b.cp, j)
        }
        all = order.map { all[$0] }
        let table = StageTable(options: all, layers: L, overhead: ownOverhead)
        return table
    }

    /// `a` is at least as good as `b` in every term the step and the constraints read (same
    /// stages and stage layers).
    static func dominates(_ a: TableOption, _ b: TableOption) -> Bool {
        let x = a.metrics, y = b.metrics
        return x.microbatchSeconds <= y.microbatchSeconds && x.tailSeconds <= y.tailSeconds && x.p2pSeconds <= y.p2pSeconds
            && x.interGroupSeconds <= y.interGroupSeconds && x.maxStagesAfter >= y.maxStagesAfter
    }
}
