/// Power of a cluster running a workload.
public struct PowerEstimate: Sendable, Equatable {
    public var nodes: Int
    /// Average accelerator power over the activity mix, W.
    public var chipWattsAverage: RangedValue
    public var clusterITKW: RangedValue
    /// IT power x PUE.
    public var clusterFacilityKW: RangedValue
    /// Nameplate: every chip at TDP plus the overheads, x PUE (an upper bound of `clusterFacilityKW`).
    public var provisionedFacilityKW: RangedValue
}

/// Dollar figures and what they rest on.
public struct CostEstimate: Sendable, Equatable {
    public var usdPerChipHour: RangedValue
    /// Training: the whole run.
    public var usdTotal: RangedValue?
    /// Serving: per million generated tokens.
    public var usdPerMillionTokens: RangedValue?
    public var basis: String
}

public struct TrainingEnergyInputs: Sendable {
    public var setup: PowerSetup
    public var activity: ActivityMix
    public var stepSeconds: RangedValue
    public var tokensPerStep: Double
    public var tokenBudget: Double
    /// Useful time / wall time (1 = no failures modelled); the goodput model multiplies in here.
    public var goodput: RangedValue
    public var price: ChipHourPrice?

    public init(setup: PowerSetup, activity: ActivityMix, stepSeconds: RangedValue, tokensPerStep: Double, tokenBudget: Double,
                goodput: RangedValue = RangedValue(exact: 1), price: ChipHourPrice? = nil) {
        self.setup = setup
        self.activity = activity
        self.stepSeconds = stepSeconds
        self.tokensPerStep = tokensPerStep
        self.tokenBudget = tokenBudget
        self.goodput = goodput
        self.price = price
    }
}

public struct TrainingEnergyEstimate: Sendable, Equatable {
    public var power: PowerEstimate
    public var wallDays: RangedValue
    public var chipHours: RangedValue
    /// Facility energy (IT x PUE), MWh.
    public var energyMWh: RangedValue
    public var itEnergyMWh: RangedValue
    /// Accelerators alone (no host, network or facility), MWh: the quantity TDP x GPU-hours estimates.
    public var chipEnergyMWh: RangedValue
    /// Location-based, on facility energy.
    public var tCO2e: RangedValue
    public var cost: CostEstimate?
}

public struct ServingEnergyInputs: Sendable {
    /// One serving deployment (replica): its chips and nodes.
    public var setup: PowerSetup
    public var activity: ActivityMix
    /// Generated tokens per second of the deployment.
    public var tokensPerSecond: RangedValue
    public var outputTokensPerRequest: Double
    public var price: ChipHourPrice?

    public init(setup: PowerSetup, activity: ActivityMix, tokensPerSecond: RangedValue, outputTokensPerRequest: Double,
                price: ChipHourPrice? = nil) {
        self.setup = setup
        self.activity = activity
        self.tokensPerSecond = tokensPerSecond
        self.outputTokensPerRequest = outputTokensPerRequest
        self.price = price
    }
}

public struct ServingEnergyEstimate: Sendable, Equatable {
    public var power: PowerEstimate
    /// Generated tokens per joule of facility energy.
    public var tokensPerJoule: RangedValue
    /// Generated tokens per joule of accelerator energy alone (comparable to GPU-only measurements).
    public var tokensPerJouleChipOnly: RangedValue
    public var joulesPerRequest: RangedValue
    public var cost: CostEstimate?
}

/// A fleet of serving replicas sized to a target throughput, owned or rented for `years`.
public struct FleetTCO: Sendable, Equatable {
    public var years: Double
    public var replicas: RangedValue
    public var chips: RangedValue
    /// Target / fleet capacity: the rest of the time the chips idle (at the idle fraction).
    public var loadFraction: RangedValue
    public var facilityKW: RangedValue
    /// Hardware bought over the period (0 for cloud).
    public var purchaseUSD: RangedValue
    public var opexUSDPerYear: RangedValue
    public var tcoUSD: RangedValue
    public var basis: String
}

