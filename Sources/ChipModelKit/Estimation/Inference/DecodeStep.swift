/// One term of a decode iteration on one chip, linear in the batch `b` (sequences) and the
/// mean context `L` (tokens in the KV cache per sequence):
///
///     flops = b·flopsPerSeq + b·L·flopsPerSeqToken
///     bytes = bytesFixed + min(b·bytesPerSeq, bytesPerSeqCap) + b·L·bytesPerSeqToken
///     d2d   = b·d2dBytesPerSeq + b·L·d2dBytesPerSeqToken               (multi-die packages)
///     time  = max(flops / sustainedFlops, bytes / bytesPerSecond, d2d / d2dBytesPerSecond)
///
/// (the roofline point, `RooflineBatch.pointTime`, with the D2D ceiling of a multi-die package;
/// the D2D terms are zero on a monolithic chip).
/// `bytesPerSeqCap` models MoE weights: a batch touches at most all local experts. Terms are
/// already multiplied by the number of layers they stand for (n·max(a, b) = max(n·a, n·b)).
public struct DecodeTerm: Sendable, Equatable {
    public enum Kind: String, Sendable { case weights, kvCache, elementwise }
    public var name: String
    public var kind: Kind
    public var flopsPerSeq: Double
    public var flopsPerSeqToken: Double
    public var bytesFixed: Double
    public var bytesPerSeq: Double
    public var bytesPerSeqCap: Double
    public var bytesPerSeqToken: Double
    public var sustainedFlops: Double
    public var bytesPerSecond: Double
    /// Bytes crossing the die-to-die link each way per sequence (activations a die does not
    /// own) and per sequence and context token (K/V heads shared across dies), per direction.
    public var d2dBytesPerSeq: Double = 0
    public var d2dBytesPerSeqToken: Double = 0
    /// Sustained D2D bandwidth each way, B/s (infinite on a monolithic chip).
    public var d2dBytesPerSecond: Double = .infinity
    /// Vector operations per byte of this term to convert its stored format (0: native).
    public var vectorOpsPerByte: Double = 0
    /// Sustained vector throughput for the conversion, operations/s.
    public var vectorFlopsPerSecond: Double = .infinity
    /// Expert load imbalance (`ExpertLoadImbalance`): the per-sequence work of this term runs
    /// on the busiest rank, whose batch is b + sqrt(c·b) for this coefficient c (0: balanced).
    public var imbalanceCoefficient: Double = 0
    /// Work between an MoE layer's dispatch and its combine (routed experts, permutation): the
    /// part of a layer that two-batch overlap pairs with both all-to-alls (`MicroBatchOverlap`).
    public var expertStage = false

    /// The batch the busiest rank effectively serves (b when balanced).
    @inline(__always) func busiest(_ b: Double) -> Double {
        imbalanceCoefficient > 0 && b > 0 ? b + (imbalanceCoefficient * b).squareRoot() : b
    }

    public init(name: String, kind: Kind, flopsPerSeq: Double = 0, flopsPerSeqToken: Double = 0, bytesFixed: Double = 0,
                bytesPerSeq: Double = 0, bytesPerSeqCap: Double = .greatestFiniteMagnitude, bytesPerSeqToken: Double = 0,
                sustainedFlops: Double, bytesPerSecond: Double, d2dBytesPerSeq: Double = 0, d2dBytesPerSeqToken: Double = 0,
                d2dBytesPerSecond: Double = .infinity) {
        self.d2dBytesPerSeq = d2dBytesPerSeq
        self.d2dBytesPerSeqToken = d2dBytesPerSeqToken
        // A zero or invalid D2D bandwidth would give 0/0: treat it as a tiny positive one.
        self.d2dBytesPerSecond = d2dBytesPerSecond > 0 ? d2dBytesPerSecond : 1e-300
        self.name = name
        self.kind = kind
        self.flopsPerSeq = flopsPerSeq
        self.flopsPerSeqToken = flopsPerSeqToken
        self.bytesFixed = bytesFixed
        self.bytesPerSeq = bytesPerSeq
        self.bytesPerSeqCap = bytesPerSeqCap
        self.bytesPerSeqToken = bytesPerSeqToken
        self.sustainedFlops = sustainedFlops
        self.bytesPerSecond = bytesPerSecond
    }

