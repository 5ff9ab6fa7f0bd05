// The boxes branch and bound prunes with: for a partial plan (a group: TP, CP, EP, PP,
// microbatch and SP fixed, split by its EP-overlap option), the interval each column of
// `CandidateInputs` can take over every candidate that completes it. The lower bound of the
// step time over the partial plan is `candidateStepBounds(lo, hi).lo`
// (Kernels/CandidateBound.swift: why that is admissible for any box that holds the
// candidates); over the group it is the least of its boxes' bounds (a bound of each part of
// a union bounds the union). This file's half of admissibility is that the boxes hold every
// candidate: each column below says where its range comes from. `TrainingSearchBoundsTests`
// checks it on random searches and names the column that escapes: when
// `TrainingCostModel.assemble`, the enumeration (`TrainingSearchSpace`) or
// `TrainingSearch.variant` change, revisit the column they change here.
//
// Why split by the EP-overlap option: the EP all-to-all enters the microbatch time as
// `max(C, eo·ep) + (ep - eo·ep)`. With eo a point (0 or 1) the twin computes that exactly
// (`candidateStepBounds` treats a 0/1 point flag exactly); over eo in [0, 1] interval
// arithmetic loses the correlation of the two ep terms and the bound falls to about
// C - (ep_hi - ep_lo), far below every candidate when the all-to-all is large (MoE at scale).
//
// The memory lower bound of a partial plan is exact: the least memory of its rows
// (`TrainingSearchSpace.rowMemory`); a row that does not fit has step time +infinity in every
// variant and cannot rank, so it is left out of the box (and never evaluated).

extension TrainingSearch {
    /// The overlap-flag columns over a group's options: tpHide (otp ? GEMM time : 0),
    /// dpOverlap (overlapDP ? 1 : 0), paramGatherOverlap (overlapDP && overlapParamGather ? 1 : 0),
    /// as `variant` sets them.
    @inline(__always)
    static func flagBox(_ lo: inout CandidateInputs, _ hi: inout CandidateInputs, gemmSeconds: Double,
                        group: TrainingSearchSpace.Group) {
        lo.tpHide = group.otpMask & 1 != 0 ? 0 : gemmSeconds
        hi.tpHide = group.otpMask & 2 != 0 ? gemmSeconds : 0
        // DP levels: bit 0 none, bit 1 gradients, bit 2 gradients + weight all-gather.
        lo.dpOverlap = group.dpMask & 1 != 0 ? 0 : 1
        hi.dpOverlap = group.dpMask & 6 != 0 ? 1 : 0
        lo.paramGatherOverlap = group.dpMask & 3 != 0 ? 0 : 1
        hi.paramGatherOverlap = group.dpMask & 4 != 0 ? 1 : 0
    }

    /// The lower bound of the step time over every candidate of group `grp` that fits in
    /// memory (+infinity when none fits), and how many of its rows fit: the least bound of
    /// its boxes, one per EP-overlap option.
    @inline(__always)
    static func groupBound(_ grp: TrainingSearchSpace.Group, _ g: TrainingCostModel.GroupCosts, space: TrainingSearchSpace,
                           layers L: Int, overlappedComputeScale: Double, scalars k: CandidateScalars) -> (bound: Double, fittingRows: Int) {
        var bound = Double.infinity, rows = 0
        for oe in 0..<2 where grp.oepMask & (1 << oe) != 0 {
            guard let box = groupBox(grp, g, space: space, layers: L, overlappedComputeScale: overlappedComputeScale,
                                     capacity: k.capacityBytes, expertOverlap: oe) else { continue }
            let b = candidateStepBounds(box.lo, box.hi, k).lo
            // A NaN bound prunes nothing (it stays NaN, which the search orders first).
            if b.isNaN || bound.isNaN { bound = .nan } else if b < bound { bound = b }
            rows += box.fittingRows
        }
        return (bound, rows)
    }

