// The training plan search kernel: the candidate step-time function as a scalar reference
// (`candidateStepSeconds`) and its SIMD8 twin over structure-of-arrays batches
// (`candidateKernelSIMD8`, bit-identical), with the batch storage both read.

/// The inputs of the candidate step-time function for one fully specified plan: the
/// structure-of-arrays columns of the plan search (one `Double` per column per candidate).
public struct CandidateInputs: Sendable, Equatable {
    /// Microbatches per step.
    public var microbatches: Double
    /// Layers on the busiest stage (all its virtual chunks).
    public var stageLayers: Double
    /// Pipeline bubble in units of one microbatch's stage time: (p-1)/v (Narayanan 2021 eq. for
    /// the interleaved schedule, bubble fraction (p-1)/(v·m)).
    public var bubbleFactor: Double
    public var layerForward: Double
    public var extraForward: Double
    public var layerRecompute: Double
    public var tpComm: Double
    /// GEMM time that can hide TP communication (0 without TP overlap).
    public var tpHide: Double
    /// Passes whose TP collectives are paid: forward + backward, + 1 with full recompute.
    public var tpPasses: Double
    /// EP all-to-all per microbatch on the busiest stage, all passes.
    public var epComm: Double
    /// 1 when the EP all-to-all overlaps with the compute of another microbatch (Megatron-Core
    /// 1F1B A2A overlap, DeepSeek DualPipe), else 0.
    public var epOverlap: Double
    /// Compute time multiplier while communication kernels occupy compute units (with EP
    /// overlap: units / (units - communication units)); 1 otherwise.
    public var computeScale: Double
    /// 1/v: the share of the stage's weights (and gradients) in one model chunk.
    public var chunkShare: Double
    /// ((v-1)·p + 1)/v: the chunk-microbatch backwards (forwards) over which the interleaved
    /// schedule spreads the chunks' last backwards (first forwards), in microbatch units; 1
    /// without interleaving.
    public var spreadMicrobatches: Double
    /// CP exposed communication per microbatch on the busiest stage.
    public var cpComm: Double
    /// Exposed pipeline p2p time per step.
    public var ppComm: Double
    /// DP gradient reduction per step (all-reduce, or reduce-scatter with ZeRO).
    public var dpComm: Double
    /// 1 when DP communication overlaps with compute.
    public var dpOverlap: Double
    /// ZeRO-1/2 weight all-gather after the optimizer, per step.
    public var dpParamGather: Double
    /// 1 when that all-gather overlaps with the next step's first forward.
    public var paramGatherOverlap: Double
    /// ZeRO-3 weight all-gathers per microbatch (forward + backward).
    public var zeroGather: Double
    public var optimizer: Double
    /// Memory per chip, bytes.
    public var memoryBytes: Double
}

/// Scalars of the candidate function shared by all candidates of one search.
public struct CandidateScalars: Sendable, Equatable {
    public var residual: Double
    public var microbatchOverhead: Double
    public var stepOverhead: Double
    public var capacityBytes: Double
}

/// One evaluated candidate's step time split into its parts (seconds).
public struct StepBreakdown: Sendable, Equatable {
    public var forward: Double
    public var backward: Double
    public var recompute: Double
    public var bubble: Double
    public var tpExposed: Double
    public var ppExposed: Double
    public var dpExposed: Double
    public var epExposed: Double
    public var cpExposed: Double
    public var optimizer: Double
    public var overhead: Double
    public var total: Double
}

