// The boxes branch and bound prunes with: for a partial plan (a group: TP, CP, EP, PP,
// microbatch and SP fixed; or a row: also virtual stages, ZeRO and recompute fixed), the
// interval each column of `CandidateInputs` can take over every candidate that completes it.
// The lower bound of the step time over the partial plan is `candidateStepBounds(lo, hi).lo`
// (Kernels/CandidateBound.swift: why that is admissible for any box that holds the
// candidates). This file's half of admissibility is that the boxes hold every candidate:
// each column below says where its range comes from. `TrainingSearchBoundsTests` checks it on
// random searches and names the column that escapes: when `TrainingCostModel.assemble`, the
// enumeration (`TrainingSearchSpace`) or `TrainingSearch.variant` change, revisit the column
// they change here.
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

    /// The box of one row (v, ZeRO, recompute fixed) over its overlap variants: `base` with the
    /// four columns `variant` sets at their least and greatest values.
    @inline(__always)
    static func rowBox(_ base: CandidateInputs, ppBlocking: Double, gemmSeconds: Double,
                       group: TrainingSearchSpace.Group) -> (lo: CandidateInputs, hi: CandidateInputs) {
        var lo = base, hi = base
        flagBox(&lo, &hi, gemmSeconds: gemmSeconds, group: group)
        // ppComm = opp ? base (fill and drain only) : blocking.
        let off = group.oppMask & 1 != 0, on = group.oppMask & 2 != 0
        let a = off ? ppBlocking : base.ppComm, b = on ? base.ppComm : ppBlocking
        lo.ppComm = a < b ? a : b
        hi.ppComm = a < b ? b : a
        return (lo, hi)
    }

    /// The lower bound of the step time over every candidate of group `grp` that fits in
    /// memory (+infinity when none fits), and how many of its rows fit.
    @inline(__always)
    static func groupBound(_ grp: TrainingSearchSpace.Group, _ g: TrainingCostModel.GroupCosts, space: TrainingSearchSpace,
                           layers L: Int, overlappedComputeScale: Double, scalars k: CandidateScalars) -> (bound: Double, fittingRows: Int) {
        guard let box = groupBox(grp, g, space: space, layers: L, overlappedComputeScale: overlappedComputeScale,
                                 capacity: k.capacityBytes) else { return (.infinity, 0) }
        return (candidateStepBounds(box.lo, box.hi, k).lo, box.fittingRows)
    }

    /// The box of group `grp` over its rows that fit in `capacity` bytes (nil when none fits).
    ///
    /// The box, column by column (`assemble`'s expressions, over the rows that fit):
    /// - microbatches, layerForward, extraForward, tpComm: fixed by the group;
    /// - stageLayers (`stageLayers(layers, pp, v)`), bubbleFactor ((p-1)/v), ppComm (fill and
    ///   drain 2·(p·v - 1) messages, + 2·v·m without p2p overlap, x one message): least and
    ///   greatest over the virtual-stage counts with a row that fits and over the p2p options;
    /// - layerRecompute (0, the attention core, the whole forward, the lightweight outputs),
    ///   tpPasses (2, 3 with full recompute), epComm (stage layers x per-layer all-to-all x
    ///   passes), cpComm (stage layers x per-layer exposed ring): over the (v, recompute) pairs
    ///   that fit;
    /// - chunkShare (1/v), spreadMicrobatches (((v-1)·p + 1)/v): over the v with a row that fits;
    /// - epOverlap (1 with EP overlap and EP > 1), computeScale (`overlappedComputeScale` then,
    ///   else 1): over the EP overlap options with a row that fits;
    /// - tpHide, dpOverlap, paramGatherOverlap: over the overlap options (`flagBox`);
    /// - dpComm, dpParamGather, zeroGather, optimizer: [0, +infinity] (any non-negative time:
    ///   they depend on ZeRO and the network and are left to the row boxes, which have them
    ///   exactly);
    /// - memoryBytes: least and greatest memory of the rows that fit.
    static func groupBox(_ grp: TrainingSearchSpace.Group, _ g: TrainingCostModel.GroupCosts, space: TrainingSearchSpace,
                         layers L: Int, overlappedComputeScale: Double, capacity cap: Double)
        -> (lo: CandidateInputs, hi: CandidateInputs, fittingRows: Int)? {
        let layer = g.layer
        let m = Double(g.microbatches)
        var lo = CandidateInputs(microbatches: m, stageLayers: .infinity, bubbleFactor: .infinity,
                                 layerForward: layer.forwardSeconds, extraForward: layer.embeddingLogitsSeconds,
                                 layerRecompute: .infinity, tpComm: layer.tpCommSeconds, tpHide: 0, tpPasses: .infinity,
                                 epComm: .infinity, epOverlap: .infinity, computeScale: .infinity, chunkShare: .infinity,
                                 spreadMicrobatches: .infinity, cpComm: .infinity, ppComm: .infinity, dpComm: 0, dpOverlap: 0,
                                 dpParamGather: 0, paramGatherOverlap: 0, zeroGather: 0, optimizer: 0, memoryBytes: .infinity)
        var hi = lo
        hi.stageLayers = -.infinity; hi.bubbleFactor = -.infinity; hi.layerRecompute = -.infinity; hi.tpPasses = -.infinity
        hi.epComm = -.infinity; hi.cpComm = -.infinity; hi.ppComm = -.infinity; hi.memoryBytes = -.infinity
        hi.epOverlap = -.infinity; hi.computeScale = -.infinity; hi.chunkShare = -.infinity; hi.spreadMicrobatches = -.infinity
        var fitsEP: UInt8 = 0
        hi.dpComm = .infinity; hi.dpParamGather = .infinity; hi.zeroGather = .infinity; hi.optimizer = .infinity
        var fitting = 0
        let zc = grp.zCount, rc = grp.rCount, ec = grp.oepCount
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
                            for oe in 0..<2 where grp.oepMask & (1 << oe) != 0 {
                                let mem = rowMem[row + ri]
                                if mem <= cap {
                                    fits |= 1 << mode
                                    fitsEP |= 1 << oe
                                    fitting += 1
                                    if mem < lo.memoryBytes { lo.memoryBytes = mem }
                                    if mem > hi.memoryBytes { hi.memoryBytes = mem }
                                }
                                ri += 1
                            }
                        }
                        row += rc * ec
                    }
                    guard fits != 0 else { continue }
                    for mode in 0..<4 where fits & (1 << mode) != 0 {
                        // RecomputeMode.allCases order: none, selective, full, lightweight.
                        let rLayer: Double = [0, layer.attentionCoreSeconds, layer.forwardSeconds, layer.lightweightRecomputeSeconds][mode]
                        let passes: Double = mode == 2 ? 3 : 2
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
        for oe in 0..<2 where fitsEP & (1 << oe) != 0 {
            let on = oe == 1 && g.ep > 1
            let eo: Double = on ? 1 : 0, scale = on ? overlappedComputeScale : 1
            lo.epOverlap = min(lo.epOverlap, eo); hi.epOverlap = max(hi.epOverlap, eo)
            lo.computeScale = min(lo.computeScale, scale); hi.computeScale = max(hi.computeScale, scale)
        }
        flagBox(&lo, &hi, gemmSeconds: layer.gemmSeconds, group: grp)
        return (lo, hi, fitting)
    }
}
