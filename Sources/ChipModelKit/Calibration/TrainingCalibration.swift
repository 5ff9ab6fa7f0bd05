/// The constants of the training estimator (`Estimation/Training`). The fitted ones are shared
/// by every chip family and each belongs to one named mechanism; they are fitted only on the
/// training cases of `Benchmarks/calibration-cases.json` (`TrainingCalibrationFit`, the same fit
/// `chipmodel validate --cross-validate` repeats with one family or source left out). A family
/// gets its own value only through `familyMatmulFactor`, documented in `Calibration.families`
/// as what no modeled mechanism explains. The unfitted mechanism constants are documented
/// priors (`TrainingMemoryPriors`, `ExpertParallelPriors`, `tpOverlapResidual`).
public struct TrainingCalibration: Sendable, Equatable {
    /// Fraction of the dense 16-bit matrix peak a large, well-shaped GEMM sustains inside a
    /// training step (cuBLAS/XLA GEMM efficiency under the step's clocks and power), before the
    /// shape effects the cost model computes itself (tile and wave quantization, the
    /// per-kernel fixed time, the memory roofline). Replaces the family's roofline
    /// `matmulPeakFraction` in the training estimator. Fitted, shared.
    public var matmulPeakFraction: Double?
    /// Multiplies `matmulPeakFraction` for one family: what no modeled mechanism explains
    /// (1 = nothing). Documented per family in `Calibration.families`; an uncalibrated family
    /// always gets 1, and cross-validation measures what that costs.
    public var familyMatmulFactor: Double
    /// Multiplies the matrix fraction for 8-bit and narrower training formats: FP8/INT8 GEMMs
    /// pay casts, amax/scale bookkeeping and smaller tiles, so they reach a lower fraction of
    /// their (2x) peak than 16-bit GEMMs. Fitted, shared.
    public var lowPrecisionMatmulScale: Double
    /// Fixed time of one GEMM kernel, seconds: launch, prologue (filling the operand pipeline)
    /// and epilogue (writing the output tile), paid once per GEMM on top of its compute time.
    /// It is what makes the small per-chip GEMMs of high TP and small microbatches slower than
    /// large ones, beyond tile and wave quantization. Fitted, shared (replaces the per-family
    /// half-efficiency work `w0` in FLOPs: a time, so it scales with the chip by itself).
    public var gemmFixedSeconds: Double
    /// Fixed time per microbatch per pipeline stage (kernel launches that do not overlap, host
    /// synchronization, p2p handshakes, data loading), seconds. Fitted, shared.
    public var microbatchOverheadSeconds: Double
    /// Fixed time per optimizer step (gradient clipping, loss scaling, logging, barrier),
    /// seconds. Fitted, shared.
    public var stepOverheadSeconds: Double
    /// With TP communication overlapped with GEMMs (userbuffers / Transformer Engine
    /// comm-GEMM overlap), the fraction of the TP communication that stays exposed even when
    /// there is enough GEMM time to hide it (chunking and synchronization cost). Prior: no
    /// case separates it from the GEMM fraction.
    public var tpOverlapResidual: Double
    /// Training collective efficiency on the scale-out NICs (nil: the family's roofline
    /// value). Fitted, shared.
    public var scaleOutFraction: Double?
    /// Memory beyond weights, optimizer state and activations (priors).
    public var memory: TrainingMemoryPriors
    /// Expert-parallel mechanisms (priors).
    public var expertParallel: ExpertParallelPriors

    public init(matmulPeakFraction: Double?, familyMatmulFactor: Double = 1, lowPrecisionMatmulScale: Double,
                gemmFixedSeconds: Double, microbatchOverheadSeconds: Double, stepOverheadSeconds: Double,
                tpOverlapResidual: Double, scaleOutFraction: Double?, memory: TrainingMemoryPriors = .standard,
                expertParallel: ExpertParallelPriors = .standard) {
        self.matmulPeakFraction = matmulPeakFraction
        self.familyMatmulFactor = familyMatmulFactor
        self.lowPrecisionMatmulScale = lowPrecisionMatmulScale
        self.gemmFixedSeconds = gemmFixedSeconds
        self.microbatchOverheadSeconds = microbatchOverheadSeconds
        self.stepOverheadSeconds = stepOverheadSeconds
        self.tpOverlapResidual = tpOverlapResidual
        self.scaleOutFraction = scaleOutFraction
        self.memory = memory
        self.expertParallel = expertParallel
    }

    /// The same constants with another family factor.
    public func with(familyMatmulFactor f: Double) -> TrainingCalibration {
        var c = self
        c.familyMatmulFactor = f
        return c
    }

    /// The shared constants (fitted on every training case of the calibration file; see
    /// `Calibration.families` for the fit and what each family adds).
    public static let shared = TrainingCalibration(
        matmulPeakFraction: 0.561, lowPrecisionMatmulScale: 0.813, gemmFixedSeconds: 2.96e-6,
        microbatchOverheadSeconds: 0, stepOverheadSeconds: 0.1, tpOverlapResidual: 0.3, scaleOutFraction: 0.799)

    /// Kept for callers of the old name: the constants an uncalibrated family gets.
    public static var prior: TrainingCalibration { shared }
}
