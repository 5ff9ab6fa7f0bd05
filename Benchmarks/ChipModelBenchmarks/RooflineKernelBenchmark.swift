import ChipModelCLI
import ChipModelKit
import Foundation

/// Measurement 1 of issue 8: the roofline kernel over 10^6 and 10^7 points.
///
/// Variants, all on the same columns in the same process, interleaved per repetition:
/// - `simd`: `RooflineBatch.evaluate` (the `SIMD8<Double>` division kernel), 1 and 2 threads;
/// - `scalar`: `RooflineBatch.evaluateScalar`, the test oracle (a loop over `RooflineBatch.pointTime`,
///   inlined by the optimizer; LLVM may auto-vectorize it, which is why it runs close to `simd`);
/// - `scalarCall`: `RooflineBatch.pointTime` called per point through a non-inlined function (the
///   scalar function as such, not vectorizable);
/// - `direct`: the same arithmetic written the most direct way (`max` of four quotients and
///   a chain of comparisons for the bound), over plain arrays;
/// - `recip.*`: the reciprocal form (`RooflineReciprocalColumns`: rates stored as 1/rate once,
///   multiplications per point), SIMD kernel and its own scalar oracle
///   (`RooflineBatch.pointTimeReciprocal`), bit-identical to each other, within a few ulp of the
///   division form.
/// Each point reads 8 Doubles and writes a Double and a byte (73 B/point). The division form
/// costs 4 divisions per point (divider-bound); the reciprocal form is memory-bound.
public enum RooflineKernelBenchmark {
    /// The per-core machine limit quoted in Benchmarks/README.md ("Speed notes") (f64, in cache, 4 divides/point).
    public static let machineLimitMpointsPerCore = 300.0

