import Testing
@testable import ChipModelKit

/// Small llama-shaped models so the plain enumeration of the mixed plan space stays fast.
func tinyLlama(layers: Int = 6) -> ModelSpec {
    ModelSpec(id: "tiny", name: "tiny", architecture: .llama, layers: layers, hidden: 2048, heads: 16, kvHeads: 4,
              ffnHidden: 5632, vocab: 32000)
}

/// 70B-wide layers: a few of them already need several chips of memory.
func wideLlama(layers: Int) -> ModelSpec {
    ModelSpec(id: "wide", name: "wide", architecture: .llama, layers: layers, hidden: 8192, heads: 64, kvHeads: 8,
              ffnHidden: 28672, vocab: 32000)
}

func chip(_ id: String) throws -> Chip { try ChipCatalog.builtIn().chip(id) }
func params(_ id: String) throws -> ChipParameters { ChipParameters(chip: try chip(id)) }

func workload(_ m: ModelSpec, batch: Int, seq: Int) -> TrainingWorkload {
    TrainingWorkload(model: m, sequenceLength: seq, globalBatch: batch, precision: .bf16)
}

func relativelyEqual(_ a: Double, _ b: Double, _ tol: Double = 1e-12) -> Bool { abs(a - b) <= tol * max(abs(a), abs(b)) }

