import Foundation

// The candidates of one group (a TP x CP x EP x PP x microbatch x SP shape): written row by
// row (virtual stages x ZeRO x recompute, each with its overlap variants) into a SIMD batch,
// evaluated with `candidateKernelSIMD8` and ranked. Shared by the exhaustive search and branch
// and bound, so both enumerate the same candidates with the same inputs in the same order.

extension TrainingSearch {
    /// A ranked candidate: (step seconds, outer item, position in the outer item's
    /// enumeration, plan). Ties in time go to the earlier candidate in enumeration order.
    typealias Entry = (Double, Int, Int, RankedPlan)

    /// The best `limit` candidates so far, best first.
    struct TopList {
        let limit: Int
        var entries: [Entry] = []

        init(limit: Int) { self.limit = max(1, limit) }

        var isFull: Bool { entries.count >= limit }
        /// The K-th best step time (+infinity until K candidates are known): a candidate slower
        /// than this cannot enter the list.
        var threshold: Double { isFull ? entries[entries.count - 1].0 : .infinity }

        @inline(__always) func accepts(_ t: Double, _ outer: Int, _ position: Int) -> Bool {
            !isFull || better((t, outer, position), than: entries[entries.count - 1])
        }

        mutating func add(_ e: Entry) { insert(e, into: &entries, limit: limit) }

        mutating func merge(_ other: TopList) { for e in other.entries { add(e) } }
    }

    /// The overlap columns of one variant of a row (the rest is the row's `base`, assembled with
    /// every overlap off except p2p): the only columns the overlap options change.
    @inline(__always)
    static func variant(_ base: CandidateInputs, ppBlocking: Double, gemmSeconds: Double,
                        dp: TrainingSearchSpace.DPLevel, otp: Bool, opp: Bool) -> CandidateInputs {
        var x = base
        x.tpHide = otp ? gemmSeconds : 0
        x.dpOverlap = dp.overlapDP ? 1 : 0
        x.paramGatherOverlap = dp.overlapDP && dp.overlapParamGather ? 1 : 0
        if !opp { x.ppComm = ppBlocking }
        return x
    }

    /// Writes, evaluates and ranks the candidates of groups.
    final class GroupEvaluator {
        let model: TrainingCostModel
        let space: TrainingSearchSpace
        let batch = CandidateBatch(capacity: 4096)
        var choices: [UInt64] = []
        var positions: [Int] = []
        /// Candidates evaluated by the kernel, and of those, how many fit in memory.
        var evaluated = 0
        var fitting = 0
        /// Exhaustive mode: the least-memory candidate (for the infeasibility reason).
        var least: Entry?
        /// Set when a row's freshly computed memory differs from the space's cached value.
        var staleMemory = false

        init(model: TrainingCostModel, space: TrainingSearchSpace) {
            self.model = model
            self.space = space
        }

