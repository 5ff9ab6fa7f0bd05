// The lower bound of the candidate step-time function over a box of candidates: the interval
// twin of `candidateStepSeconds` (CandidateKernel.swift) that the branch-and-bound plan search
// (`TrainingSearch`, Estimation/Training/TrainingBranchAndBound.swift) prunes with.
//
// Why the bound is admissible (never above the step time of any candidate in the box):
//
// 1. Every operation of `candidateStepSeconds` (+, -, x, /, the maxima written as
//    `a < b ? b : a`, the memory select) has an interval version here that, given intervals
//    holding its operands, returns an interval holding its IEEE-754 result. For + and - the
//    ends are the same operation on the matching ends (a.lo + b.lo, a.lo - b.hi, ...); for x
//    and / the least and greatest of the four end products (a bilinear function takes its
//    extremes at the corners of a box). Round-to-nearest is monotone (x <= y implies
//    fl(x) <= fl(y)), so the rounded results at the ends still bound the rounded result
//    inside: the enclosure holds for the floating-point function, not only the real one.
// 2. The twin runs those interval operations in the same order as the function, so by
//    induction over the expression every intermediate interval holds the value the function
//    computes for any candidate whose inputs lie in the box, and `lo` of the result is a lower
//    bound of its step time. This needs no monotonicity of the function (the DP window
//    `max(dp/v - Wb/v, dp - s·Wb, 0)` falls when the microbatch gets longer; the interval
//    version simply uses the largest window the box allows there and the smallest in the
//    pipeline term). The maxima (`max(C, eo·ep)`, the two forms of the overlap windows, the
//    `max(x, 0)`) are monotone in both operands, so their interval versions are the maxima of
//    the ends. In terms of the function's structure the bound amounts to: every cost at its
//    smallest, every overlap hiding as much as the box allows (`tpHide`, `dpOverlap`,
//    `paramGatherOverlap`, `epOverlap` at their largest, the windows at their longest), every
//    `max(x, 0)` at least 0 and at least the smallest x, the bubble at the largest
//    virtual-stage count of the box. One operation is enclosed more tightly than by the
//    generic rule: the EP remainder `ep - eo·ep` with the flag eo the point 1 is exactly 0
//    (`expertRemainderBounds`); the group boxes split by that flag so it applies.
// 3. Products use 0 x inf = 0 at the ends (the IEEE 1788 interval convention), so a box may
//    leave a cost unbounded above (`[0, +inf]`: "at least zero") without turning a bound into
//    NaN. A NaN anywhere (a NaN input) makes the bound NaN, which prunes nothing: the search
//    prunes only when `bound > threshold`.
// 4. At a point (lo == hi for every column) each interval operation reduces to the function's
//    own operation, so `candidateStepBounds(x, x, k).lo == candidateStepSeconds(x, k)` bit for
//    bit for finite inputs. `CandidateBoundTests` checks this on random inputs: when `candidateStepSeconds`
//    changes and this twin is not changed with it, that test fails and names this file.
//    It also checks the enclosure (1-2) on random boxes and points inside them.
//
// What the search must guarantee in turn (its half of admissibility): the box it passes
// holds every candidate of the pruned sub-space, column by column
// (`TrainingSearchBoundsTests` enumerates sub-spaces and names the column that escapes).

/// A closed interval of Doubles, with the operations the candidate function uses.
public struct CandidateInterval: Sendable, Equatable {
    public var lo: Double
    public var hi: Double

    @inline(__always) public init(_ lo: Double, _ hi: Double) {
        self.lo = lo
        self.hi = hi
    }

    @inline(__always) public init(point x: Double) { self.init(x, x) }

