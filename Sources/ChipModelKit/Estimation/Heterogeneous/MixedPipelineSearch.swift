// The fast exact search of one cluster's best pipeline (the same plan space as
// `MixedReferenceSearch.bestPipeline`, with exact pruning: a plan is skipped only when a lower
// bound of its step is at least the best step found, or another plan is at least as good in
// every term). Lower bounds used (S stages, m microbatches, v = 1 in a multi-group pipeline):
//     step >= (m - 1)·max M + Σ p·M + Σ own p2p + overhead >= m·M_s + overhead   for every stage s,
// since every other term of `pipelineStep` is >= 0.

/// Caches of one planning run (layer shapes and their microbatch times per group and microbatch).
final class MixedSearchContext {
    let models: [GroupStageModel]
    let space: MixedSearchSpace
    let fabric: ResolvedFabric
    let shape: MixedShape
    private var shapeCache: [Int: [ShapeTimes]] = [:]
    /// Stage options evaluated (for the search statistics).
    var evaluated = 0

    init(models: [GroupStageModel], space: MixedSearchSpace, fabric: ResolvedFabric) {
        self.models = models
        self.space = space
        self.fabric = fabric
        shape = MixedShape(models[0].workload)
    }

    /// Every valid (TP, CP, SP) layer shape of group `gi` at microbatch `b`, with M(ls).
    func shapes(_ gi: Int, b: Int) -> [ShapeTimes] {
        let key = gi << 32 | b
        if let hit = shapeCache[key] { return hit }
        let g = models[gi]
        var out: [ShapeTimes] = []
        for t in space.tValues(g.workload.model) where t <= g.group.count {
            for c in space.cValues(sequence: shape.sequence) where t * c <= g.group.count {
                for sp in space.spValues(t: t) {
                    guard let layer = g.layer(t: t, c: c, b: b, sp: sp) else { continue }
                    out.append(ShapeTimes(t: t, c: c, sp: sp, b: b, layer: layer, model: g, modes: space.rValues, overlap: space.overlap,
                                          maxLayers: shape.layers))
                }
            }
        }
        shapeCache[key] = out
        return out
    }

    func overhead(_ gi: Int, microbatches m: Int) -> Double {
        let k = models[gi].model.scalars
        return k.stepOverhead + Double(m) * k.microbatchOverhead
    }

    /// The best pipeline over `members` for `batch` sequences as one of `clusters` clusters,
    /// if one is faster than `incumbent`. With `goodEnough` > 0 the search may stop at the first
    /// plan at most that fast (a data-parallel cluster that is not the slowest: any such plan
    /// gives the partition the same step); the plan returned is then not necessarily its best.
    func bestPipeline(members: [Int], batch: Int, clusters: Int, incumbent: Double, goodEnough: Double = 0) -> MixedPipelinePlan? {
        guard !members.isEmpty, batch >= 1 else { return nil }
        return members.count == 1
            ? bestAlone(members[0], batch: batch, clusters: clusters, incumbent: incumbent, goodEnough: goodEnough)
            : bestMulti(members, batch: batch, clusters: clusters, incumbent: incumbent, goodEnough: goodEnough)
    }

    /// Divisors of ceil(L / p) (the interleaving candidates of p stages), per p.
    private lazy var interleaveDivisors: [[Int]] = (0...shape.layers).map { p in
        p == 0 ? [] : divisorsOf((shape.layers + p - 1) / p)
    }

