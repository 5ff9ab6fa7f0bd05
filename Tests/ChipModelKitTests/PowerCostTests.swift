import Foundation
import Testing
@testable import ChipModelKit

/// The power, energy and cost model (`Estimation/Power`, `Estimation/Cost`) and its spec
/// tables (`Specs/economics/*.json`).
@Suite struct PowerCostTests {
    // MARK: helpers

    static func exact(_ x: Double) -> RangedValue { RangedValue(exact: x) }

    /// 8 chips in one node; TDP 700 W; fractions 0.9 / 0.5 / 0.2; host 2800 W and network 640 W
    /// per node; PUE 1.2; grid 400 g/kWh. Every value exact unless a test widens it.
    static func setup(chips: Int = 8, chipsPerNode: Int = 8) -> PowerSetup {
        PowerSetup(chips: chips, chipsPerNode: chipsPerNode, tdpW: exact(700), computeBoundFraction: exact(0.9),
                   memoryBoundFraction: exact(0.5), idleFraction: exact(0.2), hostWattsPerNode: exact(2800),
                   networkWattsPerNode: exact(640), pue: exact(1.2), gridGCO2PerKWh: exact(400))
    }

    static func mix() throws -> ActivityMix { try ActivityMix(computeBound: 0.5, memoryBound: 0.3, idle: 0.2) }

    static func owned(chip: Double = 20000) -> ChipHourPrice {
        .owned(OwnedHardware(chipPriceUSD: exact(chip), chipPriceBasis: "test", systemUSDPerChip: exact(8000), amortizationYears: exact(4),
                             hostingUSDPerKWMonth: exact(150), powerPriceUSDPerKWh: exact(0.08)))
    }

    static func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool { abs(a - b) <= rel * max(1, abs(b)) }

    // MARK: hand checks

    /// P_chip = 700 x (0.5 x 0.9 + 0.3 x 0.5 + 0.2 x 0.2) = 448 W; IT = 8 x 448 + 2800 + 640 =
    /// 7024 W; facility = 1.2 x 7024 = 8428.8 W; nameplate = (8 x 700 + 3440) x 1.2 = 10848 W.
    @Test func powerHandCheck() throws {
        let p = try EnergyCostEstimator.power(Self.setup(), activity: Self.mix())
        #expect(p.nodes == 1)
        #expect(Self.close(p.chipWattsAverage.nominal, 448))
        #expect(Self.close(p.clusterITKW.nominal, 7.024))
        #expect(Self.close(p.clusterFacilityKW.nominal, 8.4288))
        #expect(Self.close(p.provisionedFacilityKW.nominal, 10.848))
        #expect(!p.clusterFacilityKW.hasRange)
    }

    /// 1e9 tokens at 1e6 per 10 s step = 10,000 s; goodput 0.8 -> 12,500 s. Energy = 8428.8 W x
    /// 12,500 s = 0.029267 MWh; 400 g/kWh -> 0.011707 t. Cloud $2/chip-hour x 8 x 12,500/3600 h
    /// = $55.56.
    @Test func trainingHandCheck() throws {
        let x = TrainingEnergyInputs(setup: Self.setup(), activity: try Self.mix(), stepSeconds: Self.exact(10), tokensPerStep: 1e6,
                                     tokenBudget: 1e9, goodput: Self.exact(0.8), price: .cloud(usdPerChipHour: Self.exact(2), basis: "test"))
        let e = try EnergyCostEstimator.training(x)
        #expect(Self.close(e.wallDays.nominal, 12_500 / 86_400))
        #expect(Self.close(e.chipHours.nominal, 8 * 12_500 / 3600))
        #expect(Self.close(e.energyMWh.nominal, 8428.8 * 12_500 / 3.6e9))
        #expect(Self.close(e.itEnergyMWh.nominal, 7024 * 12_500 / 3.6e9))
        #expect(Self.close(e.chipEnergyMWh.nominal, 8 * 448 * 12_500 / 3.6e9))
        #expect(Self.close(e.tCO2e.nominal, 8428.8 * 12_500 / 3.6e9 * 0.4))
        #expect(Self.close(e.cost?.usdTotal?.nominal ?? 0, 2 * 8 * 12_500 / 3600))
        #expect(e.cost?.basis.hasPrefix("cloud price $2/chip-hour") == true)
    }

