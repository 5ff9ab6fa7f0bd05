// Re-evaluating a mixed plan: its stages' costs from their shapes, on the same or other chip
// parameters (spec corners), and the memory each group's busiest stage needs.

extension MixedTrainingPlanner {
    /// The stage metrics of one part of `pipe` (stages `after` the part in its pipeline) on
    /// `model`; nil when the shape is invalid there or (with `checkMemory`) does not fit.
    static func restage(_ part: PipelinePart, in pipe: MixedPipelinePlan, after: Int, model g: GroupStageModel,
                        clusters: Int, overlap: MixedOverlap, checkMemory: Bool) -> StageMetrics? {
        let s = part.metrics
        guard let layer = g.layer(t: s.tp, c: s.cp, b: pipe.microBatch, sp: s.sequenceParallel) else { return nil }
        let gc = g.groupCosts(layer: layer, t: s.tp, c: s.cp, p: s.stages, d: pipe.dataParallel, b: pipe.microBatch,
                              sp: s.sequenceParallel, microbatches: pipe.microbatches)
        guard var x = g.metrics(gc, ls: s.stageLayers, v: pipe.virtualStages, recompute: s.recompute, zero: s.zeroStage,
                                singleGroup: pipe.parts.count == 1, overlap: overlap, maxAfter: g.workload.model.layers,
                                clusters: clusters, checkMemory: checkMemory) else { return nil }
        if checkMemory && x.maxStagesAfter < after { return nil }
        if !checkMemory { x.maxStagesAfter = s.maxStagesAfter }
        return x
    }

    /// `plan` evaluated on `cluster` (same groups, possibly other chip parameters or fabric).
    public static func evaluate(_ plan: MixedPlan, on cluster: MixedCluster, workload: TrainingWorkload,
                                overlap: MixedOverlap = MixedOverlap(), checkMemory: Bool = true) throws -> MixedPlan? {
        let (models, _) = try prepare(cluster, workload: workload)
        let clusters = plan.pipelines.count
        var pipes: [MixedPipelinePlan] = []
        for pipe in plan.pipelines {
            var parts: [PipelinePart] = []
            var after = pipe.parts.reduce(0) { $0 + $1.metrics.stages }
            for part in pipe.parts {
                after -= part.metrics.stages
                guard part.group < models.count,
                      let x = restage(part, in: pipe, after: after, model: models[part.group], clusters: clusters,
                                      overlap: overlap, checkMemory: checkMemory) else { return nil }
                parts.append(PipelinePart(group: part.group, layers: part.layers, metrics: x))
            }
            var p = pipe
            p.parts = parts
            p.step = pipelineStep(parts, microbatches: pipe.microbatches, virtualStages: pipe.virtualStages,
                                  overlapPipeline: overlap.pipeline)
            pipes.append(p)
        }
        return MixedPlan(pipelines: pipes)
    }

    /// Memory per chip of each part's busiest stage (bytes), and the usable capacity, by
    /// pipeline and part.
    static func memory(_ plan: MixedPlan, models: [GroupStageModel]) -> [[(needed: Double, usable: Double)]] {
        plan.pipelines.map { pipe in
            var after = pipe.parts.reduce(0) { $0 + $1.metrics.stages }
            return pipe.parts.map { part in
                after -= part.metrics.stages
                let g = models[part.group], s = part.metrics
                guard let layer = g.layer(t: s.tp, c: s.cp, b: pipe.microBatch, sp: s.sequenceParallel) else { return (.nan, g.capacityBytes) }
                let gc = g.groupCosts(layer: layer, t: s.tp, c: s.cp, p: s.stages, d: pipe.dataParallel, b: pipe.microBatch,
                                      sp: s.sequenceParallel, microbatches: pipe.microbatches)
                let bytes = g.memoryBytes(gc, stageLayers: s.stageLayers, virtualStages: pipe.virtualStages, recompute: s.recompute,
                                          zero: s.zeroStage, after: after, singleGroup: pipe.parts.count == 1)
                return (bytes, g.capacityBytes)
            }
        }
    }
}