    /// One group as the whole pipeline (the homogeneous plan space on at most its chips).
    func bestAlone(_ gi: Int, batch: Int, clusters: Int, incumbent: Double, goodEnough: Double = 0) -> MixedPipelinePlan? {
        let g = models[gi]
        let L = shape.layers, N = g.group.count
        let rModes = space.rValues, fixedV = space.constraints.virtualStages
        let opp = space.overlap.pipeline
        var best = incumbent
        var bestPlan: MixedPipelinePlan?
        // Large DP degrees first: they usually hold the best plan, and a good incumbent early
        // prunes the rest.
        for d in space.dValues(batch: batch).reversed() where d <= N {
            let perRank = (batch + d - 1) / d
            let zModes = space.zValues(d: d)
            for b in space.bValues(perRank: perRank) {
                let m = perRank / b, M = Double(m)
                let H = overhead(gi, microbatches: m)
                for s in shapes(gi, b: b) where d * s.t * s.c <= N {
                    let pMax = min(L, N / (d * s.t * s.c))
                    // Bound: step >= m·M(ls) + H, and ls >= ceil(L / p): the fewest stages that
                    // can beat the incumbent with any recompute mode.
                    var pMin = pMax + 1
                    for ri in rModes.indices {
                        var lo = 1, hi = pMax + 1 // first p with m·M(ceil(L/p)) + H < best
                        while lo < hi {
                            let mid = (lo + hi) / 2
                            if M * s.time(ri, (L + mid - 1) / mid) + H < best { hi = mid } else { lo = mid + 1 }
                        }
                        pMin = min(pMin, lo)
                    }
                    guard pMin <= pMax else { continue }
                    for p in pMin...pMax {
                        var gc: TrainingCostModel.GroupCosts?
                        let chips = d * p * s.t * s.c
                        // The homogeneous search's interleaving rule (`MixedSearchSpace.vValues`).
                        let vs = fixedV.map { [$0] } ?? (p == 1 ? [1] : interleaveDivisors[p])
                        for v in vs where p * v <= L && (v == 1 || (p > 1 && m % p == 0)) {
                            let ls = (L + p * v - 1) / (p * v) * v
                            for (ri, r) in rModes.enumerated() where M * s.time(ri, ls) + H < best {
                                if gc == nil {
                                    gc = g.groupCosts(layer: s.layer, t: s.t, c: s.c, p: p, d: d, b: b, sp: s.sp, microbatches: m)
                                }
                                for z in zModes {
                                    evaluated += 1
                                    guard let x = g.metrics(gc!, ls: ls, v: v, recompute: r, zero: z, singleGroup: true,
                                                            overlap: space.overlap, maxAfter: 0, clusters: clusters,
                                                            pruneAbove: best) else { continue }
                                    let total = singleGroupStepTotal(x, microbatches: m, virtualStages: v, overlapPipeline: opp)
                                    if total < best {
                                        best = total
                                        let part = PipelinePart(group: gi, layers: L, metrics: x)
                                        let step = pipelineStep([part], microbatches: m, virtualStages: v, overlapPipeline: opp)
                                        bestPlan = MixedPipelinePlan(parts: [part], dataParallel: d, microBatch: b, virtualStages: v,
                                                                     microbatches: m, batch: batch, chips: chips, step: step)
                                        if best <= goodEnough { return bestPlan }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return bestPlan
    }

    /// Most layers group `gi`'s chips can hold at (d, b) with every stage's microbatch time at
    /// most `limit` (memory ignored, so an upper bound of any plan's capacity): the best over
    /// shapes of (stages that fit the chips) x (largest stage with M <= limit).
    func capacity(_ gi: Int, d: Int, b: Int, members k: Int, limit: Double) -> Int {
        let L = shape.layers, N = models[gi].group.count
        var best = 0
        for s in shapes(gi, b: b) {
            let width = s.t * s.c
            let pMax = min(L - (k - 1), N / (d * width))
            guard pMax >= 1, fastestTime(s, 1) <= limit else { continue }
            var lo = 1, hi = L // largest ls with time <= limit
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if fastestTime(s, mid) <= limit { lo = mid } else { hi = mid - 1 }
            }
            best = max(best, pMax * lo)
        }
        return best
    }

    /// The smallest M(ls) of shape `s` over the recompute modes (on demand: a capacity search
    /// reads a few stage sizes of each shape; `ShapeTimes` caches each mode's time).
    @inline(__always)
    func fastestTime(_ s: ShapeTimes, _ ls: Int) -> Double {
        var best = Double.infinity
        for ri in s.modes.indices { best = min(best, s.time(ri, ls)) }
        return best
    }

    /// A pipeline of two or more groups (v = 1).
    func bestMulti(_ members: [Int], batch: Int, clusters: Int, incumbent: Double, goodEnough: Double = 0) -> MixedPipelinePlan? {
        let L = shape.layers, k = members.count
        var bnb = PipelineBranchAndBound(layers: L, best: incumbent, overlapPipeline: space.overlap.pipeline, goodEnough: goodEnough)
        var winner: (plan: [StageChoice], d: Int, b: Int, m: Int)?
        search: for d in space.dValues(batch: batch) {
            let perRank = (batch + d - 1) / d
            for b in space.bValues(perRank: perRank) {
                let m = perRank / b
                let C = members.map { overhead($0, microbatches: m) }.max() ?? 0
                // No plan below the incumbent unless the chips can hold every layer with each
                // stage's microbatch time under (incumbent - overhead) / m.
                let limit = (bnb.best - C) / Double(m)
                let caps = members.map { capacity($0, d: d, b: b, members: k, limit: limit) }
                let capTotal = caps.reduce(0, +)
                if capTotal < L { continue }
                var tables: [StageTable] = []
                for (i, gi) in members.enumerated() {
                    let t = StageTable.build(models[gi], shapes: shapes(gi, b: b), d: d, b: b, m: m, members: k,
                                             minLayers: L - (capTotal - caps[i]),
                                             clusterOverhead: C, incumbent: bnb.best, space: space, clusters: clusters)
                    evaluated += t.options.count
                    if t.options.isEmpty { break }
                    tables.append(t)
                }
                guard tables.count == k else { continue }
                for order in permutations(k) where bnb.best > goodEnough {
                    if let found = bnb.run(order.map { tables[$0] }, groups: order.map { members[$0] }, d: d, m: m, overhead: C) {
                        winner = (found, d, b, m)
                    }
                }
                if bnb.best <= goodEnough { break search }
            }
        }
        guard let w = winner else { return nil }
        return MixedPipelinePlan.make(w.plan, layers: L, d: w.d, b: w.b, v: 1, m: w.m, batch: batch,
                                      overlapPipeline: space.overlap.pipeline)
    }
}

/// Branch and bound over the stage options of a multi-group pipeline in a fixed group order,
/// back to front (the memory of a group depends on the stages after it).
struct PipelineBranchAndBound {
    let layers: Int
    var best: Double
    let overlapPipeline: Bool
    /// Stop at the first plan at most this fast (0: find the best).
    let goodEnough: Double

    init(layers: Int, best: Double, overlapPipeline: Bool, goodEnough: Double = 0) {
        self.layers = layers
        self.best = best
        self.overlapPipeline = overlapPipeline
        self.goodEnough = goodEnough
    }

    /// The stage choices (pipeline order) of the best plan faster than `best`, if any.
    /// Bounds at a partial choice (positions > pos chosen): the step is at least
    /// (m - 1)·max(M so far, M the rest needs) + additive so far + the rest's least additive
    /// + boundaries so far + tail so far + overhead, where the rest must hold the layers the
    /// chosen groups cannot (one group left: its least M and additive among options holding that
    /// many; several: one of them holds at least their share).
    mutating func run(_ tables: [StageTable], groups: [Int], d: Int, m: Int, overhead C: Double) -> [StageChoice]? {
        let k = tables.count
        var remainingMinAdd = [Double](repeating: 0, count: k + 1) // Σ minAdditive of positions < i
        for i in 0..<k { remainingMinAdd[i + 1] = remainingMinAdd[i] + tables[i].minAdditive }
        var chosen = [Int](repeating: -1, count: k)
        var found: [Int]?
        let M = Double(m), L = layers
        // For pos >= 2: the joint capacity of positions 0..<pos as a step function of the
        // slowest stage's time (merged breakpoints; capacities nondecreasing).
        var restTimes = [[Double]](repeating: [], count: k), restCaps = [[Int]](repeating: [], count: k)
        if k > 2 {
            for pos in 2..<k {
                let times = (0..<pos).flatMap { tables[$0].time }.sorted()
                var caps: [Int] = []
                caps.reserveCapacity(times.count)
                for t in times { caps.append((0..<pos).reduce(0) { $0 + tables[$1].capacity(below: t) }) }
                restTimes[pos] = times
                restCaps[pos] = caps
            }
        }
        /// Smallest slowest-stage time at which positions 0..<pos can hold `need` layers.
        func timeNeeded(_ pos: Int, _ need: Int) -> Double {
            let caps = restCaps[pos]
            var lo = 0, hi = caps.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if caps[mid] >= need { hi = mid } else { lo = mid + 1 }
            }
            return lo < caps.count ? restTimes[pos][lo] : .infinity
        }

        func rec(_ pos: Int, after: Int, lo: Int, hi: Int, mMax: Double, add: Double, tail: Double, edges: Double,
                 nextInter: Double, busiest: Double, chips: Int) {
            let tab = tables[pos]
            if pos == 0 {
                let room = L - lo, need = L - hi
                for p in 1...max(1, tab.maxStages) {
                    if room < p { break }
                    let lsMin = max(1, (need + p - 1) / p), lsMax = (room - 1) / p + 1
                    guard lsMin <= lsMax else { continue }
                    for ls in lsMin...lsMax {
                        for i32 in tab.options(stages: p, stageLayers: ls) {
                            let i = Int(i32)
                            guard tab.after[i] >= after, tab.minLayers[i] <= room, tab.maxLayers[i] >= need else { continue }
                            let mx = max(mMax, tab.time[i])
                            let edge = 2 * max(tab.inter[i], nextInter)
                            var t = (M - 1) * mx + add + tab.additive[i] + edges + edge + max(tail, tab.tail[i]) + C
                            if !overlapPipeline {
                                t += 2 * M * max(busiest, max(p > 1 ? tab.p2p[i] : 0, edge / 2))
                            }
                            if t < best {
                                best = t
                                chosen[0] = i
                                found = chosen
                                if best <= goodEnough { return }
                            }
                        }
                    }
                }
                return
            }
            let limit = (best - C) / M
            for i in 0..<tab.time.count {
                let xt = tab.time[i]
                if M * xt + C >= best { break }
                guard tab.after[i] >= after else { continue }
                let lo2 = lo + tab.minLayers[i], hi2 = hi + tab.maxLayers[i]
                if lo2 + pos > L { continue }
                let mx = max(mMax, xt)
                let a = add + tab.additive[i]
                let xi = tab.inter[i]
                let edge = pos == k - 1 ? 0 : 2 * max(xi, nextInter)
                let tl = max(tail, tab.tail[i])
                let needRest = max(0, L - hi2)
                var restTime = 0.0, restAdd = remainingMinAdd[pos]
                if pos == 1 {
                    restTime = tables[0].minTimeFor[needRest]
                    restAdd = tables[0].minAdditiveFor[needRest]
                } else {
                    restTime = needRest == 0 ? 0 : timeNeeded(pos, needRest)
                    if restTime > limit { continue }
                }
                if (M - 1) * max(mx, restTime) + a + restAdd + edges + edge + tl + C >= best { continue }
                var busy = busiest
                if !overlapPipeline { busy = max(busy, max(tab.stages[i] > 1 ? tab.p2p[i] : 0, edge / 2)) }
                chosen[pos] = i
                if best <= goodEnough { return }
                rec(pos - 1, after: after + tab.stages[i], lo: lo2, hi: hi2, mMax: mx, add: a, tail: tl,
                    edges: edges + edge, nextInter: xi, busiest: busy, chips: chips + tab.chips[i])
            }
        }
        rec(k - 1, after: 0, lo: 0, hi: 0, mMax: 0, add: 0, tail: 0, edges: 0, nextInter: 0, busiest: 0, chips: 0)
        guard let f = found else { return nil }
        return (0..<k).map { StageChoice(group: groups[$0], metrics: tables[$0].options[f[$0]].metrics) }
    }
}
