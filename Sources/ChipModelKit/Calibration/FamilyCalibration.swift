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
                training: TrainingCalibration = .shared) {
        self.matmulPeakFraction = matmulPeakFraction
        self.memoryBandwidthFraction = memoryBandwidthFraction
        self.scaleUpFraction = scaleUpFraction
        self.scaleOutFraction = scaleOutFraction
        self.d2dFraction = d2dFraction
        self.provenance = provenance
        self.training = training
    }
}

public enum Calibration {
    /// Used for families with no calibration case (Biren, Huawei, ...): a prior, documented
    /// as such. Matrix 0.75 / memory 0.85 / links 0.8 are the usual published sustained
    /// fractions for tuned GEMM, STREAM-like copies and NCCL bus bandwidth on A100/H100.
    public static let `default` = FamilyCalibration(
        matmulPeakFraction: 0.75, memoryBandwidthFraction: 0.85, scaleUpFraction: 0.80,
        scaleOutFraction: 0.80, d2dFraction: 0.85,
        provenance: "prior (no calibration case for this family): typical sustained fractions of tuned GEMM, streaming copies and NCCL bus bandwidth; training constants: shared, fitted on the other families' cases (no family factor)",
        training: .shared)

    /// Per-family constants. Every family's training constants are `TrainingCalibration.shared`
    /// (fitted on all training cases together); a family with cases may add a documented
    /// `familyMatmulFactor` (what no modeled mechanism explains). The roofline fractions
    /// (matmul/memory/scale-up/scale-out/d2d) stay the documented prior of `default`: no
    /// roofline-level case constrains them here.
    ///
    /// The fit: `Tests/ChipModelKitTests/TrainingCalibrationFit.swift` (run with
    /// CHIPMODEL_TRAINING_FIT=1) calls `TrainingCalibrationFitter` (coordinate descent with a
    /// bounded line search per constant, plans re-searched between rounds), minimizing the
    /// weighted mean absolute relative error over the training cases (weights from the file;
    /// never per case). `chipmodel validate --cross-validate family|source` repeats the same fit
    /// with one family or source left out.
    public static let families: [String: FamilyCalibration] = [
        "nvidia-ampere": trainingFamily("nvidia-ampere", cases: 10, factor: 1),
        "nvidia-hopper": trainingFamily("nvidia-hopper", cases: 12, factor: 1),
        "nvidia-blackwell": trainingFamily("nvidia-blackwell", cases: 5, factor: 1),
        "google-tpu": trainingFamily("google-tpu", cases: 3, factor: 0.961),
    ]

    /// A calibrated family: the roofline prior with the shared training constants and its factor.
    static func trainingFamily(_ name: String, cases: Int, factor: Double) -> FamilyCalibration {
        var f = Calibration.default
        f.training = TrainingCalibration.shared.with(familyMatmulFactor: factor)
        f.provenance = "roofline fractions: prior; training constants shared, fitted on all training cases (\(cases) of them \(name))"
            + (factor == 1 ? "" : "; family GEMM factor \(formatFactor(factor)) (unexplained by the modeled mechanisms)")
        return f
    }

    static func formatFactor(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 1000
        return String(describing: r)
    }

    public static func family(_ name: String) -> FamilyCalibration { families[name] ?? Calibration.default }
    public static func isCalibrated(_ family: String) -> Bool { families[family] != nil }
}
