/// The mixed-vendor training estimate `chipmodel estimate --group ...` prints: one row per
/// group (its part of the plan, how busy it is, its memory, what it would do alone), the
/// comparison, and the explanation of the split.
public enum MixedTrainingReport {
    public static func render(_ e: MixedTrainingEstimate, format: OutputFormat,
                              energy: Result<MixedEnergyEstimate, PowerInputError>? = nil, goodput: TrainingGoodput? = nil) -> String {
        switch format {
        case .json:
            let extra = (energy.map(MixedPowerCostReport.json) ?? []) + (goodput.map { [("goodput", GoodputReport.json($0))] } ?? [])
            return JSONValue.object([("estimates", .array([.object(json(e) + extra)]))]).serialized() + "\n"
        case .csv:
            return csv(e)
        case .table:
            var out = header(e) + "\n" + table(e).renderText()
            out += summary(e) + "\n"
            if let energy { out += MixedPowerCostReport.line(energy, tokenBudget: e.workload.tokenBudget) + "\n" }
            if let goodput { out += GoodputReport.summary(goodput) + "\n" }
            out += MixedTrainingEstimator.explain(e).map { "  " + $0 }.joined(separator: "\n") + "\n"
            return out
        }
    }

    static func header(_ e: MixedTrainingEstimate) -> String {
        let w = e.workload
        return "Training \(w.model.name) on \(e.groups.reduce(0) { $0 + $1.count }) chips in \(e.groups.count) groups: seq \(w.sequenceLength), global batch \(w.globalBatch) sequences, \(w.precision.rawValue), days for \(formatQuantity(w.tokenBudget / 1e12)) T tokens"
    }

    static func summary(_ e: MixedTrainingEstimate) -> String {
        var range = ""
        let truth = e.tokensPerSecondWithModelError
        let model = "\(formatQuantity(truth.low))-\(formatQuantity(truth.high)) with model error"
        if let lo = e.tokensPerSecondLow, let hi = e.tokensPerSecondHigh {
            range = " (\(formatQuantity(lo))-\(formatQuantity(hi)) spec; \(model))"
        } else {
            range = " (\(model))"
        }
        let best = e.bestAloneGroup.map { e.groups[$0].chipID } ?? "none"
        return "mixed (\(e.mode.rawValue)): step \(formatQuantity(e.stepSeconds)) s, \(formatQuantity(e.tokensPerSecond)) tokens/s\(range), "
            + "\(formatQuantity(e.speedupVsBestGroupAlone, decimals: 2))x the best group alone (\(best), \(formatQuantity(e.bestAloneTokensPerSecond))), "
            + "\(formatQuantity(e.efficiencyVsSeparateJobs * 100, decimals: 1))% of the separate jobs (\(formatQuantity(e.separateJobsTokensPerSecond))); days \(formatQuantity(e.days))"
    }

