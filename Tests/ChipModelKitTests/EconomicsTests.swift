import Foundation
import Testing
@testable import ChipModelKit

@Suite struct YieldTests {
    /// Hennessy & Patterson, *Computer Architecture: A Quantitative Approach*, 5th ed. (2012),
    /// section 1.6 examples: a 30 cm wafer holds 270 dies of 1.5 cm x 1.5 cm and 640 of
    /// 1.0 cm x 1.0 cm; at 0.031 defects/cm² and N = 13.5 the die yields are 0.40 and 0.66.
    @Test func hennessyPattersonExample() {
        let large = Wafer.grossDies(waferDiameterMm: 300, dieAreaMm2: 225)
        let small = Wafer.grossDies(waferDiameterMm: 300, dieAreaMm2: 100)
        // pi*150^2/225 - pi*300/sqrt(450) = 314.159 - 44.429 = 269.73
        #expect(abs(large - 269.73) < 0.01)
        #expect(large.rounded() == 270)
        // pi*150^2/100 - pi*300/sqrt(200) = 706.858 - 66.643 = 640.21
        #expect(abs(small - 640.21) < 0.01)
        #expect(small.rounded() == 640)
        let hp = YieldModel.hennessyPatterson(n: 13.5)
        let yLarge = hp.dieYield(areaCm2: 2.25, defectsPerCm2: 0.031)
        let ySmall = hp.dieYield(areaCm2: 1.0, defectsPerCm2: 0.031)
        #expect((yLarge * 100).rounded() == 40)  // 0.4025
        #expect((ySmall * 100).rounded() == 66)  // 0.6622
        #expect(abs(yLarge - 0.40246) < 1e-4)
    }

    /// Flynn, *Computer Architecture: Pipelined and Parallel Processor Design* (1995), section
    /// 2.4: Poisson yield at 1 defect/cm² is 0.1 for a 2.3 cm² die and 0.37 for a 1 cm² die.
    @Test func poissonExample() {
        #expect(abs(YieldModel.poisson.dieYield(areaCm2: 2.3, defectsPerCm2: 1) - 0.1003) < 1e-4)
        #expect(abs(YieldModel.poisson.dieYield(areaCm2: 1, defectsPerCm2: 1) - 0.3679) < 1e-4)
    }

    @Test func murphyMatchesItsFormulaAndSitsAbovePoisson() {
        // ((1 - e^-1) / 1)^2 = 0.39958
        #expect(abs(YieldModel.murphy.dieYield(areaCm2: 1, defectsPerCm2: 1) - 0.399576) < 1e-6)
        #expect(YieldModel.murphy.dieYield(areaCm2: 1, defectsPerCm2: 0) == 1)
        for ad in [0.01, 0.1, 0.5, 1, 2, 5] {
            let m = YieldModel.murphy.dieYield(areaCm2: ad, defectsPerCm2: 1)
            let p = YieldModel.poisson.dieYield(areaCm2: ad, defectsPerCm2: 1)
            #expect(m > p && m < 1)
        }
    }
}

@Suite struct ChipletEconomicsTests {
    @Test func costFollowsTheStatedFormulas() throws {
        let node = try #require(ProcessNode.named("7nm"))
        var a = ChipletAssumptions(logicAreaMm2: 800, node: node)
        a.yieldModel = .poisson
        let o = ChipletEconomics.option(chiplets: 2, a)
        let die = 400 * 1.03
        #expect(abs(o.dieAreaMm2 - die) < 1e-9)
        let gross = Wafer.grossDies(waferDiameterMm: 300, dieAreaMm2: die).rounded(.down)
        let y = exp(-die / 100 * 0.09)
        let goodDie = (9346 + gross * 5) / (gross * y)
        #expect(abs(o.costPerGoodDieUSD - goodDie) < 1e-9 * goodDie)
        let pkg = 60 + 0.1 * die * 2
        #expect(abs(o.costPerPackageUSD - (2 * goodDie + pkg) / (0.99 * 0.99)) < 1e-9 * o.costPerPackageUSD)
        // One link at 896 GB/s and 0.5 pJ/bit: 896e9 * 8 * 0.5e-12 = 3.584 W.
        #expect(abs(o.d2dPowerW - 3.584) < 1e-9)
    }

    @Test func chipletsWinForLargeDiesAndReticleLimitsMonolithic() throws {
        let node = try #require(ProcessNode.named("N7"))
        var a = ChipletAssumptions(logicAreaMm2: 800, node: node)
        let (options, best) = ChipletEconomics.compare(chiplets: [1, 2, 4, 8], a)
        #expect(options.map(\.chiplets) == [1, 2, 4, 8])
        // Smaller dies yield better.
        for i in 1..<options.count { #expect(options[i].dieYield > options[i - 1].dieYield) }
        #expect(best != nil && options[best ?? 0].chiplets > 1)
        // A small die on a clean process: monolithic wins (no D2D area, no interposer).
        a.logicAreaMm2 = 100
        a.defectsPerCm2 = 0.02
        #expect(ChipletEconomics.compare(chiplets: [1, 2, 4], a).cheapest == 0)
        // Above the reticle a monolithic die cannot be made.
        a.logicAreaMm2 = 1074
        let big = ChipletEconomics.compare(chiplets: [1, 2], a)
        #expect(big.options[0].manufacturable == false)
        #expect(big.cheapest == 1)
    }

    @Test func nodeNames() {
        #expect(ProcessNode.named("7nm-class (estimate; foundry unknown)")?.name == "7nm")
        #expect(ProcessNode.named("N5")?.name == "5nm")
        #expect(ProcessNode.named("4nm")?.name == "5nm")
        #expect(ProcessNode.named("abc") == nil)
        #expect(ProcessNode.named("7x") == nil)
    }

    @Test func perfPerWattAndDollar() throws {
        var a = ChipletAssumptions(logicAreaMm2: 800, node: try #require(ProcessNode.named("5nm")))
        a.designTflops = 1000
        a.designTdpW = 600
        a.targetTflops = 10_500
        let o = ChipletEconomics.option(chiplets: 4, a)
        #expect(abs((o.tflopsPerW ?? 0) - 1000 / (600 + o.d2dPowerW)) < 1e-12)
        #expect(abs((o.tflopsPerUSD ?? 0) - 1000 / o.costPerPackageUSD) < 1e-12)
        #expect(o.packagesForTarget == 11)
    }
}
