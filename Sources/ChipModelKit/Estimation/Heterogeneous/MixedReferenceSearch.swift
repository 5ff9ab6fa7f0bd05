// The scalar reference of the mixed planner: every plan of `MixedSearchSpace`, enumerated
// plainly (every layer split, every stage count, every shape per group, every order, every
// partition into data-parallel clusters and every batch share). Slow by design; the tests and
// the benchmark check the fast search against it.

enum MixedReferenceSearch {
    /// Every set partition of `items` (restricted growth strings).
    static func setPartitions(_ items: [Int]) -> [[[Int]]] {
        guard !items.isEmpty else { return [] }
        var out: [[[Int]]] = []
        var labels = [Int](repeating: 0, count: items.count)
        func rec(_ i: Int, _ blocks: Int) {
            if i == items.count {
                var parts = [[Int]](repeating: [], count: blocks)
                for (j, l) in labels.enumerated() { parts[l].append(items[j]) }
                out.append(parts)
                return
            }
            for l in 0...blocks {
                labels[i] = l
                rec(i + 1, l == blocks ? blocks + 1 : blocks)
            }
        }
        rec(0, 0)
        return out
    }

    /// Compositions of `total` into `k` positive parts.
    static func compositions(_ total: Int, _ k: Int) -> [[Int]] {
        guard k >= 1, total >= k else { return [] }
        if k == 1 { return [[total]] }
        var out: [[Int]] = []
        for first in 1...(total - k + 1) {
            for rest in compositions(total - first, k - 1) { out.append([first] + rest) }
        }
        return out
    }

    /// The best mixed plan for the whole batch.
    static func plan(_ models: [GroupStageModel], batch: Int, space: MixedSearchSpace, fabric: ResolvedFabric) -> MixedPlan? {
        var best: MixedPlan?
        let G = models.count
        for mask in 1..<(1 << G) {
            let members = (0..<G).filter { mask & (1 << $0) != 0 }
            for partition in setPartitions(members) {
                let C = partition.count
                if C == 1 {
                    if let p = bestPipeline(models, members: partition[0], batch: batch, clusters: 1, space: space, fabric: fabric) {
                        let plan = MixedPlan(pipelines: [p])
                        if plan.stepSeconds < (best?.stepSeconds ?? .infinity) { best = plan }
                    }
                    continue
                }
                let U = space.units(batch: batch)
                for u in compositions(U, C) {
                    var pipes: [MixedPipelinePlan] = []
                    for (k, cluster) in partition.enumerated() {
                        guard let p = bestPipeline(models, members: cluster, batch: u[k] * (batch / U), clusters: C,
                                                   space: space, fabric: fabric) else { break }
                        pipes.append(p)
                    }
                    guard pipes.count == C else { continue }
                    let plan = MixedPlan(pipelines: pipes)
                    if plan.stepSeconds < (best?.stepSeconds ?? .infinity) { best = plan }
                }
            }
        }
        return best
    }

    /// The best pipeline over `members` (every order) for `batch` sequences per step, as one of
    /// `clusters` data-parallel clusters.
    static func bestPipeline(_ models: [GroupStageModel], members: [Int], batch: Int, clusters: Int,
                             space: MixedSearchSpace, fabric: ResolvedFabric) -> MixedPipelinePlan? {
        guard let first = members.first, batch >= 1 else { return nil }
        let shape = MixedShape(models[first].workload)
        let L = shape.layers
        let k = members.count
        var best: MixedPipelinePlan?
        func consider(_ choices: [StageChoice], d: Int, b: Int, v: Int, m: Int) {
            let plan = MixedPipelinePlan.make(choices, layers: L, d: d, b: b, v: v, m: m, batch: batch,
                                              overlapPipeline: space.overlap.pipeline)
            if plan.stepSeconds < (best?.stepSeconds ?? .infinity) { best = plan }
        }
        for d in space.dValues(batch: batch) {
            let perRank = (batch + d - 1) / d
            for b in space.bValues(perRank: perRank) {
                let m = perRank / b
                if k == 1 {
                    let g = models[first]
                    for s in shapes(g, d: d, space: space, shape: shape) {
                        for p in 1...L where d * p * s.t * s.c <= g.group.count {
                            for v in space.vValues(layers: L, p: p, microbatches: m) {
                                let ls = (L + p * v - 1) / (p * v) * v
                                guard let x = g.metrics(t: s.t, c: s.c, sp: s.sp, b: b, d: d, p: p, ls: ls, v: v,
                                                        recompute: s.r, zero: s.z, microbatches: m, singleGroup: true,
                                                        overlap: space.overlap, maxAfter: 0, clusters: clusters) else { continue }
                                consider([StageChoice(group: first, metrics: x)], d: d, b: b, v: v, m: m)
                            }
                        }
                    }
                    continue
                }
                // Multi-group pipeline: v = 1; memo of every stage the enumeration asks for.
                var memo: [[StageKey: StageMetrics?]] = Array(repeating: [:], count: models.count)
                func stage(_ gi: Int, _ s: Shape, p: Int, ls: Int) -> StageMetrics? {
                    let key = StageKey(shape: s, p: p, ls: ls)
                    if let hit = memo[gi][key] { return hit }
                    let x = models[gi].metrics(t: s.t, c: s.c, sp: s.sp, b: b, d: d, p: p, ls: ls, v: 1, recompute: s.r,
                                               zero: s.z, microbatches: m, singleGroup: false, overlap: space.overlap,
                                               maxAfter: L, clusters: clusters)
                    memo[gi][key] = x
                    return x
                }
                let shapeLists = members.map { shapes(models[$0], d: d, space: space, shape: shape) }
                for order in permutations(k) {
                    let groups = order.map { members[$0] }
                    let lists = order.map { shapeLists[$0] }
                    for n in compositions(L, k) {
                        var choices: [StageChoice] = []
                        // Stage counts and shapes per position, back to front (memory needs the
                        // stages after each group).
                        func rec(_ pos: Int, after: Int) {
                            if pos < 0 {
                                consider(choices.reversed(), d: d, b: b, v: 1, m: m)
                                return
                            }
                            let gi = groups[pos]
                            for p in 1...n[pos] {
                                let ls = (n[pos] + p - 1) / p
                                for s in lists[pos] where d * p * s.t * s.c <= models[gi].group.count {
                                    guard let x = stage(gi, s, p: p, ls: ls), x.maxStagesAfter >= after else { continue }
                                    choices.append(StageChoice(group: gi, metrics: x))
                                    rec(pos - 1, after: after + p)
                                    choices.removeLast()
                                }
                            }
                        }
                        rec(k - 1, after: 0)
                    }
                }
            }
        }
        return best
    }

    struct Shape: Hashable { var t: Int, c: Int, sp: Bool, r: RecomputeMode, z: Int }
    struct StageKey: Hashable { var shape: Shape, p: Int, ls: Int }

    /// Every (TP, CP, SP, recompute, ZeRO) of a group at DP degree d that fits its chip count.
    static func shapes(_ g: GroupStageModel, d: Int, space: MixedSearchSpace, shape: MixedShape) -> [Shape] {
        var out: [Shape] = []
        for t in space.tValues(g.workload.model) {
            for c in space.cValues(sequence: shape.sequence) where d * t * c <= g.group.count {
                for sp in space.spValues(t: t) {
                    for r in space.rValues { for z in space.zValues(d: d) { out.append(Shape(t: t, c: c, sp: sp, r: r, z: z)) } }
                }
            }
        }
        return out
    }
}
