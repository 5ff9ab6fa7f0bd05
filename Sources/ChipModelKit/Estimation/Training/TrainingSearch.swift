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
    /// Candidate executions evaluated by the step-time function (every valid combination).
    public var candidatesEvaluated: Int
    /// Of which fit in memory.
    public var feasible: Int
    public var searchSeconds: Double
    /// The candidate with the least memory when none fits (for the infeasibility reason).
    public var leastMemory: RankedPlan?
    public var best: RankedPlan? { top.first }
}

/// Exhaustive plan search (Calculon-style, Isaev et al. SC23 section 4: enumerate every
/// valid execution strategy and evaluate each with the analytical model).
public enum TrainingSearch {
    /// Which overlap options to search (nil = both values).
    public struct Options: Sendable {
        public var overlapDataParallel: Bool?
        public var overlapTensorParallel: Bool?
        public var overlapPipelineComm: Bool?
        public var top: Int
        public var threads: Int
        public init(overlapDataParallel: Bool? = nil, overlapTensorParallel: Bool? = nil, overlapPipelineComm: Bool? = nil,
                    top: Int = 5, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.overlapPipelineComm = overlapPipelineComm
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

    struct LayerKey: Hashable { var t: Int, c: Int, e: Int, b: Int, sp: Bool }
    struct Outer { var t: Int, c: Int, e: Int, p: Int }

    /// Packed inner choice of a candidate: group index (bits 0-23), virtual stages (24-35),
    /// recompute (36-37), ZeRO (38-39), overlap flags dp/ag/tp/pp (40-43).
    @inline(__always)
    static func pack(group: Int, v: Int, r: Int, z: Int, odp: Bool, oag: Bool, otp: Bool, opp: Bool) -> UInt64 {
        UInt64(group) | UInt64(v) << 24 | UInt64(r) << 36 | UInt64(z) << 38
            | (odp ? 1 << 40 : 0) | (oag ? 1 << 41 : 0) | (otp ? 1 << 42 : 0) | (opp ? 1 << 43 : 0)
    }

    final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var top: [(Double, Int, Int, RankedPlan)] = []
        var evaluated = 0
        var feasible = 0
        var least: (Double, Int, Int, RankedPlan)?
    }

    /// Searches every valid plan under `constraints` (given fields held fixed).
    public static func run(_ model: TrainingCostModel, constraints c: PlanConstraints, options: Options = Options())
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
        let shared = Shared()
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
                            let r: RecomputeMode = [.none, .selective, .full][Int(ch >> 36 & 3)]
                            return RankedPlan(plan: TrainingPlan(tp: o.t, pp: o.p, dp: g.dp, cp: o.c, ep: o.e, microBatch: g.microBatch,
                                                                 virtualStages: Int(ch >> 24 & 0xFFF), recompute: r,
                                                                 zeroStage: Int(ch >> 38 & 3), sequenceParallel: g.sequenceParallel,
                                                                 overlapDataParallel: ch >> 40 & 1 == 1,
                                                                 overlapTensorParallel: ch >> 42 & 1 == 1,
                                                                 overlapParamGather: ch >> 41 & 1 == 1,
                                                                 overlapPipelineComm: ch >> 43 & 1 == 1),
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
                        let otpValues = options.overlapTensorParallel.map { [$0] } ?? (o.t > 1 ? [false, true] : [false])
                        // Interleaving needs PP > 1 and, as in Megatron-LM, a microbatch count
                        // that is a multiple of PP.
                        for v in vValues where v >= 1 && o.p * v <= m.layers && (v == 1 || (o.p > 1 && g.microbatches % o.p == 0)) {
                            let st = model.stage(g, virtualStages: v)
                            for z in zValues {
                                let zi = model.zeroInputs(g, st, zero: z)
                                for r in rValues {
                                    let ri = r == .none ? 0 : (r == .selective ? 1 : 2)
                                    let mem = model.memory(g, stageLayers: st.layers, virtualStages: v, recompute: r, zero: z).total
                                    // The overlap options change only these columns; the rest is
                                    // assembled once (same expressions as `assemble`, so the
                                    // search and single-plan evaluation agree bit for bit).
                                    let base = model.assemble(g, st, zi, virtualStages: v, recompute: r, memoryBytes: mem,
                                                              overlapDP: false, overlapParamGather: false, overlapTP: false,
                                                              overlapPP: true)
                                    let ppBlocking = model.assemble(g, st, zi, virtualStages: v, recompute: r, memoryBytes: mem,
                                                                    overlapDP: false, overlapParamGather: false, overlapTP: false,
                                                                    overlapPP: false).ppComm
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
                                        choices.append(pack(group: gi, v: v, r: ri, z: z, odp: odp, oag: oag, otp: otp, opp: opp))
                                    } } }
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
        return TrainingSearchResult(top: shared.top.map(\.3), candidatesEvaluated: shared.evaluated, feasible: shared.feasible,
                                    searchSeconds: seconds, leastMemory: shared.feasible == 0 ? shared.least?.3 : nil)
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
