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

    public init(matmulPeakFraction: Double, memoryBandwidthFraction: Double, scaleUpFraction: Double,
                scaleOutFraction: Double, d2dFraction: Double, provenance: String) {
        self.matmulPeakFraction = matmulPeakFraction
        self.memoryBandwidthFraction = memoryBandwidthFraction
        self.scaleUpFraction = scaleUpFraction
        self.scaleOutFraction = scaleOutFraction
        self.d2dFraction = d2dFraction
        self.provenance = provenance
    }
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
