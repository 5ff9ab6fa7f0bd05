/// What a command lets the user override in the power and cost model; nil keeps the
/// documented default of the built-in tables (`Specs/economics/*.json`).
public struct PowerCostAssumptions: Sendable, Equatable {
    public var pue: Double?
    public var powerPriceUSDPerKWh: Double?
    /// Purchase price of one accelerator: owned hardware with the table's other defaults.
    public var chipPriceUSD: Double?
    /// Cloud price per chip-hour (energy, hosting and system included); wins over a chip price.
    public var chipHourUSD: Double?
    public var amortizationYears: Double?
    public var gridGCO2PerKWh: Double?
    /// Training goodput (useful / wall time); nil = 1 (no failures modelled).
    public var goodput: Double?
    /// Accelerators per server node (host power and partial nodes).
    public var chipsPerNode: Int
    /// A system spec's power per node beyond the accelerators (CPUs, memory, NICs, fans, its
    /// share of the switches; `host.powerOverheadWPerNode`): replaces the table's host and
    /// network power per chip when set.
    public var nodeOverheadW: SpecValue?

    public init(pue: Double? = nil, powerPriceUSDPerKWh: Double? = nil, chipPriceUSD: Double? = nil, chipHourUSD: Double? = nil,
                amortizationYears: Double? = nil, gridGCO2PerKWh: Double? = nil, goodput: Double? = nil, chipsPerNode: Int = 8) {
        self.pue = pue
        self.powerPriceUSDPerKWh = powerPriceUSDPerKWh
        self.chipPriceUSD = chipPriceUSD
        self.chipHourUSD = chipHourUSD
        self.amortizationYears = amortizationYears
        self.gridGCO2PerKWh = gridGCO2PerKWh
        self.goodput = goodput
        self.chipsPerNode = chipsPerNode
    }
}

/// The built-in price and power-profile tables.
public struct PowerCostTables: Sendable, Equatable {
    public var prices: PriceBook
    public var profiles: PowerProfileSet

    public init(prices: PriceBook, profiles: PowerProfileSet) {
        self.prices = prices
        self.profiles = profiles
    }

    /// The embedded tables; price chip ids are checked against `catalog`.
    public static func builtIn(catalog: ChipCatalog) throws(InputError) -> PowerCostTables {
        PowerCostTables(prices: try PriceBook.builtIn(knownChipIDs: catalog.ids), profiles: try PowerProfileSet.builtIn())
    }
}

/// The adapters from the estimators to the power and cost model: activity mixes from a
/// training step breakdown and from an inference estimate's time split, the setup and price of
/// a chip under the user's assumptions, and the ranged estimates over both the chip's spec
/// corners (each corner's own estimate) and the ranged economic inputs.
public enum PowerCostRuns {
    /// Training step: forward, backward and recompute are compute-bound (GEMM-dominated; the
    /// memory-bound elementwise work inside the layers is counted with them, which errs toward
    /// more power), the optimizer step is memory-bound, and pipeline bubbles, exposed TP/PP/DP/
    /// EP/CP communication and framework overhead are waits.
    public static func activity(_ b: StepBreakdown) throws(PowerInputError) -> ActivityMix {
        try ActivityMix(computeBoundSeconds: b.forward + b.backward + b.recompute, memoryBoundSeconds: b.optimizer,
                        idleSeconds: b.bubble + b.tpExposed + b.ppExposed + b.dpExposed + b.epExposed + b.cpExposed + b.overhead)
    }

    /// Serving: the estimate's time split; without one, all compute-bound (the TDP-bound reading).
    public static func activity(_ e: InferenceEstimate) throws(PowerInputError) -> ActivityMix {
        guard let s = e.timeShares else { return .allComputeBound }
        return try ActivityMix(computeBoundSeconds: s.computeBoundSeconds, memoryBoundSeconds: s.memoryBoundSeconds, idleSeconds: s.idleSeconds)
    }

    public static func setup(chip: Chip, chips: Int, tables: PowerCostTables, assumptions a: PowerCostAssumptions) throws(PowerInputError) -> PowerSetup {
        guard let tdp = chip.tdpW else { throw PowerInputError("chip '\(chip.id)' has no 'tdpW' in its spec; the power model needs it") }
        var s = PowerSetup.standard(chips: chips, chipsPerNode: min(max(1, a.chipsPerNode), max(1, chips)), tdpW: tdp, family: chip.family,
                                    profiles: tables.profiles, defaults: tables.prices.defaults)
        if let v = a.pue { s.pue = RangedValue(exact: v) }
        if let v = a.gridGCO2PerKWh { s.gridGCO2PerKWh = RangedValue(exact: v) }
        if let w = a.nodeOverheadW {
            s.hostWattsPerNode = RangedValue(w)
            s.networkWattsPerNode = RangedValue(exact: 0)
        }
        return s
    }

    /// The chip-hour price: `chipHourUSD`, else `chipPriceUSD`, else the table (purchase price
    /// first); the power price and life overrides apply to owned hardware. Nil: no price known.
    public static func price(chipID: String, tables: PowerCostTables, assumptions a: PowerCostAssumptions) -> ChipHourPrice? {
        if let usd = a.chipHourUSD { return .cloud(usdPerChipHour: RangedValue(exact: usd), basis: "--chip-hour-usd") }
        var price: ChipHourPrice?
        if let usd = a.chipPriceUSD {
            price = .owned(.standard(chipPriceUSD: RangedValue(exact: usd), chipPriceBasis: "--chip-price-usd", defaults: tables.prices.defaults))
        } else {
            price = ChipHourPrice.builtIn(chipID: chipID, book: tables.prices)
        }
        if case var .owned(h)? = price {
            if let v = a.powerPriceUSDPerKWh { h.powerPriceUSDPerKWh = RangedValue(exact: v) }
            if let v = a.amortizationYears { h.amortizationYears = RangedValue(exact: v) }
            price = .owned(h)
        }
        return price
    }

