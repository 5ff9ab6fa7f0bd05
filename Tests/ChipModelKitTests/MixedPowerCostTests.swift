import Testing
@testable import ChipModelKit

/// Power, energy and cost of a mixed-vendor run: the groups' sums over the shared wall time.
@Suite struct MixedPowerCostTests {
    @Test func clusterIsTheSumOfItsGroupsOverTheSharedWallTime() throws {
        let w = workload(wideLlama(layers: 6), batch: 8, seq: 2048)
        let specs = [MixedGroupSpec(chip: try chip("h100-sxm5-80gb"), count: 8), MixedGroupSpec(chip: try chip("mtt-s80"), count: 1)]
        let e = try MixedTrainingEstimator.estimate(groups: specs, workload: w)
        let tables = try PowerCostTables.builtIn(catalog: ChipCatalog.builtIn())
        let x = try PowerCostRuns.mixedTraining(e, chips: specs.map(\.chip), tables: tables, assumptions: PowerCostAssumptions())
        let groups = try x.groups.map { try $0.estimate.get() }
        #expect(relativelyEqual(x.clusterFacilityKW.nominal, groups.reduce(0) { $0 + $1.power.clusterFacilityKW.nominal }, 1e-9))
        #expect(relativelyEqual(x.energyMWh.nominal, groups.reduce(0) { $0 + $1.energyMWh.nominal }, 1e-9))
        #expect(x.energyMWh.low <= x.energyMWh.nominal && x.energyMWh.nominal <= x.energyMWh.high)
        // every group runs for the whole job: the mixed estimate's days
        for g in groups { #expect(relativelyEqual(g.wallDays.nominal, e.days, 1e-9)) }
        // the idle group draws idle power only; the busy group is compute-bound for its busy share
        let idle = try #require(x.groups.first { $0.chipID == "mtt-s80" })
        #expect(idle.activity.computeBound == 0 && idle.activity.idle == 1)
        let idlePower = try idle.estimate.get().power.chipWattsAverage.nominal
        let tdp = try #require(try chip("mtt-s80").tdpW).nominal
        #expect(idlePower > 0 && idlePower < tdp)
        let busy = try #require(x.groups.first { $0.chipID == "h100-sxm5-80gb" })
        let report = try #require(e.groups.first { $0.chipID == "h100-sxm5-80gb" })
        if e.homogeneous == nil {
            #expect(relativelyEqual(busy.activity.computeBound, min(1, report.busySeconds / e.stepSeconds) * Double(report.chipsUsed) / Double(report.count), 1e-12))
        }
        #expect(busy.activity.computeBound > 0.3)
    }

    @Test func aChipCountThatDoesNotMatchTheGroupsIsAnInputError() throws {
        let w = workload(wideLlama(layers: 6), batch: 8, seq: 2048)
        let specs = [MixedGroupSpec(chip: try chip("a100-sxm4-80gb"), count: 4), MixedGroupSpec(chip: try chip("ascend-910b"), count: 4)]
        let e = try MixedTrainingEstimator.estimate(groups: specs, workload: w)
        let tables = try PowerCostTables.builtIn(catalog: ChipCatalog.builtIn())
        #expect(throws: PowerInputError.self) {
            try PowerCostRuns.mixedTraining(e, chips: [specs[0].chip], tables: tables, assumptions: PowerCostAssumptions())
        }
    }
}
