import ChipModelKit
import Foundation

/// Issue 16: the mixed-vendor planner on three groups, 1,024 chips (512 BR166 + 256 A100 + 256
/// Ascend 910B).
/// - `mixed.estimate.*`: what `chipmodel estimate --group br166:512 --group a100-sxm4-80gb:256
///   --group ascend-910b:256 --model llama3-70b` computes (the three alone baselines, the mixed
///   search over the whole plan space, and one full search per spec corner), target 2 s.
/// - `mixed.reference.*`: the fast exact search against the plain enumeration
///   (`MixedTrainingPlanner.referenceSearch`) on the same cluster, on a space the enumeration
///   can finish: 70B-wide layers, 12 of them, batch 128, TP 8, no CP, SP,
///   ZeRO 1, batch shares in quarters (every order, stage count, layer split, DP degree,
///   microbatch and partition still searched). Ratio = fast / reference; the detail says whether
///   both found the same step.
public enum MixedPlannerBenchmark {
    public static let targetSeconds = 2.0

    static func groups(smoke: Bool) throws -> [MixedGroupSpec] {
        let catalog = try ChipCatalog.builtIn()
        let counts = smoke ? [16, 8, 8] : [512, 256, 256]
        return try zip(["br166", "a100-sxm4-80gb", "ascend-910b"], counts).map { MixedGroupSpec(chip: try catalog.chip($0.0), count: $0.1) }
    }

    public static let `case` = BenchmarkCase(
        name: "mixed-planner",
        summary: "Mixed-vendor plan search, Llama-3-70B on 512 BR166 + 256 A100 + 256 Ascend 910B, target 2 s; fast search vs the plain enumeration"
    ) { config in
        let g = try groups(smoke: config.smoke)
        let llama = try ModelZoo.builtIn().model("llama3-70b")
        let seq = config.smoke ? 2048 : StandardRunDefaults.trainingSequenceLength
        let w = TrainingWorkload(model: llama, sequenceLength: seq, globalBatch: config.smoke ? 32 : StandardRunDefaults.trainingGlobalBatch(sequenceLength: seq),
                                 precision: .bf16)
        var estimate: MixedTrainingEstimate?
        var failure: Error?
        let t = BenchmarkTiming.measure(config) {
            do { estimate = try MixedTrainingEstimator.estimate(groups: g, workload: w) } catch { failure = error }
        }
        if let failure { throw failure }
        guard let e = estimate else { return [] }
        let what = g.map { "\($0.count) x \($0.chip.id)" }.joined(separator: " + ")
        var out = [
            BenchmarkMeasurement(name: "mixed.estimate.wallSeconds", value: t.min, unit: "s", ratio: t.min / targetSeconds,
                                 reference: "target <= \(formatQuantity(targetSeconds)) s",
                                 detail: "\(llama.id) on \(what), seq \(seq), batch \(w.globalBatch): alone baselines + mixed search + 2 spec corners; min of \(config.repetitions) (median \(formatQuantity(t.median)) s); \(e.mode.rawValue), \(formatQuantity(e.tokensPerSecond)) tokens/s, \(formatQuantity(e.speedupVsBestGroupAlone, decimals: 2))x best alone, \(formatQuantity(e.efficiencyVsSeparateJobs * 100, decimals: 1))% of separate jobs"),
            BenchmarkMeasurement(name: "mixed.search.seconds", value: e.searchSeconds, unit: "s",
                                 detail: "the nominal mixed search alone, \(e.evaluated) stage options"),
        ]
        // Fast vs reference on a space the enumeration finishes.
        let wide = ModelSpec(id: "llama3-70b-10l", name: "Llama-3-70B layers x 10", architecture: .llama, layers: config.smoke ? 4 : 12,
                             hidden: 8192, heads: 64, kvHeads: 8, ffnHidden: 28672, vocab: 128256)
        let rw = TrainingWorkload(model: wide, sequenceLength: seq, globalBatch: config.smoke ? 8 : 128, precision: .bf16)
        let space = MixedSearchSpace(constraints: PlanConstraints(tp: 8, cp: 1, sequenceParallel: true, zeroStage: 1),
                                     maxBatchUnits: 4)
        let cluster = MixedTrainingEstimator.cluster(g, fabric: InterGroupFabric())
        var fast: MixedSearchResult?, ref: MixedSearchResult?
        let tf = BenchmarkTiming.measure(config) { fast = try? MixedTrainingPlanner.search(cluster, workload: rw, space: space) }
        let tr = BenchmarkTiming.measure(BenchmarkConfig(smoke: config.smoke, repetitions: 1, warmups: 0)) {
            ref = try? MixedTrainingPlanner.referenceSearch(cluster, workload: rw, space: space)
        }
        let a = fast?.plan?.stepSeconds, b = ref?.plan?.stepSeconds
        let same = a != nil && b != nil && abs(a! - b!) <= 1e-9 * b!
        out.append(BenchmarkMeasurement(name: "mixed.reference.wallSeconds", value: tr.min, unit: "s",
                                        detail: "plain enumeration, \(wide.layers) 70B-wide layers, batch \(rw.globalBatch), TP8 CP1 SP ZeRO-1 (recompute searched), quarter shares"))
        out.append(BenchmarkMeasurement(name: "mixed.reference.fastWallSeconds", value: tf.min, unit: "s", ratio: tf.min / max(tr.min, 1e-12),
                                        reference: "mixed.reference.wallSeconds",
                                        detail: same ? "same best step \(formatQuantity(a!)) s" : "best step DIFFERS: fast \(a.map { formatQuantity($0) } ?? "none"), reference \(b.map { formatQuantity($0) } ?? "none")"))
        return out
    }
}