/// The candidate step-time function (scalar reference). The SIMD version
/// (`candidateKernelSIMD8`) performs the same operations in the same order, so the two agree
/// bit for bit. Structure (Narayanan 2021 section 2.2 for the pipeline; Calculon, Isaev et al.
/// SC23, section 3 for composing compute and exposed communication):
///
///     F  = Ls·fLayer + extra                         forward of one microbatch on the busiest stage
///     Bk = 2·F                                        backward = 2 x forward
///     R  = Ls·rLayer                                  recompute
///     T  = Ls·max(tp - hide, tp·residual)·passes      exposed TP communication
///     C  = (F + Bk + R)·scale + T                     compute and TP of one microbatch
///     M  = max(C, eo·ep) + (1 - eo)·ep + cp           one microbatch: the EP all-to-all hides behind
///                                                     another microbatch's C when overlapped (eo = 1)
///     Wf = M / (passes + 1), Wb = M - Wf              wall-clock of its forward and of its backward
///     DPx = max(dp/v - Wb/v, dp - s·Wb, 0)            exposed gradient reduction, s = ((v-1)·p + 1)/v
///     AGx = max(ag/v - Wf/v, ag - s·Wf, 0)            exposed weight all-gather (ZeRO-1/2)
///     step = (m + (p-1)/v)·M + pp + ov·DPx + (1-ov)·dp + ovag·AGx + (1-ovag)·ag
///            + m·max(z3 - ov·Wf, 0) + optimizer + stepOverhead + m·mbOverhead
///
/// The overlap windows are wall-clock: the time a microbatch's backward (Wb) or forward (Wf)
/// takes, whatever part of it is compute or exposed TP/EP/CP communication, so no compute is
/// counted twice (once hiding TP traffic and again hiding DP traffic). With the interleaved
/// schedule each of the v model chunks reduces its gradients after its own last backward, and
/// those are spread over the last ((v-1)·p + 1) chunk-backwards of the step (Megatron-Core
/// `forward_backward_pipelining_with_interleaving`: chunks in groups of p microbatches), so the
/// reduction overlaps with that whole drain except the last chunk's share; the weight
/// all-gathers (`--overlap-param-gather`) likewise with the warm-up forwards. Since every
/// window is a fixed multiple of M, the step never grows when M shrinks: a faster chip or
/// network never makes a plan slower (m ≥ p whenever v > 1).
///
/// Returns +infinity when the memory exceeds the capacity.
@inline(__always)
public func candidateStepSeconds(_ x: CandidateInputs, _ k: CandidateScalars) -> Double {
    let f = x.stageLayers * x.layerForward + x.extraForward
    let bk = f + f
    let r = x.stageLayers * x.layerRecompute
    let tpA = x.tpComm - x.tpHide
    let tpB = x.tpComm * k.residual
    let tpE = tpA < tpB ? tpB : tpA
    let t = x.stageLayers * tpE * x.tpPasses
    let c = (f + bk + r) * x.computeScale + t
    let epH = x.epOverlap * x.epComm
    let core = c < epH ? epH : c
    let mb = core + (x.epComm - epH) + x.cpComm
    let wf = mb / (x.tpPasses + 1)
    let wb = mb - wf
    let pipe = (x.microbatches + x.bubbleFactor) * mb
    let dpE = exposedBehindSpread(x.dpComm, window: wb, chunkShare: x.chunkShare, spread: x.spreadMicrobatches, overlap: x.dpOverlap)
    let agE = exposedBehindSpread(x.dpParamGather, window: wf, chunkShare: x.chunkShare, spread: x.spreadMicrobatches,
                                  overlap: x.paramGatherOverlap)
    let zA = x.zeroGather - x.dpOverlap * wf
    let zE = zA < 0 ? 0 : zA
    let step = pipe + x.ppComm + dpE + agE + x.microbatches * zE + x.optimizer + k.stepOverhead + x.microbatches * k.microbatchOverhead
    return x.memoryBytes > k.capacityBytes ? .infinity : step
}

/// Communication of `total` seconds overlapped (`overlap` = 1) with a schedule that frees its
/// v chunks one by one: max(total/v - window/v, total - spread·window, 0); not overlapped
/// (`overlap` = 0): all of it.
@inline(__always)
public func exposedBehindSpread(_ total: Double, window: Double, chunkShare: Double, spread: Double, overlap: Double) -> Double {
    let lastChunk = total * chunkShare - window * chunkShare
    let all = total - window * spread
    let m = lastChunk < all ? all : lastChunk
    let x = m < 0 ? 0 : m
    return overlap * x + (1 - overlap) * total
}

