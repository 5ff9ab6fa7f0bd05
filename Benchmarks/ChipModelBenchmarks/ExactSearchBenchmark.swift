import ChipModelCLI
import ChipModelKit
import Foundation

/// Issue 19: the runs where users wait on repeated exact plan searches, each timed with branch
/// and bound (the default search) and against full enumeration (`TrainingSearch.Options.exhaustive`)
/// in the same process, with the search effort (candidates evaluated over the size of the
/// space: the share branch and bound could not prune).
///
/// - Monte Carlo: 1,000 samples of BR20X's ranged specs (plus nominal and corners), each with
///   its own exact search, Llama-3-70B on 1,024 chips (target <= 3 s). Full enumeration runs on
///   every 20th sample (the ratio extrapolates its per-sample time) and must give the same plans
///   and step times bit for bit.
/// - Scaling: `estimate --scaling` for BR20X and H100 on DeepSeek-V3 up to 16,384 chips (the
///   ranged estimate at 16,384 chips with its corners, and the scaling table from one scale-up
///   domain up), target <= 1 s.
/// - Roadmaps: `roadmap biren` and `roadmap nvidia` (exact searches at every corner), <= 1 s each.
public enum ExactSearchBenchmark {
    public static let monteCarloTargetSeconds = 3.0
    public static let scalingTargetSeconds = 1.0
    public static let roadmapTargetSeconds = 1.0

    static func seconds(_ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        var failure: Error?
        let d = clock.measure { do { try body() } catch { failure = error } }
        if let failure { throw failure }
        return RooflineKernelBenchmark.seconds(d)
    }

    /// Min over repetitions (after the warm-ups) of `body`'s wall time.
    static func timed(_ config: BenchmarkConfig, _ body: () throws -> Void) throws -> BenchmarkTiming {
        for _ in 0..<config.warmups { try body() }
        var out: [Double] = []
        for _ in 0..<config.repetitions { out.append(try seconds(body)) }
        return BenchmarkTiming(seconds: out)
    }

    static func effort(_ evaluated: Int, _ space: Int) -> String {
        "\(evaluated) of \(space) candidates evaluated (\(formatQuantity(100 * Double(evaluated) / Double(max(1, space))))% of the space)"
    }

    static func efforts(_ es: [TrainingEstimate]) -> (evaluated: Int, space: Int) {
        (es.reduce(0) { $0 + $1.candidatesEvaluated }, es.reduce(0) { $0 + $1.searchSpace })
    }

    static func same(_ a: TrainingEstimate, _ b: TrainingEstimate) -> Bool {
        a.plan == b.plan && a.stepSeconds.bitPattern == b.stepSeconds.bitPattern && a.top.map(\.plan) == b.top.map(\.plan)
            && zip(a.top, b.top).allSatisfy { $0.stepSeconds.bitPattern == $1.stepSeconds.bitPattern }
    }

    static func exhaustive(_ run: TrainingRun) -> TrainingRun {
        var r = run
        r.search.exhaustive = true
        return r
    }