    public static let `case` = BenchmarkCase(
        name: "roofline-kernel",
        summary: "Roofline point kernel: SIMD vs scalar oracle vs direct loop, 10^6 and 10^7 points, 1 and 2 threads"
    ) { config in
        // 16,384 points (1.2 MB) stay in the 2 MiB L2: the compute limit. 10^6 (73 MB) and
        // 10^7 (730 MB) stream from L3/DRAM: the memory limit.
        let sizes = config.smoke ? [1_000, 4_099] : [16_384, 1_000_000, 10_000_000]
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

    /// The per-point scalar call: `RooflineBatch.pointTime` called once per point through a
    /// function the optimizer may not inline into the loop, so the loop cannot be vectorized.
    /// This is the "scalar reference" in its literal sense (one scalar function call per point).
    public static func scalarCall(_ c: RooflineColumns, into r: inout RooflineBatchResult) {
        let n = c.count
        if r.seconds.count != n { r.seconds = [Double](repeating: 0, count: n) }
        if r.boundCodes.count != n { r.boundCodes = [UInt8](repeating: 0, count: n) }
        let f = c.flops, p = c.sustainedFlops, b = c.bytes, bw = c.bytesPerSecond
        let s = c.sramBytes, sbw = c.sramBytesPerSecond, d = c.d2dBytes, dbw = c.d2dBytesPerSecond
        for i in 0..<n {
            let t = pointTimeCall(f[i], p[i], b[i], bw[i], s[i], sbw[i], d[i], dbw[i])
            r.seconds[i] = t.seconds
            r.boundCodes[i] = t.bound.code
        }
    }

    @inline(never)
    static func pointTimeCall(_ f: Double, _ p: Double, _ b: Double, _ bw: Double, _ s: Double, _ sbw: Double,
                              _ d: Double, _ dbw: Double) -> (seconds: Double, bound: Ceiling) {
        RooflineBatch.pointTime(flops: f, sustainedFlops: p, bytes: b, bytesPerSecond: bw, sramBytes: s,
                           sramBytesPerSecond: sbw, d2dBytes: d, d2dBytesPerSecond: dbw)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func measure(n: Int, config: BenchmarkConfig) -> [BenchmarkMeasurement] {
        let cols = columns(n, seed: 0x5EED &+ UInt64(n))
        let clock = ContinuousClock()
        // Reciprocal columns: built once per set of device columns (4 divisions per point,
        // timed separately below), then evaluated against any number of operations.
        var rec = RooflineReciprocalColumns()
        let prepTime = clock.measure { rec = RooflineReciprocalColumns(cols) }
        let recCols = rec
        let oracleDiv = RooflineBatch.evaluateScalar(cols)
        let oracleRec = RooflineBatch.evaluateScalar(recCols)
        // (name, reciprocal form?, body)
        let variants: [(String, Bool, (inout RooflineBatchResult) -> Void)] = [
            ("simd.threads1", false, { RooflineBatch.evaluate(cols, into: &$0, threads: 1) }),
            ("scalar.threads1", false, { RooflineBatch.evaluateScalar(cols, into: &$0) }),
            ("scalarCall.threads1", false, { scalarCall(cols, into: &$0) }),
            ("direct.threads1", false, { direct(cols, into: &$0) }),
            ("simd.threads2", false, { RooflineBatch.evaluate(cols, into: &$0, threads: 2) }),
            ("directVariadicMax.threads1", false, { directVariadic(cols, into: &$0) }),
            ("recip.simd.threads1", true, { RooflineBatch.evaluate(recCols, into: &$0, threads: 1) }),
            ("recip.scalar.threads1", true, { RooflineBatch.evaluateScalar(recCols, into: &$0) }),
            ("recip.simd.threads2", true, { RooflineBatch.evaluate(recCols, into: &$0, threads: 2) }),
        ]
        // One untimed run each into its own buffer, checked against the oracle of its form;
        // the timed runs then share one output buffer (memory stays ~ columns + 3 results).
        var agree: [Bool] = []
        for v in variants {
            var r = RooflineBatchResult()
            v.2(&r)
            agree.append(r.bitwiseEqual(v.1 ? oracleRec : oracleDiv))
        }
        var scratch = RooflineBatchResult()
        variants[0].2(&scratch)  // first touch of the shared output pages, untimed
        for _ in 0..<config.warmups { for v in variants { v.2(&scratch) } }
        // Each timed sample runs the variant `inner` times (at least ~2M points) so small sizes
        // are not dominated by timer and dispatch overhead; times are per run.
        let inner = max(1, 2_000_000 / max(n, 1))
        var times = variants.map { _ in [Double]() }
        for _ in 0..<config.repetitions {
            for (k, v) in variants.enumerated() {  // interleaved: drift hits every variant alike
                times[k].append(seconds(clock.measure { for _ in 0..<inner { v.2(&scratch) } }) / Double(inner))
            }
        }
        blackHole(scratch)
        let tag = label(n)
        let mpts = times.map { t in Double(n) / max(t.min() ?? 1, 1e-12) / 1e6 }
        let timing = times.map { BenchmarkTiming(seconds: $0) }
        func detail(_ k: Int) -> String {
            "min \(formatQuantity(timing[k].min * 1e3)) ms, median \(formatQuantity(timing[k].median * 1e3)) ms over \(config.repetitions)"
                + (inner > 1 ? " samples of \(inner) runs" : "") + "; "
                + (agree[k] ? "bit-identical to " + (variants[k].1 ? "recip.scalar" : "scalar") : "DIFFERS from its scalar oracle")
        }
        let idx = Dictionary(uniqueKeysWithValues: variants.enumerated().map { ($1.0, $0) })
        func name(_ v: String) -> String { "roofline.\(v).n\(tag)" }
        func m(_ v: String, vs ref: String? = nil, suffix: String = "", withDetail: Bool = true) -> BenchmarkMeasurement {
            let k = idx[v] ?? 0
            let r = ref.flatMap { idx[$0] }
            return BenchmarkMeasurement(name: name(v) + suffix, value: mpts[k], unit: "Mpoints/s",
                                        ratio: r.map { mpts[k] / mpts[$0] }, reference: ref.map(name),
                                        detail: withDetail ? detail(k) : nil)
        }
        let limit = "\(Int(machineLimitMpointsPerCore)) Mpoints/s/core (Benchmarks/README.md speed notes, f64 in cache)"
        func vsLimit(_ v: String) -> BenchmarkMeasurement {
            let k = idx[v] ?? 0
            return BenchmarkMeasurement(name: name(v) + ".vsMachineLimit", value: mpts[k], unit: "Mpoints/s",
                                        ratio: mpts[k] / machineLimitMpointsPerCore, reference: limit)
        }
        let prep = seconds(prepTime)
        return [
            // Division form: SIMD kernel vs its bit-identical scalar oracle loop, vs the per-point
            // scalar call, vs the direct loop.
            m("simd.threads1", vs: "scalar.threads1"),
            m("simd.threads1", vs: "scalarCall.threads1", suffix: ".vsScalarCall", withDetail: false),
            m("simd.threads1", vs: "direct.threads1", suffix: ".vsDirect", withDetail: false),
            vsLimit("simd.threads1"),
            m("scalar.threads1"),
            m("scalarCall.threads1", vs: "scalar.threads1"),
            m("direct.threads1", vs: "scalar.threads1"),
            m("simd.threads2", vs: "simd.threads1"),
            m("directVariadicMax.threads1", vs: "scalar.threads1"),
            // Reciprocal form (multiplications): vs its own bit-identical scalar oracle, and vs the
            // division-form references (different rounding: within a few ulp, see RooflineBatch).
            m("recip.simd.threads1", vs: "recip.scalar.threads1"),
            m("recip.simd.threads1", vs: "scalar.threads1", suffix: ".vsDivisionScalar", withDetail: false),
            m("recip.simd.threads1", vs: "scalarCall.threads1", suffix: ".vsScalarCall", withDetail: false),
            m("recip.simd.threads1", vs: "direct.threads1", suffix: ".vsDirect", withDetail: false),
            vsLimit("recip.simd.threads1"),
            m("recip.scalar.threads1", vs: "scalar.threads1"),
            m("recip.simd.threads2", vs: "recip.simd.threads1"),
            BenchmarkMeasurement(name: "roofline.recip.prepare.n\(tag)", value: Double(n) / max(prep, 1e-12) / 1e6,
                                 unit: "Mpoints/s",
                                 detail: "building the reciprocal columns once (4 divisions/point, 1 run, includes allocation): \(formatQuantity(prep * 1e3)) ms"),
        ]
    }
}
