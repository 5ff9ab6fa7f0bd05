import ChipModelKit
import Foundation

/// Issue 19, inference: the LLM serving layout and batch search by branch and bound
/// (`LLMLayoutSearch`) against full enumeration of the layouts in the same process, on the
/// repeated searches a user waits for: Monte Carlo samples of a roadmap part's ranged specs,
/// each with its own exact search. Every sample's full-enumeration answer must equal branch
/// and bound's bit for bit. The search effort is the share of layouts (and layout x batch
/// points) evaluated in full.
public enum InferenceSearchBenchmark {
    struct Workload {
        var label: String
        var chip: String
        var run: InferenceRun
    }

    static func same(_ a: InferenceEstimate, _ b: InferenceEstimate) -> Bool {
        a.plan == b.plan && a.tokensPerSecond?.bitPattern == b.tokensPerSecond?.bitPattern
            && a.tpotMs?.bitPattern == b.tpotMs?.bitPattern && a.ttftMs?.bitPattern == b.ttftMs?.bitPattern
    }

    public static let `case` = BenchmarkCase(
        name: "exact-inference",
        summary: "1,000 Monte Carlo samples of BR20X serving DeepSeek-V3 on 160 chips and Llama-3-70B on 64 chips under a 50 ms TPOT bound, an exact layout/batch search each, vs full enumeration"
    ) { config in
        let zoo = try ModelZoo.builtIn(), catalog = try ChipCatalog.builtIn()
        let samples = config.smoke ? 4 : 1000
        var workloads: [Workload] = []
        workloads.append(Workload(label: "deepseek-v3", chip: "br20x",
                                  run: InferenceRun(model: try zoo.model(config.smoke ? "qwen3-30b-a3b" : "deepseek-v3"), chips: config.smoke ? 8 : 160)))
        workloads.append(Workload(label: "llama3-70b-tpot50", chip: "br20x",
                                  run: InferenceRun(model: try zoo.model(config.smoke ? "llama3-8b" : "llama3-70b"), tpotBoundMs: 50, chips: config.smoke ? 8 : 64)))
        var out: [BenchmarkMeasurement] = []
        for wl in workloads {
            let chip = try catalog.chip(wl.chip)
            let policy = RangePolicy.monteCarlo(samples: samples, seed: 19)
            var result: RangedEstimate<InferenceEstimate>?
            let fast = try ExactSearchBenchmark.timed(BenchmarkConfig(smoke: config.smoke, repetitions: config.smoke ? 1 : 3, warmups: config.smoke ? 0 : 1)) {
                result = try wl.run.ranged(chip, policy: policy)
            }
            guard let r = result else { continue }
            var full = wl.run
            full.exhaustiveSearch = true
            var reference: RangedEstimate<InferenceEstimate>?
            let ref = try ExactSearchBenchmark.timed(BenchmarkConfig(smoke: config.smoke, repetitions: config.smoke ? 1 : 3, warmups: 0)) {
                reference = try full.ranged(chip, policy: policy)
            }
            let fastAll = [r.nominal] + r.cornerEstimates + r.samples
            let refAll = reference.map { [$0.nominal] + $0.cornerEstimates + $0.samples } ?? []
            let agree = fastAll.count == refAll.count && zip(fastAll, refAll).allSatisfy { same($0, $1) }
            let efforts = fastAll.compactMap(\.search)
            let layouts = efforts.reduce(0) { $0 + $1.layouts }, evaluated = efforts.reduce(0) { $0 + $1.layoutsEvaluated }
            let points = efforts.reduce(0) { $0 + $1.points }, pointsEvaluated = efforts.reduce(0) { $0 + $1.pointsEvaluated }
            let prefix = "exact.inference.\(wl.label)"
            let what = "\(wl.run.model.id) on \(wl.run.chips) x \(wl.chip), \(wl.run.scenario.rawValue)\(wl.run.tpotBoundMs.map { ", TPOT <= \(formatQuantity($0)) ms" } ?? ""), \(samples) samples + nominal + \(r.corners.count) corners"
            out.append(BenchmarkMeasurement(name: prefix + ".wallSeconds", value: fast.min, unit: "s",
                                            detail: "\(what); branch and bound, samples in parallel; min of \(fast.seconds.count) (median \(formatQuantity(fast.median)) s)"))
            out.append(BenchmarkMeasurement(name: prefix + ".vsFullEnumeration", value: ref.min, unit: "s", ratio: fast.min / max(ref.min, 1e-12),
                                            reference: "full enumeration of the layouts, same samples, same process, min of \(ref.seconds.count)",
                                            detail: "ratio = branch-and-bound time / full enumeration; " + (agree ? "same plans, throughput and latencies bit for bit" : "DIFFERS from full enumeration")))
            out.append(BenchmarkMeasurement(name: prefix + ".searchEffort", value: Double(evaluated) / Double(max(1, layouts)), unit: "fraction",
                                            detail: "\(evaluated) of \(layouts) layouts and \(pointsEvaluated) of \(points) layout x batch points evaluated in full over \(efforts.count) searches"))
        }
        return out
    }
}