    public func flops(batch b: Double, context l: Double) -> Double { busiest(b) * flopsPerSeq + b * l * flopsPerSeqToken }
    public func bytes(batch b: Double, context l: Double) -> Double {
        let perSeq = busiest(b) * bytesPerSeq
        return bytesFixed + (perSeq < bytesPerSeqCap ? perSeq : bytesPerSeqCap) + b * l * bytesPerSeqToken
    }
    public func d2dBytes(batch b: Double, context l: Double) -> Double { b * d2dBytesPerSeq + b * l * d2dBytesPerSeqToken }
    /// Scalar reference time.
    public func seconds(batch b: Double, context l: Double) -> Double {
        let bb = busiest(b)
        let tc = (bb * flopsPerSeq + b * l * flopsPerSeqToken) / sustainedFlops
        let perSeq = bb * bytesPerSeq
        let tm = (bytesFixed + (perSeq < bytesPerSeqCap ? perSeq : bytesPerSeqCap) + b * l * bytesPerSeqToken) / bytesPerSecond
        let td = (b * d2dBytesPerSeq + b * l * d2dBytesPerSeqToken) / d2dBytesPerSecond
        let t = tm > tc ? tm : tc
        let u = td > t ? td : t
        guard vectorOpsPerByte > 0 else { return u }
        let tq = (bytesFixed + (perSeq < bytesPerSeqCap ? perSeq : bytesPerSeqCap) + b * l * bytesPerSeqToken) * vectorOpsPerByte
            / vectorFlopsPerSecond
        return tq > u ? tq : u
    }

    /// The conversion (dequantize) time of this term's bytes on the vector unit, seconds.
    public func conversionSeconds(batch b: Double, context l: Double) -> Double {
        vectorOpsPerByte > 0 ? bytes(batch: b, context: l) * vectorOpsPerByte / vectorFlopsPerSecond : 0
    }

    /// The same term `s` times over (n·max(a, b) = max(n·a, n·b): a term standing for s more
    /// layers), renamed with `prefix`.
    public func scaled(_ s: Double, prefix: String) -> DecodeTerm {
        var t = self
        t.name = prefix + name
        t.flopsPerSeq *= s
        t.flopsPerSeqToken *= s
        t.bytesFixed *= s
        t.bytesPerSeq *= s
        if t.bytesPerSeqCap < .greatestFiniteMagnitude { t.bytesPerSeqCap *= s }
        t.bytesPerSeqToken *= s
        t.d2dBytesPerSeq *= s
        t.d2dBytesPerSeqToken *= s
        return t
    }

    /// The ceiling that sets the term's time (ties go to compute, then memory, as in
    /// `RooflineBatch.pointTime`).
    public func ceiling(batch b: Double, context l: Double) -> Ceiling {
        let tc = flops(batch: b, context: l) / sustainedFlops
        let tm = bytes(batch: b, context: l) / bytesPerSecond
        let td = d2dBytes(batch: b, context: l) / d2dBytesPerSecond
        let tq = conversionSeconds(batch: b, context: l)
        if tq > tm && tq > tc && tq > td { return .compute }
        if td > tm && td > tc { return .d2d }
        return tm > tc ? .memory : .compute
    }
}

/// A collective in a decode iteration: the alpha-beta cost of `ClusterNetwork.flat`, linear in
/// the batch, as the faster of a ring and a tree (NCCL's choice), `count` times.
public struct DecodeComm: Sendable, Equatable {
    public var name: String
    public var count: Double
    public var ringFixed: Double
    public var ringPerSeq: Double
    public var treeFixed: Double
    public var treePerSeq: Double
    /// Expert load imbalance of the receiving side (as `DecodeTerm.imbalanceCoefficient`).
    public var imbalanceCoefficient: Double = 0
    /// An MoE combine (after the experts) rather than a dispatch or another collective
    /// (`MicroBatchOverlap`).
    public var isCombine = false

    public init(name: String, count: Double, ringFixed: Double, ringPerSeq: Double, treeFixed: Double, treePerSeq: Double) {
        self.name = name
        self.count = count
        self.ringFixed = ringFixed
        self.ringPerSeq = ringPerSeq
        self.treeFixed = treeFixed
        self.treePerSeq = treePerSeq
    }

