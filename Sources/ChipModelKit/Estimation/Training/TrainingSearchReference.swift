import Dispatch
import Foundation

// The full enumeration of the training plan space (the search as it was before branch and
// bound, kept verbatim as the reference): every candidate written into SIMD batches, evaluated
// with `candidateKernelSIMD8` and ranked by (step time, outer item, position in the outer
// item's enumeration). `TrainingSearchSpace` must enumerate the same candidates in the same
// order; `TrainingBranchAndBoundTests` checks that the two searches agree bit for bit.

extension TrainingSearch {
    struct LayerKey: Hashable { var t: Int, c: Int, e: Int, b: Int, sp: Bool }
    struct Outer { var t: Int, c: Int, e: Int, p: Int }

    final class ReferenceShared: @unchecked Sendable {
        let lock = NSLock()
        var top: [(Double, Int, Int, RankedPlan)] = []
        var evaluated = 0
        var feasible = 0
        var least: (Double, Int, Int, RankedPlan)?
    }

    /// Every candidate of the space, enumerated and evaluated (`Options.exhaustive`): the
    /// reference branch and bound is tested against (same plans, times, memory, ties).
    static func referenceEnumeration(_ model: TrainingCostModel, constraints c: PlanConstraints, options: Options)
        -> TrainingSearchResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let w = model.workload, m = w.model, n = model.chips
        let B = w.globalBatch, s = w.sequenceLength
        let tValues = c.tp.map { [$0] } ?? divisors(m.heads).filter { n % $0 == 0 }
        let cValues = c.cp.map { [$0] } ?? [1, 2, 4, 8, 16].filter { $0 == 1 || (s % $0 == 0 && s / $0 >= 128) }
        let eValues = c.ep.map { [$0] } ?? (m.isMoE ? divisors(m.experts) : [1])
        var outerList: [Outer] = []
        for t in tValues { for cc in cValues where n % (t * cc) == 0 {
            let rest = n / (t * cc)
            let pValues = c.pp.map { [$0] } ?? divisors(rest).filter { $0 <= m.layers }
            for p in pValues where rest % p == 0 {
                let d = rest / p
                if let fixed = c.dp, fixed != d { continue }
                for e in eValues where d % e == 0 { outerList.append(Outer(t: t, c: cc, e: e, p: p)) }
            }
        } }
        // Layer costs for every (t, c, e, b, sp) any group needs, computed once.
        var keyList: [LayerKey] = []
        var keyMap: [LayerKey: Int] = [:]
        for o in outerList {
            let d = n / (o.t * o.c * o.p)
            guard d <= B else { continue }
            for b in c.microBatch.map({ [$0] }) ?? divisors((B + d - 1) / d) {
                for sp in c.sequenceParallel.map({ [$0] }) ?? (o.t > 1 ? [false, true] : [false]) {
                    let k = LayerKey(t: o.t, c: o.c, e: o.e, b: b, sp: sp)
                    if keyMap[k] == nil { keyMap[k] = keyList.count; keyList.append(k) }
                }
            }
        }
        let outers = outerList, keys = keyList, keyIndex = keyMap
        var layersBuf = [LayerCosts?](repeating: nil, count: keys.count)
        layersBuf.withUnsafeMutableBufferPointer { buf in
            let p = UnsafeMutableBufferPointerBox(buf)
            DispatchQueue.concurrentPerform(iterations: options.threads) { worker in
                var i = worker
                while i < keys.count {
                    let k = keys[i]
                    p.buffer[i] = model.layerCosts(tp: k.t, cp: k.c, ep: k.e, microBatch: k.b, sequenceParallel: k.sp)
                    i += options.threads
                }
            }
        }
        let layers = layersBuf
        let shared = ReferenceShared()
        let topN = max(1, options.top)
        DispatchQueue.concurrentPerform(iterations: options.threads) { worker in
            let batch = CandidateBatch(capacity: 4096)
            var choices: [UInt64] = []
            var groups: [TrainingCostModel.GroupCosts] = []
            var localTop: [(Double, Int, Int, RankedPlan)] = []
            var evaluated = 0, feasible = 0
            var least: (Double, Int, Int, RankedPlan)?
            var oi = worker
            while oi < outers.count {
                defer { oi += options.threads }
                let o = outers[oi]
                let d = n / (o.t * o.c * o.p)
                guard d <= B else { continue }
                batch.count = 0
                var n0 = 0
                choices.removeAll(keepingCapacity: true)
                var offset = 0
                // Evaluates the filled candidates (one group: small enough that its 19 columns
                // stay in L2) and keeps the best; candidates are ranked by (time, outer item,
                // position in the outer item's enumeration), independent of batching and threads.
                func flush() {
                    batch.count = n0
                    let count = n0
                    guard count > 0 else { return }
                    batch.evaluateSIMD(model.scalars)
                    evaluated += count
                    for i in 0..<count {
                        let t = batch.result(at: i)
                        func ranked(_ seconds: Double) -> RankedPlan {
                            let ch = choices[i]
                            let g = groups[Int(ch & 0xFF_FFFF)]
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
                        if t.isFinite {
                            feasible += 1
                            if localTop.count < topN || better((t, oi, offset + i), than: localTop[localTop.count - 1]) {
                                insert((t, oi, offset + i, ranked(t)), into: &localTop, limit: topN)
                            }
                        } else if feasible == 0 {
                            let mem = batch.memoryBytes(at: i)
                            if mem < (least?.0 ?? .infinity) { least = (mem, oi, offset + i, ranked(t)) }
                        }
                    }
                    offset += count
                    n0 = 0
                    choices.removeAll(keepingCapacity: true)
                }
                groups.removeAll(keepingCapacity: true)
                for b in c.microBatch.map({ [$0] }) ?? divisors((B + d - 1) / d) {
                    for sp in c.sequenceParallel.map({ [$0] }) ?? (o.t > 1 ? [false, true] : [false]) {
                        guard let ki = keyIndex[LayerKey(t: o.t, c: o.c, e: o.e, b: b, sp: sp)], let layer = layers[ki],
                              let g = model.group(tp: o.t, cp: o.c, ep: o.e, pp: o.p, microBatch: b, sequenceParallel: sp, layer: layer)
                        else { continue }
                        groups.append(g)
                        let gi = groups.count - 1
                        let maxV = (m.layers + o.p - 1) / o.p
                        let vValues = c.virtualStages.map { [$0] }
                            ?? (o.p == 1 ? [1] : divisors(maxV).filter { $0 == 1 || g.microbatches % o.p == 0 })
                        let zValues = c.zeroStage.map { [$0] } ?? (d > 1 ? [0, 1, 2, 3] : [0])
                        let rValues = c.recompute.map { [$0] } ?? RecomputeMode.allCases
                        // DP overlap levels: none, gradient reduction with backward, + weight
                        // all-gather with the next forward (ZeRO-1/2 only).
                        let dpLevels: [(Bool, Bool)] = options.overlapDataParallel.map { $0 ? [(true, false), (true, true)] : [(false, false)] }
                            ?? (d > 1 ? [(false, false), (true, false), (true, true)] : [(false, false)])
                        let oppValues = options.overlapPipelineComm.map { [$0] } ?? (o.p > 1 ? [false, true] : [true])
                        // TP comm-GEMM overlap only inside one scale-up domain
                        // (`tensorParallelOverlapPossible`); EP overlap only with EP.
                        let otpValues = !model.tensorParallelOverlapPossible(tp: o.t) ? [false]
                            : options.overlapTensorParallel.map { [$0] } ?? (o.t > 1 ? [false, true] : [false])
                        let oepValues = o.e == 1 ? [false]
                            : (c.overlapExpertParallel ?? options.overlapExpertParallel).map { [$0] } ?? [false, true]
                        // Interleaving needs PP > 1 and, as in Megatron-LM, a microbatch count
                        // that is a multiple of PP.
                        for v in vValues where v >= 1 && o.p * v <= m.layers && (v == 1 || (o.p > 1 && g.microbatches % o.p == 0)) {
                            let st = model.stage(g, virtualStages: v)
                            for z in zValues {
                                let zi = model.zeroInputs(g, st, zero: z)
                                for r in rValues {
                                    let ri: Int = [RecomputeMode.none: 0, .selective: 1, .full: 2, .lightweight: 3][r] ?? 0
                                    for oep in oepValues {
                                        let mem = model.memory(g, stageLayers: st.layers, virtualStages: v, recompute: r, zero: z,
                                                               overlapExpertParallel: oep).total
                                        // The overlap options change only these columns; the rest is
                                        // assembled once (same expressions as `assemble`, so the
                                        // search and single-plan evaluation agree bit for bit).
                                        let base = model.assemble(g, st, zi, virtualStages: v, recompute: r, memoryBytes: mem,
                                                                  overlapDP: false, overlapParamGather: false, overlapTP: false,
                                                                  overlapPP: true, overlapEP: oep)
                                        let ppBlocking = model.assemble(g, st, zi, virtualStages: v, recompute: r, memoryBytes: mem,
                                                                        overlapDP: false, overlapParamGather: false, overlapTP: false,
                                                                        overlapPP: false, overlapEP: oep).ppComm
                                        let needed = n0 + dpLevels.count * otpValues.count * oppValues.count
                                        if needed > batch.capacity { batch.count = n0; batch.reserve(needed) }
                                        let stride = batch.capacity, basePtr = batch.storage
                                        for (odp, oag) in dpLevels { for otp in otpValues { for opp in oppValues {
                                            var x = base
                                            x.tpHide = otp ? g.layer.gemmSeconds : 0
                                            x.dpOverlap = odp ? 1 : 0
                                            x.paramGatherOverlap = odp && oag ? 1 : 0
                                            if !opp { x.ppComm = ppBlocking }
                                            CandidateBatch.write(x, to: basePtr + n0, stride: stride)
                                            n0 += 1
                                            choices.append(pack(group: gi, v: v, r: ri, z: z, odp: odp, oag: oag, otp: otp, opp: opp, oep: oep))
                                        } } }
                                    }
                                }
                            }
                        }
                        flush()
                    }
                }
                flush()
            }
            shared.lock.lock()
            shared.evaluated += evaluated
            shared.feasible += feasible
            for e in localTop { insert(e, into: &shared.top, limit: topN) }
            if let l = least {
                if let cur = shared.least {
                    if l.0 < cur.0 || (l.0 == cur.0 && (l.1, l.2) < (cur.1, cur.2)) { shared.least = l }
                } else {
                    shared.least = l
                }
            }
            shared.lock.unlock()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return TrainingSearchResult(top: shared.top.map(\.3), candidatesEvaluated: shared.evaluated, searchSpace: shared.evaluated,
                                    feasible: shared.feasible,
                                    searchSeconds: seconds, leastMemory: shared.feasible == 0 ? shared.least?.3 : nil)
    }

}