    /// Owned: capex (20000 + 8000) / (4 x 8766) = 0.79854 $/h; hosting 1.13 kW x 150 / 730.5 =
    /// 0.23203 $/h; energy 1.0536 kW x 0.08 = 0.084288 $/h; total 1.11486 $/chip-hour.
    @Test func ownedChipHourHandCheck() throws {
        let x = TrainingEnergyInputs(setup: Self.setup(), activity: try Self.mix(), stepSeconds: Self.exact(10), tokensPerStep: 1e6,
                                     tokenBudget: 1e9, price: Self.owned())
        let c = try #require(try EnergyCostEstimator.training(x).cost)
        let expected = 28000 / (4 * 8766.0) + 1.13 * 150 / 730.5 + 1.0536 * 0.08
        #expect(Self.close(c.usdPerChipHour.nominal, expected))
        #expect(abs(c.usdPerChipHour.nominal - 1.11486) < 1e-4)
        #expect(c.basis.hasPrefix("owned: chip $20000 (test) + system $8000/chip, 4-year straight-line"))
    }

    /// 1000 tokens/s at 8428.8 W = 0.11864 tokens/J; 500-token requests = 4214.4 J each;
    /// $2/chip-hour x 8 chips / 3.6e6 tokens per hour x 1e6 = $4.444 per million tokens.
    @Test func servingHandCheck() throws {
        let x = ServingEnergyInputs(setup: Self.setup(), activity: try Self.mix(), tokensPerSecond: Self.exact(1000),
                                    outputTokensPerRequest: 500, price: .cloud(usdPerChipHour: Self.exact(2), basis: "test"))
        let s = try EnergyCostEstimator.serving(x)
        #expect(Self.close(s.tokensPerJoule.nominal, 1000 / 8428.8))
        #expect(Self.close(s.tokensPerJouleChipOnly.nominal, 1000 / (8 * 448.0)))
        #expect(Self.close(s.joulesPerRequest.nominal, 8428.8 * 0.5))
        #expect(Self.close(s.cost?.usdPerMillionTokens?.nominal ?? 0, 2 * 8 / (1000 * 3600.0) * 1e6))
    }

    /// 2500 tokens/s from 1000-token/s replicas: 3 replicas (24 chips) at load 5/6; the unused
    /// sixth idles at 0.2 x TDP. Cloud for 2 years: 24 x $2 x 8766 x 2.
    @Test func fleetHandCheck() throws {
        let x = ServingEnergyInputs(setup: Self.setup(), activity: try Self.mix(), tokensPerSecond: Self.exact(1000),
                                    outputTokensPerRequest: 500, price: .cloud(usdPerChipHour: Self.exact(2), basis: "test"))
        let f = try EnergyCostEstimator.fleet(x, targetTokensPerSecond: 2500, years: 2)
        #expect(f.replicas.nominal == 3 && f.chips.nominal == 24)
        #expect(Self.close(f.loadFraction.nominal, 2500 / 3000.0))
        let chipW = 5.0 / 6 * 448 + 1.0 / 6 * 140
        #expect(Self.close(f.facilityKW.nominal, (24 * chipW + 3 * 3440) * 1.2 / 1000))
        #expect(Self.close(f.tcoUSD.nominal, 24 * 2 * 8766 * 2))
        #expect(f.purchaseUSD.nominal == 0)
        // Owned for 5 years with a 4-year life: bought twice.
        var y = x
        y.price = Self.owned()
        let g = try EnergyCostEstimator.fleet(y, targetTokensPerSecond: 2500, years: 5)
        #expect(Self.close(g.purchaseUSD.nominal, 24 * 28000 * 2))
        #expect(Self.close(g.tcoUSD.nominal, g.purchaseUSD.nominal + 5 * g.opexUSDPerYear.nominal))
    }

    // MARK: properties

