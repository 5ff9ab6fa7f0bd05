import ChipModelKit
import Foundation

/// Measurement 1 of issue 8: the roofline kernel over 10^6 and 10^7 points.
///
/// Variants, all on the same columns in the same process, interleaved per repetition:
/// - `simd`: `RooflineBatch.evaluate` (the `SIMD8<Double>` kernel), 1 and 2 threads;
/// - `scalar`: `RooflineBatch.evaluateScalar`, the test oracle (a loop over `Roofline.pointTime`);
/// - `direct`: the same arithmetic written the most direct way (`max` of four quotients and
///   a chain of comparisons for the bound), over plain arrays.
/// Each point reads 8 Doubles and writes a Double and a byte (73 B/point), and costs 4
/// divisions: divider-bound in cache, memory-bound at 10^7 points (730 MB).
public enum RooflineKernelBenchmark {
    /// The per-core machine limit quoted in PERFORMANCE.md (f64, in cache, 4 divides/point).
    public static let machineLimitMpointsPerCore = 300.0

    public static let `case` = BenchmarkCase(
        name: "roofline-kernel",
        summary: "Roofline point kernel: SIMD vs scalar oracle vs direct loop, 10^6 and 10^7 points, 1 and 2 threads"
    ) { config in
        let sizes = config.smoke ? [1_000, 4_099] : [1_000_000, 10_000_000]
        var out: [BenchmarkMeasurement] = []
        for n in sizes { out += measure(n: n, config: config) }
        return out
    }