/// Power, energy and cost of a training run, a serving deployment or a serving fleet, with
/// ranges from every ranged input (corner analysis). Formulas: `PowerModel`, `EnergyModel`,
/// `CostModel`.
public enum EnergyCostEstimator {
    public static func power(_ setup: PowerSetup, activity: ActivityMix) throws(PowerInputError) -> PowerEstimate {
        try setup.validate()
        var p = Point()
        p.load(setup, activity)
        let r = CornerEvaluation.evaluate(p, ranged: Point.ranges(setup)) { q in
            let w = q.watts()
            return [w.chip, w.it / 1000, w.facility / 1000, w.provisionedIT * q.pue / 1000]
        }
        return PowerEstimate(nodes: Int(p.nodes), chipWattsAverage: r[0], clusterITKW: r[1], clusterFacilityKW: r[2], provisionedFacilityKW: r[3])
    }

    public static func training(_ x: TrainingEnergyInputs) throws(PowerInputError) -> TrainingEnergyEstimate {
        try x.setup.validate()
        try x.price?.validate()
        try requirePowerCostInput("stepSeconds", x.stepSeconds, "positive") { $0 > 0 }
        try requirePowerCostInput("goodput", x.goodput, "in (0, 1]") { $0 > 0 && $0 <= 1 }
        guard x.tokensPerStep > 0, x.tokensPerStep.isFinite else { throw PowerInputError("tokensPerStep must be positive, found \(x.tokensPerStep)") }
        guard x.tokenBudget > 0, x.tokenBudget.isFinite else { throw PowerInputError("tokenBudget must be positive, found \(x.tokenBudget)") }
        var p = Point()
        p.load(x.setup, x.activity)
        p.tokensPerStep = x.tokensPerStep
        p.tokenBudget = x.tokenBudget
        p.load(x.price)
        var ranged = Point.ranges(x.setup) + Point.ranges(x.price)
        ranged += [(\Point.stepSeconds, x.stepSeconds), (\Point.goodput, x.goodput)]
        let r = CornerEvaluation.evaluate(p, ranged: ranged) { q in
            let w = q.watts()
            let seconds = EnergyModel.trainingWallSeconds(stepSeconds: q.stepSeconds, tokensPerStep: q.tokensPerStep,
                                                          tokenBudget: q.tokenBudget, goodput: q.goodput)
            let facilityMWh = EnergyModel.megawattHours(watts: w.facility, seconds: seconds)
            let chipHours = q.chips * seconds / 3600
            let perChipHour = q.usdPerChipHour(w)
            return [w.chip, w.it / 1000, w.facility / 1000, w.provisionedIT * q.pue / 1000,
                    seconds / 86_400, chipHours, facilityMWh,
                    EnergyModel.megawattHours(watts: w.it, seconds: seconds),
                    EnergyModel.megawattHours(watts: q.chips * w.chip, seconds: seconds),
                    perChipHour, CostModel.runUSD(usdPerChipHour: perChipHour, chipHours: chipHours)]
        }
        // Emissions = energy x grid intensity: both non-negative and independent, so the
        // product's extremes are the products of the extremes (grid kept out of the corners).
        let g = x.setup.gridGCO2PerKWh
        let co2 = RangedValue(low: EnergyModel.tonnesCO2e(megawattHours: r[6].low, gridGCO2PerKWh: g.low),
                              nominal: EnergyModel.tonnesCO2e(megawattHours: r[6].nominal, gridGCO2PerKWh: g.nominal),
                              high: EnergyModel.tonnesCO2e(megawattHours: r[6].high, gridGCO2PerKWh: g.high))
        let power = PowerEstimate(nodes: Int(p.nodes), chipWattsAverage: r[0], clusterITKW: r[1], clusterFacilityKW: r[2], provisionedFacilityKW: r[3])
        let cost = x.price.map { CostEstimate(usdPerChipHour: r[9], usdTotal: r[10], usdPerMillionTokens: nil, basis: $0.basis(pue: x.setup.pue)) }
        return TrainingEnergyEstimate(power: power, wallDays: r[4], chipHours: r[5], energyMWh: r[6], itEnergyMWh: r[7],
                                      chipEnergyMWh: r[8], tCO2e: co2, cost: cost)
    }

