/// BERT-style encoders and ResNet CNNs served MLPerf-style: every chip runs its own copy of the
/// model (replicas = chips, tp = pp = 1) on batches of samples.
public enum EncoderVisionEstimator {
    /// Default p99 latency bound of the MLPerf Inference server scenario, ms: 130 for BERT,
    /// 15 for ResNet-50 (MLPerf Inference rules, datacenter scenarios table).
    public static func serverBoundMs(_ arch: Architecture) -> Double { arch == .resnet ? 15 : 130 }

    /// Tokens per BERT sample actually computed: MLPerf pads SQuAD features to `sequence`, but
    /// padding-free kernels process only the real tokens (`bertMeanSequenceFraction`).
    public static func effectiveSequence(_ sequence: Int) -> Int {
        max(1, Int((Double(sequence) * InferenceCalibration.bertMeanSequenceFraction).rounded()))
    }

    /// The operations of one forward pass of `batch` samples, with repeat counts.
    public static func operations(model: ModelSpec, batch: Int, sequence: Int) -> [(name: String, op: RooflineOperation, count: Double)] {
        if model.architecture == .resnet {
            let convs = ResNetShape(blocks: model.resnetBlocks, imageSize: model.imageSize).convolutions
            var out: [(String, RooflineOperation, Double)] = []
            for (i, c) in convs.enumerated() {
                // Stride 2: the stem, the 3x3 conv that halves the side (v1.5), and the
                // projection shortcut of stages 2-4 (channels double into it).
                let prev = i > 0 ? convs[i - 1] : c
                let stride = (i == 0 || (c.kernel == 3 && c.outSide < prev.outSide) || (c.kernel == 1 && c.inChannels * 2 == c.outChannels)) ? 2 : 1
                out.append(("conv \(i)", .conv2d(batch: batch, inChannels: c.inChannels, outChannels: c.outChannels,
                                                  outHeight: c.outSide, outWidth: c.outSide, kernel: c.kernel, stride: stride), 1))
            }
            return out
        }
        let m = batch * sequence
        let h = model.hidden
        let layers = Double(model.layers)
        let mats = model.gatedMlp ? 3 : 2
        return [
            ("QKV projection", .gemm(m: m, n: h * 3, k: h), layers),
            ("attention core", .attention(batch: batch, heads: model.heads, kvHeads: model.kvHeads, queryLength: sequence,
                                          keyLength: sequence, headDim: model.headDim, causal: false), layers),
            ("output projection", .gemm(m: m, n: h, k: h), layers),
            ("MLP up", .gemm(m: m, n: model.ffnHidden * (mats - 1), k: h), layers),
            ("MLP down", .gemm(m: m, n: h, k: model.ffnHidden), layers),
            ("element-wise (layer norms, GELU, residual)", .elementwise(bytes: InferenceCalibration.elementwiseAccessesPerLayer * Double(m) * Double(h) * InferenceCalibration.activationBytes), layers),
        ]
    }

    /// Bytes of activations one layer (BERT) or one convolution (ResNet) reads and writes for
    /// a batch: the part of them that fits in the on-chip tile memory
    /// (`RooflineDevice.sramTileBytes`) passes from kernel to kernel in SRAM/L2, the rest
    /// streams from off-chip memory (`residentFraction`).
    public static func activationBytes(_ op: RooflineOperation, model: ModelSpec, batch: Int, sequence: Int, format: NumberFormat) -> Double {
        let e = format.isInteger ? format.bytesPerElement : max(2, format.bytesPerElement)
        if case let .conv2d(b, ci, co, oh, ow, _, s) = op {
            return Double(b) * (Double(ci * oh * s * ow * s) + Double(co * oh * ow)) * e
        }
        return Double(batch * sequence) * Double(4 * model.hidden + model.ffnHidden) * e
    }

