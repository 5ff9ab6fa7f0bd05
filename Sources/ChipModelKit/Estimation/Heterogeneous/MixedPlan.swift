// A mixed plan: one or more pipelines (clusters of groups), data-parallel with each other.

/// One pipeline of a mixed plan: a cluster of groups in pipeline order, replicated
/// `dataParallel` times, processing `batch` sequences per step.
public struct MixedPipelinePlan: Sendable, Equatable {
    public var parts: [PipelinePart]
    public var dataParallel: Int
    public var microBatch: Int
    public var virtualStages: Int
    public var microbatches: Int
    public var batch: Int
    /// Chips the pipeline's replicas use: d x Σ (stages x TP x CP).
    public var chips: Int
    public var step: PipelineStepBreakdown
    public var stepSeconds: Double { step.total }

    /// Chips of one group in this pipeline.
    public func chips(of part: PipelinePart) -> Int {
        dataParallel * part.metrics.stages * part.metrics.tp * part.metrics.cp
    }
}

/// A complete mixed plan: the pipelines run data-parallel (their gradients are reduced across
/// clusters over the inter-group fabric); the step is the slowest pipeline's.
public struct MixedPlan: Sendable, Equatable {
    public var pipelines: [MixedPipelinePlan]
    public var stepSeconds: Double

    public init(pipelines: [MixedPipelinePlan]) {
        self.pipelines = pipelines
        stepSeconds = pipelines.map(\.stepSeconds).max() ?? .infinity
    }

    /// Groups that hold no stage (idle in this plan), given the cluster's group count.
    public func idleGroups(of groupCount: Int) -> [Int] {
        let used = Set(pipelines.flatMap { $0.parts.map(\.group) })
        return (0..<groupCount).filter { !used.contains($0) }
    }
}

/// A stage choice of one group: the metrics plus the layer range its stages can hold.
struct StageChoice {
    var group: Int
    var metrics: StageMetrics
    /// Fewest and most layers `stages` stages of `stageLayers` busiest-stage layers hold in a
    /// multi-group pipeline (v = 1): max(p, p·(ls - 1) + 1) ... p·ls (the busiest stage has
    /// exactly ls = ceil(n / p) layers and every stage at least one).
    var minLayers: Int { max(metrics.stages, metrics.stages * (metrics.stageLayers - 1) + 1) }
    var maxLayers: Int { metrics.stages * metrics.stageLayers }
}

extension MixedPipelinePlan {
    /// Builds the plan of stage choices (pipeline order) whose layer ranges admit `layers`
    /// in total, with the step evaluated by `pipelineStep`. Layers are given to the earlier
    /// groups first within each group's range (any split in the ranges costs the same).
    static func make(_ choices: [StageChoice], layers L: Int, d: Int, b: Int, v: Int, m: Int, batch: Int,
                     overlapPipeline: Bool) -> MixedPipelinePlan {
        var parts: [PipelinePart] = []
        if choices.count == 1 {
            parts = [PipelinePart(group: choices[0].group, layers: L, metrics: choices[0].metrics)]
        } else {
            var extra = L - choices.reduce(0) { $0 + $1.minLayers }
            for ch in choices {
                let add = max(0, min(extra, ch.maxLayers - ch.minLayers))
                extra -= add
                parts.append(PipelinePart(group: ch.group, layers: ch.minLayers + add, metrics: ch.metrics))
            }
        }
        let chips = d * choices.reduce(0) { $0 + $1.metrics.stages * $1.metrics.tp * $1.metrics.cp }
        let step = pipelineStep(parts, microbatches: m, virtualStages: v, overlapPipeline: overlapPipeline)
        return MixedPipelinePlan(parts: parts, dataParallel: d, microBatch: b, virtualStages: v, microbatches: m,
                                 batch: batch, chips: chips, step: step)
    }
}
