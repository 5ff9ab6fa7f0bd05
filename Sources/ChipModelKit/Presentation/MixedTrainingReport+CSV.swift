/// The mixed estimate as CSV: one number per cell, one table with a `table` column: a `group`
/// row per kind of chip (its part of the plan) and one `mixed` row (the cluster's throughput,
/// its ranges, the comparison), each leaving the other's columns empty.
extension MixedTrainingReport {
    static let csvHeaders = ["table", "chip", "count", "chips_used", "pipeline", "stages", "layers", "tp", "cp", "dp", "microbatch",
                             "recompute", "zero_stage", "batch_share", "utilization_percent", "idle_seconds", "mfu_percent",
                             "memory_per_chip_gb", "alone_tokens_per_second",
                             "step_seconds", "tokens_per_second", "tokens_per_second_low", "tokens_per_second_high",
                             "tokens_per_second_model_low", "tokens_per_second_model_high", "speedup_vs_best_group_alone",
                             "efficiency_vs_separate_jobs", "separate_jobs_tokens_per_second", "days"]

    public static func csv(_ e: MixedTrainingEstimate) -> String {
        var t = TextTable(headers: csvHeaders)
        let blankMixed = [String](repeating: "", count: 10)
        for g in e.groups {
            let used = g.chipsUsed > 0
            func n(_ x: Double) -> String { used ? csvNumber(x) : "" }
            t.add(["group", g.chipID, "\(g.count)", "\(g.chipsUsed)", g.pipeline.map { "\($0 + 1)" } ?? "",
                   used ? "\(g.stages)" : "", used ? "\(g.layers)" : "", used ? "\(g.tp)" : "", used ? "\(g.cp)" : "", used ? "\(g.dp)" : "",
                   used ? "\(g.microBatch)" : "", used ? g.recompute.rawValue : "", used ? "\(g.zeroStage)" : "", used ? "\(g.batchShare)" : "",
                   n(g.utilization * 100), n(g.idleSeconds), n(g.mfu * 100), n(g.memoryPerChipBytes / 1e9),
                   csvNumber(g.alone?.tokensPerSecond)] + blankMixed)
        }
        let truth = e.tokensPerSecondWithModelError
        t.add(["mixed", "", "\(e.groups.reduce(0) { $0 + $1.count })", "\(e.groups.reduce(0) { $0 + $1.chipsUsed })"]
              + [String](repeating: "", count: 15)
              + [csvNumber(e.stepSeconds), csvNumber(e.tokensPerSecond), csvNumber(e.tokensPerSecondLow ?? e.tokensPerSecond),
                 csvNumber(e.tokensPerSecondHigh ?? e.tokensPerSecond), csvNumber(truth.low), csvNumber(truth.high),
                 csvNumber(e.speedupVsBestGroupAlone), csvNumber(e.efficiencyVsSeparateJobs), csvNumber(e.separateJobsTokensPerSecond),
                 csvNumber(e.days)])
        return t.renderCSV()
    }
}
