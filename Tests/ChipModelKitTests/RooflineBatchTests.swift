import Foundation
import Testing
@testable import ChipModelKit

@Suite struct RooflineBatchTests {
    /// Values spanning many magnitudes plus the awkward ones: zero, huge, infinity, and
    /// repeats that create exact ties between ceilings.
    static func randomColumns(_ n: Int, seed: UInt64) -> RooflineColumns {
        var rng = SplitMix64(seed: seed)
        func value(_ special: Bool) -> Double {
            let r = rng.next() % 16
            if special {
                switch r {
                case 0: return 0
                case 1: return 1e300
                case 2: return .infinity
                case 3: return .greatestFiniteMagnitude
                case 4: return .leastNonzeroMagnitude
                default: break
                }
            }
            // log-uniform in [1e-3, 1e15]
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            return exp(log(10.0) * (-3 + 18 * u))
        }
        var c = RooflineColumns()
        for _ in 0..<n {
            let special = rng.next() % 4 == 0
            var row = (0..<8).map { _ in value(special) }
            // Ties: copy one (work, rate) pair onto another so two ceilings give the same time.
            let tie = rng.next() % 5
            if tie < 3 {
                let dst = Int(tie + 1) * 2
                row[dst] = row[0]; row[dst + 1] = row[1]
            }
            c.append(flops: row[0], sustainedFlops: row[1], bytes: row[2], bytesPerSecond: row[3],
                     sramBytes: row[4], sramBytesPerSecond: row[5], d2dBytes: row[6], d2dBytesPerSecond: row[7])
        }
        return c
    }

    @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 1000])
    func simdEqualsScalarBitForBit(n: Int) {
        for seed in UInt64(1)...3 {
            let c = Self.randomColumns(n, seed: seed &* 7919 &+ UInt64(n))
            let scalar = RooflineBatch.evaluateScalar(c)
            let simd = RooflineBatch.evaluate(c, threads: 1)
            #expect(simd.bitwiseEqual(scalar), "n=\(n) seed=\(seed)")
            #expect(simd.seconds.count == n && simd.boundCodes.count == n)
        }
    }

    @Test func threadedEqualsScalar() {
        let c = Self.randomColumns(4099, seed: 42)
        let scalar = RooflineBatch.evaluateScalar(c)
        for t in [2, 3, 8] {
            #expect(RooflineBatch.evaluate(c, threads: t).bitwiseEqual(scalar))
        }
    }

    @Test func tiesGoToTheEarlierCeiling() {
        // Every ceiling gives 1 s: compute wins; then memory over sram over d2d.
        let ones = [Double](repeating: 1, count: 9)
        var c = RooflineColumns(flops: ones, sustainedFlops: ones, bytes: ones, bytesPerSecond: ones, sramBytes: ones,
                                sramBytesPerSecond: ones, d2dBytes: ones, d2dBytesPerSecond: ones)!
        var r = RooflineBatch.evaluate(c)
        #expect(r.boundCodes == [UInt8](repeating: 0, count: 9))
        // Infinite bandwidth (no ceiling) and zero bytes never bind.
        let inf = [Double](repeating: .infinity, count: 9), zero = [Double](repeating: 0, count: 9)
        c = RooflineColumns(flops: ones, sustainedFlops: ones, bytes: [Double](repeating: 2, count: 9), bytesPerSecond: ones,
                            sramBytes: ones, sramBytesPerSecond: inf, d2dBytes: zero, d2dBytesPerSecond: zero)!
        r = RooflineBatch.evaluate(c)
        #expect(r.seconds == [Double](repeating: 2, count: 9))
        #expect(r.boundCodes == [UInt8](repeating: Ceiling.memory.code, count: 9))
        #expect(r.bitwiseEqual(RooflineBatch.evaluateScalar(c)))
        #expect(RooflineColumns(flops: ones, sustainedFlops: [], bytes: ones, bytesPerSecond: ones, sramBytes: ones,
                                sramBytesPerSecond: ones, d2dBytes: ones, d2dBytesPerSecond: ones) == nil)
    }

    // The reciprocal form: its SIMD kernel equals its own scalar oracle bit for bit (same
    // random columns with zeros, infinities, huge values and ties), at every tail length.
    @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 1000])
    func reciprocalSIMDEqualsReciprocalScalarBitForBit(n: Int) {
        for seed in UInt64(1)...3 {
            let c = RooflineReciprocalColumns(Self.randomColumns(n, seed: seed &* 104_729 &+ UInt64(n)))
            let scalar = RooflineBatch.evaluateScalar(c)
            let simd = RooflineBatch.evaluate(c, threads: 1)
            #expect(simd.bitwiseEqual(scalar), "n=\(n) seed=\(seed)")
            #expect(simd.seconds.count == n && simd.boundCodes.count == n)
        }
    }

    @Test func reciprocalThreadedEqualsScalar() {
        let c = RooflineReciprocalColumns(Self.randomColumns(4099, seed: 43))
        let scalar = RooflineBatch.evaluateScalar(c)
        for t in [2, 3, 8] {
            #expect(RooflineBatch.evaluate(c, threads: t).bitwiseEqual(scalar))
        }
    }

    /// On normal (non-subnormal, finite, non-zero) values the reciprocal form is within a few
    /// ulp of the division form; it picks the same ceiling unless two ceilings are that close.
    @Test func reciprocalIsWithinUlpsOfDivision() {
        var rng = SplitMix64(seed: 7)
        func v() -> Double { exp(log(10.0) * (-3 + 18 * Double(rng.next() >> 11) / Double(1 << 53))) }
        var c = RooflineColumns()
        for _ in 0..<1000 {
            c.append(flops: v(), sustainedFlops: v(), bytes: v(), bytesPerSecond: v(), sramBytes: v(),
                     sramBytesPerSecond: v(), d2dBytes: v(), d2dBytesPerSecond: v())
        }
        let div = RooflineBatch.evaluateScalar(c)
        let rec = RooflineBatch.evaluate(RooflineReciprocalColumns(c), threads: 1)
        for i in 0..<c.count {
            #expect(abs(rec.seconds[i] - div.seconds[i]) <= 4 * div.seconds[i].ulp, "point \(i)")
        }
        let boundChanges = zip(rec.boundCodes, div.boundCodes).filter { $0.0 != $0.1 }.count
        #expect(boundChanges <= 2)
    }

    @Test func reciprocalSetWorkKeepsRates() {
        let c = Self.randomColumns(20, seed: 9)
        var r = RooflineReciprocalColumns(c)
        let ones = [Double](repeating: 1, count: 20)
        let accepted = r.setWork(flops: ones, bytes: ones, sramBytes: ones, d2dBytes: ones)
        #expect(accepted)
        let inverse = c.sustainedFlops.map { 1 / $0 }
        #expect(r.secondsPerFlop == inverse)
        #expect(r.flops == ones)
        let rejected = !r.setWork(flops: [1], bytes: ones, sramBytes: ones, d2dBytes: ones)
        #expect(rejected)
        #expect(r.flops == ones)
        #expect(RooflineBatch.evaluate(r).bitwiseEqual(RooflineBatch.evaluateScalar(r)))
    }
}