    /// A collective of `bytesPerSeq`·b bytes per chip over `n` chips of one tier, with the
    /// formulas of `ClusterNetwork.flat` (Thakur et al. 2005).
    public init(name: String, collective: Collective, count: Double, bytesPerSeq: Double, n: Int, tier: NetworkTier,
                oneSided: Bool = false) {
        self.name = name
        self.count = count
        let N = Double(n), B = tier.bytesPerSecond > 0 ? tier.bytesPerSecond : 1e-300, alpha = tier.latencySeconds
        let steps = Double(ClusterNetwork.treeSteps(n))
        guard n > 1 else {
            ringFixed = 0; ringPerSeq = 0; treeFixed = 0; treePerSeq = 0
            return
        }
        switch collective {
        case .allReduce:
            ringFixed = 2 * (N - 1) * alpha
            ringPerSeq = 2 * (N - 1) / N * bytesPerSeq / B
            treeFixed = 2 * steps * alpha
            treePerSeq = 2 * bytesPerSeq / B
        case .reduceScatter, .allGather:
            ringFixed = (N - 1) * alpha
            ringPerSeq = (N - 1) / N * bytesPerSeq / B
            treeFixed = ringFixed
            treePerSeq = ringPerSeq
        case .allToAll:
            // NCCL-style all-to-all: N - 1 point-to-point messages issued in turn.
            ringFixed = (N - 1) * alpha
            ringPerSeq = (N - 1) / N * bytesPerSeq / B
            // One-sided (DeepEP low-latency kernels, large-EP decode): every peer is written at
            // once, so one latency and then the (N-1)/N of the bytes that leave the chip at the
            // link rate. DeepEP's H800 table (128 tokens/rank, hidden 7168, top-8, FP8 dispatch)
            // stays at ~190 us from EP 64 to 256 at ~39 GB/s: bandwidth-bound and flat in N,
            // which N - 1 latencies would not be.
            if oneSided { ringFixed = alpha }
            treeFixed = ringFixed
            treePerSeq = ringPerSeq
        case .pointToPoint:
            ringFixed = alpha
            ringPerSeq = bytesPerSeq / B
            treeFixed = ringFixed
            treePerSeq = ringPerSeq
        }
    }

    /// The same collective `s` times as often, renamed with `prefix`.
    public func scaled(_ s: Double, prefix: String) -> DecodeComm {
        var c = self
        c.name = prefix + name
        c.count *= s
        return c
    }

    public func seconds(batch b0: Double) -> Double {
        let b = imbalanceCoefficient > 0 && b0 > 0 ? b0 + (imbalanceCoefficient * b0).squareRoot() : b0
        let ring = ringFixed + ringPerSeq * b
        let tree = treeFixed + treePerSeq * b
        return count * (tree < ring ? tree : ring)
    }
}

/// The decode iteration of one pipeline stage on one chip, plus how stages, efficiency and
/// scheduling overhead turn it into the step time of a replica.
///
/// Pipeline: the replica's batch B is split into `pp` micro-batches of B/pp; each stage
/// processes one micro-batch per period, so every sequence advances one token per
/// `pp · stage(B/pp)` (Narayanan 2021's pipeline without bubbles: decode keeps it full).
public struct DecodeStepModel: Sendable, Equatable {
    public var terms: [DecodeTerm]
    public var comms: [DecodeComm]
    public var pp: Int
    /// Fraction of the roofline time reached (`InferenceFamilyCalibration.decodeEfficiency`).
    public var efficiency: Double
    public var overheadSeconds: Double
    /// Two-batch overlap of the communication with compute (`MicroBatchOverlap`; DP-attention
    /// large EP): a stage takes min(serial, two micro-batches of half the batch). nil: serial.
    public var overlap: MicroBatchOverlap?
    /// Host (CPU) seconds per scheduled sequence per iteration
    /// (`InferenceCalibration.hostSecondsPerScheduledSequence`), and the host schedulers that
    /// share the replica's batch (one per data-parallel attention rank, else one). The runtime
    /// prepares the next iteration on the host while the chips run this one, so a step takes
    /// the longer of the two.
    public var hostSecondsPerSequence: Double
    public var hostSchedulers: Double

    public init(terms: [DecodeTerm], comms: [DecodeComm], pp: Int, efficiency: Double, overheadSeconds: Double,
                overlap: MicroBatchOverlap? = nil, hostSecondsPerSequence: Double = 0, hostSchedulers: Double = 1) {
        self.terms = terms
        self.comms = comms
        self.pp = pp
        self.efficiency = efficiency
        self.overheadSeconds = overheadSeconds
        self.overlap = overlap
        self.hostSecondsPerSequence = hostSecondsPerSequence
        self.hostSchedulers = max(1, hostSchedulers)
    }