    /// Seconds of one batch on one chip, and the explanation lines.
    public static func batchSeconds(model: ModelSpec, device: RooflineDevice, calibration: InferenceFamilyCalibration,
                                    batch: Int, sequence: Int) -> (seconds: Double, computeShare: Double, lines: [String]) {
        let eff = model.architecture == .resnet ? calibration.convEfficiency : calibration.prefillEfficiency
        var total = 0.0, compute = 0.0
        var lines: [String] = []
        for (name, op, count) in operations(model: model, batch: batch, sequence: sequence) {
            let resident = residentFraction(activationBytes: activationBytes(op, model: model, batch: batch, sequence: sequence, format: device.format),
                                            tileBytes: device.sramTileBytes)
            let r = evaluate(op, on: device, residentFraction: resident)
            let t = r.seconds * count / eff
            total += t
            if r.bound == .compute { compute += t }
            let where_ = resident >= 1 ? ", activations on chip" : resident > 0 ? ", \(formatQuantity(resident * 100, decimals: 0))% of activations on chip" : ""
            lines.append("  \(name): \(op.name)\(count != 1 ? " x\(formatQuantity(count))" : "") = \(formatQuantity(t * 1e3)) ms (\(r.bound.rawValue)-bound\(where_))")
        }
        return (total, total > 0 ? compute / total : 0, lines)
    }

    /// The share of a kernel's activation traffic that stays on chip when its activations take
    /// `activationBytes` and the chip keeps `tileBytes` of them resident: all of it when they fit,
    /// else `tileBytes / activationBytes`, as a persisting L2 window larger than the set-aside
    /// part hits in that ratio (CUDA C++ Programming Guide, "L2 Cache Access Management":
    /// `hitRatio` = set-aside size / window size). Without it the throughput of a batch fell by
    /// half at the batch whose activations just outgrew the tile memory.
    public static func residentFraction(activationBytes: Double, tileBytes: Double) -> Double {
        guard activationBytes > tileBytes else { return 1 }
        return max(0, tileBytes) / activationBytes
    }

    /// The roofline of one operation. Two inference-engine mechanisms differ from
    /// `Roofline.evaluate`: the resident share of the activations (`residentFraction`) passes
    /// through SRAM/L2 and only the rest, with the weights, reaches off-chip memory; and an
    /// integer convolution writes integer activations (TensorRT and MLPerf ResNet-50 INT8 fuse
    /// batch-norm, ReLU and requantization into the epilogue), so its output costs `e` bytes per
    /// element, not `Roofline.cost`'s 2.
    public static func evaluate(_ op: RooflineOperation, on device: RooflineDevice, residentFraction: Double = 0) -> (seconds: Double, bound: Ceiling) {
        var c = Roofline.cost(op, format: device.format, dies: device.dies)
        let e = device.format.bytesPerElement
        let weightBytes: Double
        switch op {
        case let .gemm(_, n, k, b): weightBytes = Double(b) * Double(k) * Double(n) * e
        case let .conv2d(_, ci, co, _, _, k, _): weightBytes = Double(ci * co * k * k) * e
        default: weightBytes = 0
        }
        var bytes = weightBytes
        if residentFraction < 1 {
            if case let .conv2d(b, _, co, oh, ow, _, _) = op, device.format.isInteger {
                let saved = Double(b) * Double(oh) * Double(ow) * Double(co) * (max(e, 2) - e)
                c.compulsoryBytes -= saved
                c.untiledBytes -= saved
            }
            let offChip = Roofline.offChipBytes(c, format: device.format, tileBytes: device.sramTileBytes)
            bytes = residentFraction <= 0 ? offChip : weightBytes + (1 - residentFraction) * max(0, offChip - weightBytes)
        }
        let sustained = (c.usesMatrixUnits ? device.sustainedMatmulFlops : device.sustainedVectorFlops) * c.shapeEfficiency
        let p = RooflineBatch.pointTime(flops: c.flops, sustainedFlops: sustained, bytes: bytes,
                                   bytesPerSecond: device.memoryBytesPerSecond, sramBytes: c.usesMatrixUnits ? c.untiledBytes : 0,
                                   sramBytesPerSecond: device.sramBytesPerSecond, d2dBytes: c.d2dBytesPerDirection,
                                   d2dBytesPerSecond: device.d2dBytesPerSecondPerDirection)
        return (p.seconds, p.bound)
    }