@Suite struct MixedTrainingTests {
    /// The stage's group quantities are those `TrainingCostModel.group` gives the same shape.
    @Test func groupCostsMirrorTheHomogeneousGroup() throws {
        let w = workload(wideLlama(layers: 8), batch: 16, seq: 4096)
        for (t, c, p, d, b) in [(8, 1, 2, 1, 1), (4, 2, 1, 2, 2), (2, 1, 4, 2, 1), (1, 1, 1, 16, 1)] {
            let cm = try TrainingCostModel(workload: w, cluster: Cluster(chip: try params("a100-sxm4-80gb"), count: t * c * p * d))
            let g = GroupStageModel(index: 0, group: ChipGroup(chip: try params("a100-sxm4-80gb"), count: t * c * p * d), model: cm,
                                    fabric: ResolvedFabric(bytesPerSecond: 1e10, latencySeconds: 1e-5, transport: .deviceDirect, note: ""))
            let layer = try #require(cm.layerCosts(tp: t, cp: c, ep: 1, microBatch: b, sequenceParallel: t > 1))
            let ref = try #require(cm.group(tp: t, cp: c, ep: 1, pp: p, microBatch: b, sequenceParallel: t > 1, layer: layer))
            let mine = g.groupCosts(layer: layer, t: t, c: c, p: p, d: d, b: b, sp: t > 1, microbatches: ref.microbatches)
            #expect(mine.dp == ref.dp && mine.microbatches == ref.microbatches && mine.p2pSeconds == ref.p2pSeconds
                    && mine.dpInnerDense == ref.dpInnerDense && mine.dpInnerExpert == ref.dpInnerExpert, "t\(t) c\(c) p\(p) d\(d)")
        }
    }

    /// A one-group pipeline costs exactly what the homogeneous estimator says for the same plan
    /// (same building blocks; `pipelineStep` reduces to `candidateStepSeconds`).
    @Test func oneGroupPipelineIsTheHomogeneousPlan() throws {
        let w = workload(wideLlama(layers: 8), batch: 16, seq: 4096)
        let cm = try TrainingCostModel(workload: w, cluster: Cluster(chip: try params("h100-sxm5-80gb"), count: 32))
        let (models, _) = try MixedTrainingPlanner.prepare(MixedCluster(groups: [ChipGroup(chip: try params("h100-sxm5-80gb"), count: 32)]),
                                                          workload: w)
        let g = models[0]
        for plan in [TrainingPlan(tp: 8, pp: 2, dp: 2, microBatch: 1, virtualStages: 2, recompute: .selective, zeroStage: 1),
                     TrainingPlan(tp: 4, pp: 4, dp: 2, microBatch: 2, recompute: .full, zeroStage: 3),
                     TrainingPlan(tp: 8, pp: 1, dp: 4, cp: 1, microBatch: 1, recompute: .none, zeroStage: 2)] {
            let homo = try #require(TrainingEstimator.evaluate(plan, model: cm))
            let m = try #require(plan.microbatches(globalBatch: 16))
            let ls = TrainingCostModel.stageLayers(layers: 8, pp: plan.pp, virtualStages: plan.virtualStages)
            let x = try #require(g.metrics(t: plan.tp, c: plan.cp, sp: plan.sequenceParallel, b: plan.microBatch, d: plan.dp, p: plan.pp,
                                           ls: ls, v: plan.virtualStages, recompute: plan.recompute, zero: plan.zeroStage, microbatches: m,
                                           singleGroup: true, overlap: MixedOverlap(), maxAfter: 0, clusters: 1))
            let step = pipelineStep([PipelinePart(group: 0, layers: 8, metrics: x)], microbatches: m, virtualStages: plan.virtualStages,
                                    overlapPipeline: true)
            #expect(relativelyEqual(step.total, homo.stepSeconds), "\(plan): \(step.total) vs \(homo.stepSeconds)")
            #expect(step.total == singleGroupStepTotal(x, microbatches: m, virtualStages: plan.virtualStages, overlapPipeline: true))
        }
    }

    /// Identical groups holding a homogeneous plan's stages (half each) give the homogeneous
    /// step exactly: the 1F1B makespan with equal stages is (m + p - 1)·M, and with the fabric
    /// defaulting to the groups' scale-out network the boundary message costs what the
    /// homogeneous p2p costs (TP x DP fills a scale-up domain, so that p2p uses the NICs too).
    @Test func identicalGroupsHoldingAHomogeneousPlanMatchIt() throws {
        let w = workload(wideLlama(layers: 8), batch: 16, seq: 4096)
        let plan = TrainingPlan(tp: 8, pp: 4, dp: 1, microBatch: 1, recompute: .selective, zeroStage: 0)
        let model = try TrainingCostModel(workload: w, cluster: Cluster(chip: try params("a100-sxm4-80gb"), count: 32))
        let homo = try #require(TrainingEstimator.evaluate(plan, model: model))
        let cluster = MixedCluster(groups: [ChipGroup(chip: try params("a100-sxm4-80gb"), count: 16),
                                            ChipGroup(chip: try params("a100-sxm4-80gb"), count: 16)])
        let (models, _) = try MixedTrainingPlanner.prepare(cluster, workload: w)
        var parts: [PipelinePart] = []
        for (i, g) in models.enumerated() {
            let x = try #require(g.metrics(t: 8, c: 1, sp: true, b: 1, d: 1, p: 2, ls: 2, v: 1, recompute: .selective, zero: 0,
                                           microbatches: 16, singleGroup: false, overlap: MixedOverlap(), maxAfter: 8, clusters: 1))
            parts.append(PipelinePart(group: i, layers: 4, metrics: x))
        }
        let step = pipelineStep(parts, microbatches: 16, virtualStages: 1, overlapPipeline: true)
        #expect(relativelyEqual(step.total, homo.stepSeconds), "\(step.total) vs \(homo.stepSeconds)")
        let pipe = MixedPipelinePlan(parts: parts, dataParallel: 1, microBatch: 1, virtualStages: 1, microbatches: 16, batch: 16,
                                     chips: 32, step: step)
        let memory = MixedTrainingPlanner.memory(MixedPlan(pipelines: [pipe]), models: models)
        #expect(relativelyEqual(memory[0][0].needed, homo.memory.total), "first group's memory is the homogeneous first stage's")
    }

    /// The fast search finds the best step of the plain enumeration of the same space, on cases
    /// where each kind of plan wins.
    @Test(arguments: [0, 1, 2, 3])
    func fastSearchMatchesTheReference(_ n: Int) throws {
        let cases: [(groups: [ChipGroup], w: TrainingWorkload, space: MixedSearchSpace)] = [
            // Compute-bound small model: data-parallel clusters on batch shares.
            ([ChipGroup(chip: try params("a100-sxm4-80gb"), count: 8), ChipGroup(chip: try params("ascend-910b"), count: 8)],
             workload(tinyLlama(), batch: 16, seq: 2048), MixedSearchSpace(constraints: PlanConstraints(cp: 1, zeroStage: 1), maxBatchUnits: 4)),
            // Wide layers on few chips: a pipeline across the groups.
            ([ChipGroup(chip: try params("a100-sxm4-80gb"), count: 4), ChipGroup(chip: try params("br166"), count: 2)],
             workload(wideLlama(layers: 22), batch: 8, seq: 2048), MixedSearchSpace(constraints: PlanConstraints(cp: 1), maxBatchUnits: 4)),
            // Three groups, recompute and ZeRO fixed, everything else searched.
            ([ChipGroup(chip: try params("a100-sxm4-80gb"), count: 2), ChipGroup(chip: try params("ascend-910b"), count: 2),
              ChipGroup(chip: try params("metax-c500"), count: 2)],
             workload(wideLlama(layers: 5), batch: 4, seq: 2048),
             MixedSearchSpace(constraints: PlanConstraints(cp: 1, sequenceParallel: true, recompute: .selective, zeroStage: 1), maxBatchUnits: 2)),
            // A slow host-staged fabric and memory-tight groups.
            ([ChipGroup(chip: try params("h100-sxm5-80gb"), count: 2), ChipGroup(chip: try params("mi300x"), count: 1)],
             workload(wideLlama(layers: 6), batch: 8, seq: 4096), MixedSearchSpace(constraints: PlanConstraints(cp: 1), maxBatchUnits: 4)),
        ]
        let c = cases[n]
        var cluster = MixedCluster(groups: c.groups)
        if n == 3 { cluster.fabric = InterGroupFabric(bandwidthGBps: 5, transport: .hostStaged) }
        let fast = try MixedTrainingPlanner.search(cluster, workload: c.w, space: c.space)
        let ref = try MixedTrainingPlanner.referenceSearch(cluster, workload: c.w, space: c.space)
        let f = try #require(fast.plan), r = try #require(ref.plan)
        #expect(relativelyEqual(f.stepSeconds, r.stepSeconds, 1e-9), "case \(n): fast \(f.stepSeconds) reference \(r.stepSeconds)")
        // The reported plan's step is its own pipelines' step.
        #expect(f.stepSeconds == f.pipelines.map(\.stepSeconds).max())
        if n == 0 { #expect(f.pipelines.count >= 2, "case 0 is won by data-parallel clusters") }
        if n == 1 { #expect(f.pipelines.contains { $0.parts.count >= 2 }, "case 1 is won by a pipeline across groups") }
    }

    /// Identical groups: the mixed estimate equals the homogeneous estimate of the same total
    /// within 2%. Not exactly: each data-parallel cluster keeps its own ZeRO shards, so its
    /// cross-cluster all-reduce moves the whole shard where the homogeneous reduce-scatter
    /// moves half (the mixed plan is slower by up to that), and the mixed space also holds
    /// plans the homogeneous one does not (per-group TP, uneven layers, idle chips).
    @Test func identicalGroupsMatchTheHomogeneousEstimate() throws {
        for (id, n, layers, batch, seq) in [("a100-sxm4-80gb", 8, 8, 16, 2048), ("ascend-910b", 8, 12, 16, 4096), ("h100-sxm5-80gb", 16, 8, 32, 4096)] {
            let w = workload(wideLlama(layers: layers), batch: batch, seq: seq)
            let homo = try TrainingEstimator.estimate(w, on: Cluster(chip: try params(id), count: 2 * n))
            let mixed = try MixedTrainingEstimator.estimate(groups: [MixedGroupSpec(chip: try chip(id), count: n),
                                                                     MixedGroupSpec(chip: try chip(id), count: n)], workload: w)
            let ratio = mixed.tokensPerSecond / homo.tokensPerSecond
            #expect(ratio > 0.98 && ratio < 1.02, "\(id) 2 x \(n): mixed \(mixed.tokensPerSecond) homogeneous \(homo.tokensPerSecond)")
        }
    }

    /// A mixed cluster is never slower than its best group alone; a group that cannot help is
    /// left idle and the estimate says so.
    @Test func neverSlowerThanTheBestGroupAloneAndIdleGroupsAreReported() throws {
        let w = workload(wideLlama(layers: 6), batch: 8, seq: 2048)
        let e = try MixedTrainingEstimator.estimate(groups: [MixedGroupSpec(chip: try chip("h100-sxm5-80gb"), count: 8),
                                                             MixedGroupSpec(chip: try chip("mtt-s80"), count: 1)], workload: w)
        #expect(e.tokensPerSecond >= e.bestAloneTokensPerSecond * (1 - 1e-12))
        let idle = try #require(e.groups.first { $0.chipID == "mtt-s80" })
        #expect(idle.chipsUsed == 0 && idle.pipeline == nil)
        #expect(MixedTrainingEstimator.explain(e).contains { $0.hasPrefix("mtt-s80: idle") })
        for groups in [[("a100-sxm4-80gb", 4), ("ascend-910b", 4)], [("br166", 2), ("a100-sxm4-80gb", 4), ("metax-c500", 2)]] {
            let e = try MixedTrainingEstimator.estimate(groups: try groups.map { MixedGroupSpec(chip: try chip($0.0), count: $0.1) }, workload: w)
            #expect(e.tokensPerSecond >= e.bestAloneTokensPerSecond * (1 - 1e-12), "\(groups)")
            #expect(e.speedupVsBestGroupAlone >= 1 - 1e-12)
        }
    }

    /// Adding chips to any group never lowers throughput (the plan space only grows: a plan may
    /// leave chips idle, and the DP degrees are a fixed set, not derived from the counts).
    @Test func addingChipsNeverLowersThroughput() throws {
        let w = workload(wideLlama(layers: 6), batch: 8, seq: 2048)
        let base = [("a100-sxm4-80gb", 2), ("ascend-910b", 2)]
        func tps(_ counts: [Int]) throws -> Double {
            try MixedTrainingEstimator.estimate(groups: try base.indices.map { MixedGroupSpec(chip: try chip(base[$0].0), count: counts[$0]) },
                                                workload: w).tokensPerSecond
        }
        let start = try tps([2, 2])
        for more in [[3, 2], [4, 2], [2, 3], [2, 4], [4, 4]] {
            let t = try tps(more)
            #expect(t >= start * (1 - 1e-12), "\(more): \(t) < \(start)")
        }
    }

    /// A faster inter-group fabric never lowers throughput; host staging never raises it.
    @Test func fasterFabricNeverLowersThroughput() throws {
        let w = workload(wideLlama(layers: 6), batch: 8, seq: 2048)
        let groups = [MixedGroupSpec(chip: try chip("a100-sxm4-80gb"), count: 4), MixedGroupSpec(chip: try chip("br166"), count: 2)]
        var last = 0.0
        for gbps in [0.5, 2, 10, 50, 400] {
            let direct = try MixedTrainingEstimator.estimate(groups: groups, fabric: InterGroupFabric(bandwidthGBps: gbps), workload: w)
            let staged = try MixedTrainingEstimator.estimate(groups: groups, fabric: InterGroupFabric(bandwidthGBps: gbps, transport: .hostStaged),
                                                             workload: w)
            #expect(direct.tokensPerSecond >= last * (1 - 1e-12), "\(gbps) GB/s")
            #expect(staged.tokensPerSecond <= direct.tokensPerSecond * (1 + 1e-12), "\(gbps) GB/s host-staged")
            last = direct.tokensPerSecond
        }
    }

    /// Bad input gets a clear error, not a crash.
    @Test func badGroupsAreRejected() throws {
        let w = workload(tinyLlama(), batch: 8, seq: 2048)
        #expect(throws: MixedInfeasibleError.self) { try MixedTrainingEstimator.estimate(groups: [], workload: w) }
        #expect(throws: MixedInfeasibleError.self) {
            try MixedTrainingEstimator.estimate(groups: [MixedGroupSpec(chip: try chip("a100-sxm4-80gb"), count: 0)], workload: w)
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): the random tables below are the same on every run.
struct MixedTestRNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.upperBound - r.lowerBound + 1)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

@Suite struct MixedBranchAndBoundTests {
    /// The branch and bound over stage tables returns the best of every realizable combination
    /// (random tables: stage counts, layers, times, tails, p2p, memory headroom), as the plain
    /// enumeration with `pipelineStep` finds it.
    @Test func branchAndBoundFindsTheBestCombination() {
        var rng = MixedTestRNG(state: 16)
        for instance in 0..<300 {
            let k = rng.int(2...4), L = rng.int(k...14), m = rng.int(1...16)
            let overlap = rng.int(0...4) != 0
            var tables: [StageTable] = []
            for _ in 0..<k {
                let overhead = 0.2 * rng.unit()
                var opts: [TableOption] = []
                for _ in 0..<rng.int(1...20) {
                    let p = rng.int(1...min(4, L)), ls = rng.int(1...max(1, (L + p - 1) / p))
                    let mb = Double(ls) * (0.5 + 1.5 * rng.unit()) + 0.3 * rng.unit()
                    let x = StageMetrics(stages: p, stageLayers: ls, tp: 1, cp: 1, sequenceParallel: false, recompute: .none,
                                         zeroStage: 0, microbatchSeconds: mb, tailSeconds: rng.unit(), crossClusterSeconds: 0,
                                         overheadSeconds: overhead, p2pSeconds: 0.05 * rng.unit(), interGroupSeconds: 0.1 * rng.unit(),
                                         maxStagesAfter: rng.int(0...5) == 5 ? Int.max : rng.int(0...4))
                    opts.append(TableOption(metrics: x, additive: Double(p) * mb + 2 * Double(p - 1) * x.p2pSeconds,
                                            minLayers: max(p, p * (ls - 1) + 1), maxLayers: p * ls, chipsPerReplica: p))
                }
                opts.sort { $0.metrics.microbatchSeconds < $1.metrics.microbatchSeconds }
                tables.append(StageTable(options: opts, layers: L, overhead: overhead))
            }
            // Plain enumeration.
            var best = Double.infinity
            var pick = [Int](repeating: 0, count: k)
            func rec(_ pos: Int) {
                if pos == k {
                    let chosen = (0..<k).map { tables[$0].options[pick[$0]] }
                    guard chosen.reduce(0, { $0 + $1.minLayers }) <= L, chosen.reduce(0, { $0 + $1.maxLayers }) >= L else { return }
                    var after = 0
                    for i in stride(from: k - 1, through: 0, by: -1) {
                        guard chosen[i].metrics.maxStagesAfter >= after else { return }
                        after += chosen[i].metrics.stages
                    }
                    let parts = chosen.enumerated().map { PipelinePart(group: $0.offset, layers: 0, metrics: $0.element.metrics) }
                    best = min(best, pipelineStep(parts, microbatches: m, virtualStages: 1, overlapPipeline: overlap).total)
                    return
                }
                for i in tables[pos].options.indices { pick[pos] = i; rec(pos + 1) }
            }
            rec(0)
            var bnb = PipelineBranchAndBound(layers: L, best: .infinity, overlapPipeline: overlap)
            let found = bnb.run(tables, groups: Array(0..<k), d: 1, m: m, overhead: tables.map(\.overhead).max() ?? 0)
            if best.isFinite {
                let choices = found
                #expect(choices != nil, "instance \(instance): the enumeration has a plan, the search none")
                let parts = (choices ?? []).map { PipelinePart(group: $0.group, layers: 0, metrics: $0.metrics) }
                let t = pipelineStep(parts, microbatches: m, virtualStages: 1, overlapPipeline: overlap).total
                #expect(relativelyEqual(t, best, 1e-9), "instance \(instance) (k \(k), L \(L), m \(m)): search \(t), enumeration \(best)")
            } else {
                #expect(found == nil, "instance \(instance): the search found a plan the enumeration rules out")
            }
        }
    }
}