    public static func serving(_ x: ServingEnergyInputs) throws(PowerInputError) -> ServingEnergyEstimate {
        try validate(x)
        var p = Point()
        p.load(x.setup, x.activity)
        p.outputTokensPerRequest = x.outputTokensPerRequest
        p.load(x.price)
        let ranged = Point.ranges(x.setup) + Point.ranges(x.price) + [(\Point.tokensPerSecond, x.tokensPerSecond)]
        let r = CornerEvaluation.evaluate(p, ranged: ranged) { q in
            let w = q.watts()
            let perChipHour = q.usdPerChipHour(w)
            return [w.chip, w.it / 1000, w.facility / 1000, w.provisionedIT * q.pue / 1000,
                    EnergyModel.tokensPerJoule(tokensPerSecond: q.tokensPerSecond, watts: w.facility),
                    EnergyModel.tokensPerJoule(tokensPerSecond: q.tokensPerSecond, watts: q.chips * w.chip),
                    EnergyModel.joulesPerRequest(outputTokensPerRequest: q.outputTokensPerRequest, tokensPerSecond: q.tokensPerSecond, watts: w.facility),
                    perChipHour, CostModel.usdPerMillionTokens(usdPerChipHour: perChipHour, chips: q.chips, tokensPerSecond: q.tokensPerSecond)]
        }
        let power = PowerEstimate(nodes: Int(p.nodes), chipWattsAverage: r[0], clusterITKW: r[1], clusterFacilityKW: r[2], provisionedFacilityKW: r[3])
        let cost = x.price.map { CostEstimate(usdPerChipHour: r[7], usdTotal: nil, usdPerMillionTokens: r[8], basis: $0.basis(pue: x.setup.pue)) }
        return ServingEnergyEstimate(power: power, tokensPerJoule: r[4], tokensPerJouleChipOnly: r[5], joulesPerRequest: r[6], cost: cost)
    }

    /// TCO over `years` of enough replicas of `x` for `targetTokensPerSecond`; chips beyond the
    /// load idle at the idle fraction. Owned: purchases (bought again after their life) plus
    /// hosting and energy per year; cloud: every chip-hour of the period.
    public static func fleet(_ x: ServingEnergyInputs, targetTokensPerSecond: Double, years: Double) throws(PowerInputError) -> FleetTCO {
        try validate(x)
        guard let price = x.price else { throw PowerInputError("a fleet TCO needs a price (chip price or chip-hour price)") }
        guard targetTokensPerSecond > 0, targetTokensPerSecond.isFinite else {
            throw PowerInputError("targetTokensPerSecond must be positive, found \(targetTokensPerSecond)")
        }
        guard years > 0, years.isFinite, years <= 100 else { throw PowerInputError("years must be in (0, 100], found \(years)") }
        var p = Point()
        p.load(x.setup, x.activity)
        p.load(price)
        let ranged = Point.ranges(x.setup) + Point.ranges(price) + [(\Point.tokensPerSecond, x.tokensPerSecond)]
        let r = CornerEvaluation.evaluate(p, ranged: ranged) { q in
            let replicas = CostModel.replicas(targetTokensPerSecond: targetTokensPerSecond, replicaTokensPerSecond: q.tokensPerSecond)
            let load = targetTokensPerSecond / (replicas * q.tokensPerSecond)
            let w = q.watts()
            let idleChipW = q.tdpW * q.idleFraction
            let chipW = load * w.chip + (1 - load) * idleChipW
            let chips = replicas * q.chips
            let overheadW = replicas * q.nodes * (q.hostWattsPerNode + q.networkWattsPerNode)
            let facilityW = (chips * chipW + overheadW) * q.pue
            let provisionedITW = replicas * w.provisionedIT
            var purchase = 0.0
            var opex = 0.0
            if q.isCloud {
                opex = chips * q.cloudUSDPerChipHour * CostModel.hoursPerYear
            } else {
                purchase = chips * (q.chipPriceUSD + q.systemUSDPerChip) * CostModel.purchases(years: years, amortizationYears: q.amortizationYears)
                opex = provisionedITW / 1000 * q.hostingUSDPerKWMonth * 12 + facilityW / 1000 * CostModel.hoursPerYear * q.powerPriceUSDPerKWh
            }
            return [replicas, chips, load, facilityW / 1000, purchase, opex, purchase + opex * years]
        }
        return FleetTCO(years: years, replicas: r[0], chips: r[1], loadFraction: r[2], facilityKW: r[3], purchaseUSD: r[4],
                        opexUSDPerYear: r[5], tcoUSD: r[6], basis: price.basis(pue: x.setup.pue))
    }

    private static func validate(_ x: ServingEnergyInputs) throws(PowerInputError) {
        try x.setup.validate()
        try x.price?.validate()
        try requirePowerCostInput("tokensPerSecond", x.tokensPerSecond, "positive") { $0 > 0 }
        guard x.outputTokensPerRequest > 0, x.outputTokensPerRequest.isFinite else {
            throw PowerInputError("outputTokensPerRequest must be positive, found \(x.outputTokensPerRequest)")
        }
    }