    /// Training energy and cost of a ranged training estimate: each spec corner's estimate (its
    /// own plan, step time and breakdown) through the energy model with the ranged economic
    /// inputs; the range is the extremes over all of them.
    public static func training(_ ranged: RangedEstimate<TrainingEstimate>, chip: Chip, tables: PowerCostTables,
                                assumptions a: PowerCostAssumptions) throws(PowerInputError) -> TrainingEnergyEstimate {
        let price = price(chipID: chip.id, tables: tables, assumptions: a)
        func one(_ e: TrainingEstimate) throws(PowerInputError) -> TrainingEnergyEstimate {
            try EnergyCostEstimator.training(TrainingEnergyInputs(
                setup: try setup(chip: chip, chips: e.chips, tables: tables, assumptions: a), activity: try activity(e.breakdown),
                stepSeconds: RangedValue(exact: e.stepSeconds), tokensPerStep: e.workload.tokensPerStep, tokenBudget: e.workload.tokenBudget,
                goodput: RangedValue(exact: a.goodput ?? 1), price: price))
        }
        var out = try one(ranged.nominal)
        for e in ranged.cornerEstimates { out = mergeTraining(out, try one(e)) }
        return out
    }

    /// Serving energy and cost of a ranged inference estimate (generated tokens; samples for
    /// encoders and CNNs, with `outputTokensPerRequest` 1).
    public static func serving(_ ranged: RangedEstimate<InferenceEstimate>, chip: Chip, outputTokensPerRequest: Int,
                               tables: PowerCostTables, assumptions a: PowerCostAssumptions) throws(PowerInputError) -> ServingEnergyEstimate {
        let price = price(chipID: chip.id, tables: tables, assumptions: a)
        func one(_ e: InferenceEstimate) throws(PowerInputError) -> ServingEnergyEstimate {
            guard let rate = e.tokensPerSecond ?? e.samplesPerSecond else { throw PowerInputError("the estimate has no throughput") }
            return try EnergyCostEstimator.serving(ServingEnergyInputs(
                setup: try setup(chip: chip, chips: e.chips, tables: tables, assumptions: a), activity: try activity(e),
                tokensPerSecond: RangedValue(exact: rate), outputTokensPerRequest: Double(max(1, e.tokensPerSecond == nil ? 1 : outputTokensPerRequest)),
                price: price))
        }
        var out = try one(ranged.nominal)
        for e in ranged.cornerEstimates { out = mergeServing(out, try one(e)) }
        return out
    }

    static func widen(_ a: RangedValue, _ b: RangedValue) -> RangedValue {
        RangedValue(low: min(a.low, b.low), nominal: a.nominal, high: max(a.high, b.high))
    }

    static func widen(_ a: PowerEstimate, _ b: PowerEstimate) -> PowerEstimate {
        PowerEstimate(nodes: a.nodes, chipWattsAverage: widen(a.chipWattsAverage, b.chipWattsAverage), clusterITKW: widen(a.clusterITKW, b.clusterITKW),
                      clusterFacilityKW: widen(a.clusterFacilityKW, b.clusterFacilityKW),
                      provisionedFacilityKW: widen(a.provisionedFacilityKW, b.provisionedFacilityKW))
    }

    static func widen(_ a: CostEstimate?, _ b: CostEstimate?) -> CostEstimate? {
        guard var c = a, let d = b else { return a }
        c.usdPerChipHour = widen(c.usdPerChipHour, d.usdPerChipHour)
        if let x = c.usdTotal, let y = d.usdTotal { c.usdTotal = widen(x, y) }
        if let x = c.usdPerMillionTokens, let y = d.usdPerMillionTokens { c.usdPerMillionTokens = widen(x, y) }
        return c
    }

    static func mergeTraining(_ a: TrainingEnergyEstimate, _ b: TrainingEnergyEstimate) -> TrainingEnergyEstimate {
        TrainingEnergyEstimate(power: widen(a.power, b.power), wallDays: widen(a.wallDays, b.wallDays), chipHours: widen(a.chipHours, b.chipHours),
                               energyMWh: widen(a.energyMWh, b.energyMWh), itEnergyMWh: widen(a.itEnergyMWh, b.itEnergyMWh),
                               chipEnergyMWh: widen(a.chipEnergyMWh, b.chipEnergyMWh), tCO2e: widen(a.tCO2e, b.tCO2e), cost: widen(a.cost, b.cost))
    }

    static func mergeServing(_ a: ServingEnergyEstimate, _ b: ServingEnergyEstimate) -> ServingEnergyEstimate {
        ServingEnergyEstimate(power: widen(a.power, b.power), tokensPerJoule: widen(a.tokensPerJoule, b.tokensPerJoule),
                              tokensPerJouleChipOnly: widen(a.tokensPerJouleChipOnly, b.tokensPerJouleChipOnly),
                              joulesPerRequest: widen(a.joulesPerRequest, b.joulesPerRequest), cost: widen(a.cost, b.cost))
    }
}
