import Foundation
import Testing
@testable import ChipModelKit

/// The serving model-error bands (`InferenceModelErrorBands`) are what `InferenceModelErrorBandFit`
/// measures on the inference calibration cases, and every estimate carries its family's.
@Suite struct InferenceModelErrorBandTests {
    @Test func bandsAreCurrent() throws {
        let cases = try benchmarkCases(), catalog = try ChipCatalog.builtIn(), zoo = try ModelZoo.builtIn()
        let inSample = InferenceModelErrorBandFit.residuals(cases, estimator: InferenceCaseEstimator(), catalog: catalog, zoo: zoo)
        let prior = InferenceModelErrorBandFit.residuals(cases, estimator: InferenceCaseEstimator(asUncalibratedFamily: true),
                                                         catalog: catalog, zoo: zoo)
        #expect(inSample.count >= 15 && inSample.allSatisfy { $0.throughputError != nil })
        #expect(prior.count == inSample.count && prior.allSatisfy { $0.throughputError != nil })
        let bands = InferenceModelErrorBandFit.compute(inSample: inSample, prior: prior)
        if try updateGeneratedBandsIfAsked("Sources/ChipModelKit/Calibration/InferenceModelErrorBands.swift", {
            InferenceModelErrorBandFit.swiftSource(byFamily: bands.byFamily, uncalibrated: bands.uncalibrated)
        }) {
            return
        }
        #expect(bands.byFamily == InferenceModelErrorBands.byFamily && bands.uncalibrated == InferenceModelErrorBands.uncalibrated,
                "InferenceModelErrorBands.swift is stale: CHIPMODEL_UPDATE_BANDS=1 swift test --filter InferenceModelErrorBandTests")
        expectWellFormedBands(bands.byFamily, uncalibrated: bands.uncalibrated, families: Set(InferenceCalibration.families.keys))
        // The prior is no better than the fitted constants on the cases they were fitted on.
        #expect(InferenceModelErrorBandFit.weightedMedianAbs(prior) >= InferenceModelErrorBandFit.weightedMedianAbs(inSample))
    }

    @Test func estimatesCarryTheirFamilysBand() throws {
        let zoo = try ModelZoo.builtIn(), catalog = try ChipCatalog.builtIn()
        let w = InferenceWorkload(model: try zoo.model("llama3-70b"), scenario: .offline, inputTokens: 2048, outputTokens: 256, precision: .fp8)
        let h100 = try InferenceEstimator.estimate(w, on: Cluster(chip: ChipParameters(chip: try catalog.chip("h100-sxm5-80gb")), count: 8))
        #expect(h100.modelErrorBand == InferenceModelErrorBands.band(family: "nvidia-hopper"))
        let br20x = try InferenceEstimator.estimate(w, on: Cluster(chip: ChipParameters(chip: try catalog.chip("br20x")), count: 8))
        #expect(br20x.modelErrorBand == InferenceModelErrorBands.uncalibrated)
        #expect(br20x.modelErrorBand.high - br20x.modelErrorBand.low >= h100.modelErrorBand.high - h100.modelErrorBand.low)
    }
}
