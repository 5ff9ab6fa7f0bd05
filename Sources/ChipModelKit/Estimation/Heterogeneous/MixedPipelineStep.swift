// The step time of one heterogeneous pipeline (scalar reference; the searches call it for every
// plan they report and compare against it in the tests).

/// One group's part of a pipeline: its stages and their costs, in pipeline order.
public struct PipelinePart: Sendable, Equatable {
    /// Index of the group in `MixedCluster.groups`.
    public var group: Int
    /// Layers the group holds (its stages hold ceil(layers / stages) at most).
    public var layers: Int
    public var metrics: StageMetrics

    public init(group: Int, layers: Int, metrics: StageMetrics) {
        self.group = group
        self.layers = layers
        self.metrics = metrics
    }
}

/// The step of one pipeline split into its parts (seconds).
public struct PipelineStepBreakdown: Sendable, Equatable {
    /// m x the slowest stage's microbatch time: the steady state of 1F1B.
    public var steadySeconds: Double
    /// Fill and drain: (sum over stages of the microbatch time - the slowest) / v.
    public var fillDrainSeconds: Double
    /// Exposed pipeline p2p (fill and drain messages; every microbatch's without p2p overlap),
    /// of which across groups.
    public var p2pSeconds: Double
    public var interGroupP2PSeconds: Double
    /// The slowest group's exposed DP reduction + optimizer.
    public var tailSeconds: Double
    /// The largest fixed per-step overhead of the groups' families.
    public var overheadSeconds: Double
    /// The largest cross-cluster gradient reduction of the pipeline's groups before overlap
    /// (data-parallel plans; 0 alone); its exposed part is in `tailSeconds`.
    public var crossClusterSeconds: Double
    public var total: Double
}

/// The step time of a pipeline of `parts` (in pipeline order) with `m` microbatches and `v`
/// virtual stages per stage, generalizing the homogeneous estimator's pipeline
/// (Narayanan et al. 2021, SC21, section 2.2) to stages of unequal time: in 1F1B the steady
/// state runs at the slowest stage, and fill plus drain pass once through every stage (Metis,
/// Um et al. ATC 2024: (m - 1)·max + sum for v = 1), so
///
///     pipe = m·Mmax + (Σ_s M_s - Mmax) / v,     Σ over all S stages (p_g stages of group g)
///
/// which is the homogeneous (m + (p-1)/v)·M when all stages are equal. Exposed p2p: the fill and
/// drain messages of the S·v - 1 chunk boundaries (inside a group its p2p; across groups the
/// slower end of the inter-group fabric: the tensor is spread over min(TP x CP) chips); without
/// p2p overlap also 2·v messages per microbatch on the busiest boundary. After the pipeline, the
/// slowest group's exposed DP reduction and optimizer (every group reduces its own stages' weights
/// over its own network, concurrently), then the largest fixed overhead.
public func pipelineStep(_ parts: [PipelinePart], microbatches m: Int, virtualStages v: Int,
                         overlapPipeline: Bool) -> PipelineStepBreakdown {
    let M = Double(m), V = Double(v)
    var mMax = 0.0, sum = 0.0, tail = 0.0, over = 0.0, intra = 0.0, inter = 0.0, busiest = 0.0, cross = 0.0
    for (i, part) in parts.enumerated() {
        let s = part.metrics
        cross = max(cross, s.crossClusterSeconds)
        mMax = max(mMax, s.microbatchSeconds)
        sum += Double(s.stages) * s.microbatchSeconds
        tail = max(tail, s.tailSeconds)
        over = max(over, s.overheadSeconds)
        intra += 2 * V * Double(s.stages - 1) * s.p2pSeconds
        if s.stages > 1 { busiest = max(busiest, s.p2pSeconds) }
        if i + 1 < parts.count {
            let edge = max(s.interGroupSeconds, parts[i + 1].metrics.interGroupSeconds)
            inter += 2 * V * edge
            busiest = max(busiest, edge)
        }
    }
    // Interleaving wraps from the last stage back to the first v - 1 times.
    if v > 1, let first = parts.first, let last = parts.last {
        if parts.count == 1 {
            intra += 2 * (V - 1) * first.metrics.p2pSeconds
        } else {
            let edge = max(first.metrics.interGroupSeconds, last.metrics.interGroupSeconds)
            inter += 2 * (V - 1) * edge
            busiest = max(busiest, edge)
        }
    }
    var p2p = intra + inter
    if !overlapPipeline { p2p += 2 * V * M * busiest }
    let steady = M * mMax
    let fill = (sum - mMax) / V
    let total = steady + fill + p2p + tail + over
    return PipelineStepBreakdown(steadySeconds: steady, fillDrainSeconds: fill, p2pSeconds: p2p, interGroupP2PSeconds: inter,
                                 tailSeconds: tail, overheadSeconds: over, crossClusterSeconds: cross, total: total)
}

/// `pipelineStep` of a one-group pipeline, without building the parts array (the same
/// operations in the same order, so the two agree bit for bit).
@inline(__always)
func singleGroupStepTotal(_ s: StageMetrics, microbatches m: Int, virtualStages v: Int, overlapPipeline: Bool) -> Double {
    let M = Double(m), V = Double(v)
    let mMax = max(0.0, s.microbatchSeconds)
    let sum = 0.0 + Double(s.stages) * s.microbatchSeconds
    let tail = max(0.0, s.tailSeconds), over = max(0.0, s.overheadSeconds)
    var intra = 0.0 + 2 * V * Double(s.stages - 1) * s.p2pSeconds
    let busiest = s.stages > 1 ? max(0.0, s.p2pSeconds) : 0.0
    if v > 1 { intra += 2 * (V - 1) * s.p2pSeconds }
    var p2p = intra + 0.0
    if !overlapPipeline { p2p += 2 * V * M * busiest }
    let steady = M * mMax
    let fill = (sum - mMax) / V
    return steady + fill + p2p + tail + over
}

/// Cross-cluster gradient reduction of one chip's gradient shard, seconds: in a plan of
/// `clusters` data-parallel clusters every chip, after the reduction over its own group's DP
/// replicas, all-reduces its shard with the chips holding the same weights in the other
/// clusters over the inter-group fabric (ring or tree, `ClusterNetwork`; hierarchical DP: the
/// in-group part is the homogeneous DP reduction). `gradientBytesPerChip`: 2 bytes (BF16, as
/// `TrainingCostModel.dpCosts`) x the chip's stage weights / (d x CP).
public func crossClusterReduceSeconds(gradientBytesPerChip: Double, clusters: Int, fabric: ResolvedFabric) -> Double {
    guard clusters > 1, gradientBytesPerChip > 0 else { return 0 }
    return fabric.network.time(.allReduce, bytes: gradientBytesPerChip, groupSize: clusters, innerSize: 1)
}