    /// Realistic random columns: GEMM-to-elementwise work sizes on chip-like ceilings.
    public static func columns(_ n: Int, seed: UInt64) -> RooflineColumns {
        var state = seed
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / 9_007_199_254_740_992.0
        }
        func logUniform(_ lo: Double, _ hi: Double) -> Double { lo * exp(log(hi / lo) * uniform()) }
        var c = RooflineColumns()
        c.reserveCapacity(n)
        for _ in 0..<n {
            c.append(flops: logUniform(1e6, 1e15), sustainedFlops: logUniform(1e13, 2e15),
                     bytes: logUniform(1e5, 1e11), bytesPerSecond: logUniform(5e11, 8e12),
                     sramBytes: logUniform(1e5, 1e12), sramBytesPerSecond: logUniform(5e12, 1e14),
                     d2dBytes: uniform() < 0.5 ? 0 : logUniform(1e5, 1e10), d2dBytesPerSecond: logUniform(1e11, 1e13))
        }
        return c
    }

    /// The direct loop: what one would write first, no oracle function, no SIMD.
    public static func direct(_ c: RooflineColumns, into r: inout RooflineBatchResult) {
        let n = c.count
        if r.seconds.count != n { r.seconds = [Double](repeating: 0, count: n) }
        if r.boundCodes.count != n { r.boundCodes = [UInt8](repeating: 0, count: n) }
        let f = c.flops, p = c.sustainedFlops, b = c.bytes, bw = c.bytesPerSecond
        let s = c.sramBytes, sbw = c.sramBytesPerSecond, d = c.d2dBytes, dbw = c.d2dBytesPerSecond
        for i in 0..<n {
            let tc = f[i] / p[i], tm = b[i] / bw[i], ts = s[i] / sbw[i], td = d[i] / dbw[i]
            let t = max(max(tc, tm), max(ts, td))
            r.seconds[i] = t
            r.boundCodes[i] = t == tc ? 0 : t == tm ? 1 : t == ts ? 2 : 3
        }
    }

    /// The same with Swift's variadic `max(_:_:_:_:)`, the very first thing one writes: it
    /// builds an array per call, a pitfall worth keeping visible.
    public static func directVariadic(_ c: RooflineColumns, into r: inout RooflineBatchResult) {
        let n = c.count
        if r.seconds.count != n { r.seconds = [Double](repeating: 0, count: n) }
        if r.boundCodes.count != n { r.boundCodes = [UInt8](repeating: 0, count: n) }
        let f = c.flops, p = c.sustainedFlops, b = c.bytes, bw = c.bytesPerSecond
        let s = c.sramBytes, sbw = c.sramBytesPerSecond, d = c.d2dBytes, dbw = c.d2dBytesPerSecond
        for i in 0..<n {
            let tc = f[i] / p[i], tm = b[i] / bw[i], ts = s[i] / sbw[i], td = d[i] / dbw[i]
            let t = max(tc, tm, ts, td)
            r.seconds[i] = t
            r.boundCodes[i] = t == tc ? 0 : t == tm ? 1 : t == ts ? 2 : 3
        }
    }

    static func label(_ n: Int) -> String {
        var e = 0, x = n
        while x >= 10 && x % 10 == 0 { x /= 10; e += 1 }
        return x == 1 ? "1e\(e)" : "\(n)"
    }

    static func measure(n: Int, config: BenchmarkConfig) -> [BenchmarkMeasurement] {
        let cols = columns(n, seed: 0x5EED &+ UInt64(n))
        let variants: [(String, (inout RooflineBatchResult) -> Void)] = [
            ("simd.threads1", { RooflineBatch.evaluate(cols, into: &$0, threads: 1) }),
            ("scalar.threads1", { RooflineBatch.evaluateScalar(cols, into: &$0) }),
            ("direct.threads1", { direct(cols, into: &$0) }),
            ("simd.threads2", { RooflineBatch.evaluate(cols, into: &$0, threads: 2) }),
            ("directVariadicMax.threads1", { directVariadic(cols, into: &$0) }),
        ]
        var results = variants.map { _ in RooflineBatchResult(seconds: [], boundCodes: []) }
        for (k, v) in variants.enumerated() {  // first touch of the output pages, untimed
            v.1(&results[k])
        }
        for _ in 0..<config.warmups { for (k, v) in variants.enumerated() { v.1(&results[k]) } }
        var times = variants.map { _ in [Double]() }
        let clock = ContinuousClock()
        for _ in 0..<config.repetitions {
            for (k, v) in variants.enumerated() {
                let d = clock.measure { v.1(&results[k]) }
                times[k].append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
            }
        }
        blackHole(results)
        // Every variant must agree with the oracle; the direct loop's `max` picks the same
        // value (no NaN in these columns), and its bound chain the same earliest ceiling.
        let oracle = results[1]
        let agree = results.map { $0.bitwiseEqual(oracle) }
        let tag = label(n)
        let mpts = times.map { t in Double(n) / max(t.min() ?? 1, 1e-12) / 1e6 }
        let timing = times.map { BenchmarkTiming(seconds: $0) }
        func detail(_ k: Int) -> String {
            "min \(formatQuantity(timing[k].min * 1e3)) ms, median \(formatQuantity(timing[k].median * 1e3)) ms over \(config.repetitions); "
                + (agree[k] ? "bit-identical to scalar" : "DIFFERS from scalar")
        }
        let name = { (k: Int) in "roofline.\(variants[k].0).n\(tag)" }
        return [
            BenchmarkMeasurement(name: name(0), value: mpts[0], unit: "Mpoints/s", ratio: mpts[0] / mpts[1], reference: name(1), detail: detail(0)),
            BenchmarkMeasurement(name: name(0) + ".vsDirect", value: mpts[0], unit: "Mpoints/s", ratio: mpts[0] / mpts[2], reference: name(2)),
            BenchmarkMeasurement(name: name(0) + ".vsMachineLimit", value: mpts[0], unit: "Mpoints/s",
                                 ratio: mpts[0] / machineLimitMpointsPerCore,
                                 reference: "\(Int(machineLimitMpointsPerCore)) Mpoints/s/core (PERFORMANCE.md, f64 in cache)"),
            BenchmarkMeasurement(name: name(1), value: mpts[1], unit: "Mpoints/s", detail: detail(1)),
            BenchmarkMeasurement(name: name(2), value: mpts[2], unit: "Mpoints/s", ratio: mpts[2] / mpts[1], reference: name(1), detail: detail(2)),
            BenchmarkMeasurement(name: name(3), value: mpts[3], unit: "Mpoints/s", ratio: mpts[3] / mpts[0], reference: name(0), detail: detail(3)),
            BenchmarkMeasurement(name: name(4), value: mpts[4], unit: "Mpoints/s", ratio: mpts[4] / mpts[1], reference: name(1), detail: detail(4)),
        ]
    }
}