    /// Host seconds of one iteration at replica batch `batch`: each scheduler walks its share.
    public func hostSeconds(batch: Double) -> Double { hostSecondsPerSequence * batch / hostSchedulers }

    /// Compute (after efficiency) and communication seconds of one stage at stage batch `b`.
    func stageParts(batch b: Double, context: Double) -> (compute: Double, comm: Double) {
        var stage = 0.0
        for t in terms { stage = stage + t.seconds(batch: b, context: context) }
        var comm = 0.0
        for c in comms { comm = comm + c.seconds(batch: b) }
        return (stage / efficiency, comm)
    }

    /// Seconds of one stage at stage batch `b`: serial, or the faster of serial and two-batch
    /// overlap of two micro-batches of b/2.
    public func stageSeconds(batch b: Double, context: Double) -> Double {
        let full = stageParts(batch: b, context: context)
        let serial = full.compute + full.comm
        guard let o = overlap else { return serial }
        let tbo = o.seconds(overlapParts(batch: b / 2, context: context))
        return tbo < serial ? tbo : serial
    }

    /// One micro-batch of `b` split as two-batch overlap pairs it: compute before the dispatch
    /// (everything but the expert stage), the expert stage, dispatch (and any other collective)
    /// and combine.
    func overlapParts(batch b: Double, context: Double) -> MicroBatchOverlap.Parts {
        var x = 0.0, y = 0.0, d = 0.0, g = 0.0
        for t in terms {
            if t.expertStage { y = y + t.seconds(batch: b, context: context) } else { x = x + t.seconds(batch: b, context: context) }
        }
        for c in comms {
            if c.isCombine { g = g + c.seconds(batch: b) } else { d = d + c.seconds(batch: b) }
        }
        return MicroBatchOverlap.Parts(attention: x / efficiency, experts: y / efficiency, dispatch: d, combine: g)
    }

    /// SIMD `overlapParts` (same operations in the same order).
    func overlapParts(batches b: SIMD8<Double>, context: Double) -> MicroBatchOverlap.Parts8 {
        var x = SIMD8<Double>(repeating: 0), y = x, d = x, g = x
        for t in terms {
            let v = Self.seconds(t, batches: b, context: context)
            if t.expertStage { y = y + v } else { x = x + v }
        }
        for c in comms {
            let v = Self.seconds(c, batches: b)
            if c.isCombine { g = g + v } else { d = d + v }
        }
        let e = SIMD8<Double>(repeating: efficiency)
        return MicroBatchOverlap.Parts8(attention: x / e, experts: y / e, dispatch: d, combine: g)
    }

    /// Scalar reference: seconds of one decode iteration for a replica batch `batch` at mean
    /// context `context`.
    public func stepSeconds(batch: Double, context: Double) -> Double {
        let chips = chipsStepSeconds(batch: batch, context: context)
        let host = hostSeconds(batch: batch)
        return host > chips ? host : chips
    }

    /// The chips' part of a step (stages and overhead), without waiting for the host.
    public func chipsStepSeconds(batch: Double, context: Double) -> Double {
        let p = Double(pp)
        return p * stageSeconds(batch: batch / p, context: context) + overheadSeconds
    }

    /// Whether the host's iteration outlasts the chips' at this batch (the chips wait for it).
    public func isHostBound(batch: Double, context: Double) -> Bool {
        hostSeconds(batch: batch) > chipsStepSeconds(batch: batch, context: context)
    }

    /// SIMD version of `stepSeconds` over 8 batches at once: same operations in the same order
    /// (no FMA, max/min by `replacing(with:where:)`), so results are bit-identical.
    public func stepSeconds(batches: SIMD8<Double>, context: Double) -> SIMD8<Double> {
        let p = Double(pp)
        let b = batches / SIMD8(repeating: p)
        let full = stageParts(batches: b, context: context)
        var stage = full.compute + full.comm
        if let o = overlap {
            let tbo = o.seconds(overlapParts(batches: b / SIMD8(repeating: 2), context: context))
            stage.replace(with: tbo, where: tbo .< stage)
        }
        var step = stage * p + SIMD8(repeating: overheadSeconds)
        let host = SIMD8(repeating: hostSecondsPerSequence) * batches / SIMD8(repeating: hostSchedulers)
        step.replace(with: host, where: host .> step)
        return step
    }

