// The mixed-vendor training estimator: the door from groups of catalog chips to a
// `MixedTrainingEstimate` (plan search, the alone baselines, spec corners, explanation).

/// A group as the user names it: a catalog chip, a count, a scale-up domain.
public struct MixedGroupSpec: Sendable {
    public var chip: Chip
    public var count: Int
    public var scaleUpDomain: Int?
    public var calibration: FamilyCalibration?

    public init(chip: Chip, count: Int, scaleUpDomain: Int? = nil, calibration: FamilyCalibration? = nil) {
        self.chip = chip
        self.count = count
        self.scaleUpDomain = scaleUpDomain
        self.calibration = calibration
    }
}

/// No plan at all: every group alone and every mixed plan fails, with each group's reason.
public struct MixedInfeasibleError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

public enum MixedTrainingEstimator {
    /// The cluster of `groups` at one spec corner.
    public static func cluster(_ groups: [MixedGroupSpec], fabric: InterGroupFabric, corner: Corner = .nominal) -> MixedCluster {
        MixedCluster(groups: groups.map {
            ChipGroup(chip: ChipParameters(chip: $0.chip, corner: corner), count: $0.count, scaleUpDomain: $0.scaleUpDomain,
                      calibration: $0.calibration)
        }, fabric: fabric)
    }