        /// Evaluates group `gi` into `top`. `pruning`: skip rows that do not fit in memory and
        /// row classes (v, recompute, EP overlap: `rowClassBox`) whose lower bound exceeds
        /// `top`'s threshold at entry, before their rows are assembled; otherwise every row is
        /// evaluated (exhaustive). (No bound per assembled row: once a row is assembled, its few
        /// overlap variants cost less in the SIMD kernel than an interval bound does.)
        func evaluate(_ gi: Int, _ g: TrainingCostModel.GroupCosts, into top: inout TopList, pruning: Bool) {
            let grp = space.groups[gi]
            let o = space.outers[grp.outer]
            let k = model.scalars
            let variants = grp.variants
            let gemm = g.layer.gemmSeconds
            let threshold = top.threshold
            let scale = model.overlappedComputeScale
            batch.count = 0
            choices.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            var n0 = 0
            let modes: [RecomputeMode] = RecomputeMode.allCases
            var row = 0
            for vi in 0..<grp.vCount {
                let v = space.vValues[grp.vStart + vi]
                let st = model.stage(g, virtualStages: v)
                // Row classes (recompute mode, EP overlap) of this v whose lower bound exceeds
                // the threshold at entry: none of their rows can rank, so they are not assembled.
                var pruned: UInt8 = 0
                if pruning && threshold.isFinite {
                    for ric in 0..<4 where grp.rMask & (1 << ric) != 0 {
                        for oe in 0..<2 where grp.oepMask & (1 << oe) != 0 {
                            let box = TrainingSearch.rowClassBox(grp, g, virtualStages: v, stageLayers: st.layers, mode: ric,
                                                                 expertOverlap: oe, overlappedComputeScale: scale,
                                                                 capacity: k.capacityBytes)
                            if candidateStepBounds(box.lo, box.hi, k).lo > threshold { pruned |= 1 << (ric * 2 + oe) }
                        }
                    }
                }
                for z in 0..<4 where grp.zMask & (1 << z) != 0 {
                    var zInputs: TrainingCostModel.ZeroInputs?
                    for ric in 0..<modes.count where grp.rMask & (1 << ric) != 0 {
                        for oe in 0..<2 where grp.oepMask & (1 << oe) != 0 {
                            defer { row += 1 }
                            let r = modes[ric], oep = oe == 1
                            if pruned & (1 << (ric * 2 + oe)) != 0 { continue }
                            let cached = space.rowMemory[grp.firstRow + row]
                            // Every variant of a row that does not fit is +infinity: it cannot rank.
                            if pruning && cached > k.capacityBytes { continue }
                            let zin = zInputs ?? model.zeroInputs(g, st, zero: z)
                            zInputs = zin
                            let mem = model.memory(g, stageLayers: st.layers, virtualStages: v, recompute: r, zero: z,
                                                   overlapExpertParallel: oep).total
                            if mem.bitPattern != cached.bitPattern { staleMemory = true }
                            // The overlap options change only these columns; the rest is assembled
                            // once (same expressions as `assemble`, so the search and single-plan
                            // evaluation agree bit for bit).
                            let base = model.assemble(g, st, zin, virtualStages: v, recompute: r, memoryBytes: mem,
                                                      overlapDP: false, overlapParamGather: false, overlapTP: false, overlapPP: true,
                                                      overlapEP: oep)
                            let ppBlocking = model.assemble(g, st, zin, virtualStages: v, recompute: r, memoryBytes: mem,
                                                            overlapDP: false, overlapParamGather: false, overlapTP: false,
                                                            overlapPP: false, overlapEP: oep).ppComm
                            let needed = n0 + variants
                            if needed > batch.capacity { batch.count = n0; batch.reserve(needed) }
                            let stride = batch.capacity, basePtr = batch.storage
                            var j = 0
                            for level in 0..<3 where grp.dpMask & (1 << level) != 0 {
                                let dp = TrainingSearchSpace.DPLevel.all[level]
                                for otp in 0..<2 where grp.otpMask & (1 << otp) != 0 {
                                    for opp in 0..<2 where grp.oppMask & (1 << opp) != 0 {
                                        let x = TrainingSearch.variant(base, ppBlocking: ppBlocking, gemmSeconds: gemm, dp: dp,
                                                                       otp: otp == 1, opp: opp == 1)
                                        CandidateBatch.write(x, to: basePtr + n0, stride: stride)
                                        n0 += 1
                                        choices.append(pack(group: gi, v: v, r: ric, z: z, odp: dp.overlapDP, oag: dp.overlapParamGather,
                                                            otp: otp == 1, opp: opp == 1, oep: oep))
                                        positions.append(grp.offset + row * variants + j)
                                        j += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
            batch.count = n0
            guard n0 > 0 else { return }
            batch.evaluateSIMD(k)
            evaluated += n0
            for i in 0..<n0 {
                let t = batch.result(at: i)
                if batch.memoryBytes(at: i) <= k.capacityBytes { fitting += 1 }
                if t.isFinite {
                    if top.accepts(t, grp.outer, positions[i]) { top.add((t, grp.outer, positions[i], ranked(i, t, o, g))) }
                } else if !pruning {
                    let mem = batch.memoryBytes(at: i)
                    if least == nil || mem < least!.3.memoryBytes
                        || (mem == least!.3.memoryBytes && (grp.outer, positions[i]) < (least!.1, least!.2)) {
                        least = (t, grp.outer, positions[i], ranked(i, t, o, g))
                    }
                }
            }
        }

        func ranked(_ i: Int, _ seconds: Double, _ o: TrainingSearchSpace.Outer, _ g: TrainingCostModel.GroupCosts) -> RankedPlan {
            let ch = choices[i]
            let r: RecomputeMode = [.none, .selective, .full, .lightweight][Int(ch >> 36 & 3)]
            return RankedPlan(plan: TrainingPlan(tp: o.t, pp: o.p, dp: g.dp, cp: o.c, ep: o.e, microBatch: g.microBatch,
                                                 virtualStages: Int(ch >> 24 & 0xFFF), recompute: r,
                                                 zeroStage: Int(ch >> 38 & 3), sequenceParallel: g.sequenceParallel,
                                                 overlapDataParallel: ch >> 40 & 1 == 1,
                                                 overlapTensorParallel: ch >> 42 & 1 == 1,
                                                 overlapParamGather: ch >> 41 & 1 == 1,
                                                 overlapPipelineComm: ch >> 43 & 1 == 1,
                                                 overlapExpertParallel: ch >> 44 & 1 == 1),
                              stepSeconds: seconds, memoryBytes: batch.memoryBytes(at: i))
        }
    }
}