    @inline(__always) static func least(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double {
        let ab = a < b ? a : b, cd = c < d ? c : d
        return ab < cd ? ab : cd
    }

    @inline(__always) static func greatest(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double {
        let ab = a < b ? b : a, cd = c < d ? d : c
        return ab < cd ? cd : ab
    }

    @inline(__always) public static func + (a: CandidateInterval, b: CandidateInterval) -> CandidateInterval {
        CandidateInterval(a.lo + b.lo, a.hi + b.hi)
    }

    @inline(__always) public static func - (a: CandidateInterval, b: CandidateInterval) -> CandidateInterval {
        CandidateInterval(a.lo - b.hi, a.hi - b.lo)
    }

    @inline(__always) public static func * (a: CandidateInterval, b: CandidateInterval) -> CandidateInterval {
        // Both non-negative (every product of the candidate function): the least end product is
        // lo x lo and the greatest hi x hi, the same values the four-corner rule gives.
        if a.lo >= 0 && b.lo >= 0 { return CandidateInterval(productEnds(a.lo, b.lo), productEnds(a.hi, b.hi)) }
        let p = productEnds(a.lo, b.lo), q = productEnds(a.lo, b.hi), r = productEnds(a.hi, b.lo), s = productEnds(a.hi, b.hi)
        return CandidateInterval(least(p, q, r, s), greatest(p, q, r, s))
    }

    /// `a / b` for a divisor interval that excludes zero; otherwise everything.
    @inline(__always) public static func / (a: CandidateInterval, b: CandidateInterval) -> CandidateInterval {
        guard b.lo > 0 || b.hi < 0 else { return CandidateInterval(-.infinity, .infinity) }
        let p = a.lo / b.lo, q = a.lo / b.hi, r = a.hi / b.lo, s = a.hi / b.hi
        return CandidateInterval(least(p, q, r, s), greatest(p, q, r, s))
    }

    /// `a < b ? b : a` end by end (the function's maximum, same expression).
    @inline(__always) public static func maximum(_ a: CandidateInterval, _ b: CandidateInterval) -> CandidateInterval {
        CandidateInterval(a.lo < b.lo ? b.lo : a.lo, a.hi < b.hi ? b.hi : a.hi)
    }

    /// One end product: `x · y`, except that a zero end times an infinite end is zero.
    @inline(__always) static func productEnds(_ x: Double, _ y: Double) -> Double {
        if (x == 0 && y.isInfinite) || (y == 0 && x.isInfinite) { return 0 }
        return x * y
    }
}

/// The interval of `candidateStepSeconds` over every candidate whose inputs lie between `lo`
/// and `hi` column by column (see the top of this file for why `lo` of the result is an
/// admissible lower bound). Mirrors `candidateStepSeconds` line by line: change both together.
@inline(__always)
public func candidateStepBounds(_ lo: CandidateInputs, _ hi: CandidateInputs, _ k: CandidateScalars) -> CandidateInterval {
    typealias I = CandidateInterval
    let m = I(lo.microbatches, hi.microbatches), ls = I(lo.stageLayers, hi.stageLayers)
    let bubble = I(lo.bubbleFactor, hi.bubbleFactor), lf = I(lo.layerForward, hi.layerForward)
    let ex = I(lo.extraForward, hi.extraForward), rl = I(lo.layerRecompute, hi.layerRecompute)
    let tp = I(lo.tpComm, hi.tpComm), hide = I(lo.tpHide, hi.tpHide), passes = I(lo.tpPasses, hi.tpPasses)
    let ep = I(lo.epComm, hi.epComm), cp = I(lo.cpComm, hi.cpComm), pp = I(lo.ppComm, hi.ppComm)
    let eo = I(lo.epOverlap, hi.epOverlap), scale = I(lo.computeScale, hi.computeScale)
    let share = I(lo.chunkShare, hi.chunkShare), spread = I(lo.spreadMicrobatches, hi.spreadMicrobatches)
    let dp = I(lo.dpComm, hi.dpComm), ov = I(lo.dpOverlap, hi.dpOverlap)
    let ag = I(lo.dpParamGather, hi.dpParamGather), ovag = I(lo.paramGatherOverlap, hi.paramGatherOverlap)
    let zg = I(lo.zeroGather, hi.zeroGather), opt = I(lo.optimizer, hi.optimizer)
    let zero = I(point: 0)
    let f = ls * lf + ex
    let bk = f + f
    let r = ls * rl
    let tpA = tp - hide
    let tpB = tp * I(point: k.residual)
    let tpE = I.maximum(tpA, tpB) // tpA < tpB ? tpB : tpA
    let t = ls * tpE * passes
    let c = (f + bk + r) * scale + t
    let epH = eo * ep
    let core = I.maximum(c, epH) // c < epH ? epH : c
    let mb = core + expertRemainderBounds(ep, epH, overlap: eo) + cp
    let wf = mb / (passes + I(point: 1))
    let wb = mb - wf
    let pipe = (m + bubble) * mb
    let dpE = exposedBehindSpreadBounds(dp, window: wb, chunkShare: share, spread: spread, overlap: ov)
    let agE = exposedBehindSpreadBounds(ag, window: wf, chunkShare: share, spread: spread, overlap: ovag)
    let zA = zg - ov * wf
    let zE = I.maximum(zA, zero)
    let step = pipe + pp + dpE + agE + m * zE + opt + I(point: k.stepOverhead) + m * I(point: k.microbatchOverhead)
    // x.memoryBytes > capacity ? inf : step, end by end.
    return I(lo.memoryBytes > k.capacityBytes ? .infinity : step.lo, hi.memoryBytes > k.capacityBytes ? .infinity : step.hi)
}

/// `ep - epH` with `epH = eo · ep` (the all-to-all time not hidden behind compute). Interval
/// subtraction treats the two as independent, so over a box whose `ep` spans [a, b] it gives
/// [a - b, b - a] although every candidate has the same `ep` in both. When the overlap flag is
/// the point 1 and `ep` is finite, every candidate computes `x - 1·x = x - x`, which is exactly
/// +0 in IEEE-754 arithmetic for finite x, so the enclosure is the point 0 (at a point it is the
/// generic result, bit for bit). (With the point 0 the generic rule is already exact: `0·x = 0`,
/// `x - 0 = x`.) Otherwise the generic interval difference.
@inline(__always)
public func expertRemainderBounds(_ ep: CandidateInterval, _ epH: CandidateInterval, overlap eo: CandidateInterval) -> CandidateInterval {
    if eo.lo == 1 && eo.hi == 1 && ep.lo.isFinite && ep.hi.isFinite { return CandidateInterval(point: 0) }
    return ep - epH
}

/// The interval twin of `exposedBehindSpread` (same operations, same order).
@inline(__always)
public func exposedBehindSpreadBounds(_ total: CandidateInterval, window: CandidateInterval, chunkShare: CandidateInterval,
                                      spread: CandidateInterval, overlap: CandidateInterval) -> CandidateInterval {
    typealias I = CandidateInterval
    let lastChunk = total * chunkShare - window * chunkShare
    let all = total - window * spread
    let m = I.maximum(lastChunk, all) // lastChunk < all ? all : lastChunk
    let x = I.maximum(m, I(point: 0))
    return overlap * x + (I(point: 1) - overlap) * total
}