    /// SIMD `stageParts`.
    func stageParts(batches b: SIMD8<Double>, context: Double) -> (compute: SIMD8<Double>, comm: SIMD8<Double>) {
        var stage = SIMD8<Double>(repeating: 0)
        for t in terms { stage = stage + Self.seconds(t, batches: b, context: context) }
        var comm = SIMD8<Double>(repeating: 0)
        for c in comms { comm = comm + Self.seconds(c, batches: b) }
        return (stage / SIMD8(repeating: efficiency), comm)
    }

    /// SIMD `DecodeTerm.seconds` (bit-identical to it).
    @inline(__always) static func seconds(_ t: DecodeTerm, batches b: SIMD8<Double>, context: Double) -> SIMD8<Double> {
        var bb = b
        if t.imbalanceCoefficient > 0 {
            let root = (b * t.imbalanceCoefficient).squareRoot()
            bb = b + root
            bb.replace(with: b, where: b .<= 0)
        }
        let tc = (bb * t.flopsPerSeq + b * context * t.flopsPerSeqToken) / SIMD8(repeating: t.sustainedFlops)
        var perSeq = bb * t.bytesPerSeq
        let cap = SIMD8<Double>(repeating: t.bytesPerSeqCap)
        perSeq.replace(with: cap, where: cap .<= perSeq)
        var tm = (SIMD8(repeating: t.bytesFixed) + perSeq + b * context * t.bytesPerSeqToken) / SIMD8(repeating: t.bytesPerSecond)
        tm.replace(with: tc, where: tm .<= tc)
        let td = (b * t.d2dBytesPerSeq + b * context * t.d2dBytesPerSeqToken) / SIMD8(repeating: t.d2dBytesPerSecond)
        let bytes = SIMD8(repeating: t.bytesFixed) + perSeq + b * context * t.bytesPerSeqToken
        tm.replace(with: td, where: tm .< td)
        if t.vectorOpsPerByte > 0 {
            let tq = bytes * t.vectorOpsPerByte / SIMD8(repeating: t.vectorFlopsPerSecond)
            tm.replace(with: tq, where: tm .< tq)
        }
        return tm
    }

    /// SIMD `DecodeComm.seconds` (bit-identical to it).
    @inline(__always) static func seconds(_ c: DecodeComm, batches b: SIMD8<Double>) -> SIMD8<Double> {
        var bc = b
        if c.imbalanceCoefficient > 0 {
            bc = b + (b * c.imbalanceCoefficient).squareRoot()
            bc.replace(with: b, where: b .<= 0)
        }
        var ring = SIMD8(repeating: c.ringFixed) + bc * c.ringPerSeq
        let tree = SIMD8(repeating: c.treeFixed) + bc * c.treePerSeq
        ring.replace(with: tree, where: tree .< ring)
        return ring * c.count
    }

    /// The breakdown entry for the chips waiting on the host's iteration (after the overhead).
    public static let hostWaitName = "host scheduling beyond the chips' step (per-sequence host time)"
    /// The binding resource (and time-share key) of a host-bound step.
    public static let hostBindingName = "host scheduling (per-sequence)"

    /// Time split by kind at one batch (for explanations and the binding resource).
    public func breakdown(batch: Double, context: Double) -> [(name: String, seconds: Double, computeBound: Bool)] {
        let p = Double(pp)
        let b = batch / p
        var out: [(String, Double, Bool)] = []
        for t in terms {
            let tc = t.flops(batch: b, context: context) / t.sustainedFlops
            let tm = t.bytes(batch: b, context: context) / t.bytesPerSecond
            let td = t.d2dBytes(batch: b, context: context) / t.d2dBytesPerSecond
            let tq = t.conversionSeconds(batch: b, context: context)
            out.append((t.name, p * max(tc, tm, td, tq) / efficiency, max(tc, tq) >= tm && max(tc, tq) >= td))
        }
        for c in comms { out.append((c.name, p * c.seconds(batch: b), false)) }
        out.append(("scheduling overhead", overheadSeconds, false))
        // When the host's iteration outlasts the chips', the chips wait for it: the entry tops
        // the parts up to the host's time (parts that two-batch overlap hides may already exceed it).
        if isHostBound(batch: batch, context: context) {
            let wait = hostSeconds(batch: batch) - out.reduce(0) { $0 + $1.1 }
            if wait > 0 { out.append((Self.hostWaitName, wait, false)) }
        }
        return out
    }
}
