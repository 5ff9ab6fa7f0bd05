import Testing
@testable import ChipModelKit

/// Goodput of a mixed run: one job, interrupted by a failure anywhere in any group.
@Suite struct MixedGoodputTests {
    static func settings() throws -> GoodputSettings { GoodputSettings(table: try FailureRateTable.builtIn()) }

    /// Two identical groups are the homogeneous cluster of both.
    @Test func identicalGroupsAreTheHomogeneousCluster() throws {
        let w = workload(wideLlama(layers: 6), batch: 16, seq: 2048)
        let a100 = try chip("a100-sxm4-80gb")
        let e = try TrainingEstimator.estimate(w, on: Cluster(chip: ChipParameters(chip: a100), count: 16))
        let homo = try TrainingGoodputEstimator.estimate(e, chip: a100, settings: try Self.settings())
        let mixed = try TrainingGoodputEstimator.estimateMixed(groups: [.init(chip: a100, count: 8), .init(chip: a100, count: 8)],
                                                               workload: w, stepSeconds: e.stepSeconds, days: e.days, settings: try Self.settings())
        for (a, b) in [(homo.range.nominal, mixed.range.nominal), (homo.range.pessimistic, mixed.range.pessimistic),
                       (homo.range.optimistic, mixed.range.optimistic)] {
            #expect(relativelyEqual(a.fraction, b.fraction, 1e-9) && relativelyEqual(a.interruptionsExpected, b.interruptionsExpected, 1e-9))
        }
    }

    /// The job's failure rate of every component is the groups' sum, each at its own fleet's rate.
    @Test func componentRatesAreTheGroupsSum() throws {
        let table = try FailureRateTable.builtIn()
        let groups: [TrainingGoodputEstimator.MixedGroup] = [.init(chip: try chip("a100-sxm4-80gb"), count: 8),
                                                             .init(chip: try chip("ascend-910b"), count: 16),
                                                             .init(chip: try chip("br166"), count: 24)]
        let w = workload(wideLlama(layers: 6), batch: 16, seq: 2048)
        let g = try TrainingGoodputEstimator.estimateMixed(groups: groups, workload: w, stepSeconds: 2, days: 10, settings: try Self.settings())
        let chips = Double(groups.reduce(0) { $0 + $1.count })
        for c in [FailureComponent.accelerator, .software, .fabric, .nic] {
            let expected = groups.reduce(0.0) { $0 + Double($1.count) * table.fleet(forFamily: $1.chip.family).rates(at: .nominal)[c] }
            #expect(relativelyEqual(g.input.rates[c] * chips, expected, 1e-9), "\(c)")
        }
        let hosts = groups.reduce(0.0) { $0 + Double(($1.count + 7) / 8) * table.fleet(forFamily: $1.chip.family).rates(at: .nominal)[.host] }
        #expect(relativelyEqual(g.input.rates[.host] * Double(g.input.nodes), hosts, 1e-9))
        #expect(g.range.pessimistic.fraction <= g.range.nominal.fraction && g.range.nominal.fraction <= g.range.optimistic.fraction)
    }
}
