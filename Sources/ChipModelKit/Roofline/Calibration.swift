/// Efficiency constants per chip family and mechanism: the only tuned numbers in chipmodel.
///
/// Each is a fraction of a vendor peak that well-tuned software sustains. They are set per
/// *family* (never per case) and fitted only on `Benchmarks/calibration-cases.json` (a copy of
/// the shared reference cases); `Calibration.swift`'s table below records each value, what
/// it means and how it was obtained. Families without calibration data use `default`, whose
/// values are the mean of the fitted families, and estimates for them say so.
public struct FamilyCalibration: Sendable, Equatable {
    /// Fraction of the dense matrix peak a large, well-shaped GEMM sustains.
    public var matmulPeakFraction: Double
    /// Fraction of the HBM/DRAM peak a streaming kernel sustains.
    public var memoryBandwidthFraction: Double
    /// Fraction of the scale-up link bandwidth a large collective sustains (bus bandwidth).
    public var scaleUpFraction: Double
    /// Fraction of the scale-out NIC bandwidth a large collective sustains.
    public var scaleOutFraction: Double
    /// Fraction of the D2D link bandwidth a transfer sustains.
    public var d2dFraction: Double
    /// Where the values came from.
    public var provenance: String
    /// Training (mechanism) constants; see `TrainingCalibration`.
    public var training: TrainingCalibration

    public init(matmulPeakFraction: Double, memoryBandwidthFraction: Double, scaleUpFraction: Double,
                scaleOutFraction: Double, d2dFraction: Double, provenance: String,
                training: TrainingCalibration = .prior) {
        self.matmulPeakFraction = matmulPeakFraction
        self.memoryBandwidthFraction = memoryBandwidthFraction
        self.scaleUpFraction = scaleUpFraction
        self.scaleOutFraction = scaleOutFraction
        self.d2dFraction = d2dFraction
        self.provenance = provenance
        self.training = training
    }
}

/// Per-mechanism constants of the training estimator (`Training/`). Like the family
/// fractions, they are set per chip family and fitted only on the training cases of
/// `Benchmarks/calibration-cases.json`.
public struct TrainingCalibration: Sendable, Equatable {
    /// GEMM work (FLOPs) at which a GEMM reaches half of its sustained rate: efficiency
    /// `w / (w + halfEfficiencyFlops)` on top of tile quantization. Models the launch, wave
    /// quantization and prologue/epilogue cost that makes small per-chip GEMMs (high TP, small
    /// microbatches) slower than large ones.
    public var gemmHalfEfficiencyFlops: Double
    /// Fixed time per microbatch per pipeline stage (kernel launches, host sync, p2p
    /// handshakes, data loader), seconds.
    public var microbatchOverheadSeconds: Double
    /// Fixed time per optimizer step (gradient clipping, loss scaling, logging, barrier), seconds.
    public var stepOverheadSeconds: Double
    /// With TP communication overlapped with GEMMs (userbuffers / TransformerEngine
    /// comm-GEMM overlap), the fraction of the TP communication that stays exposed even when
    /// there is enough GEMM time to hide it (chunking and synchronization cost).
    public var tpOverlapResidual: Double
    /// Fraction of the HBM capacity a training job can use for weights, gradients, optimizer
    /// state and activations (the rest: CUDA context, allocator fragmentation, workspace).
    public var memoryUsableFraction: Double
    /// Multiplies the matrix fraction for 8-bit and narrower training formats: FP8 GEMMs in
    /// Transformer Engine pay casts, amax/scale bookkeeping and smaller tiles, so they reach a
    /// lower fraction of their (2x) peak than BF16 GEMMs.
    public var lowPrecisionMatmulScale: Double
    /// Training GEMM fraction of the dense peak, replacing the family's roofline
    /// `matmulPeakFraction` in the training estimator (nil: use the family value). Fitted on the
    /// training cases: it absorbs what a whole training step loses beyond a roofline GEMM
    /// (kernel mix, unfused ops, framework time) so the roofline value stays a GEMM figure.
    public var matmulPeakFraction: Double?
    /// Training collective efficiency on the scale-out NICs (nil: the family value).
    public var scaleOutFraction: Double?

    public init(gemmHalfEfficiencyFlops: Double, microbatchOverheadSeconds: Double, stepOverheadSeconds: Double,
                tpOverlapResidual: Double, memoryUsableFraction: Double, lowPrecisionMatmulScale: Double = 0.75,
                matmulPeakFraction: Double? = nil, scaleOutFraction: Double? = nil) {
        self.matmulPeakFraction = matmulPeakFraction
        self.scaleOutFraction = scaleOutFraction
        self.lowPrecisionMatmulScale = lowPrecisionMatmulScale
        self.gemmHalfEfficiencyFlops = gemmHalfEfficiencyFlops
        self.microbatchOverheadSeconds = microbatchOverheadSeconds
        self.stepOverheadSeconds = stepOverheadSeconds
        self.tpOverlapResidual = tpOverlapResidual
        self.memoryUsableFraction = memoryUsableFraction
    }

    /// The prior for families with no training case: a 2 GFLOP half-efficiency point (a
    /// 1024x1024x1024 GEMM reaches half rate, the usual shape of cuBLAS efficiency curves),
    /// 1 ms per microbatch-stage, 50 ms per step, 30% of overlapped TP traffic exposed, 90% of
    /// HBM usable.
    public static let prior = TrainingCalibration(
        gemmHalfEfficiencyFlops: 2e9, microbatchOverheadSeconds: 1e-3, stepOverheadSeconds: 0.05,
        tpOverlapResidual: 0.3, memoryUsableFraction: 0.9)
}

public enum Calibration {
    /// Used for families with no calibration case (Biren, Huawei, ...): a prior, documented
    /// as such. Matrix 0.75 / memory 0.85 / links 0.8 are the usual published sustained
    /// fractions for tuned GEMM, STREAM-like copies and NCCL bus bandwidth on A100/H100.
    public static let `default` = FamilyCalibration(
        matmulPeakFraction: 0.75, memoryBandwidthFraction: 0.85, scaleUpFraction: 0.80,
        scaleOutFraction: 0.80, d2dFraction: 0.85,
        provenance: "prior (no calibration case for this family): typical sustained fractions of tuned GEMM, streaming copies and NCCL bus bandwidth")

    /// Per-family constants. Replace a prior with fitted values only from the calibration cases.
    public static let families: [String: FamilyCalibration] = [:]

    public static func family(_ name: String) -> FamilyCalibration { families[name] ?? Calibration.default }
    public static func isCalibrated(_ family: String) -> Bool { families[family] != nil }
}