    /// Estimates training `workload` on `groups` joined by `fabric`. `constraints` fix TP, CP,
    /// SP, recompute, ZeRO or the microbatch for every group (and the DP degree of every pipeline).
    public static func estimate(groups: [MixedGroupSpec], fabric: InterGroupFabric = InterGroupFabric(),
                                workload w: TrainingWorkload, constraints: PlanConstraints = PlanConstraints(),
                                space: MixedSearchSpace? = nil) throws -> MixedTrainingEstimate {
        guard !groups.isEmpty else { throw MixedInfeasibleError(message: "a mixed cluster needs at least one group") }
        for g in groups where g.count < 1 {
            throw MixedInfeasibleError(message: "group \(g.chip.id) has \(g.count) chips; a group needs at least 1")
        }
        if let pp = constraints.pp {
            throw MixedInfeasibleError(message: "pp \(pp): the pipeline depth of a mixed plan is searched per group; drop it")
        }
        if let v = constraints.virtualStages, v > 1 {
            throw MixedInfeasibleError(message: "virtual stages \(v): interleaving is modeled only for a group alone; drop it")
        }
        if let ep = constraints.ep, ep > 1 {
            throw MixedInfeasibleError(message: "ep \(ep): expert parallelism is not searched in mixed plans")
        }
        var space = space ?? MixedSearchSpace()
        space.constraints = constraints
        // 1. Each group alone on the whole batch: the homogeneous estimator (what
        //    `estimate --chip X --chips N` reports).
        var aloneConstraints = constraints
        aloneConstraints.dp = nil
        let aloneInputs = aloneConstraints
        // Every group alone at the nominal specs and, when any spec is ranged, at both corners:
        // independent searches, one per core; each finished nominal one is a unit of progress.
        let sink = ProgressSink.current
        let ranged = groups.contains { $0.chip.hasRanges }
        let corners: [Corner] = ranged ? [.nominal, .low, .high] : [.nominal]
        let jobs = corners.flatMap { c in groups.indices.map { AloneJob(corner: c, group: $0) } }
        let aloneAll: [Result<TrainingEstimate, any Error>] = parallelMap(jobs) { job in
            defer { if job.corner == .nominal { sink?.report() } }
            let g = groups[job.group]
            return Result {
                try TrainingEstimator.estimate(w, on: Cluster(chip: ChipParameters(chip: g.chip, corner: job.corner), count: g.count,
                                                              scaleUpDomain: g.scaleUpDomain),
                                               constraints: aloneInputs, options: .init(calibration: g.calibration))
            }
        }
        func aloneAt(_ c: Corner) -> [TrainingEstimate?] {
            let k = corners.firstIndex(of: c) ?? 0
            return aloneAll[(k * groups.count)..<((k + 1) * groups.count)].map { try? $0.get() }
        }
        let alone = aloneAt(.nominal)
        let problems: [String?] = aloneAll.prefix(groups.count).map { r in
            if case .failure(let error) = r { return "\(error)" }
            return nil
        }
        func bestAloneStep(_ c: Corner) -> Double? { aloneAt(c).compactMap { $0?.stepSeconds }.min() }
        let bestAlone = alone.indices.filter { alone[$0] != nil }.min { alone[$0]!.stepSeconds < alone[$1]!.stepSeconds }
        // 2. The mixed search at the nominal specs and at each corner (every group alone is in
        //    its space too, on at most its chips), each seeded with the best group alone at its
        //    specs and each exact below that: a thread each, so the three share both cores.
        let searchSpace = space
        let seeds = corners.map { (bestAloneStep($0) ?? .infinity) * (1 + 1e-9) }
        let searches: [Result<MixedSearchResult, any Error>] = concurrentMap(Array(zip(corners, seeds))) { c, seed in
            defer { sink?.report() }
            return Result {
                try MixedTrainingPlanner.search(cluster(groups, fabric: fabric, corner: c), workload: w, space: searchSpace, incumbent: seed)
            }
        }
        let result = try searches[0].get()
        let nominal = cluster(groups, fabric: fabric)
        let (models, resolved) = try MixedTrainingPlanner.prepare(nominal, workload: w)
        let tokens = w.tokensPerStep
        let aloneTPS = alone.map { $0?.tokensPerSecond ?? 0 }
        let separate = aloneTPS.reduce(0, +)
        let bestAloneTPS = aloneTPS.max() ?? 0
        var reports: [MixedGroupReport] = groups.indices.map { i in
            let cal = models[i].model.calibration
            return MixedGroupReport(chipID: groups[i].chip.id, count: groups[i].count, chipsUsed: 0, pipeline: nil, firstStage: 0,
                                    layers: 0, stages: 0, stageLayers: 0, tp: 0, cp: 0, dp: 0, microBatch: 0, sequenceParallel: false,
                                    recompute: .none, zeroStage: 0, batchShare: 0, microbatchSeconds: 0, busySeconds: 0,
                                    tailSeconds: 0, crossClusterSeconds: 0, overheadSeconds: 0, idleSeconds: 0, utilization: 0,
                                    mfu: 0, memoryPerChipBytes: 0, usableMemoryBytes: models[i].capacityBytes, alone: alone[i],
                                    aloneProblem: problems[i], calibrationProvenance: cal.provenance,
                                    calibrated: Calibration.isCalibrated(groups[i].chip.family))
        }
        let mode: MixedMode, step: Double
        var low: Double?, high: Double?
        if let plan = result.plan {
            step = plan.stepSeconds
            fill(&reports, plan: plan, models: models, workload: w)
            let multi = plan.pipelines.contains { $0.parts.count > 1 }
            mode = plan.pipelines.count == 1 ? (multi ? .pipeline : .singleGroup) : (multi ? .pipelineAndDataParallel : .dataParallel)
            // Spec corners (every group at the corner): each corner got its own full search (the
            // ranges policy of every estimator); a corner is the faster of its best mixed plan
            // and its best group alone, as the nominal is.
            if ranged {
                for (k, c) in corners.enumerated() where c != .nominal {
                    let found = try searches[k].get().plan?.stepSeconds
                    let s = min(found ?? .infinity, bestAloneStep(c) ?? .infinity)
                    guard s.isFinite else { continue }
                    if c == .low { low = tokens / s } else { high = tokens / s }
                }
            }
        } else if let i = bestAlone, let e = alone[i] {
            step = e.stepSeconds
            mode = .singleGroup
            fillHomogeneous(&reports[i], e)
            let g = groups[i]
            if g.chip.hasRanges {
                low = aloneAt(.low)[i]?.tokensPerSecond
                high = aloneAt(.high)[i]?.tokensPerSecond
            }
        } else {
            let why = groups.indices.map { "\(groups[$0].chip.id) x \(groups[$0].count): \(problems[$0] ?? "no plan")" }
            throw MixedInfeasibleError(message: "no plan for \(w.model.name) on the mixed cluster: no mixed plan fits, and alone: "
                                       + why.joined(separator: "; "))
        }
        let tps = tokens / step
        return MixedTrainingEstimate(
            workload: w, groups: reports, mode: mode, plan: result.plan,
            homogeneous: result.plan == nil ? bestAlone.map { ($0, alone[$0]!) } : nil,
            stepSeconds: step, tokensPerSecond: tps, bestAloneGroup: bestAlone, bestAloneTokensPerSecond: bestAloneTPS,
            separateJobsTokensPerSecond: separate, speedupVsBestGroupAlone: bestAloneTPS > 0 ? tps / bestAloneTPS : .infinity,
            efficiencyVsSeparateJobs: separate > 0 ? tps / separate : .infinity, tokensPerSecondLow: low, tokensPerSecondHigh: high,
            fabric: resolved, evaluated: result.evaluated, searchSeconds: result.searchSeconds)
    }

