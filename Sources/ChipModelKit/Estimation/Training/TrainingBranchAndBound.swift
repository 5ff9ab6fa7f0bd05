// Exact branch and bound over the training plan space (Land & Doig 1960; the partial plans are
// the groups of `TrainingSearchSpace`):
//
// 1. For every group (TP, CP, EP, PP, microbatch, SP fixed) the admissible lower bound of its
//    candidates' step times (`groupBound`: the interval twin of the candidate function over the
//    group's boxes, one per EP-overlap option) and its memory lower bound (a group none of
//    whose rows fits is dropped).
// 2. Groups are visited in increasing bound (ties in space order). Before each group, the K-th
//    best step time found so far is the threshold: a group whose bound exceeds it cannot hold a
//    top-K candidate, nor can any later group (their bounds are at least as large), so the
//    search stops there.
// 3. Inside a visited group, each row class (virtual stages, recompute, EP overlap fixed:
//    `rowClassBox`) whose bound exceeds the threshold is skipped before its rows are
//    assembled, and rows that do not fit are skipped; the rest are written and evaluated with
//    the SIMD kernel exactly as the exhaustive search does.
//
// Only candidates strictly slower than the final K-th best are skipped (pruning needs
// `bound > threshold`, and ties in time rank by enumeration position, which the skipped
// candidates cannot win), so the top K, their times and memory are those of full enumeration,
// bit for bit, whatever order groups are visited in. The search is single-threaded (its
// result and its candidate count do not depend on the machine); parallelism comes from running
// independent searches (corners, samples, chip counts) side by side.

extension TrainingSearch {
    struct BranchAndBound {
        let model: TrainingCostModel
        let space: TrainingSearchSpace
        let layers: [LayerCosts?]
        let top: Int
        var staleMemory = false

        init(model: TrainingCostModel, space: TrainingSearchSpace, layers: [LayerCosts?], top: Int) {
            self.model = model
            self.space = space
            self.layers = layers
            self.top = top
        }

        mutating func run() -> TrainingSearchResult {
            let k = model.scalars
            let L = model.workload.model.layers
            let scale = model.overlappedComputeScale
            let groups = space.groups
            var order: [(Double, Int)] = []
            order.reserveCapacity(groups.count)
            var fittingCandidates = 0
            @inline(__always) func costs(_ gi: Int) -> TrainingCostModel.GroupCosts? {
                let grp = groups[gi], o = space.outers[grp.outer]
                guard let layer = layers[grp.key] else { return nil }
                return model.group(tp: o.t, cp: o.c, ep: o.e, pp: o.p, microBatch: grp.microBatch,
                                   sequenceParallel: grp.sequenceParallel, layer: layer)
            }
            for gi in groups.indices {
                guard let g = costs(gi) else { continue }
                let (bound, rows) = TrainingSearch.groupBound(groups[gi], g, space: space, layers: L,
                                                               overlappedComputeScale: scale, scalars: k)
                fittingCandidates += rows * groups[gi].variants
                // +infinity: nothing fits, or every candidate takes forever; neither can rank.
                guard bound != .infinity else { continue }
                order.append((bound.isNaN ? -.infinity : bound, gi))
            }
            var list = TopList(limit: top)
            let ev = GroupEvaluator(model: model, space: space)
            func before(_ a: (Double, Int), _ b: (Double, Int)) -> Bool { a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 }
            if let first = order.indices.min(by: { before(order[$0], order[$1]) }) {
                // The least bound first: its candidates set a threshold that prunes most groups
                // before the survivors are sorted.
                let (_, gi) = order.remove(at: first)
                ev.evaluate(gi, costs(gi)!, into: &list, pruning: true)
                if list.isFull {
                    let threshold = list.threshold
                    order.removeAll { $0.0 > threshold }
                }
                order.sort(by: before)
                for (bound, gi) in order {
                    if list.isFull && bound > list.threshold { break }
                    ev.evaluate(gi, costs(gi)!, into: &list, pruning: true)
                }
            }
            staleMemory = ev.staleMemory
            var least: RankedPlan?
            if list.entries.isEmpty { least = leastMemory() }
            return TrainingSearchResult(top: list.entries.map(\.3), candidatesEvaluated: ev.evaluated, searchSpace: space.candidates,
                                        feasible: fittingCandidates, searchSeconds: 0, leastMemory: least)
        }

        /// The least-memory candidate of the space (first in enumeration order among equals),
        /// for the reason nothing fits: the first variant of the least-memory row (rows are
        /// virtual stages x ZeRO x recompute x EP overlap, `TrainingSearchSpace.Group.row`).
        func leastMemory() -> RankedPlan? {
            var best: (mem: Double, outer: Int, position: Int, gi: Int, row: Int)?
            for (gi, grp) in space.groups.enumerated() {
                for row in 0..<grp.rows {
                    let mem = space.rowMemory[grp.firstRow + row]
                    let pos = grp.offset + row * grp.variants
                    if best == nil || mem < best!.mem || (mem == best!.mem && (grp.outer, pos) < (best!.outer, best!.position)) {
                        best = (mem, grp.outer, pos, gi, row)
                    }
                }
            }
            guard let b = best else { return nil }
            let grp = space.groups[b.gi], o = space.outers[grp.outer]
            let ec = grp.oepCount, rc = grp.rCount, zc = grp.zCount
            let ei = b.row % ec, ri = (b.row / ec) % rc, zi = (b.row / (ec * rc)) % zc, vi = b.row / (ec * rc * zc)
            let dp = grp.dpLevels[0]
            let plan = TrainingPlan(tp: o.t, pp: o.p, dp: o.d, cp: o.c, ep: o.e, microBatch: grp.microBatch,
                                    virtualStages: space.vValues[grp.vStart + vi], recompute: grp.rValues[ri], zeroStage: grp.zValues[zi],
                                    sequenceParallel: grp.sequenceParallel, overlapDataParallel: dp.overlapDP,
                                    overlapTensorParallel: grp.otpValues[0], overlapParamGather: dp.overlapParamGather,
                                    overlapPipelineComm: grp.oppValues[0], overlapExpertParallel: grp.oepValues[ei])
            return RankedPlan(plan: plan, stepSeconds: .infinity, memoryBytes: b.mem)
        }
    }
}
