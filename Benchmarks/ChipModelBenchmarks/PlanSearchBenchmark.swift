import ChipModelCLI
import ChipModelKit
import Foundation

/// Measurements 2 and 3 of issue 8: the exhaustive training plan search (`TrainingSearch.run`
/// with `Options.exhaustive`: full enumeration, the reference `chipmodel estimate`'s branch and
/// bound is checked against; `ExactSearchBenchmark` times branch and bound) on three cluster
/// cases, and the peak resident memory of the GPT-3 search.
///
/// Timed per repetition: building the `TrainingCostModel` plus `TrainingSearch.run` (what
/// `TrainingEstimator.estimate` does before re-evaluating the best plan), all threads (one
/// worker per active processor). The space searched is every valid combination of TP (divisors
/// of the head count dividing the cluster) x CP {1,2,4,8,16} x PP (divisors, <= layers) x DP
/// (the rest) x EP (MoE: divisors of the expert count dividing DP) x microbatch (divisors of the
/// per-rank batch) x virtual stages x recompute {none, selective, full} x ZeRO 0-3 x sequence
/// parallelism x overlap of DP / parameter all-gather / TP / PP communication;
/// `candidatesEvaluated` counts every candidate execution the step-time kernel evaluated.
public enum PlanSearchBenchmark {
    public struct Setup: Sendable {
        public var name: String
        public var model: String
        public var chip: String
        public var chips: Int
        public var sequenceLength: Int
        public var globalBatch: Int
        public var precision: NumberFormat
        public var note: String
    }

    /// The target of issue 8 for the GPT-3 case (wall seconds).
    public static let targetSeconds = 2.0
    /// Peak resident memory target of the GPT-3 search (bytes).
    public static let memoryTargetBytes = 200e6

    public static let gpt3 = Setup(name: "gpt3-175b.a100x1024", model: "gpt3-175b", chip: "a100-sxm4-80gb", chips: 1024,
                                   sequenceLength: 2048, globalBatch: 1536, precision: .bf16,
                                   note: "Narayanan et al. 2021 / Calculon (Isaev et al. SC23) case")
    /// Llama-3-70B on BR166: the `chipmodel estimate` default workload (seq 8192, 4 Mi tokens per step).
    public static let llama = Setup(name: "llama3-70b.br166x1024", model: "llama3-70b", chip: "br166", chips: 1024,
                                    sequenceLength: 8192, globalBatch: 512, precision: .bf16,
                                    note: "estimate's default workload")
    /// DeepSeek-V3 as trained (DeepSeek-AI 2024, arXiv 2412.19437 section 4.2 and 3.3: 2,048 H800,
    /// FP8 mixed precision, sequence 4K, batch size up to 15,360 sequences).
    public static let deepseek = Setup(name: "deepseek-v3.h800x2048", model: "deepseek-v3", chip: "h800-sxm5-80gb", chips: 2048,
                                       sequenceLength: 4096, globalBatch: 15360, precision: .fp8,
                                       note: "DeepSeek-V3 report: 2,048 H800, FP8, seq 4K, batch 15,360")

    /// Tiny stand-ins for the smoke test (same model and chip, a 16-chip cluster).
    static func smoke(_ s: Setup) -> Setup {
        var t = s
        t.chips = 16
        t.globalBatch = 16
        t.sequenceLength = min(s.sequenceLength, 2048)
        return t
    }

    public static let gpt3Case = BenchmarkCase(
        name: "search-gpt3",
        summary: "Exhaustive plan search, GPT-3 175B on 1,024 A100 (seq 2048, batch 1536), target 2 s; peak RSS, target 200 MB"
    ) { config in
        try measure(config.smoke ? smoke(gpt3) : gpt3, config: config, memory: true, singleThread: true)
    }

    public static let otherCase = BenchmarkCase(
        name: "search-llama-deepseek",
        summary: "The same search for Llama-3-70B on 1,024 BR166 and DeepSeek-V3 (FP8) on 2,048 H800"
    ) { config in
        try measure(config.smoke ? smoke(llama) : llama, config: config)
            + measure(config.smoke ? smoke(deepseek) : deepseek, config: config)
    }

    /// One timed search (cost model + search), all threads unless `threads` is given.
    static func search(_ s: Setup, model m: ModelSpec, chip: Chip, threads: Int? = nil) throws -> TrainingSearchResult {
        let workload = TrainingWorkload(model: m, sequenceLength: s.sequenceLength, globalBatch: s.globalBatch, precision: s.precision)
        let cm = try TrainingCostModel(workload: workload, cluster: Cluster(chip: ChipParameters(chip: chip), count: s.chips))
        var options = TrainingSearch.Options()
        options.exhaustive = true
        if let threads { options.threads = threads }
        return TrainingSearch.run(cm, constraints: PlanConstraints(), options: options)
    }