    public static let monteCarloCase = BenchmarkCase(
        name: "exact-montecarlo",
        summary: "1,000 Monte Carlo samples of BR20X, Llama-3-70B on 1,024 chips, an exact plan search each (target 3 s), vs full enumeration"
    ) { config in
        let catalog = try ChipCatalog.builtIn(), zoo = try ModelZoo.builtIn()
        let chip = try catalog.chip("br20x")
        let samples = config.smoke ? 4 : 1000
        let stride = config.smoke ? 2 : 20
        let run = config.smoke ? TrainingRun(model: try zoo.model("llama3-8b"), sequenceLength: 2048, globalBatch: 16, chips: 16)
            : TrainingRun(model: try zoo.model("llama3-70b"))
        let policy = RangePolicy.monteCarlo(samples: samples, seed: 19)
        var result: RangedEstimate<TrainingEstimate>?
        let fast = try timed(BenchmarkConfig(smoke: config.smoke, repetitions: config.smoke ? 1 : 3, warmups: config.smoke ? 0 : 1)) {
            result = try run.ranged(chip, policy: policy)
        }
        guard let r = result else { return [] }
        // Full enumeration on every `stride`-th sample (same chips as the Monte Carlo draws).
        let chips = MonteCarlo.sampleChips(chip, samples: samples, seed: 19)
        let subset = stride > 0 ? Swift.stride(from: 0, to: samples, by: stride).map { chips[$0] } : []
        let full = exhaustive(run)
        var agree = true
        var refSeconds = 0.0
        for c in subset {
            let p = ChipParameters(chip: c, corner: .nominal)
            let b = try? run.estimate(p)
            var e: TrainingEstimate?
            refSeconds += try seconds { e = try full.estimate(p) }
            if let b, let e { agree = agree && same(b, e) } else if (b == nil) != (e == nil) { agree = false }
        }
        let perSample = refSeconds / Double(max(1, subset.count))
        let refTotal = perSample * Double(samples + 1 + r.corners.count)
        let all = [r.nominal] + r.cornerEstimates + r.samples
        let (ev, space) = efforts(all)
        let what = "\(run.model.id) on \(run.chips) x br20x, \(samples) samples + nominal + \(r.corners.count) corners, \(r.samples.count) estimated"
        return [
            BenchmarkMeasurement(name: "exact.montecarlo.wallSeconds", value: fast.min, unit: "s", ratio: fast.min / monteCarloTargetSeconds,
                                 reference: "target <= \(formatQuantity(monteCarloTargetSeconds)) s",
                                 detail: "\(what); branch and bound, samples in parallel; min of \(fast.seconds.count) (median \(formatQuantity(fast.median)) s)"),
            BenchmarkMeasurement(name: "exact.montecarlo.vsFullEnumeration", value: refTotal, unit: "s", ratio: fast.min / max(refTotal, 1e-12),
                                 reference: "full enumeration, extrapolated",
                                 detail: "full enumeration of \(subset.count) samples (every \(stride)th) took \(formatQuantity(refSeconds)) s one after another, \(formatQuantity(perSample * 1e3)) ms each, x \(samples + 1 + r.corners.count) searches; ratio = branch-and-bound time / that; "
                                    + (agree ? "same plans, top-5 and step times bit for bit" : "DIFFERS from full enumeration")),
            BenchmarkMeasurement(name: "exact.montecarlo.searchEffort", value: Double(ev) / Double(max(1, space)), unit: "fraction",
                                 detail: effort(ev, space) + " over all \(all.count) searches"),
        ]
    }

    public static let scalingCase = BenchmarkCase(
        name: "exact-scaling",
        summary: "estimate --scaling for BR20X and H100 on DeepSeek-V3 up to 16,384 chips (target 1 s), vs full enumeration"
    ) { config in
        let catalog = try ChipCatalog.builtIn(), zoo = try ModelZoo.builtIn()
        let chips = try ["br20x", "h100-sxm5-80gb"].map { try catalog.chip($0) }
        let run = config.smoke ? TrainingRun(model: try zoo.model("llama3-8b"), sequenceLength: 2048, globalBatch: 16, chips: 32)
            : TrainingRun(model: try zoo.model("deepseek-v3"), chips: 16_384)
        var fastResult: [TrainingRunResult] = [], fullResult: [TrainingRunResult] = []
        let fast = try timed(BenchmarkConfig(smoke: config.smoke, repetitions: config.smoke ? 1 : 3, warmups: config.smoke ? 0 : 1)) {
            fastResult = try run.compare(chips, scaling: true)
        }
        let full = try seconds { fullResult = try exhaustive(run).compare(chips, scaling: true) }
        var agree = fastResult.count == fullResult.count
        var searches: [TrainingEstimate] = []
        for (a, b) in zip(fastResult, fullResult) {
            if case let .success(ra) = a.outcome, case let .success(rb) = b.outcome {
                agree = agree && same(ra.nominal, rb.nominal) && zip(ra.cornerEstimates, rb.cornerEstimates).allSatisfy(same)
                searches += [ra.nominal] + ra.cornerEstimates
            }
            let pa = (a.scaling ?? []).map { "\($0.plan.map(\.description) ?? "-") \($0.tokensPerSecond.bitPattern)" }
            let pb = (b.scaling ?? []).map { "\($0.plan.map(\.description) ?? "-") \($0.tokensPerSecond.bitPattern)" }
            agree = agree && pa == pb
        }
        let rows = fastResult.reduce(0) { $0 + ($1.scaling?.count ?? 0) }
        let (ev, space) = efforts(searches)
        return [
            BenchmarkMeasurement(name: "exact.scaling.wallSeconds", value: fast.min, unit: "s", ratio: fast.min / scalingTargetSeconds,
                                 reference: "target <= \(formatQuantity(scalingTargetSeconds)) s",
                                 detail: "\(run.model.id) on \(run.chips) x br20x and h100 with corners + \(rows) scaling rows; min of \(fast.seconds.count) (median \(formatQuantity(fast.median)) s)"),
            BenchmarkMeasurement(name: "exact.scaling.vsFullEnumeration", value: full, unit: "s", ratio: fast.min / max(full, 1e-12),
                                 reference: "full enumeration, same run",
                                 detail: agree ? "same plans, step times and scaling rows bit for bit" : "DIFFERS from full enumeration"),
            BenchmarkMeasurement(name: "exact.scaling.searchEffort", value: Double(ev) / Double(max(1, space)), unit: "fraction",
                                 detail: effort(ev, space) + " over the \(searches.count) ranged searches at \(run.chips) chips"),
        ]
    }

