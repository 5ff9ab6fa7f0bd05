// One group's stages: the homogeneous training cost model of that kind of chip, asked for the
// costs of one pipeline stage of a mixed plan. Built only on the cost model's public building
// blocks (`layerCosts`, `stageParams`, `zeroInputs`, `assemble`, `memory`,
// `candidateBreakdown`, `ClusterNetwork.time`), so a stage of a mixed plan costs exactly what
// the same stage costs in a homogeneous plan of that chip.

/// The costs of one stage shape on one group (all times in seconds, per stage).
public struct StageMetrics: Sendable, Equatable {
    /// Stages of this group, busiest-stage layers, and the stage's shape.
    public var stages: Int
    public var stageLayers: Int
    public var tp: Int
    public var cp: Int
    public var sequenceParallel: Bool
    public var recompute: RecomputeMode
    public var zeroStage: Int
    /// One microbatch on the stage: forward + backward + recompute + exposed TP/EP/CP
    /// (`candidateStepSeconds`'s per-microbatch term).
    public var microbatchSeconds: Double
    /// Per step after the pipeline: exposed DP reduction (including the cross-cluster part) and
    /// weight gathers, and the optimizer.
    public var tailSeconds: Double
    /// The stage's cross-cluster gradient reduction per step before overlap (0 in a one-cluster
    /// plan); part of the DP reduction that overlaps with the last backward.
    public var crossClusterSeconds: Double
    /// Fixed per step: step overhead + microbatches x per-microbatch overhead (the family's).
    public var overheadSeconds: Double
    /// One activation message between two stages of this group.
    public var p2pSeconds: Double
    /// One activation message from or to this group's stage over the inter-group fabric
    /// (the tensor is spread over the stage's TP x CP chips).
    public var interGroupSeconds: Double
    /// Largest number of pipeline stages after this group's last stage for which the group's
    /// busiest stage still fits in memory (`Int.max`: any).
    public var maxStagesAfter: Int
}

/// A (TP, CP, microbatch, SP) key of the layer-cost cache.
struct LayerShapeKey: Hashable {
    var t: Int, c: Int, b: Int, sp: Bool
}

/// One group of a mixed cluster with its cost model.
final class GroupStageModel {
    let index: Int
    let group: ChipGroup
    let model: TrainingCostModel
    let fabric: ResolvedFabric
    private var layerCache: [LayerShapeKey: LayerCosts?] = [:]

    init(index: Int, group: ChipGroup, model: TrainingCostModel, fabric: ResolvedFabric) {
        self.index = index
        self.group = group
        self.model = model
        self.fabric = fabric
    }

    /// The group's homogeneous cost model (its chip, domain and family calibration).
    static func costModel(_ group: ChipGroup, workload: TrainingWorkload) throws -> TrainingCostModel {
        try TrainingCostModel(workload: workload, cluster: group.cluster, calibration: group.calibration)
    }

    var workload: TrainingWorkload { model.workload }
    var capacityBytes: Double { model.scalars.capacityBytes }

    /// Layer costs of a shape (cached; nil when the shape does not divide the model).
    func layer(t: Int, c: Int, b: Int, sp: Bool) -> LayerCosts? {
        let key = LayerShapeKey(t: t, c: c, b: b, sp: sp)
        if let hit = layerCache[key] { return hit }
        let l = model.layerCosts(tp: t, cp: c, ep: 1, microBatch: b, sequenceParallel: sp)
        layerCache[key] = l
        return l
    }

    /// The group quantities of a stage shape with `d` pipeline replicas, `p` stages of this
    /// group and `m` microbatches per step: the same values `TrainingCostModel.group` gives a
    /// homogeneous plan of that shape (rank order TP, CP, DP, PP; the p2p of the group's own
    /// stages uses the scale-up link when a whole DP x TP x CP slice fits in a domain).
    func groupCosts(layer: LayerCosts, t: Int, c: Int, p: Int, d: Int, b: Int, sp: Bool, microbatches m: Int)
        -> TrainingCostModel.GroupCosts {
        let domain = model.domainSize
        let stride = t * c * d
        let p2pInner = (stride < domain && domain % stride == 0) ? 2 : 1
        let p2p = p > 1 ? model.network.time(.pointToPoint, bytes: layer.p2pBytes, groupSize: 2, innerSize: p2pInner) : 0
        // As `TrainingCostModel.group`: gradients reduce over DP x CP, contiguous after TP in
        // the rank order (no expert parallelism in a mixed group: the expert group is the same).
        let dpInner = max(1, min(d * c, domain / max(1, t)))
        let expertInner = max(1, min(d * c, domain / max(1, t * c)))
        return TrainingCostModel.GroupCosts(layer: layer, tp: t, pp: p, dp: d, cp: c, ep: 1, microBatch: b,
                                            sequenceParallel: sp, microbatches: m, p2pSeconds: p2p,
                                            dpInnerDense: dpInner, dpInnerExpert: expertInner)
    }

