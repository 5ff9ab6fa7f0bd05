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

    /// The prior for families with no training case, and for the constants a family with few
    /// cases does not fit: the mean of the two well-sampled fitted families (nvidia-ampere,
    /// nvidia-hopper; see `Calibration.families`; the 8-bit scale is Hopper's, the only family
    /// with both 16-bit and 8-bit cases). Mechanism constants that no case
    /// constrains keep documented priors: 30% of overlapped TP traffic stays exposed
    /// (chunked comm-GEMM overlap never hides it all), 90% of HBM usable (CUDA context,
    /// allocator fragmentation, workspaces).
    public static let prior = TrainingCalibration(
        gemmHalfEfficiencyFlops: 2e9, microbatchOverheadSeconds: 0.125e-3, stepOverheadSeconds: 0.1,
        tpOverlapResidual: 0.3, memoryUsableFraction: 0.9, lowPrecisionMatmulScale: 0.8,
        matmulPeakFraction: 0.575)
}

public enum Calibration {
    /// Used for families with no calibration case (Biren, Huawei, ...): a prior, documented
    /// as such. Matrix 0.75 / memory 0.85 / links 0.8 are the usual published sustained
    /// fractions for tuned GEMM, STREAM-like copies and NCCL bus bandwidth on A100/H100.
    public static let `default` = FamilyCalibration(
        matmulPeakFraction: 0.75, memoryBandwidthFraction: 0.85, scaleUpFraction: 0.80,
        scaleOutFraction: 0.80, d2dFraction: 0.85,
        provenance: "prior (no calibration case for this family): typical sustained fractions of tuned GEMM, streaming copies and NCCL bus bandwidth; training constants: mean of the fitted NVIDIA families")

    /// Per-family constants. Replace a prior with fitted values only from the calibration cases.
    ///
    /// Training constants (`FamilyCalibration.training`) were fitted by
    /// `Tests/ChipModelKitTests/TrainingCalibrationTests.swift` (`TrainingCalibrationFit`, run with
    /// CHIPMODEL_TRAINING_FIT=1): coordinate descent over a grid of each constant, three rounds,
    /// minimizing the weighted mean absolute relative error over the family's training cases
    /// in `Benchmarks/calibration-cases.json` (weights from the file; never per case). Families
    /// with 6 or more cases fit the training matrix fraction, small-GEMM half-efficiency work,
    /// per-microbatch and per-step overheads, the scale-out collective efficiency and (with both
    /// 16-bit and 8-bit cases) the low-precision GEMM scale; families with fewer cases fit only
    /// the training matrix fraction and keep `TrainingCalibration.prior` for the rest. The roofline
    /// fractions (matmul/memory/scale-up/scale-out/d2d) stay the documented prior of `default`:
    /// no roofline-level case constrains them here.
    public static let families: [String: FamilyCalibration] = [
        // 10 cases (Narayanan 2021 weak scaling, Korthikanti 2022, MT-NLG, LLaMA-1): weighted
        // mean |error| 6.7%. 0.55 of the 312 TF/s BF16/FP16 peak for a whole training step's
        // GEMMs (the papers' 2021-22 kernels: unfused softmax, Apex layer norm); 0.1 s per step;
        // HDR InfiniBand collectives at 0.5 of 25 GB/s (NCCL over 4-8 NICs per node).
        "nvidia-ampere": FamilyCalibration(
            matmulPeakFraction: 0.75, memoryBandwidthFraction: 0.85, scaleUpFraction: 0.80, scaleOutFraction: 0.80,
            d2dFraction: 0.85,
            provenance: "roofline fractions: prior; training constants fitted on 10 nvidia-ampere training cases",
            training: TrainingCalibration(gemmHalfEfficiencyFlops: 0, microbatchOverheadSeconds: 0, stepOverheadSeconds: 0.1,
                                          tpOverlapResidual: 0.3, memoryUsableFraction: 0.9, lowPrecisionMatmulScale: 0.8,
                                          matmulPeakFraction: 0.55, scaleOutFraction: 0.5)),
        // 12 cases (Megatron-Core H100 weak scaling, NeMo 24.07/25.02 FP8, Llama 3 405B, MLPerf
        // 4.0 GPT-3): weighted mean |error| 8.8%. 0.60 of the 989 TF/s BF16 peak; FP8 GEMMs reach
        // 0.8 of that fraction of the 1979 TF/s FP8 peak (0.48); GEMMs of 4 GFLOP run at half
        // rate (small per-chip GEMMs); 0.25 ms per microbatch-stage and 0.1 s per step; NDR
        // collectives at 0.9 of 50 GB/s (SHARP-capable fabrics).
        "nvidia-hopper": FamilyCalibration(
            matmulPeakFraction: 0.75, memoryBandwidthFraction: 0.85, scaleUpFraction: 0.80, scaleOutFraction: 0.80,
            d2dFraction: 0.85,
            provenance: "roofline fractions: prior; training constants fitted on 12 nvidia-hopper training cases",
            training: TrainingCalibration(gemmHalfEfficiencyFlops: 4e9, microbatchOverheadSeconds: 0.25e-3,
                                          stepOverheadSeconds: 0.1, tpOverlapResidual: 0.3, memoryUsableFraction: 0.9,
                                          lowPrecisionMatmulScale: 0.8, matmulPeakFraction: 0.60, scaleOutFraction: 0.9)),
        // 5 NeMo FP8 cases (B200, GB200 NVL72): weighted mean |error| 11.1%. Training matrix
        // fraction 0.7125 (x 0.8 for FP8: 0.57 of the FP8 dense peak).
        "nvidia-blackwell": FamilyCalibration(
            matmulPeakFraction: 0.75, memoryBandwidthFraction: 0.85, scaleUpFraction: 0.80, scaleOutFraction: 0.80,
            d2dFraction: 0.85,
            provenance: "roofline fractions: prior; training matrix fraction fitted on 5 nvidia-blackwell FP8 training cases, other training constants: prior",
            training: TrainingCalibration(gemmHalfEfficiencyFlops: 2e9, microbatchOverheadSeconds: 0.125e-3,
                                          stepOverheadSeconds: 0.1, tpOverlapResidual: 0.3, memoryUsableFraction: 0.9,
                                          lowPrecisionMatmulScale: 0.8, matmulPeakFraction: 0.7125)),
        // 3 MLPerf 4.0 GPT-3 INT8 cases on TPU v5p: weighted mean |error| 0.8% (3 cases, one
        // constant: a loose constraint). Training matrix fraction 0.55 (x 0.8 for INT8).
        "google-tpu": FamilyCalibration(
            matmulPeakFraction: 0.75, memoryBandwidthFraction: 0.85, scaleUpFraction: 0.80, scaleOutFraction: 0.80,
            d2dFraction: 0.85,
            provenance: "roofline fractions: prior; training matrix fraction fitted on 3 google-tpu (v5p, MLPerf 4.0) training cases, other training constants: prior",
            training: TrainingCalibration(gemmHalfEfficiencyFlops: 2e9, microbatchOverheadSeconds: 0.125e-3,
                                          stepOverheadSeconds: 0.1, tpOverlapResidual: 0.3, memoryUsableFraction: 0.9,
                                          lowPrecisionMatmulScale: 0.8, matmulPeakFraction: 0.55)),
    ]

    public static func family(_ name: String) -> FamilyCalibration { families[name] ?? Calibration.default }
    public static func isCalibrated(_ family: String) -> Bool { families[family] != nil }
}