    /// Power never exceeds TDP x chips x PUE plus the overheads (x PUE), at any corner of any
    /// seeded random input, and the average never exceeds the nameplate bound.
    @Test func powerNeverExceedsTheNameplateBound() throws {
        for i in 0..<300 {
            var rng = SplitMix64(seed: 18, index: UInt64(i))
            func u(_ a: Double, _ b: Double) -> Double { rng.uniform(a, b) }
            func r(_ a: Double, _ b: Double) -> RangedValue {
                let x = u(a, b), y = u(a, b), z = u(a, b)
                let s = [x, y, z].sorted()
                return RangedValue(low: s[0], nominal: s[1], high: s[2])
            }
            let chips = 1 + rng.below(5000)
            let perNode = 1 + rng.below(16)
            let setup = PowerSetup(chips: chips, chipsPerNode: perNode, tdpW: r(50, 1500), computeBoundFraction: r(0, 1),
                                   memoryBoundFraction: r(0, 1), idleFraction: r(0, 1), hostWattsPerNode: r(0, 6000),
                                   networkWattsPerNode: r(0, 1500), pue: r(1, 2), gridGCO2PerKWh: r(0, 900))
            let a = u(0, 1), b = u(0, 1), c = u(0, 1)
            let mix = try ActivityMix(computeBoundSeconds: a, memoryBoundSeconds: b, idleSeconds: c + 1e-9)
            let p = try EnergyCostEstimator.power(setup, activity: mix)
            let nodes = Double((chips + perNode - 1) / perNode)
            let bound = (setup.tdpW.high * Double(chips) + nodes * (setup.hostWattsPerNode.high + setup.networkWattsPerNode.high)) * setup.pue.high / 1000
            #expect(p.clusterFacilityKW.high <= bound * (1 + 1e-12), "case \(i)")
            #expect(p.clusterFacilityKW.high <= p.provisionedFacilityKW.high * (1 + 1e-12), "case \(i)")
            #expect(p.chipWattsAverage.high <= setup.tdpW.high * (1 + 1e-12), "case \(i)")
            #expect(p.clusterFacilityKW.low <= p.clusterFacilityKW.nominal && p.clusterFacilityKW.nominal <= p.clusterFacilityKW.high)
        }
    }

    /// The same work (compute- and memory-bound seconds) done at higher utilization, i.e. with
    /// less idle time per step, never uses more energy.
    @Test func higherUtilizationAtFixedWorkNeverRaisesEnergy() throws {
        let computeSeconds = 6.0, memorySeconds = 2.0
        var last = Double.infinity
        for idle in stride(from: 12.0, through: 0.0, by: -0.5) {
            let step = computeSeconds + memorySeconds + idle
            let mix = try ActivityMix(computeBoundSeconds: computeSeconds, memoryBoundSeconds: memorySeconds, idleSeconds: idle)
            let e = try EnergyCostEstimator.training(TrainingEnergyInputs(setup: Self.setup(chips: 64), activity: mix,
                                                                          stepSeconds: Self.exact(step), tokensPerStep: 4e6, tokenBudget: 1e11))
            #expect(e.energyMWh.nominal <= last * (1 + 1e-12), "idle \(idle) s per step")
            last = e.energyMWh.nominal
        }
    }

