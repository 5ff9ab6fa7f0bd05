import Foundation
import Testing
import ChipModelTestSupport
@testable import ChipModelKit

/// The interval twin of the candidate step-time function (Kernels/CandidateBound.swift):
/// exact at points, an enclosure over boxes. When `candidateStepSeconds` changes, these fail
/// until `candidateStepBounds` mirrors it again.
@Suite struct CandidateBoundTests {
    /// Random candidate inputs in the ranges the search produces (flags 0/1, counts whole).
    static func inputs(_ rng: inout SplitMix64) -> CandidateInputs {
        func u(_ lo: Double, _ hi: Double) -> Double { rng.uniform(lo, hi) }
        func maybeZero(_ x: Double) -> Double { rng.chance(0.2) ? 0 : x }
        let v = Double(1 + rng.below(6)), p = Double(1 + rng.below(8))
        return CandidateInputs(
            microbatches: u(1, 512).rounded(), stageLayers: u(1, 96).rounded(), bubbleFactor: maybeZero(u(0, 63)),
            layerForward: u(1e-4, 0.1), extraForward: maybeZero(u(0, 0.05)), layerRecompute: maybeZero(u(0, 0.1)),
            tpComm: maybeZero(u(0, 0.05)), tpHide: maybeZero(u(0, 0.08)), tpPasses: u(2, 3).rounded(), epComm: maybeZero(u(0, 0.1)),
            epOverlap: u(0, 1).rounded(), computeScale: rng.chance(0.5) ? 1 : u(1, 1.3), chunkShare: 1 / v,
            spreadMicrobatches: ((v - 1) * p + 1) / v,
            cpComm: maybeZero(u(0, 0.1)), ppComm: maybeZero(u(0, 1)), dpComm: maybeZero(u(0, 5)), dpOverlap: u(0, 1).rounded(),
            dpParamGather: maybeZero(u(0, 3)), paramGatherOverlap: u(0, 1).rounded(), zeroGather: maybeZero(u(0, 0.2)),
            optimizer: maybeZero(u(0, 0.1)), memoryBytes: u(1e9, 150e9))
    }

    static let scalars = CandidateScalars(residual: 0.3, microbatchOverhead: 1e-3, stepOverhead: 0.05, capacityBytes: 120e9)

    /// Every column, for naming and for building boxes column by column.
    nonisolated(unsafe) static let columns: [(String, WritableKeyPath<CandidateInputs, Double>)] = [
        ("microbatches", \.microbatches), ("stageLayers", \.stageLayers), ("bubbleFactor", \.bubbleFactor),
        ("layerForward", \.layerForward), ("extraForward", \.extraForward), ("layerRecompute", \.layerRecompute),
        ("tpComm", \.tpComm), ("tpHide", \.tpHide), ("tpPasses", \.tpPasses), ("epComm", \.epComm),
        ("epOverlap", \.epOverlap), ("computeScale", \.computeScale), ("chunkShare", \.chunkShare),
        ("spreadMicrobatches", \.spreadMicrobatches), ("cpComm", \.cpComm),
        ("ppComm", \.ppComm), ("dpComm", \.dpComm), ("dpOverlap", \.dpOverlap), ("dpParamGather", \.dpParamGather),
        ("paramGatherOverlap", \.paramGatherOverlap), ("zeroGather", \.zeroGather), ("optimizer", \.optimizer),
        ("memoryBytes", \.memoryBytes),
    ]