    /// Memory per chip of the group's busiest stage when `after` pipeline stages follow the
    /// group's last stage. Alone (`singleGroup`), the homogeneous memory of the plan. In a
    /// multi-group pipeline the group's first stage holds the most in-flight microbatches (1F1B:
    /// min(m, stages from it to the end)); it is charged as the first stage of a homogeneous
    /// pipeline of the remaining stages, so its weights include one vocab x hidden matrix (exact
    /// for the first group, whose first stage holds the input embedding, and for the last
    /// group's last stage, which holds the output layer; conservative by that matrix's states
    /// for a middle group).
    func memoryBytes(_ g: TrainingCostModel.GroupCosts, stageLayers ls: Int, virtualStages v: Int,
                     recompute r: RecomputeMode, zero z: Int, after: Int, singleGroup: Bool) -> Double {
        var gm = g
        if !singleGroup {
            let remaining = after + g.pp
            gm.pp = max(2, remaining)
            gm.microbatches = min(g.microbatches, remaining)
        }
        return model.memory(gm, stageLayers: ls, virtualStages: v, recompute: r, zero: z).total
    }

    /// Weights of a stage with `ls` layers for DP and optimizer costs: one vocab x hidden
    /// matrix on the busiest stage (both when the whole model is one stage).
    func stageInputs(t: Int, ls: Int, singleStage: Bool) -> TrainingCostModel.StageInputs {
        TrainingCostModel.StageInputs(layers: ls, params: model.stageParams(tp: t, pp: singleStage ? 1 : 2, ep: 1,
                                                                           stageLayers: Double(ls)))
    }
}

/// How the search treats the overlap options (nil: on, which never costs more than off; see
/// `candidateStepSeconds`: each overlap only subtracts hidden time).
public struct MixedOverlap: Sendable, Equatable {
    public var dataParallel: Bool
    public var paramGather: Bool
    public var tensorParallel: Bool
    public var pipeline: Bool
    public init(dataParallel: Bool = true, paramGather: Bool = true, tensorParallel: Bool = true, pipeline: Bool = true) {
        self.dataParallel = dataParallel
        self.paramGather = paramGather
        self.tensorParallel = tensorParallel
        self.pipeline = pipeline
    }
}

extension GroupStageModel {
    /// The metrics of one fully specified stage shape; nil when the shape does not divide the
    /// model or the busiest stage does not fit even with nothing after it.
    /// `singleGroup`: this group is the whole pipeline (then memory and weights are those of the
    /// homogeneous plan); otherwise `maxAfter` bounds the stages other groups can put after it.
    func metrics(t: Int, c: Int, sp: Bool, b: Int, d: Int, p: Int, ls: Int, v: Int, recompute r: RecomputeMode,
                 zero z: Int, microbatches m: Int, singleGroup: Bool, overlap: MixedOverlap,
                 maxAfter: Int, clusters: Int, pruneAbove: Double = .infinity) -> StageMetrics? {
        guard let layer = layer(t: t, c: c, b: b, sp: sp) else { return nil }
        let g = groupCosts(layer: layer, t: t, c: c, p: p, d: d, b: b, sp: sp, microbatches: m)
        return metrics(g, ls: ls, v: v, recompute: r, zero: z, singleGroup: singleGroup, overlap: overlap, maxAfter: maxAfter,
                       clusters: clusters, pruneAbove: pruneAbove)
    }