/// The breakdown of `candidateStepSeconds` (same formulas, split into parts; the EP part is
/// everything the all-to-all adds: its exposed time and the compute slowdown of overlapping it).
public func candidateBreakdown(_ x: CandidateInputs, _ k: CandidateScalars) -> StepBreakdown {
    let m = x.microbatches
    let f = x.stageLayers * x.layerForward + x.extraForward
    let bk = f + f
    let r = x.stageLayers * x.layerRecompute
    let tpE = max(x.tpComm - x.tpHide, x.tpComm * k.residual)
    let t = x.stageLayers * tpE * x.tpPasses
    let c = (f + bk + r) * x.computeScale + t
    let epH = x.epOverlap * x.epComm
    let mb = max(c, epH) + (x.epComm - epH) + x.cpComm
    let wf = mb / (x.tpPasses + 1)
    let wb = mb - wf
    let dpE = exposedBehindSpread(x.dpComm, window: wb, chunkShare: x.chunkShare, spread: x.spreadMicrobatches, overlap: x.dpOverlap)
        + exposedBehindSpread(x.dpParamGather, window: wf, chunkShare: x.chunkShare, spread: x.spreadMicrobatches,
                              overlap: x.paramGatherOverlap)
    let zE = max(x.zeroGather - x.dpOverlap * wf, 0)
    let epAdded = max(0, mb - x.cpComm - (f + bk + r) - t)
    return StepBreakdown(forward: m * f, backward: m * bk, recompute: m * r, bubble: x.bubbleFactor * mb,
                         tpExposed: m * t, ppExposed: x.ppComm, dpExposed: dpE + m * zE, epExposed: m * epAdded,
                         cpExposed: m * x.cpComm, optimizer: x.optimizer,
                         overhead: k.stepOverhead + m * k.microbatchOverhead,
                         total: candidateStepSeconds(x, k))
}

/// A structure-of-arrays batch of candidates: `columns` columns of `capacity` Doubles in one
/// manually managed buffer (no copy-on-write checks in the fill loop).
package final class CandidateBatch {
    package static let columns = 23
    package private(set) var capacity: Int
    package var count = 0
    package private(set) var storage: UnsafeMutablePointer<Double>
    package private(set) var out: UnsafeMutablePointer<Double>

    package init(capacity: Int) {
        self.capacity = max(8, capacity)
        storage = .allocate(capacity: CandidateBatch.columns * self.capacity)
        out = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deallocate()
        out.deallocate()
    }

    package func reserve(_ n: Int) {
        guard n > capacity else { return }
        var c = capacity
        while c < n { c *= 2 }
        let s = UnsafeMutablePointer<Double>.allocate(capacity: CandidateBatch.columns * c)
        for col in 0..<CandidateBatch.columns {
            (s + col * c).update(from: storage + col * capacity, count: count)
        }
        storage.deallocate()
        out.deallocate()
        storage = s
        out = .allocate(capacity: c)
        capacity = c
    }

    @inline(__always)
    package func append(_ x: CandidateInputs) {
        if count == capacity { reserve(count + 1) }
        CandidateBatch.write(x, to: storage + count, stride: capacity)
        count += 1
    }

    /// Writes one candidate's columns at `p` (column j at `p[j * stride]`).
    @inline(__always)
    package static func write(_ x: CandidateInputs, to p: UnsafeMutablePointer<Double>, stride c: Int) {
        p[0] = x.microbatches
        p[c] = x.stageLayers
        p[2 * c] = x.bubbleFactor
        p[3 * c] = x.layerForward
        p[4 * c] = x.extraForward
        p[5 * c] = x.layerRecompute
        p[6 * c] = x.tpComm
        p[7 * c] = x.tpHide
        p[8 * c] = x.tpPasses
        p[9 * c] = x.epComm
        p[10 * c] = x.cpComm
        p[11 * c] = x.ppComm
        p[12 * c] = x.dpComm
        p[13 * c] = x.dpOverlap
        p[14 * c] = x.zeroGather
        p[15 * c] = x.optimizer
        p[16 * c] = x.memoryBytes
        p[17 * c] = x.dpParamGather
        p[18 * c] = x.paramGatherOverlap
        p[19 * c] = x.epOverlap
        p[20 * c] = x.computeScale
        p[21 * c] = x.chunkShare
        p[22 * c] = x.spreadMicrobatches
    }

    package func memoryBytes(at i: Int) -> Double { storage[16 * capacity + i] }
    package func result(at i: Int) -> Double { out[i] }

    package func inputs(at i: Int) -> CandidateInputs {
        let c = capacity
        let p = storage
        return CandidateInputs(microbatches: p[i], stageLayers: p[c + i], bubbleFactor: p[2 * c + i],
                               layerForward: p[3 * c + i], extraForward: p[4 * c + i], layerRecompute: p[5 * c + i],
                               tpComm: p[6 * c + i], tpHide: p[7 * c + i], tpPasses: p[8 * c + i], epComm: p[9 * c + i],
                               epOverlap: p[19 * c + i], computeScale: p[20 * c + i], chunkShare: p[21 * c + i],
                               spreadMicrobatches: p[22 * c + i], cpComm: p[10 * c + i], ppComm: p[11 * c + i], dpComm: p[12 * c + i],
                               dpOverlap: p[13 * c + i], dpParamGather: p[17 * c + i], paramGatherOverlap: p[18 * c + i],
                               zeroGather: p[14 * c + i], optimizer: p[15 * c + i], memoryBytes: p[16 * c + i])
    }

    /// Evaluates every candidate with the SIMD8 kernel (`candidateStepSeconds` lane by lane;
    /// the tail of fewer than 8 candidates uses the scalar function, which is bit-identical).
    package func evaluateSIMD(_ k: CandidateScalars) {
        let n = count
        let simdCount = n & ~7
        candidateKernelSIMD8(UnsafeRawPointer(storage), stride: capacity, count: simdCount, k, UnsafeMutableRawPointer(out))
        var i = simdCount
        while i < n {
            out[i] = candidateStepSeconds(inputs(at: i), k)
            i += 1
        }
    }

    /// Scalar reference over the whole batch.
    package func evaluateScalar(_ k: CandidateScalars) {
        for i in 0..<count { out[i] = candidateStepSeconds(inputs(at: i), k) }
    }
}