    @Test func twinEqualsTheFunctionAtPoints() {
        let failures = forAllCases(count: 5000, seed: 19_001) { rng in
            let x = Self.inputs(&rng)
            let f = candidateStepSeconds(x, Self.scalars)
            let b = candidateStepBounds(x, x, Self.scalars)
            if b.lo.bitPattern == f.bitPattern && b.hi.bitPattern == f.bitPattern { return nil }
            return "candidateStepSeconds = \(f) but its interval twin gives [\(b.lo), \(b.hi)] at the same point: "
                + "candidateStepBounds (Kernels/CandidateBound.swift) no longer mirrors candidateStepSeconds; change it line by line with the function"
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func twinEnclosesEveryPointOfABox() {
        let failures = forAllCases(count: 3000, seed: 19_002) { rng in
            // A box from two random candidates (column-wise min and max), some columns unbounded
            // above (as the group boxes leave the DP times), and points inside it.
            let a = Self.inputs(&rng), b = Self.inputs(&rng)
            var lo = a, hi = a
            for (_, kp) in Self.columns {
                lo[keyPath: kp] = min(a[keyPath: kp], b[keyPath: kp])
                hi[keyPath: kp] = max(a[keyPath: kp], b[keyPath: kp])
            }
            if rng.chance(0.3) { lo.dpComm = 0; hi.dpComm = .infinity; lo.optimizer = 0; hi.optimizer = .infinity }
            let bound = candidateStepBounds(lo, hi, Self.scalars)
            for i in 0..<20 {
                var x = lo
                for (_, kp) in Self.columns {
                    let l = lo[keyPath: kp], h = hi[keyPath: kp]
                    let top = h.isFinite ? h : l + 10
                    switch rng.below(3) {
                    case 0: x[keyPath: kp] = l
                    case 1: x[keyPath: kp] = top
                    default: x[keyPath: kp] = rng.uniform(l, top)
                    }
                }
                let f = candidateStepSeconds(x, Self.scalars)
                if !(bound.lo <= f) { return "point \(i): step \(f) below the twin's lower end \(bound.lo) (box \(lo) ... \(hi))" }
                if hi.dpComm.isFinite && hi.optimizer.isFinite && !(f <= bound.hi) {
                    return "point \(i): step \(f) above the twin's upper end \(bound.hi)"
                }
            }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// With the EP-overlap flag the point 1 the twin keeps the all-to-all it cannot hide: over a
    /// box where only the all-to-all time varies (and nothing else can hide it), the lower end
    /// is the step at the box's least all-to-all, not the generic interval rule's
    /// max(C, ep) - (ep_hi - ep_lo). The enclosure still holds at every point.
    @Test func expertOverlapPointFlagKeepsTheAllToAll() {
        let failures = forAllCases(count: 2000, seed: 19_004) { rng in
            var x = Self.inputs(&rng)
            x.epOverlap = 1
            x.dpComm = 0; x.dpParamGather = 0; x.zeroGather = 0
            x.epComm = rng.uniform(0, 0.2)
            var hi = x
            hi.epComm = x.epComm * rng.uniform(1, 3) + rng.uniform(0, 0.1)
            let bound = candidateStepBounds(x, hi, Self.scalars)
            let atLeast = candidateStepSeconds(x, Self.scalars)
            if bound.lo.bitPattern != atLeast.bitPattern {
                return "box epComm [\(x.epComm), \(hi.epComm)] with EP overlap: lower end \(bound.lo), the step at the least all-to-all \(atLeast)"
            }
            for _ in 0..<10 {
                var y = x
                y.epComm = rng.uniform(x.epComm, hi.epComm)
                let f = candidateStepSeconds(y, Self.scalars)
                if !(bound.lo <= f && f <= bound.hi) { return "step \(f) at epComm \(y.epComm) outside [\(bound.lo), \(bound.hi)]" }
            }
            // The remainder itself: exactly 0 for the point flag 1 and finite times.
            let r = expertRemainderBounds(CandidateInterval(x.epComm, hi.epComm), CandidateInterval(x.epComm, hi.epComm),
                                          overlap: CandidateInterval(point: 1))
            if r != CandidateInterval(point: 0) { return "EP remainder \(r) with the point flag 1" }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // Not finite: the generic rule (inf - inf = NaN prunes nothing).
        let inf = CandidateInterval(1, .infinity)
        #expect(expertRemainderBounds(inf, inf, overlap: CandidateInterval(point: 1)).lo.isNaN
                || expertRemainderBounds(inf, inf, overlap: CandidateInterval(point: 1)).lo == -.infinity)
    }

    @Test func intervalOperationsEncloseTheirResults() {
        typealias I = CandidateInterval
        let failures = forAllCases(count: 2000, seed: 19_003) { rng in
            func interval() -> I {
                let x = rng.uniform(-5, 5), y = rng.uniform(-5, 5)
                return rng.chance(0.1) ? I(0, .infinity) : I(min(x, y), max(x, y))
            }
            let a = interval(), b = interval()
            func pick(_ i: I) -> Double { i.hi.isFinite ? rng.uniform(i.lo, i.hi) : i.lo + rng.uniform(0, 100) }
            let x = pick(a), y = pick(b)
            let checks: [(String, I, Double)] = [("+", a + b, x + y), ("-", a - b, x - y), ("*", a * b, x * y),
                                                 ("max", I.maximum(a, b), x < y ? y : x)]
            for (name, r, v) in checks where !(r.lo <= v && v <= r.hi) {
                return "\(a) \(name) \(b) = \(r) does not hold \(x) \(name) \(y) = \(v)"
            }
            if b.lo > 0 || b.hi < 0 {
                let r = a / b, v = x / y
                if !(r.lo <= v && v <= r.hi) { return "\(a) / \(b) = \(r) does not hold \(v)" }
            }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // 0 x inf is 0 at the ends: a cost unbounded above times a flag that may be 0.
        #expect((I(0, 1) * I(0, .infinity)).lo == 0)
    }
}
