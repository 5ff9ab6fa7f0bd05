/// The roofline fallback metric for what-if sweeps and the roadmap: the delivered token rate of
/// ONE chip running a representative transformer layer's GEMMs and attention, timed with
/// `Roofline.evaluate` (each operation at the largest of its compute, HBM, SRAM and D2D times).
///
/// It is a real estimate of a narrower thing than the training and inference estimators:
/// no parallelism, no collectives, no memory-capacity check, no element-wise/norm kernels, no
/// pipeline bubbles. Results are labelled "roofline layer" wherever they are printed.
///
/// - Training: tokens per step `T = batch x seq`; forward GEMMs QKV (T x (h+2kv)d x hidden),
///   output (T x hidden x hd), MLP up/gate and down; causal fused attention; backward counted
///   as twice the forward time (the 3x forward convention of Narayanan et al. 2021, eq. 3's
///   "2 for the forward pass, 4 for the backward"). tokens/s = T / (layers x 3 x layer time).
/// - Inference (decode): `batch` sequences each produce one token against a KV cache of `seq`
///   tokens: GEMMs with M = batch, attention with query length 1 and key length `seq`.
///   tokens/s = batch / (layers x layer time).
/// - Prefill: `batch` prompts of `seq` tokens, forward only, causal attention;
///   tokens/s = batch x seq / (layers x layer time).
/// - MoE layers: the routed tokens (`T x expertsPerToken`) spread evenly over all experts
///   (one batched GEMM per matrix, so every expert's weights are read), plus shared experts.
public struct RooflineLayerWorkload: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case training
        /// Inference decode: one new token per sequence against the KV cache.
        case inference
        /// Inference prefill: the whole prompt of `seq` tokens per sequence, forward only.
        case prefill
    }

    public var model: ModelSpec
    public var mode: Mode
    /// Sequences per step (training) or concurrent sequences (inference decode).
    public var batch: Int
    /// Sequence length (training) or KV-cache context length (inference).
    public var seq: Int
    public var format: NumberFormat
    public var emulate: Bool

    public init(model: ModelSpec, mode: Mode, batch: Int, seq: Int, format: NumberFormat, emulate: Bool = false) {
        self.model = model
        self.mode = mode
        self.batch = batch
        self.seq = seq
        self.format = format
        self.emulate = emulate
    }

    /// The parameters `--vary` may sweep besides spec keys.
    public static let parameters = ["batch", "seq"]

    /// The operations of one transformer layer.
    public var operations: [RooflineOperation] {
        let m = model
        let tokens = mode == .inference ? batch : batch * seq
        let hd = m.heads * m.headDim
        var ops: [RooflineOperation] = [
            .gemm(m: tokens, n: (m.heads + 2 * max(1, m.kvHeads)) * m.headDim, k: m.hidden),
            mode != .inference
                ? .attention(batch: batch, heads: m.heads, kvHeads: max(1, m.kvHeads), queryLength: seq, keyLength: seq, headDim: m.headDim, causal: true)
                : .attention(batch: batch, heads: m.heads, kvHeads: max(1, m.kvHeads), queryLength: 1, keyLength: seq, headDim: m.headDim, causal: false),
            .gemm(m: tokens, n: m.hidden, k: hd),
        ]
        let upWidth = (m.gatedMlp ? 2 : 1)
        if m.isMoE {
            let perExpert = max(1, Int((Double(tokens * max(1, m.expertsPerToken)) / Double(max(1, m.experts))).rounded(.up)))
            ops.append(.gemm(m: perExpert, n: upWidth * m.expertFfnHidden, k: m.hidden, batch: m.experts))
            ops.append(.gemm(m: perExpert, n: m.hidden, k: m.expertFfnHidden, batch: m.experts))
            if m.sharedExperts > 0 {
                ops.append(.gemm(m: tokens, n: upWidth * m.expertFfnHidden * m.sharedExperts, k: m.hidden))
                ops.append(.gemm(m: tokens, n: m.hidden, k: m.expertFfnHidden * m.sharedExperts))
            }
        } else {
            ops.append(.gemm(m: tokens, n: upWidth * m.ffnHidden, k: m.hidden))
            ops.append(.gemm(m: tokens, n: m.hidden, k: m.ffnHidden))
        }
        return ops
    }

    /// Result of one evaluation.
    public struct Result: Sendable, Equatable {
        public var tokensPerSecond: Double
        /// Seconds per layer (forward, or forward+backward for training).
        public var layerSeconds: Double
        /// The ceiling holding the most layer time.
        public var binding: Ceiling
        /// Seconds per ceiling, summed over the layer's operations.
        public var secondsByCeiling: [Ceiling: Double]
        /// Delivered FLOP/s over the vendor peak of the format used.
        public var utilization: Double
    }

    public func evaluate(_ params: ChipParameters, calibration: FamilyCalibration? = nil) throws -> Result {
        guard model.isDecoder || model.architecture == .bert else {
            throw WorkloadShapeError(message: "the roofline layer metric needs a transformer model, '\(model.id)' is \(model.architecture.rawValue)")
        }
        let device = try RooflineDevice(chip: params, format: format, emulate: emulate, calibration: calibration)
        var seconds = 0.0, flops = 0.0
        var byCeiling: [Ceiling: Double] = [:]
        for op in operations {
            let r = Roofline.evaluate(op, on: device)
            seconds += r.seconds
            flops += r.flops
            byCeiling[r.bound, default: 0] += r.seconds
        }
        let passes = mode == .training ? 3.0 : 1.0
        let layerSeconds = seconds * passes
        let tokens = Double(mode == .inference ? batch : batch * seq)
        let binding = Ceiling.allCases.max { (byCeiling[$0] ?? 0) < (byCeiling[$1] ?? 0) } ?? .compute
        let total = layerSeconds * Double(model.layers)
        return Result(tokensPerSecond: total > 0 ? tokens / total : 0, layerSeconds: layerSeconds, binding: binding,
                      secondsByCeiling: byCeiling, utilization: seconds > 0 ? flops / seconds / device.peakFlops : 0)
    }

    /// A label for output headers.
    public var label: String {
        let what: String
        switch mode {
        case .training: what = "training, batch \(batch) x seq \(seq)"
        case .inference: what = "inference decode, batch \(batch), context \(seq)"
        case .prefill: what = "inference prefill, batch \(batch) x prompt \(seq)"
        }
        return "roofline layer metric (one chip, \(model.id) layer GEMMs + attention, \(what), \(format.rawValue); no parallelism, collectives or capacity check)"
    }

    /// This workload as a what-if metric: tokens/s (with corner ranges) and utilization;
    /// sweep points may override `batch` and `seq`.
    public var whatIfMetric: WhatIfMetric {
        let base = self
        let unit = mode == .training ? "training tokens/s" : (mode == .prefill ? "prefill tokens/s" : "decode tokens/s")
        return WhatIfMetric.ranged(label: label, parameters: Self.parameters,
                                   outputs: [.init("tokensPerSecond", unit: unit), .init("utilization", unit: "fraction of peak")]) { p, point in
            var w = base
            if let b = point["batch"] { w.batch = try Self.count(b, "batch") }
            if let s = point["seq"] { w.seq = try Self.count(s, "seq") }
            let r = try w.evaluate(p)
            return ([r.tokensPerSecond, r.utilization], r.binding.rawValue)
        }.withCaveat(Self.caveat)
    }

    /// The roofline tiles GEMMs in on-chip memory; a chip whose spec states no SRAM or L2 is
    /// run with no on-chip reuse (`RooflineDevice.sramTileBytes` = 0), a lower bound.
    public static func caveat(_ chip: Chip) -> String? {
        guard chip.onChip.sramMB == nil, chip.onChip.l2CacheMB == nil else { return nil }
        return "\(chip.id): spec states no onChip.sramMB or l2CacheMB; the roofline assumes no on-chip reuse (a lower bound)"
    }

    static func count(_ x: Double, _ name: String) throws -> Int {
        guard x >= 1, x <= 1e7, x == x.rounded() else {
            throw WorkloadShapeError(message: "\(name) must be a whole number in 1...10000000, got \(formatQuantity(x))")
        }
        return Int(x)
    }
}

/// A workload parameter that cannot be used.
public struct WorkloadShapeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