    public static func table(_ e: MixedTrainingEstimate) -> TextTable {
        var t = TextTable(headers: ["group", "chips used", "cluster", "stages", "layers", "TP", "CP", "DP", "mb", "recompute", "ZeRO",
                                    "busy", "idle s", "MFU", "mem GB", "alone tokens/s"])
        for g in e.groups {
            let alone = g.alone.map { formatQuantity($0.tokensPerSecond) } ?? "no plan"
            guard g.chipsUsed > 0 else {
                t.add([g.chipID, "0 of \(g.count)", "idle", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", alone])
                continue
            }
            t.add([g.chipID, "\(g.chipsUsed) of \(g.count)", g.pipeline.map { "\($0 + 1)" } ?? "-", "\(g.stages)", "\(g.layers)",
                   "\(g.tp)", "\(g.cp)", "\(g.dp)", "\(g.microBatch)", g.recompute.rawValue, "\(g.zeroStage)",
                   formatQuantity(g.utilization * 100, decimals: 1) + "%", formatQuantity(g.idleSeconds),
                   formatQuantity(g.mfu * 100, decimals: 1) + "%", formatQuantity(g.memoryPerChipBytes / 1e9), alone])
        }
        return t
    }

    /// The estimate as JSON members.
    public static func json(_ e: MixedTrainingEstimate) -> [(String, JSONValue)] {
        let w = e.workload
        var members: [(String, JSONValue)] = [
            ("kind", .string("mixed")), ("model", .string(w.model.id)), ("feasible", .bool(true)),
            ("chips", .int(e.groups.reduce(0) { $0 + $1.count })),
            ("sequenceLength", .int(w.sequenceLength)), ("globalBatch", .int(w.globalBatch)), ("precision", .string(w.precision.rawValue)),
            ("mode", .string(e.mode.rawValue)), ("stepTimeSeconds", .num(e.stepSeconds)), ("tokensPerSecond", .num(e.tokensPerSecond)),
        ]
        if let lo = e.tokensPerSecondLow, let hi = e.tokensPerSecondHigh {
            members.append(("range", .object([("policy", .string("spec corners (every group at the corner), each with its own plan search")),
                                              ("tokensPerSecondLow", .num(lo)), ("tokensPerSecondHigh", .num(hi))])))
        }
        let band = e.modelErrorBand, truth = e.tokensPerSecondWithModelError
        members.append(("modelErrorBand", .object([("low", .num(band.low)), ("high", .num(band.high)), ("basis", .string(band.basis)),
                                                   ("cases", .int(band.cases)), ("tokensPerSecondLow", .num(truth.low)),
                                                   ("tokensPerSecondHigh", .num(truth.high))])))
        members += [
            ("speedupVsBestGroupAlone", .num(e.speedupVsBestGroupAlone)),
            ("efficiencyVsSeparateJobs", .num(e.efficiencyVsSeparateJobs)),
            ("bestAloneGroup", e.bestAloneGroup.map { .string(e.groups[$0].chipID) } ?? .null),
            ("bestAloneTokensPerSecond", .num(e.bestAloneTokensPerSecond)),
            ("separateJobsTokensPerSecond", .num(e.separateJobsTokensPerSecond)),
            ("tokenBudget", .num(w.tokenBudget)), ("days", .num(e.days)),
            ("fabric", .object([("sustainedGBps", .num(e.fabric.bytesPerSecond / 1e9)), ("latencyUs", .num(e.fabric.latencySeconds * 1e6)),
                                ("transport", .string(e.fabric.transport.rawValue)), ("note", .string(e.fabric.note))])),
            ("groups", .array(e.groups.map { .object(groupJSON($0)) })),
            ("pipelines", .array((e.plan?.pipelines ?? []).map { p in
                .object([("groups", .array(p.parts.map { .string(e.groups[$0.group].chipID) })), ("batch", .int(p.batch)),
                         ("dataParallel", .int(p.dataParallel)), ("microBatch", .int(p.microBatch)),
                         ("virtualStages", .int(p.virtualStages)), ("microbatches", .int(p.microbatches)), ("chips", .int(p.chips)),
                         ("stepTimeSeconds", .num(p.stepSeconds)),
                         ("breakdown", .object([("steadySeconds", .num(p.step.steadySeconds)), ("fillDrainSeconds", .num(p.step.fillDrainSeconds)),
                                                ("p2pSeconds", .num(p.step.p2pSeconds)), ("interGroupP2PSeconds", .num(p.step.interGroupP2PSeconds)),
                                                ("tailSeconds", .num(p.step.tailSeconds)), ("overheadSeconds", .num(p.step.overheadSeconds)),
                                                ("crossClusterReduceSeconds", .num(p.step.crossClusterSeconds))]))])
            })),
            ("stageOptionsEvaluated", .int(e.evaluated)), ("searchSeconds", .num(e.searchSeconds)),
            ("explanation", .array(MixedTrainingEstimator.explain(e).map { .string($0) })),
        ]
        return members
    }

    static func groupJSON(_ g: MixedGroupReport) -> [(String, JSONValue)] {
        [("chip", .string(g.chipID)), ("count", .int(g.count)), ("chipsUsed", .int(g.chipsUsed)), ("idleChips", .int(g.idleChips)),
         ("pipeline", .int(g.pipeline)), ("firstStage", .int(g.chipsUsed > 0 ? g.firstStage : nil)), ("layers", .int(g.layers)),
         ("stages", .int(g.stages)), ("stageLayers", .int(g.stageLayers)), ("tp", .int(g.tp)), ("cp", .int(g.cp)), ("dp", .int(g.dp)),
         ("microBatch", .int(g.microBatch)), ("sequenceParallel", .bool(g.sequenceParallel)), ("recompute", .string(g.recompute.rawValue)),
         ("zeroStage", .int(g.zeroStage)), ("batchShare", .int(g.batchShare)), ("microbatchSeconds", .num(g.microbatchSeconds)),
         ("busySeconds", .num(g.busySeconds)), ("tailSeconds", .num(g.tailSeconds)), ("crossClusterReduceSeconds", .num(g.crossClusterSeconds)),
         ("overheadSeconds", .num(g.overheadSeconds)), ("idleSeconds", .num(g.idleSeconds)), ("utilization", .num(g.utilization)),
         ("mfu", .num(g.mfu)), ("memoryPerChipGB", .num(g.memoryPerChipBytes / 1e9)), ("usableMemoryPerChipGB", .num(g.usableMemoryBytes / 1e9)),
         ("aloneTokensPerSecond", .num(g.alone?.tokensPerSecond)), ("alonePlan", g.alone.map { .string($0.plan.description) } ?? .null),
         ("aloneProblem", .str(g.aloneProblem)), ("calibrated", .bool(g.calibrated))]
    }
}