    /// Every input of every estimate as a plain number: one corner of the ranged inputs.
    struct Point {
        var chips = 1.0, chipsPerNode = 1.0, nodes = 1.0
        var tdpW = 0.0
        var computeShare = 0.0, memoryShare = 0.0, idleShare = 0.0
        var computeFraction = 0.0, memoryFraction = 0.0, idleFraction = 0.0
        var hostWattsPerNode = 0.0, networkWattsPerNode = 0.0, pue = 1.0
        var stepSeconds = 1.0, tokensPerStep = 1.0, tokenBudget = 1.0, goodput = 1.0
        var tokensPerSecond = 1.0, outputTokensPerRequest = 1.0
        var isCloud = false
        var cloudUSDPerChipHour = 0.0
        var chipPriceUSD = 0.0, systemUSDPerChip = 0.0, amortizationYears = 1.0, hostingUSDPerKWMonth = 0.0, powerPriceUSDPerKWh = 0.0

        mutating func load(_ s: PowerSetup, _ a: ActivityMix) {
            chips = Double(s.chips)
            chipsPerNode = Double(s.chipsPerNode)
            nodes = PowerModel.nodes(chips: chips, chipsPerNode: chipsPerNode)
            computeShare = a.computeBound
            memoryShare = a.memoryBound
            idleShare = a.idle
        }

        mutating func load(_ price: ChipHourPrice?) {
            if case .cloud = price { isCloud = true }
        }

        static func ranges(_ s: PowerSetup) -> [(WritableKeyPath<Point, Double>, RangedValue)] {
            [(\Point.tdpW, s.tdpW), (\Point.computeFraction, s.computeBoundFraction), (\Point.memoryFraction, s.memoryBoundFraction),
             (\Point.idleFraction, s.idleFraction), (\Point.hostWattsPerNode, s.hostWattsPerNode),
             (\Point.networkWattsPerNode, s.networkWattsPerNode), (\Point.pue, s.pue)]
        }

        static func ranges(_ price: ChipHourPrice?) -> [(WritableKeyPath<Point, Double>, RangedValue)] {
            switch price {
            case nil: return []
            case let .cloud(usd, _)?: return [(\Point.cloudUSDPerChipHour, usd)]
            case let .owned(h)?:
                return [(\Point.chipPriceUSD, h.chipPriceUSD), (\Point.systemUSDPerChip, h.systemUSDPerChip),
                        (\Point.amortizationYears, h.amortizationYears), (\Point.hostingUSDPerKWMonth, h.hostingUSDPerKWMonth),
                        (\Point.powerPriceUSDPerKWh, h.powerPriceUSDPerKWh)]
            }
        }

        struct Watts {
            var chip: Double
            var it: Double
            var facility: Double
            var provisionedIT: Double
        }

        func watts() -> Watts {
            let chip = PowerModel.chipWatts(tdpW: tdpW, computeBoundShare: computeShare, memoryBoundShare: memoryShare, idleShare: idleShare,
                                            computeBoundFraction: computeFraction, memoryBoundFraction: memoryFraction, idleFraction: idleFraction)
            let it = PowerModel.clusterITWatts(chips: chips, chipWatts: chip, nodes: nodes, hostWattsPerNode: hostWattsPerNode,
                                               networkWattsPerNode: networkWattsPerNode)
            let provisioned = PowerModel.clusterITWatts(chips: chips, chipWatts: tdpW, nodes: nodes, hostWattsPerNode: hostWattsPerNode,
                                                        networkWattsPerNode: networkWattsPerNode)
            return Watts(chip: chip, it: it, facility: PowerModel.facilityWatts(itWatts: it, pue: pue), provisionedIT: provisioned)
        }

        /// Dollars per chip-hour at this corner (0 without a price).
        func usdPerChipHour(_ w: Watts) -> Double {
            if isCloud { return cloudUSDPerChipHour }
            return CostModel.ownedChipHour(chipPriceUSD: chipPriceUSD, systemUSDPerChip: systemUSDPerChip, amortizationYears: amortizationYears,
                                           hostingUSDPerKWMonth: hostingUSDPerKWMonth, provisionedITKWPerChip: w.provisionedIT / chips / 1000,
                                           powerPriceUSDPerKWh: powerPriceUSDPerKWh, facilityKWPerChip: w.facility / chips / 1000).totalUSD
        }
    }
}