    /// The box of group `grp` over its rows with EP overlap option `oe` (0 off, 1 on) that fit
    /// in `capacity` bytes (nil when none fits).
    ///
    /// The box, column by column (`assemble`'s expressions, over the rows that fit):
    /// - microbatches, layerForward, extraForward, tpComm: fixed by the group;
    /// - epOverlap (1 with EP overlap and EP > 1), computeScale (`overlappedComputeScale` then,
    ///   else 1): fixed by `oe`;
    /// - stageLayers (`stageLayers(layers, pp, v)`), bubbleFactor ((p-1)/v), ppComm (fill and
    ///   drain 2·(p·v - 1) messages, + 2·v·m without p2p overlap, x one message): least and
    ///   greatest over the virtual-stage counts with a row that fits and over the p2p options;
    /// - layerRecompute (0, the attention core, the whole forward, the lightweight outputs),
    ///   tpPasses (2, 3 with full recompute), epComm (stage layers x per-layer all-to-all x
    ///   passes), cpComm (stage layers x per-layer exposed ring): over the (v, recompute) pairs
    ///   that fit;
    /// - chunkShare (1/v), spreadMicrobatches (((v-1)·p + 1)/v): over the v with a row that fits;
    /// - tpHide, dpOverlap, paramGatherOverlap: over the overlap options (`flagBox`);
    /// - dpComm, dpParamGather, zeroGather, optimizer: [0, +infinity] (any non-negative time:
    ///   they depend on ZeRO and the network and are evaluated with the rows);
    /// - memoryBytes: least and greatest memory of the rows that fit.
    static func groupBox(_ grp: TrainingSearchSpace.Group, _ g: TrainingCostModel.GroupCosts, space: TrainingSearchSpace,
                         layers L: Int, overlappedComputeScale: Double, capacity cap: Double, expertOverlap oe: Int)
        -> (lo: CandidateInputs, hi: CandidateInputs, fittingRows: Int)? {
        guard grp.oepMask & (1 << oe) != 0 else { return nil }
        let layer = g.layer
        let m = Double(g.microbatches)
        let on = oe == 1 && g.ep > 1
        let eo: Double = on ? 1 : 0, scale = on ? overlappedComputeScale : 1
        var lo = CandidateInputs(microbatches: m, stageLayers: .infinity, bubbleFactor: .infinity,
                                 layerForward: layer.forwardSeconds, extraForward: layer.embeddingLogitsSeconds,
                                 layerRecompute: .infinity, tpComm: layer.tpCommSeconds, tpHide: 0, tpPasses: .infinity,
                                 epComm: .infinity, epOverlap: eo, computeScale: scale, chunkShare: .infinity,
                                 spreadMicrobatches: .infinity, cpComm: .infinity, ppComm: .infinity, dpComm: 0, dpOverlap: 0,
                                 dpParamGather: 0, paramGatherOverlap: 0, zeroGather: 0, optimizer: 0, memoryBytes: .infinity)
        var hi = lo
        hi.stageLayers = -.infinity; hi.bubbleFactor = -.infinity; hi.layerRecompute = -.infinity; hi.tpPasses = -.infinity
        hi.epComm = -.infinity; hi.cpComm = -.infinity; hi.ppComm = -.infinity; hi.memoryBytes = -.infinity
        hi.chunkShare = -.infinity; hi.spreadMicrobatches = -.infinity
        hi.dpComm = .infinity; hi.dpParamGather = .infinity; hi.zeroGather = .infinity; hi.optimizer = .infinity
        var fitting = 0
        let zc = grp.zCount, rc = grp.rCount, ec = grp.oepCount
        // Index of this EP-overlap option among the group's (rows hold EP overlap innermost).
        let ei = oe == 1 && grp.oepMask & 1 != 0 ? 1 : 0
        space.rowMemory.withUnsafeBufferPointer { rowMem in
            space.vValues.withUnsafeBufferPointer { vs in
                var row = grp.firstRow
                for vi in 0..<grp.vCount {
                    let v = vs[grp.vStart + vi]
                    let ls = Double(TrainingCostModel.stageLayers(layers: L, pp: g.pp, virtualStages: v))
                    // Recompute modes of this v with a row that fits (bit per mode), over the z rows.
                    var fits: UInt8 = 0
                    for _ in 0..<zc {
                        var ri = 0
                        for mode in 0..<4 where grp.rMask & (1 << mode) != 0 {
                            let mem = rowMem[row + ri * ec + ei]
                            if mem <= cap {
                                fits |= 1 << mode
                                fitting += 1
                                if mem < lo.memoryBytes { lo.memoryBytes = mem }
                                if mem > hi.memoryBytes { hi.memoryBytes = mem }
                            }
                            ri += 1
                        }
                        row += rc * ec
                    }
                    guard fits != 0 else { continue }
                    for mode in 0..<4 where fits & (1 << mode) != 0 {
                        // Bit `mode` of `fits`: RecomputeMode.allCases[mode] (none, selective, full, lightweight).
                        let r = RecomputeMode.allCases[mode]
                        let rLayer = layer.recomputeSeconds(r)
                        let passes = r.communicationPasses
                        let ep = ls * layer.epCommSeconds * passes
                        let cp = ls * layer.cpExposedSeconds
                        lo.layerRecompute = min(lo.layerRecompute, rLayer); hi.layerRecompute = max(hi.layerRecompute, rLayer)
                        lo.tpPasses = min(lo.tpPasses, passes); hi.tpPasses = max(hi.tpPasses, passes)
                        lo.epComm = min(lo.epComm, ep); hi.epComm = max(hi.epComm, ep)
                        lo.cpComm = min(lo.cpComm, cp); hi.cpComm = max(hi.cpComm, cp)
                    }
                    let bubble = Double(g.pp - 1) / Double(v)
                    let share = 1 / Double(v), spread = Double((v - 1) * g.pp + 1) / Double(v)
                    lo.chunkShare = min(lo.chunkShare, share); hi.chunkShare = max(hi.chunkShare, share)
                    lo.spreadMicrobatches = min(lo.spreadMicrobatches, spread); hi.spreadMicrobatches = max(hi.spreadMicrobatches, spread)
                    lo.stageLayers = min(lo.stageLayers, ls); hi.stageLayers = max(hi.stageLayers, ls)
                    lo.bubbleFactor = min(lo.bubbleFactor, bubble); hi.bubbleFactor = max(hi.bubbleFactor, bubble)
                    for opp in 0..<2 where grp.oppMask & (1 << opp) != 0 {
                        var messages = g.pp > 1 ? 2 * Double(g.pp * v - 1) : 0
                        if g.pp > 1 && opp == 0 { messages += 2 * Double(v) * Double(g.microbatches) }
                        let pp = messages * g.p2pSeconds
                        lo.ppComm = min(lo.ppComm, pp); hi.ppComm = max(hi.ppComm, pp)
                    }
                }
            }
        }
        guard fitting > 0 else { return nil }
        flagBox(&lo, &hi, gemmSeconds: layer.gemmSeconds, group: grp)
        return (lo, hi, fitting)
    }
}

