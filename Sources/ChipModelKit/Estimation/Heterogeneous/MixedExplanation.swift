// Explanation lines of a mixed estimate: the split, why, and the comparison.

extension MixedTrainingEstimator {
    public static func explain(_ e: MixedTrainingEstimate) -> [String] {
        func ms(_ x: Double) -> String { formatQuantity(x * 1e3) + " ms" }
        func s(_ x: Double) -> String { formatQuantity(x) + " s" }
        func pct(_ x: Double) -> String { formatQuantity(x * 100) + "%" }
        func gbs(_ x: Double) -> String { formatQuantity(x / 1e9) }
        let w = e.workload
        var out: [String] = []
        let total = e.groups.reduce(0) { $0 + $1.count }
        out.append("\(w.model.name) on \(total) chips in \(e.groups.count) groups (\(e.groups.map { "\($0.count) x \($0.chipID)" }.joined(separator: " + "))), \(w.precision.rawValue), seq \(w.sequenceLength), global batch \(w.globalBatch)")
        out.append("mode: \(e.mode.rawValue); step \(s(e.stepSeconds)), \(formatQuantity(e.tokensPerSecond)) tokens/s"
                   + ((e.tokensPerSecondLow.map { lo in e.tokensPerSecondHigh.map { " (spec corners \(formatQuantity(lo))-\(formatQuantity($0)))" } ?? "" }) ?? ""))
        if let plan = e.plan {
            for (pi, pipe) in plan.pipelines.enumerated() {
                let chain = pipe.parts.map { "\(e.groups[$0.group].chipID) [\($0.metrics.stages) stage\($0.metrics.stages == 1 ? "" : "s"), \($0.layers) layers]" }
                    .joined(separator: " -> ")
                let head = plan.pipelines.count > 1 ? "cluster \(pi + 1) (\(pipe.batch) of \(w.globalBatch) sequences)" : "pipeline"
                out.append("\(head): \(chain); DP \(pipe.dataParallel), microbatch \(pipe.microBatch), \(pipe.microbatches) microbatch\(pipe.microbatches == 1 ? "" : "es") per step\(pipe.virtualStages > 1 ? ", \(pipe.virtualStages) virtual stages" : "")")
                let b = pipe.step
                out.append("  step \(s(b.total)) = steady \(ms(b.steadySeconds)) (m x slowest stage) + fill/drain \(ms(b.fillDrainSeconds)) + p2p \(ms(b.p2pSeconds)) (across groups \(ms(b.interGroupP2PSeconds))) + DP/optimizer \(ms(b.tailSeconds)) + overhead \(ms(b.overheadSeconds))" + (b.crossClusterSeconds > 0 ? "; the DP part includes the cross-cluster gradient all-reduce (\(ms(b.crossClusterSeconds)) before overlap with backward)" : ""))
            }
        } else if let h = e.homogeneous {
            out.append("plan: \(e.groups[h.group].chipID) alone, \(h.estimate.plan) (the homogeneous plan; no mixed plan is faster)")
        }
        for g in e.groups {
            if g.chipsUsed == 0 {
                let aloneText = g.alone.map { "alone it would do \(formatQuantity($0.tokensPerSecond)) tokens/s" } ?? "alone: \(g.aloneProblem ?? "no plan")"
                out.append("\(g.chipID): idle (every plan that uses it is slower; \(aloneText))")
                continue
            }
            out.append("\(g.chipID): \(g.chipsUsed) of \(g.count) chips\(g.idleChips > 0 ? " (\(g.idleChips) idle)" : ""); \(g.stages) stage\(g.stages == 1 ? "" : "s") x \(g.stageLayers) layers (\(g.layers) in all), TP\(g.tp)\(g.cp > 1 ? " CP\(g.cp)" : "")\(g.sequenceParallel ? " SP" : "") DP\(g.dp), recompute \(g.recompute.rawValue), ZeRO \(g.zeroStage); microbatch on its stage \(ms(g.microbatchSeconds)); busy \(pct(g.utilization)) of the step, idle \(ms(g.idleSeconds)); MFU \(pct(g.mfu)); memory \(gbs(g.memoryPerChipBytes)) of \(gbs(g.usableMemoryBytes)) GB per chip")
        }
        // Why this split.
        if let plan = e.plan {
            for pipe in plan.pipelines where pipe.parts.count > 1 {
                var after = pipe.parts.reduce(0) { $0 + $1.metrics.stages }
                var lines: [String] = []
                for part in pipe.parts {
                    let x = part.metrics, g = e.groups[part.group]
                    let inflight = min(pipe.microbatches, after)
                    after -= x.stages
                    lines.append("\(g.chipID) \(x.stages) x \(x.stageLayers) layers at \(ms(x.microbatchSeconds)) per microbatch (\(ms(x.microbatchSeconds / Double(x.stageLayers))) per layer), first stage \(inflight) microbatch\(inflight == 1 ? "" : "es") in flight, \(gbs(g.memoryPerChipBytes))/\(gbs(g.usableMemoryBytes)) GB")
                }
                out.append("why the layer split: layers go where a layer is cheap until the stages' microbatch times balance, within each group's memory; a stage holds min(m, stages from it to the end) microbatches in flight, so the order puts memory headroom first: " + lines.joined(separator: "; "))
            }
            if plan.pipelines.count > 1 {
                let shares = plan.pipelines.map { p in "\(p.parts.map { e.groups[$0.group].chipID }.joined(separator: "+")) \(p.batch)" }.joined(separator: ", ")
                let speeds = e.groups.compactMap { g in g.alone.map { "\(g.chipID) \(formatQuantity($0.tokensPerSecond))" } }.joined(separator: ", ")
                out.append("why the batch shares (\(shares) sequences): they equalize the clusters' steps (alone tokens/s: \(speeds)); shares are multiples of 1/16 of the batch and each cluster's DP x microbatch rounds its share up")
            }
        }
        let aloneList = e.groups.map { g in g.alone.map { "\(g.chipID) \(formatQuantity($0.tokensPerSecond)) (\($0.plan))" } ?? "\(g.chipID): none" }
        out.append("alone (homogeneous estimate, whole batch): " + aloneList.joined(separator: "; "))
        out.append("separate jobs: \(formatQuantity(e.separateJobsTokensPerSecond)) tokens/s in all; mixed: \(formatQuantity(e.tokensPerSecond)) = \(formatQuantity(e.speedupVsBestGroupAlone, decimals: 2))x the best group alone, \(pct(e.efficiencyVsSeparateJobs)) of the separate jobs (one job splits one batch: fewer microbatches per pipeline than each job alone)")
        out.append(e.fabric.note)
        for g in e.groups where !g.calibrated {
            out.append("calibration: \(g.chipID): \(g.calibrationProvenance)")
        }
        out.append("search: \(e.evaluated) stage options in \(formatQuantity(e.searchSeconds * 1e3)) ms (exact: bounds and dominance only)")
        return out
    }
}