    static func roadmapMeasurements(vendor: String, config: BenchmarkConfig) throws -> [BenchmarkMeasurement] {
        let catalog = try ChipCatalog.builtIn(), zoo = try ModelZoo.builtIn()
        let model = try zoo.model(config.smoke ? "llama3-8b" : "llama3-70b")
        let training = config.smoke ? TrainingRun(model: model, sequenceLength: 2048, globalBatch: 16, chips: 16) : TrainingRun(model: model)
        let inference = InferenceRun(model: model)
        let parts = try Roadmap.parts(vendor: vendor, in: catalog).map(\.id)
        let only = config.smoke ? Array(parts.prefix(2)) : nil
        var fastMap: Roadmap?, fullMap: Roadmap?
        let fast = try timed(BenchmarkConfig(smoke: config.smoke, repetitions: config.smoke ? 1 : 3, warmups: config.smoke ? 0 : 1)) {
            let ws = RoadmapWorkload.estimatorDefaults(model: model, training: training, inference: inference)
            fastMap = try Roadmap.build(vendor: vendor, catalog: catalog, workloads: ws, only: only)
        }
        let full = try seconds {
            let ws = RoadmapWorkload.estimatorDefaults(model: model, training: exhaustive(training), inference: inference)
            fullMap = try Roadmap.build(vendor: vendor, catalog: catalog, workloads: ws, only: only)
        }
        func digest(_ r: Roadmap?) -> [String] {
            (r?.entries ?? []).flatMap { e in
                e.throughput.map { t in "\(e.chip.id) \(t.workload) " + ((try? t.value.get()).map { "\($0.low.bitPattern) \($0.nominal.bitPattern) \($0.high.bitPattern)" } ?? "n/a") }
                    + e.attributions.map { a in "\(e.chip.id) \(a.workload) " + a.steps.map { "\($0.metricAfter.bitPattern)" }.joined(separator: ",") }
            }
        }
        let agree = digest(fastMap) == digest(fullMap)
        let n = fastMap?.entries.count ?? 0
        return [
            BenchmarkMeasurement(name: "exact.roadmap.\(vendor).wallSeconds", value: fast.min, unit: "s", ratio: fast.min / roadmapTargetSeconds,
                                 reference: "target <= \(formatQuantity(roadmapTargetSeconds)) s",
                                 detail: "roadmap \(vendor): \(n) parts, training and inference at every corner, attribution; min of \(fast.seconds.count) (median \(formatQuantity(fast.median)) s)"),
            BenchmarkMeasurement(name: "exact.roadmap.\(vendor).vsFullEnumeration", value: full, unit: "s", ratio: fast.min / max(full, 1e-12),
                                 reference: "full enumeration, same run",
                                 detail: agree ? "same ranges and attribution shares bit for bit" : "DIFFERS from full enumeration"),
        ]
    }

    public static let roadmapCase = BenchmarkCase(
        name: "exact-roadmap",
        summary: "roadmap biren and roadmap nvidia with exact searches at every corner (target 1 s each), vs full enumeration"
    ) { config in
        try roadmapMeasurements(vendor: "biren", config: config) + roadmapMeasurements(vendor: "nvidia", config: config)
    }
}