extension TrainingSearch {
    /// The box of one row class of group `grp`: virtual stages `v` (busiest stage of `ls`
    /// layers), recompute mode index `mode` (`RecomputeMode.allCases` order) and EP overlap
    /// option `oe` fixed, over its ZeRO stages and overlap variants, for the rows that fit.
    /// Columns as `groupBox` with v, the recompute mode and EP overlap fixed (each then
    /// `assemble`'s own expression); dpComm, dpParamGather, zeroGather and optimizer
    /// [0, +infinity] (they depend on ZeRO, not yet computed: the point of this box is to prune
    /// before the rows are assembled); memoryBytes [0, capacity] (rows that do not fit are
    /// skipped anyway).
    @inline(__always)
    static func rowClassBox(_ grp: TrainingSearchSpace.Group, _ g: TrainingCostModel.GroupCosts, virtualStages v: Int,
                            stageLayers ls: Int, mode: Int, expertOverlap oe: Int, overlappedComputeScale: Double,
                            capacity cap: Double) -> (lo: CandidateInputs, hi: CandidateInputs) {
        let layer = g.layer
        let L = Double(ls)
        let r = RecomputeMode.allCases[mode]
        let rLayer = layer.recomputeSeconds(r)
        let passes = r.communicationPasses
        let on = oe == 1 && g.ep > 1
        var ppLo = Double.infinity, ppHi = -Double.infinity
        for opp in 0..<2 where grp.oppMask & (1 << opp) != 0 {
            var messages = g.pp > 1 ? 2 * Double(g.pp * v - 1) : 0
            if g.pp > 1 && opp == 0 { messages += 2 * Double(v) * Double(g.microbatches) }
            let pp = messages * g.p2pSeconds
            ppLo = min(ppLo, pp); ppHi = max(ppHi, pp)
        }
        var lo = CandidateInputs(microbatches: Double(g.microbatches), stageLayers: L, bubbleFactor: Double(g.pp - 1) / Double(v),
                                 layerForward: layer.forwardSeconds, extraForward: layer.embeddingLogitsSeconds,
                                 layerRecompute: rLayer, tpComm: layer.tpCommSeconds, tpHide: 0, tpPasses: passes,
                                 epComm: L * layer.epCommSeconds * passes, epOverlap: on ? 1 : 0,
                                 computeScale: on ? overlappedComputeScale : 1, chunkShare: 1 / Double(v),
                                 spreadMicrobatches: Double((v - 1) * g.pp + 1) / Double(v), cpComm: L * layer.cpExposedSeconds,
                                 ppComm: ppLo, dpComm: 0, dpOverlap: 0, dpParamGather: 0, paramGatherOverlap: 0, zeroGather: 0,
                                 optimizer: 0, memoryBytes: 0)
        var hi = lo
        hi.ppComm = ppHi
        hi.dpComm = .infinity; hi.dpParamGather = .infinity; hi.zeroGather = .infinity; hi.optimizer = .infinity
        hi.memoryBytes = cap
        flagBox(&lo, &hi, gemmSeconds: layer.gemmSeconds, group: grp)
        return (lo, hi)
    }
}