    /// Per-group numbers of a mixed plan.
    static func fill(_ reports: inout [MixedGroupReport], plan: MixedPlan, models: [GroupStageModel], workload w: TrainingWorkload) {
        let memory = MixedTrainingPlanner.memory(plan, models: models)
        let step = plan.stepSeconds
        let L = Double(w.model.layers)
        for (pi, pipe) in plan.pipelines.enumerated() {
            var stage = 0
            let flopsPerSequence = 3 * w.model.forwardFlopsPerToken(sequence: w.sequenceLength) * Double(w.sequenceLength)
            for (k, part) in pipe.parts.enumerated() {
                let s = part.metrics
                var r = reports[part.group]
                r.chipsUsed = pipe.chips(of: part)
                r.pipeline = pi
                r.firstStage = stage
                stage += s.stages
                r.layers = part.layers
                r.stages = s.stages
                r.stageLayers = s.stageLayers
                r.tp = s.tp
                r.cp = s.cp
                r.dp = pipe.dataParallel
                r.microBatch = pipe.microBatch
                r.sequenceParallel = s.sequenceParallel
                r.recompute = s.recompute
                r.zeroStage = s.zeroStage
                r.batchShare = pipe.batch
                r.microbatchSeconds = s.microbatchSeconds
                r.busySeconds = Double(pipe.microbatches) * s.microbatchSeconds
                r.tailSeconds = s.tailSeconds
                r.crossClusterSeconds = s.crossClusterSeconds
                r.overheadSeconds = s.overheadSeconds
                let idle = step - r.busySeconds - r.tailSeconds - r.overheadSeconds
                r.idleSeconds = idle > 1e-9 * step ? idle : 0
                r.utilization = r.busySeconds / step
                let flops = flopsPerSequence * Double(pipe.batch) * Double(part.layers) / L
                r.mfu = flops / (step * Double(r.chipsUsed) * models[part.group].model.device.peakFlops)
                r.memoryPerChipBytes = memory[pi][k].needed
                r.usableMemoryBytes = memory[pi][k].usable
                reports[part.group] = r
            }
        }
    }

    /// Per-group numbers when the best is a group alone with a homogeneous plan.
    static func fillHomogeneous(_ r: inout MixedGroupReport, _ e: TrainingEstimate) {
        let p = e.plan, b = e.breakdown
        r.chipsUsed = e.chips
        r.pipeline = 0
        r.layers = e.workload.model.layers
        r.stages = p.pp
        r.stageLayers = Int(e.inputs.stageLayers)
        r.tp = p.tp
        r.cp = p.cp
        r.dp = p.dp
        r.microBatch = p.microBatch
        r.sequenceParallel = p.sequenceParallel
        r.recompute = p.recompute
        r.zeroStage = p.zeroStage
        r.batchShare = e.workload.globalBatch
        r.busySeconds = b.forward + b.backward + b.recompute + b.tpExposed + b.epExposed + b.cpExposed
        r.microbatchSeconds = r.busySeconds / Double(max(1, e.microbatches))
        r.tailSeconds = b.dpExposed + b.optimizer
        r.overheadSeconds = b.overhead
        r.idleSeconds = max(0, e.stepSeconds - r.busySeconds - r.tailSeconds - r.overheadSeconds)
        r.utilization = r.busySeconds / e.stepSeconds
        r.mfu = e.mfu
        r.memoryPerChipBytes = e.memory.total
        r.usableMemoryBytes = e.memory.usable
    }
}

/// One group-alone search of `MixedTrainingEstimator.estimate`: the group at one spec corner.
struct AloneJob: Sendable {
    var corner: Corner
    var group: Int
}
