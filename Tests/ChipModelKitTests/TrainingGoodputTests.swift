import Foundation
import Testing
@testable import ChipModelKit

@Suite struct TrainingGoodputTests {
    static func smallEstimate(_ chipID: String = "a100-sxm4-80gb") throws -> (TrainingEstimate, Chip) {
        let chip = try ChipCatalog.builtIn().chip(chipID)
        var c = PlanConstraints()
        c.tp = 2
        c.pp = 1
        let run = TrainingRun(model: try ModelZoo.builtIn().model("llama2-7b"), sequenceLength: 2048, globalBatch: 64, chips: 16,
                              constraints: c)
        return (try run.estimate(ChipParameters(chip: chip)), chip)
    }

    @Test func adapterTakesTheEstimateAndTheSourcesOfEachFigure() throws {
        let (e, chip) = try Self.smallEstimate()
        let table = try FailureRateTable.builtIn()
        let g = try TrainingGoodputEstimator.estimate(e, chip: chip, settings: GoodputSettings(table: table))
        #expect(g.input.chips == 16 && g.input.chipsPerNode == 8)
        #expect(g.input.stepSeconds == e.stepSeconds)
        #expect(abs(g.input.idealSeconds - e.days * 86_400) < 1e-6 * g.input.idealSeconds)
        #expect(g.input.checkpointBytes == e.workload.model.totalParams * 14)
        #expect(g.input.hbmStacksPerChip == chip.memory.stacks?.nominal)
        #expect(g.fleetID == "nvidia-h100-class" && g.restartSource == "default" && g.bandwidthSource == "default")
        #expect(g.range.pessimistic.fraction <= g.nominal.fraction && g.nominal.fraction <= g.range.optimistic.fraction)
        #expect(g.effectiveDaysLow <= g.nominal.effectiveDays && g.nominal.effectiveDays <= g.effectiveDaysHigh)

        // One MTBF per accelerator: every failure on the chip, no fleet range on the rates.
        var s = GoodputSettings(table: table, mtbfHours: 10_000, restartMinutes: 5)
        s.system = SystemGoodputFigures(id: "sys", chipsPerNode: 4, checkpointWriteGBpsPerNode: SpecValue(2, confidence: .vendorOfficial,
                                                                                                       source: SourceRef(key: "s", title: "t")))
        let m = try TrainingGoodputEstimator.estimate(e, chip: chip, settings: s)
        #expect(m.fleetID == nil && m.restartSource == "--restart-minutes" && m.bandwidthSource == "system sys")
        #expect(m.input.chipsPerNode == 4 && m.input.checkpointWriteGBpsPerNode == 2 && m.input.restartMinutes == 5)
        #expect(abs(m.nominal.jobFailuresPerHour - 16.0 / 10_000) < 1e-15)
        #expect(m.range.pessimistic.jobFailuresPerHour == m.range.optimistic.jobFailuresPerHour)
    }

    @Test func claimsDecodeAndCheckAgainstTheModel() throws {
        let table = try FailureRateTable.builtIn()
        let biren = try #require(table.claims(forFamily: "biren-br1").first)
        #expect(biren.chipCount == 1024 && biren.scalingEfficiency?.nominal == 0.95)
        #expect(biren.unbrokenDays?.nominal == 30 && biren.restartMinutes?.nominal == 5)
        #expect(!table.claims(forFamily: "huawei-ascend").isEmpty && table.claims(forFamily: "nvidia-hopper").isEmpty)

        let (e, chip) = try Self.smallEstimate("br166")
        let g = try TrainingGoodputEstimator.estimate(e, chip: chip, settings: GoodputSettings(table: table))
        let fleet = try #require(table.fleet(id: "chinese-domestic"))
        let check = ClaimCheck.check(biren, input: g.input, fleet: fleet, scalingEfficiency: 0.9)
        // At the claimed size the job rate is 1024 chips' worth of the fleet's nominal rates.
        var atClaim = g.input
        atClaim.chips = 1024
        let rate = try GoodputModel.evaluate(atClaim).jobFailuresPerHour
        #expect(abs(check.fleetPerChipPerMillionHours - rate / 1024 * 1e6) < 1e-9)
        let p = try #require(check.probabilityUnbroken)
        #expect(abs(p.nominal - exp(-rate * 720)) < 1e-15)
        #expect(p.pessimistic <= p.nominal && p.nominal <= p.optimistic)
        // Rule of three: -ln(0.05) / (1024 x 720 h) = 4.06 per million chip-hours.
        #expect(abs((check.impliedMaxPerChipPerMillionHours95 ?? 0) - 4.0633) < 0.001)
        // A shorter restart never lowers goodput.
        #expect((check.goodputAtClaimedRestart ?? 0) >= g.nominal.fraction)
    }

    @Test func claimDecoderErrorsNameTheKey() {
        let text = FailureRateSpecTests.document(extraTop: #""claims": [{"id": "c", "vendor": "V", "families": ["x"], "summary": "s", "chips": {"value": 10.5, "source": "s", "confidence": "press/analyst"}, "scalingEfficiency": {"value": 1.2, "source": "s", "confidence": "press/analyst"}}],"#)
        let problems = FailureRateSpecTests.problems(text)
        #expect(problems.contains("f.json: claims[0].chips.value: must be a whole number"))
        #expect(problems.contains("f.json: claims[0].scalingEfficiency.value: is a fraction: must not exceed 1"))
    }
}