    static func estimate(_ w: InferenceWorkload, chip: ChipParameters, chips: Int, constraints: PlanConstraints,
                         batch: Int?, calibration: InferenceFamilyCalibration) throws -> InferenceEstimate {
        let model = w.model
        if let tp = constraints.tp, tp > 1 { throw DoesNotFitError("\(model.id): encoder/CNN serving runs one copy per chip; tp must be 1") }
        if let pp = constraints.pp, pp > 1 { throw DoesNotFitError("\(model.id): encoder/CNN serving runs one copy per chip; pp must be 1") }
        let replicas = constraints.replicas ?? chips
        guard replicas <= chips else { throw DoesNotFitError("replicas \(replicas) exceed the \(chips) chips") }
        guard let capGB = chip.memoryCapacityGB else { throw MissingSpecError(chip: chip.id, key: "memory.capacityGB") }
        let device = try RooflineDevice.inference(chip: chip, format: w.precision, emulate: w.emulate)
        let cal = calibration
        let isResNet = model.architecture == .resnet
        let padded = isResNet ? 1 : max(1, w.inputTokens > 0 ? w.inputTokens : 384)
        let seq = isResNet ? 1 : effectiveSequence(padded)
        let capacity = capGB * 1e9
        let weights = model.totalParams * w.precision.bytesPerElement
        let perSampleActivation: Double = isResNet
            ? 2 * Double(112 * 112 * 256) * InferenceCalibration.activationBytes
            : Double(padded) * Double(4 * model.hidden + model.ffnHidden) * InferenceCalibration.activationBytes
        let reserve = InferenceCalibration.runtimeFixedGB * 1e9
        let free = capacity - weights - reserve
        guard free > perSampleActivation else {
            throw DoesNotFitError("\(model.id) does not fit on \(chip.id): needs \(formatQuantity((weights + reserve + perSampleActivation) / 1e9)) GB per chip, has \(formatQuantity(capacity / 1e9)) GB")
        }
        // Clamped in Double first: `Int(x)` traps past 2^63 (a what-if capacity of 1e18 GB).
        let maxBatch = Int(min(4096, (free / perSampleActivation).rounded(.down)))
        if let batch, batch > maxBatch {
            throw DoesNotFitError("\(model.id) at batch \(batch) does not fit on \(chip.id): needs \(formatQuantity((weights + reserve + Double(batch) * perSampleActivation) / 1e9)) GB per chip, has \(formatQuantity(capacity / 1e9)) GB")
        }
        let cands: [Int]
        if let batch { cands = [batch] } else if w.scenario == .singleStream { cands = [1] } else {
            var c: [Int] = []
            var x = 1
            while x <= maxBatch { c.append(x); x *= 2 }
            cands = c
        }
        let server = w.scenario == .server
        let boundMs = w.ttftBoundMs ?? w.tpotBoundMs ?? serverBoundMs(model.architecture)
        // Server: a batch alone must finish within the bound; the queue simulation below finds
        // the rate (and the batches) that keep the p99 within it.
        let batchBound = server ? boundMs / 1e3 : Double.infinity
        var rows: [InferenceSweepRow] = []
        var times: [(batch: Int, seconds: Double)] = []
        var best: (b: Int, s: Double, t: Double, share: Double, lines: [String])?
        for b in cands {
            let r = batchSeconds(model: model, device: device, calibration: cal, batch: b, sequence: seq)
            let perSecond = Double(b) / r.seconds
            let ok = r.seconds <= batchBound
            if ok { times.append((b, r.seconds)) }
            rows.append(InferenceSweepRow(batch: b, throughput: perSecond * Double(replicas),
                                          ttftMs: nil, tpotMs: nil, latencyMs: r.seconds * 1e3, meetsBounds: ok))
            if ok, best == nil || perSecond > best!.s { best = (b, perSecond, r.seconds, r.computeShare, r.lines) }
        }
        guard let best else {
            throw DoesNotFitError("no batch of \(model.id) on \(chip.id) finishes within the \(formatQuantity(boundMs)) ms server bound")
        }
        var samples = best.s * Double(replicas)
        var queue: ServingQueueSummary?
        if server && batch == nil {
            let q = try EncoderServerScenario.rate(times: times, chips: replicas, boundSeconds: boundMs / 1e3)
            // A rate above the best batch's throughput is not stable (utilization > 1: the queue
            // grows without bound); a finite simulation near that rate cannot always see it.
            samples = min(q.requestsPerSecond, samples)
            queue = q
        }
        let mem = InferenceMemory(capacityBytes: capacity, weightsBytes: weights,
                                  workspaceBytes: reserve + Double(best.b) * perSampleActivation,
                                  kvCapacityBytes: 0, kvBytesPerToken: 0, kvUsedBytes: 0)
        let binding = best.share >= 0.5 ? "compute" : "memory bandwidth"
        var lines: [String] = []
        lines.append("model \(model.name): \(formatQuantity(model.totalParams / 1e6)) M params, \(w.precision.rawValue)" + (isResNet ? ", \(formatQuantity(ResNetShape(blocks: model.resnetBlocks, imageSize: model.imageSize).flops / 1e9)) GFLOP/image" : ", sequence \(padded) padded, \(seq) computed (padding-free kernels, fraction \(formatQuantity(InferenceCalibration.bertMeanSequenceFraction)))"))
        lines.append("chip \(chip.id) (\(chip.corner.rawValue)): \(formatQuantity(device.peakFlops / 1e12)) T\(w.precision.isInteger ? "OPS" : "FLOPS") \(device.computeFormat.rawValue) dense, \(formatQuantity(device.peakMemoryBytesPerSecond / 1e9)) GB/s")
        lines.append("plan: one copy per chip x \(replicas) replicas, batch \(best.b) (searched up to \(maxBatch) by memory)")
        lines.append("calibration: \(isResNet ? "conv" : "encoder (prefill)") efficiency \(formatQuantity(isResNet ? cal.convEfficiency : cal.prefillEfficiency)) (\(cal.provenance))")
        lines.append("batch time \(formatQuantity(best.t * 1e3)) ms:")
        lines += best.lines
        if let q = queue {
            lines.append("server (queue simulation: Poisson arrivals of single samples dealt round-robin to \(replicas) chips, each batching what waits when it frees, batches up to \(times.last?.batch ?? best.b); \(q.simulatedRequests) samples per rate, \(q.evaluations) rates tried): highest rate with \(q.boundsLabel) = \(formatQuantity(q.requestsPerSecond)) samples/s")
            lines.append("  latency " + ServingQueueSummary.line(q.latencyMs) + "; mean batch \(formatQuantity(q.meanBatch))")
            if samples < q.requestsPerSecond {
                lines.append("  capped at the offline capacity \(formatQuantity(samples)) samples/s: a higher rate is not stable (the queue grows without bound)")
            }
            if let a = q.aboveBound { lines.append("  \(a)") }
        }
        lines.append("throughput: \(formatQuantity(samples)) samples/s system, \(formatQuantity(samples / Double(chips))) per chip; bound by \(binding)")
        // Server: the chips are busy for the simulated rate's share of their offline capacity.
        let load = queue.map { $0.requestsPerSecond / max(best.s * Double(replicas), 1e-300) } ?? 1
        let shares = InferenceTimeShares(computeBoundSeconds: best.t * best.share, memoryBoundSeconds: best.t * (1 - best.share),
                                         idleSeconds: load > 0 && load < 1 ? best.t * (1 - load) / load : 0)
        return InferenceEstimate(
            chipID: chip.id, chips: chips, modelID: model.id, scenario: w.scenario,
            plan: InferencePlan(tp: 1, pp: 1, ep: 1, replicas: replicas, batch: best.b),
            tokensPerSecond: nil, tokensPerSecondPerChip: nil, samplesPerSecond: samples,
            ttftMs: nil, tpotMs: nil, latencyMs: queue.map { $0.latencyMs[2] } ?? best.t * 1e3, memory: mem,
            binding: binding + (queue == nil ? "" : "; server rate at the p99 bound (queue simulation)"), sweep: rows,
            explanation: lines, usesEstimatedSpecs: chip.usesEstimates,
            calibrated: InferenceCalibration.isCalibrated(chip.family), weightPrecision: w.precision,
            computePrecision: device.computeFormat, queue: queue, timeShares: shares)
    }
}
