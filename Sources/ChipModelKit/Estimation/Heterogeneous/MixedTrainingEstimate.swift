// The result of a mixed-vendor training estimate: the plan per group, the step and its parts,
// and the comparison that answers "is it worth it": against the best group alone and against
// the groups run as separate jobs.

/// One group in a mixed estimate.
public struct MixedGroupReport: Sendable {
    public var chipID: String
    public var count: Int
    /// Chips the plan uses (the rest are idle).
    public var chipsUsed: Int
    public var idleChips: Int { count - chipsUsed }
    /// Index of the pipeline (data-parallel cluster) the group belongs to; nil when idle.
    public var pipeline: Int?
    /// Position of the group's first stage in its pipeline (0 = first stage).
    public var firstStage: Int
    public var layers: Int
    public var stages: Int
    public var stageLayers: Int
    public var tp: Int
    public var cp: Int
    /// DP degree of the group's pipeline (replicas of each of its stages).
    public var dp: Int
    public var microBatch: Int
    public var sequenceParallel: Bool
    public var recompute: RecomputeMode
    public var zeroStage: Int
    /// Sequences per step of the group's pipeline.
    public var batchShare: Int
    /// One microbatch on the group's busiest stage, and m of them (the time its stages work).
    public var microbatchSeconds: Double
    public var busySeconds: Double
    /// Exposed DP reduction (its cross-cluster part included) + optimizer; the cross-cluster
    /// reduction before overlap; the fixed overhead.
    public var tailSeconds: Double
    public var crossClusterSeconds: Double
    public var overheadSeconds: Double
    /// The rest of the step: pipeline fill/drain, waiting for slower stages or clusters, p2p.
    public var idleSeconds: Double
    /// busy / step.
    public var utilization: Double
    /// Model FLOPs of the group's layers / (step x chips used x the chip's dense peak).
    public var mfu: Double
    public var memoryPerChipBytes: Double
    public var usableMemoryBytes: Double
    /// The group alone on the whole batch (the homogeneous estimator), nil if nothing fits.
    public var alone: TrainingEstimate?
    public var aloneProblem: String?
    public var calibrationProvenance: String
    public var calibrated: Bool
}

/// How the groups work together.
public enum MixedMode: String, Sendable {
    /// One group trains alone; the others are idle.
    case singleGroup = "single group"
    /// One pipeline whose stages span several groups.
    case pipeline = "heterogeneous pipeline"
    /// Several clusters, each one group, data-parallel.
    case dataParallel = "heterogeneous data parallel"
    /// Several clusters, at least one a multi-group pipeline.
    case pipelineAndDataParallel = "heterogeneous pipeline + data parallel"
}

/// A mixed-vendor training estimate.
public struct MixedTrainingEstimate: Sendable {
    public var workload: TrainingWorkload
    public var groups: [MixedGroupReport]
    public var mode: MixedMode
    /// The plan (nil when the best is a group alone with a plan outside the mixed plan space:
    /// then `homogeneous` holds it).
    public var plan: MixedPlan?
    public var homogeneous: (group: Int, estimate: TrainingEstimate)?
    public var stepSeconds: Double
    public var tokensPerSecond: Double
    /// The fastest group alone (homogeneous estimate on its own chips, whole batch).
    public var bestAloneGroup: Int?
    public var bestAloneTokensPerSecond: Double
    /// Σ of every group's alone throughput (each its own job on the same workload).
    public var separateJobsTokensPerSecond: Double
    public var speedupVsBestGroupAlone: Double
    public var efficiencyVsSeparateJobs: Double
    /// tokens/s at the low and high spec corners (every group at that corner, same plan),
    /// nil when every spec is exact.
    public var tokensPerSecondLow: Double?
    public var tokensPerSecondHigh: Double?
    public var fabric: ResolvedFabric
    public var evaluated: Int
    public var searchSeconds: Double
    /// Days to train `workload.tokenBudget` tokens.
    public var days: Double { workload.tokenBudget / tokensPerSecond / 86400 }
}