    /// As above for a prepared group; nil also when m x the microbatch time + the overhead (a
    /// lower bound of any step with this stage) is at least `pruneAbove` (memory is then not
    /// evaluated). In a plan of `clusters` data-parallel clusters the stage's gradient, once
    /// reduced over the group's d replicas, is also all-reduced across the clusters
    /// (`crossClusterReduceSeconds`); that time joins the DP reduction, which overlaps with the
    /// last microbatch's backward as in the homogeneous model.
    func metrics(_ g: TrainingCostModel.GroupCosts, ls: Int, v: Int, recompute r: RecomputeMode, zero z: Int,
                 singleGroup: Bool, overlap: MixedOverlap, maxAfter: Int, clusters: Int, pruneAbove: Double = .infinity,
                 checkMemory: Bool = true, zeroInputs given: TrainingCostModel.ZeroInputs? = nil) -> StageMetrics? {
        let st = stageInputs(t: g.tp, ls: ls, singleStage: singleGroup && g.pp == 1)
        // `given`: the same ZeRO inputs computed by the caller (they do not depend on recompute).
        let zi = given ?? model.zeroInputs(g, st, zero: z)
        var x = model.assemble(g, st, zi, virtualStages: v, recompute: r, memoryBytes: 0, overlapDP: overlap.dataParallel,
                               overlapParamGather: overlap.paramGather, overlapTP: overlap.tensorParallel,
                               overlapPP: overlap.pipeline)
        let cross = crossClusterReduceSeconds(gradientBytesPerChip: 2 * (st.params.dense + st.params.expert) / Double(g.dp * g.cp),
                                              clusters: clusters, fabric: fabric)
        x.dpComm += cross
        var k = model.scalars
        k.capacityBytes = .infinity
        let br = candidateBreakdown(x, k)
        let m = Double(g.microbatches)
        let mb = (br.forward + br.backward + br.recompute + br.tpExposed + br.epExposed + br.cpExposed) / m
        if m * mb + br.overhead >= pruneAbove { return nil }
        let cap = capacityBytes
        // `memoryBytes(...) <= cap` for `after` stages after the group. Only the activations
        // depend on `after` (the stage is charged as a first stage of at least 2, so its
        // weights and communicators do not), so the rest is computed once; the same terms are
        // added in the same order as `TrainingCostModel.memory`, so the bytes are the same.
        let priors = model.calibration.training.memory
        var first = g
        if !singleGroup { first.pp = max(2, g.pp) }
        let states = model.modelStateBytes(first, stageLayers: ls, zero: z)
        let comms = TrainingCostModel.communicators(tp: first.tp, cp: first.cp, dp: first.dp, pp: first.pp, ep: first.ep)
        let reserve = priors.runtimeBytes + Double(comms) * priors.bytesPerCommunicator
        let working = g.layer.activationBytes.none
        func fits(_ after: Int) -> Bool {
            var gm = g
            if !singleGroup {
                let remaining = after + g.pp
                gm.pp = max(2, remaining)
                gm.microbatches = min(g.microbatches, remaining)
            }
            let a = model.activationTerms(gm, stageLayers: ls, virtualStages: v, recompute: r, overlapExpertParallel: false).activations
            let total = states.weights + states.gradients + states.optimizer + a + working + priors.allocatorFragmentation * a + reserve
            return total <= cap
        }
        guard !checkMemory || fits(0) else { return nil }
        var maxStagesAfter = Int.max
        if checkMemory && !singleGroup {
            // Memory grows with the stages after (in-flight microbatches) until min(m, .)
            // saturates; beyond `maxAfter` no plan can put stages.
            let top = min(max(0, g.microbatches - g.pp), maxAfter)
            if top > 0 && !fits(top) {
                var lo = 0, hi = top // fits(lo), !fits(hi)
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if fits(mid) { lo = mid } else { hi = mid }
                }
                maxStagesAfter = lo
            }
        }
        let inter = fabric.messageSeconds(g.layer.p2pBytes)
        return StageMetrics(stages: g.pp, stageLayers: ls, tp: g.tp, cp: g.cp, sequenceParallel: g.sequenceParallel,
                            recompute: r, zeroStage: z, microbatchSeconds: mb, tailSeconds: br.dpExposed + br.optimizer, crossClusterSeconds: cross,
                            overheadSeconds: br.overhead, p2pSeconds: g.p2pSeconds, interGroupSeconds: inter,
                            maxStagesAfter: maxStagesAfter)
    }
}

extension GroupStageModel {
    /// The microbatch time of a stage of `ls` layers (`StageMetrics.microbatchSeconds`): it
    /// depends only on the layer shape and the recompute mode (not on the DP degree, stages,
    /// ZeRO stage or memory), so the searches bound plans with it before evaluating anything else.
    func microbatchSeconds(layer: LayerCosts, t: Int, c: Int, sp: Bool, b: Int, recompute r: RecomputeMode,
                           overlap: MixedOverlap, layers ls: Int) -> Double {
        let g = groupCosts(layer: layer, t: t, c: c, p: 1, d: 1, b: b, sp: sp, microbatches: 1)
        let none = TrainingCostModel.ZeroInputs(dpPerStep: 0, paramGatherPerStep: 0, zeroGatherPerMicrobatch: 0, optimizerSeconds: 0)
        var k = model.scalars
        k.capacityBytes = .infinity
        let st = TrainingCostModel.StageInputs(layers: ls, params: (dense: 0, expert: 0))
        let x = model.assemble(g, st, none, virtualStages: 1, recompute: r, memoryBytes: 0, overlapDP: overlap.dataParallel,
                               overlapParamGather: overlap.paramGather, overlapTP: overlap.tensorParallel,
                               overlapPP: overlap.pipeline)
        let br = candidateBreakdown(x, k)
        return br.forward + br.backward + br.recompute + br.tpExposed + br.epExposed + br.cpExposed
    }
}