/// The SIMD8<Double> candidate kernel over structure-of-arrays columns (`stride` Doubles per
/// column). Same operations, same order as `candidateStepSeconds`; no FMA, no pointwiseMax
/// (Benchmarks/README.md, "Speed notes"): maxima via `.replacing(with:where:)`.
@inline(never)
package func candidateKernelSIMD8(_ base: UnsafeRawPointer, stride: Int, count: Int, _ k: CandidateScalars,
                                 _ out: UnsafeMutableRawPointer) {
    let cs = stride * 8
    let res = SIMD8<Double>(repeating: k.residual)
    let mbOv = SIMD8<Double>(repeating: k.microbatchOverhead)
    let stepOv = SIMD8<Double>(repeating: k.stepOverhead)
    let cap = SIMD8<Double>(repeating: k.capacityBytes)
    let zero = SIMD8<Double>(repeating: 0)
    let one = SIMD8<Double>(repeating: 1)
    let inf = SIMD8<Double>(repeating: .infinity)
    var i = 0
    while i < count {
        let o = i * 8
        @inline(__always) func col(_ j: Int) -> SIMD8<Double> { base.loadUnaligned(fromByteOffset: j * cs + o, as: SIMD8<Double>.self) }
        let m = col(0), ls = col(1), bubble = col(2), lf = col(3), ex = col(4), rl = col(5)
        let tp = col(6), hide = col(7), passes = col(8), ep = col(9), cp = col(10), pp = col(11)
        let dp = col(12), ov = col(13), zg = col(14), opt = col(15), mem = col(16), ag = col(17), ovag = col(18)
        let eo = col(19), scale = col(20), share = col(21), spread = col(22)
        let f = ls * lf + ex
        let bk = f + f
        let r = ls * rl
        let tpA = tp - hide
        let tpB = tp * res
        let tpE = tpA.replacing(with: tpB, where: tpA .< tpB)
        let t = ls * tpE * passes
        let c = (f + bk + r) * scale + t
        let epH = eo * ep
        let core = c.replacing(with: epH, where: c .< epH)
        let mb = core + (ep - epH) + cp
        let wf = mb / (passes + one)
        let wb = mb - wf
        let pipe = (m + bubble) * mb
        // exposedBehindSpread, lane by lane (same operations, same order).
        let dpC = dp * share - wb * share
        let dpS = dp - wb * spread
        let dpM = dpC.replacing(with: dpS, where: dpC .< dpS)
        let dpX = dpM.replacing(with: zero, where: dpM .< zero)
        let dpE = ov * dpX + (one - ov) * dp
        let agC = ag * share - wf * share
        let agS = ag - wf * spread
        let agM = agC.replacing(with: agS, where: agC .< agS)
        let agX = agM.replacing(with: zero, where: agM .< zero)
        let agE = ovag * agX + (one - ovag) * ag
        let zA = zg - ov * wf
        let zE = zA.replacing(with: zero, where: zA .< zero)
        let step = pipe + pp + dpE + agE + m * zE + opt + stepOv + m * mbOv
        let result = step.replacing(with: inf, where: mem .> cap)
        out.storeBytes(of: result, toByteOffset: o, as: SIMD8<Double>.self)
        i += 8
    }
}