    static func measure(_ s: Setup, config: BenchmarkConfig, memory: Bool = false, singleThread: Bool = false) throws
        -> [BenchmarkMeasurement] {
        let m = try ModelZoo.builtIn().model(s.model)
        let chip = try ChipCatalog.builtIn().chip(s.chip)
        let prefix = "search.\(s.name)"
        // Peak RSS of the search alone: reset the high-water mark (Linux clear_refs 5) before
        // the first search so earlier cases in this process do not count; `--case search-gpt3`
        // in a fresh process gives the same figure without relying on the reset.
        let before = memory ? ResidentMemory.read() : nil
        let reset = memory ? ResidentMemory.resetPeak() : false
        var result: TrainingSearchResult?
        var failure: Error?
        let timing = BenchmarkTiming.measure(config) {
            do { result = try search(s, model: m, chip: chip) } catch { failure = error }
        }
        let after = memory ? ResidentMemory.read() : nil
        if let failure { throw failure }
        guard let r = result else { return [] }
        let best = r.best.map { "\($0.plan.description), step \(formatQuantity($0.stepSeconds)) s, \(formatQuantity($0.memoryBytes / 1e9)) GB/chip" }
            ?? "no plan fits"
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let what = "\(s.model) on \(s.chips) x \(s.chip), seq \(s.sequenceLength), batch \(s.globalBatch), \(s.precision.rawValue)"
        var out = [
            BenchmarkMeasurement(name: prefix + ".wallSeconds", value: timing.min, unit: "s",
                                 ratio: timing.min / targetSeconds, reference: "target <= \(formatQuantity(targetSeconds)) s",
                                 detail: "\(what); cost model + search, \(threads) threads, min of \(config.repetitions) (median \(formatQuantity(timing.median)) s); best: \(best)"),
            BenchmarkMeasurement(name: prefix + ".candidates", value: Double(r.candidatesEvaluated), unit: "candidates",
                                 detail: "\(r.feasible) fit in memory; space: TP x CP x PP x DP x EP x microbatch x virtual stages x recompute x ZeRO x SP x overlap(dp, ag, tp, pp)"),
            BenchmarkMeasurement(name: prefix + ".candidatesPerSecond", value: Double(r.candidatesEvaluated) / max(timing.min, 1e-12),
                                 unit: "candidates/s"),
        ]
        if singleThread {
            var r1: TrainingSearchResult?
            let t1 = BenchmarkTiming.measure(BenchmarkConfig(smoke: config.smoke, repetitions: max(1, config.repetitions / 2), warmups: 0)) {
                r1 = try? search(s, model: m, chip: chip, threads: 1)
            }
            let same = r1?.best == r.best && r1?.candidatesEvaluated == r.candidatesEvaluated
            out.append(BenchmarkMeasurement(name: prefix + ".threads1.wallSeconds", value: t1.min, unit: "s",
                                            ratio: t1.min / max(timing.min, 1e-12), reference: prefix + ".wallSeconds",
                                            detail: "one worker; ratio = speedup of \(threads) threads; "
                                                + (same ? "same best plan and count" : "DIFFERS from the threaded search")))
        }
        if let before, let after {
            let peak = Double(after.peakKB) * 1024
            out.append(BenchmarkMeasurement(
                name: prefix + ".peakResidentBytes", value: peak, unit: "bytes", ratio: peak / memoryTargetBytes,
                reference: "target < \(formatQuantity(memoryTargetBytes / 1e6)) MB",
                detail: "VmHWM after the searches \(formatQuantity(peak / 1e6)) MB (process total, incl. ~\(formatQuantity(Double(before.residentKB) * 1024 / 1e6)) MB resident before); "
                    + (reset ? "high-water mark reset before the search" : "high-water mark NOT reset (clear_refs unavailable): includes earlier cases")))
        }
        return out
    }
}

/// VmRSS / VmHWM of this process from /proc/self/status (Linux; nil elsewhere).
enum ResidentMemory {
    struct Reading { var residentKB: Int; var peakKB: Int }

    static func read() -> Reading? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        var rss: Int?, hwm: Int?
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2 else { continue }
            if parts[0] == "VmRSS:" { rss = Int(parts[1]) }
            if parts[0] == "VmHWM:" { hwm = Int(parts[1]) }
        }
        guard let rss, let hwm else { return nil }
        return Reading(residentKB: rss, peakKB: hwm)
    }

    /// Resets VmHWM to the current RSS (writes "5" to /proc/self/clear_refs, Linux >= 4.0).
    static func resetPeak() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        do { try h.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }
}
