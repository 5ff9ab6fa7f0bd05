// The mixed-vendor training planner: one model trained on several kinds of chip at once.
//
// Model (each piece is the homogeneous training estimator's, per group, with its own family
// calibration; see `GroupStageModel`):
// - A cluster of groups {chip, count, scale-up domain} joined by an inter-group fabric (per chip:
//   bandwidth, latency; device-direct RDMA or host-staged; default the slowest group's
//   scale-out network). TP, CP and each stage's DP collectives stay inside a group (never
//   across vendors), as in H2's HeteroPP (Tang et al. 2025, arXiv 2505.17548).
// - Heterogeneous pipeline: a pipeline of S stages replicated d times; each group holds a
//   contiguous range of p_g stages of its own TP x CP width and its own layer count, recompute
//   and ZeRO stage; one microbatch shape crosses every stage. Step: `pipelineStep` (1F1B with
//   unequal stages, Metis's (m - 1)·max + sum; the homogeneous formula when stages are equal).
//   Memory per group: its first stage holds min(m, stages to the end) microbatches.
// - Heterogeneous data parallel: clusters (one group, or a pipeline of groups) run replicas on
//   batch shares (multiples of B/16); each reduces its gradients inside, then all clusters
//   all-reduce over the fabric (`crossClusterReduceSeconds`); the step is the slowest cluster's.
//   Any partition of the groups into clusters; a group may stay idle.
// - Search: every plan of `MixedSearchSpace`, exactly: the fast search prunes only by lower
//   bounds and dominance (`MixedPipelineSearch`, `MixedStageTable`) and is checked against the
//   plain enumeration `MixedReferenceSearch` in the tests and in `chipmodel-bench`.
import Dispatch

/// What the mixed search found.
public struct MixedSearchResult: Sendable {
    /// The fastest plan below the incumbent, nil when none is.
    public var plan: MixedPlan?
    /// Stage options evaluated.
    public var evaluated: Int
    public var searchSeconds: Double
}

public enum MixedTrainingPlanner {
    /// The groups' cost models and the resolved fabric of a cluster.
    static func prepare(_ cluster: MixedCluster, workload: TrainingWorkload) throws -> ([GroupStageModel], ResolvedFabric) {
        let costs = try cluster.groups.map { try GroupStageModel.costModel($0, workload: workload) }
        let fabric = ResolvedFabric.resolve(cluster.fabric, ids: cluster.groups.map(\.chip.id),
                                            scaleOutBytesPerSecond: costs.map(\.network.scaleOut.bytesPerSecond),
                                            scaleOutLatencySeconds: costs.map(\.network.scaleOut.latencySeconds),
                                            scaleOutEfficiency: costs.map(\.calibration.scaleOutFraction))
        let models = cluster.groups.indices.map {
            GroupStageModel(index: $0, group: cluster.groups[$0], model: costs[$0], fabric: fabric)
        }
        return (models, fabric)
    }

    /// The fast exact search: the best plan of `space` on `cluster` faster than `incumbent`.
    public static func search(_ cluster: MixedCluster, workload: TrainingWorkload, space: MixedSearchSpace = MixedSearchSpace(),
                              incumbent: Double = .infinity) throws -> MixedSearchResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let (models, fabric) = try prepare(cluster, workload: workload)
        let ctx = MixedSearchContext(models: models, space: space, fabric: fabric)
        let plan = search(ctx, batch: workload.globalBatch, incumbent: incumbent)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return MixedSearchResult(plan: plan, evaluated: ctx.evaluated, searchSeconds: seconds)
    }

    /// The plain enumeration of the same space (slow; for tests and the benchmark).
    public static func referenceSearch(_ cluster: MixedCluster, workload: TrainingWorkload,
                                       space: MixedSearchSpace = MixedSearchSpace()) throws -> MixedSearchResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let (models, fabric) = try prepare(cluster, workload: workload)
        let plan = MixedReferenceSearch.plan(models, batch: workload.globalBatch, space: space, fabric: fabric)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return MixedSearchResult(plan: plan, evaluated: 0, searchSeconds: seconds)
    }

    static func search(_ ctx: MixedSearchContext, batch B: Int, incumbent: Double) -> MixedPlan? {
        let G = ctx.models.count
        var best = incumbent
        var bestPlan: MixedPlan?
        func offer(_ plan: MixedPlan) {
            if plan.stepSeconds < best {
                best = plan.stepSeconds
                bestPlan = plan
            }
        }
        // 1. One pipeline for the whole batch: each group alone, then every set of groups.
        let masks = (1..<(1 << G)).sorted { $0.nonzeroBitCount < $1.nonzeroBitCount }
        for mask in masks {
            let members = (0..<G).filter { mask & (1 << $0) != 0 }
            if let p = ctx.bestPipeline(members: members, batch: B, clusters: 1, incumbent: best) {
                offer(MixedPlan(pipelines: [p]))
            }
        }
        // 2. Data-parallel clusters on batch shares: partitions with singleton clusters first.
        let U = ctx.space.units(batch: B), unit = B / U
        guard U >= 2 else { return bestPlan }
        // Memo of cluster searches: the plan found and whether it is the cluster's best below
        // the incumbent (`exact`) or only a plan at most as slow as the slowest other cluster
        // of the partition it was asked for (enough for that partition's step).
        var memo: [Int: (plan: MixedPipelinePlan?, exact: Bool)] = [:]
        func cluster(_ members: [Int], units u: Int, clusters C: Int, goodEnough: Double) -> MixedPipelinePlan? {
            let mask = members.reduce(0) { $0 | 1 << $1 }
            let key = (mask << 16 | u) << 8 | C
            if let hit = memo[key], hit.exact || (hit.plan.map { $0.stepSeconds <= goodEnough } ?? false) { return hit.plan }
            let p = ctx.bestPipeline(members: members, batch: u * unit, clusters: C, incumbent: best, goodEnough: goodEnough)
            memo[key] = (p, p.map { $0.stepSeconds > goodEnough } ?? true)
            return p
        }
        var partitions: [[[Int]]] = []
        for mask in masks where mask.nonzeroBitCount >= 2 {
            let members = (0..<G).filter { mask & (1 << $0) != 0 }
            // Singleton clusters first in each partition: they are cheap and usually decide.
            partitions += MixedReferenceSearch.setPartitions(members).filter { $0.count >= 2 && $0.count <= U }
                .map { $0.sorted { $0.count < $1.count } }
        }
        partitions.sort { ($0.map(\.count).max() ?? 0, $0.count) < ($1.map(\.count).max() ?? 0, $1.count) }
        for part in partitions {
            let C = part.count
            for u in MixedReferenceSearch.compositions(U, C) {
                // The largest share first (it usually decides the step); each further cluster only
                // has to be no slower than the slowest so far. A cluster at least as slow as the
                // best plan makes the whole partition so.
                let order = part.indices.sorted { (u[$0], part[$1].count) > (u[$1], part[$0].count) }
                var pipes: [MixedPipelinePlan] = []
                var slowest = 0.0
                for j in order {
                    guard let p = cluster(part[j], units: u[j], clusters: C, goodEnough: slowest), p.stepSeconds < best else { break }
                    pipes.append(p)
                    slowest = max(slowest, p.stepSeconds)
                }
                if pipes.count == C { offer(MixedPlan(pipelines: pipes)) }
            }
        }
        return bestPlan
    }
}