    /// A cheaper chip-hour (cloud price, chip price, power price) never raises any cost output.
    @Test func cheaperChipHourNeverRaisesCost() throws {
        let mix = try Self.mix()
        func training(_ price: ChipHourPrice) throws -> CostEstimate {
            try #require(try EnergyCostEstimator.training(TrainingEnergyInputs(setup: Self.setup(), activity: mix, stepSeconds: Self.exact(10),
                                                                               tokensPerStep: 1e6, tokenBudget: 1e10, price: price)).cost)
        }
        func serving(_ price: ChipHourPrice) throws -> CostEstimate {
            try #require(try EnergyCostEstimator.serving(ServingEnergyInputs(setup: Self.setup(), activity: mix, tokensPerSecond: Self.exact(900),
                                                                             outputTokensPerRequest: 300, price: price)).cost)
        }
        var lastTrain = Double.infinity, lastServe = Double.infinity
        for usd in stride(from: 8.0, through: 0.5, by: -0.5) {
            let price = ChipHourPrice.cloud(usdPerChipHour: Self.exact(usd), basis: "t")
            let t = try #require(try training(price).usdTotal).nominal
            let s = try #require(try serving(price).usdPerMillionTokens).nominal
            #expect(t <= lastTrain && s <= lastServe)
            lastTrain = t
            lastServe = s
        }
        var lastOwned = Double.infinity
        for chipUSD in stride(from: 40000.0, through: 0, by: -5000) {
            let t = try #require(try training(Self.owned(chip: chipUSD)).usdTotal).nominal
            #expect(t <= lastOwned)
            lastOwned = t
        }
        // Cheaper power cannot raise the owned cost either.
        var lastPower = Double.infinity
        for kwh in stride(from: 0.3, through: 0.0, by: -0.05) {
            let h = OwnedHardware(chipPriceUSD: Self.exact(20000), chipPriceBasis: "t", systemUSDPerChip: Self.exact(8000),
                                  amortizationYears: Self.exact(4), hostingUSDPerKWMonth: Self.exact(150), powerPriceUSDPerKWh: Self.exact(max(0, kwh)))
            let t = try #require(try training(.owned(h)).usdTotal).nominal
            #expect(t <= lastPower)
            lastPower = t
        }
    }

    /// Ranged inputs give ranged outputs, bracketing the nominal, in the right direction.
    @Test func rangesPropagateFromEveryRangedInput() throws {
        var s = Self.setup()
        s.tdpW = RangedValue(low: 600, nominal: 700, high: 800)
        s.pue = RangedValue(low: 1.1, nominal: 1.2, high: 1.5)
        let x = ServingEnergyInputs(setup: s, activity: try Self.mix(), tokensPerSecond: RangedValue(low: 800, nominal: 1000, high: 1100),
                                    outputTokensPerRequest: 500, price: .cloud(usdPerChipHour: RangedValue(low: 1.5, nominal: 2, high: 4), basis: "t"))
        let e = try EnergyCostEstimator.serving(x)
        #expect(Self.close(e.power.chipWattsAverage.low, 448 * 600 / 700))
        #expect(Self.close(e.power.chipWattsAverage.high, 448 * 800 / 700))
        // Most tokens per joule: fast, low TDP, low PUE.
        #expect(Self.close(e.tokensPerJoule.high, 1100 / ((8 * 384 + 3440) * 1.1)))
        #expect(Self.close(e.tokensPerJoule.low, 800 / ((8 * 512 + 3440) * 1.5)))
        #expect(Self.close(e.cost?.usdPerMillionTokens?.high ?? 0, 4 * 8 / (800 * 3600) * 1e6))
        #expect(Self.close(e.cost?.usdPerMillionTokens?.low ?? 0, 1.5 * 8 / (1100 * 3600) * 1e6))
    }

    /// Goodput multiplies into wall time, energy and cost (half the goodput, twice each).
    @Test func goodputScalesEnergyAndCost() throws {
        func run(_ g: Double) throws -> TrainingEnergyEstimate {
            try EnergyCostEstimator.training(TrainingEnergyInputs(setup: Self.setup(), activity: try Self.mix(), stepSeconds: Self.exact(10),
                                                                  tokensPerStep: 1e6, tokenBudget: 1e10, goodput: Self.exact(g), price: Self.owned()))
        }
        let full = try run(1), half = try run(0.5)
        #expect(Self.close(half.energyMWh.nominal, 2 * full.energyMWh.nominal))
        #expect(Self.close(half.cost?.usdTotal?.nominal ?? 0, 2 * (full.cost?.usdTotal?.nominal ?? 0)))
    }

    /// Partly filled nodes still draw their host power.
    @Test func partNodesCountWhole() throws {
        let p = try EnergyCostEstimator.power(Self.setup(chips: 9), activity: Self.mix())
        #expect(p.nodes == 2)
        #expect(Self.close(p.clusterITKW.nominal, (9 * 448 + 2 * 3440) / 1000))
    }

    // MARK: bad input

    @Test func badInputsNameTheInput() throws {
        #expect(throws: PowerInputError.self) { try ActivityMix(computeBound: 0.5, memoryBound: 0.3, idle: 0.3) }
        #expect(throws: PowerInputError.self) { try ActivityMix(computeBoundSeconds: -1, memoryBoundSeconds: 1, idleSeconds: 1) }
        #expect(throws: PowerInputError.self) { try ActivityMix(computeBoundSeconds: 0, memoryBoundSeconds: 0, idleSeconds: 0) }
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        var s = Self.setup()
        s.pue = Self.exact(0.9)
        #expect(message { _ = try EnergyCostEstimator.power(s, activity: Self.mix()) }.hasPrefix("pue "))
        s = Self.setup()
        s.idleFraction = RangedValue(low: 0.1, nominal: 0.2, high: 1.2)
        #expect(message { _ = try EnergyCostEstimator.power(s, activity: Self.mix()) }.hasPrefix("idleFraction (high end)"))
        let x = TrainingEnergyInputs(setup: Self.setup(), activity: try Self.mix(), stepSeconds: Self.exact(10), tokensPerStep: 1e6,
                                     tokenBudget: 1e9, goodput: Self.exact(0))
        #expect(message { _ = try EnergyCostEstimator.training(x) }.hasPrefix("goodput "))
        let y = ServingEnergyInputs(setup: Self.setup(), activity: try Self.mix(), tokensPerSecond: Self.exact(.nan), outputTokensPerRequest: 1)
        #expect(message { _ = try EnergyCostEstimator.serving(y) }.hasPrefix("tokensPerSecond "))
        let z = ServingEnergyInputs(setup: Self.setup(), activity: try Self.mix(), tokensPerSecond: Self.exact(10), outputTokensPerRequest: 1)
        #expect(message { _ = try EnergyCostEstimator.fleet(z, targetTokensPerSecond: 100, years: 3) }.contains("needs a price"))
    }
}
