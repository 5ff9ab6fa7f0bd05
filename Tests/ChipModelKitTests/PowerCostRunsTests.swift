import Foundation
import Testing
@testable import ChipModelKit

/// The adapters from the estimators to the power and cost model (`PowerCostRuns`).
@Suite struct PowerCostRunsTests {
    /// F + B + R compute-bound, optimizer memory-bound, the rest waits.
    @Test func trainingActivityFromTheStepBreakdown() throws {
        let b = StepBreakdown(forward: 1, backward: 2, recompute: 0.5, bubble: 0.3, tpExposed: 0.1, ppExposed: 0.05, dpExposed: 0.2,
                              epExposed: 0, cpExposed: 0, optimizer: 0.4, overhead: 0.45, total: 5)
        let a = try PowerCostRuns.activity(b)
        #expect(abs(a.computeBound - 3.5 / 5) < 1e-12)
        #expect(abs(a.memoryBound - 0.4 / 5) < 1e-12)
        #expect(abs(a.idle - 1.1 / 5) < 1e-12)
    }

    /// The server scenario's queue headroom is idle time: busy / load - busy.
    @Test func servingSplitCountsServerHeadroomAsIdle() {
        let s = InferenceTimeShares.fromBindingTimes(["compute": 1, "prefill compute": 2, "memory bandwidth (weight reads)": 3,
                                                      "prefill memory bandwidth": 1, "scale-up network": 0.5, "scheduling overhead": 0.5],
                                                     loadFraction: 0.8)
        #expect(s.computeBoundSeconds == 3 && s.memoryBoundSeconds == 4)
        #expect(abs(s.idleSeconds - (1 + 8 * 0.25)) < 1e-12)
    }

    /// The standard serving run on H100: the estimate carries a time split, chip power stays
    /// under TDP at every corner, and a user's PUE and chip-hour price are used as given.
    @Test func servingOnTheStandardRun() throws {
        let catalog = try ChipCatalog.builtIn()
        let chip = try catalog.chip("h100-sxm5-80gb")
        let run = InferenceRun(model: try ModelZoo.builtIn().model("llama3-8b"))
        let ranged = try run.ranged(chip)
        #expect(ranged.nominal.timeShares != nil)
        let tables = try PowerCostTables.builtIn(catalog: catalog)
        let e = try PowerCostRuns.serving(ranged, chip: chip, outputTokensPerRequest: run.outputTokens, tables: tables,
                                          assumptions: PowerCostAssumptions(pue: 1.3, chipHourUSD: 3))
        #expect(e.power.chipWattsAverage.high <= 700)
        #expect(e.cost?.usdPerChipHour.nominal == 3 && !(e.cost?.usdPerChipHour.hasRange ?? true))
        let tps = try #require(ranged.nominal.tokensPerSecond)
        #expect(abs((e.cost?.usdPerMillionTokens?.nominal ?? 0) - 3 * 8 / (tps * 3600) * 1e6) < 1e-9)
        #expect(abs(e.power.clusterFacilityKW.nominal / e.power.clusterITKW.nominal - 1.3) < 1e-12)
    }

    @Test func aChipWithoutTDPIsAnError() throws {
        let catalog = try ChipCatalog.builtIn()
        var chip = try catalog.chip("h100-sxm5-80gb")
        chip.tdpW = nil
        let tables = try PowerCostTables.builtIn(catalog: catalog)
        #expect(throws: PowerInputError.self) { try PowerCostRuns.setup(chip: chip, chips: 8, tables: tables, assumptions: PowerCostAssumptions()) }
    }
}
