import Foundation
import Testing
@testable import ChipModelKit

/// The fit behind `TrainingCalibration.shared` and the family factors of `Calibration.families`
/// (run with CHIPMODEL_TRAINING_FIT=1): `TrainingCalibrationFitter` on every training case of
/// Benchmarks/calibration-cases.json. Prints the fitted constants in the form of the table.
@Suite struct TrainingCalibrationFit {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CHIPMODEL_TRAINING_FIT"] != nil))
    func fitSharedConstantsAndFamilyFactors() throws {
        let fitter = TrainingCalibrationFitter(cases: try benchmarkCases(), catalog: try ChipCatalog.builtIn(),
                                               zoo: try ModelZoo.builtIn())
        let all = Array(fitter.cases.indices)
        let checkedIn = TrainingCalibrationFitter.Constants.checkedIn
        let before = fitter.objective(all, constants: checkedIn, plans: nil)
        let fitted = fitter.fit(all, start: .neutralStart)
        let after = fitter.objective(all, constants: fitted, plans: nil)
        let s = fitted.shared
        print("FIT weighted mean |err| checked-in \(before) -> refit \(after)")
        print("FIT shared: matmulPeakFraction \(s.matmulPeakFraction ?? .nan) lowPrecisionMatmulScale \(s.lowPrecisionMatmulScale) gemmFixedSeconds \(s.gemmFixedSeconds) microbatchOverheadSeconds \(s.microbatchOverheadSeconds) stepOverheadSeconds \(s.stepOverheadSeconds) scaleOutFraction \(s.scaleOutFraction ?? .nan)")
        print("FIT family factors: \(fitted.familyFactors.sorted { $0.key < $1.key })")
        // The checked-in constants are what this fit finds: a better optimum means the model
        // changed without a refit (update the table from the printed values).
        #expect(after >= before - 0.005, "refit improves weighted mean |error| from \(before) to \(after)")
    }
}
