import ChipModelKit

extension WhatIfCommand {
    /// Power and cost parameters `--vary` may sweep with `--metric energy` (besides spec keys
    /// such as `tdpW` and the estimator's workload parameters).
    static let powerCostParameters = ["pue", "power-price", "chip-price", "chip-hour", "amortize-years", "grid"]

    /// The assumptions at a sweep point: the point's power/cost parameters override the flags.
    static func assumptions(_ base: PowerCostAssumptions, at point: SweepPoint) throws -> PowerCostAssumptions {
        var a = base
        func value(_ name: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let v = point[name] else { return nil }
            guard range.contains(v) else { throw WhatIfPointError("\(name) must lie in \(formatQuantity(range.lowerBound))...\(formatQuantity(range.upperBound)), got \(formatQuantity(v))") }
            return v
        }
        if let v = try value("pue", 1...5) { a.pue = v }
        if let v = try value("power-price", 0...100) { a.powerPriceUSDPerKWh = v }
        if let v = try value("chip-price", 0...1e9) { a.chipPriceUSD = v }
        if let v = try value("chip-hour", 1e-6...1e6) { a.chipHourUSD = v }
        if let v = try value("amortize-years", 0.1...50) { a.amortizationYears = v }
        if let v = try value("grid", 0...5000) { a.gridGCO2PerKWh = v }
        return a
    }

    /// Training energy metric: facility MWh for the token budget (charted, lower is better),
    /// cluster kW, tCO2e, the run's dollars and tokens/s per chip; ranges over the spec
    /// corners (each with its own plan search) and the ranged power and price inputs.
    static func trainingEnergyMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let (base, label, batch) = try trainingBase(args, context)
        let flags = try powerCostAssumptions(args)
        let tables = try PowerCostTables.builtIn(catalog: try ChipModelCLI.catalog(args, context))
        return WhatIfMetric(label: "energy (ranges also over the power and price inputs), " + label, parameters: trainingParameters + powerCostParameters) { chip, point, policy in
            let run = try trainingRun(base, at: point, batchFixed: batch != nil)
            let a = try assumptions(flags, at: point)
            let ranged = try run.ranged(chip, policy: policy)
            let e = try PowerCostRuns.training(ranged, chip: chip, tables: tables, assumptions: a)
            let usd = e.cost?.usdTotal ?? RangedValue(exact: .nan)
            return MetricRow(metrics: [
                MetricValue(name: "energyMWh", unit: "MWh (facility)", e.energyMWh, higherIsBetter: false),
                MetricValue(name: "clusterKW", unit: "kW (facility)", e.power.clusterFacilityKW, higherIsBetter: false),
                MetricValue(name: "tCO2e", unit: "tCO2e", e.tCO2e, higherIsBetter: false),
                MetricValue(name: "usdTotal", unit: "$ run", usd, higherIsBetter: false),
                MetricValue(name: "tokensPerSecondPerChip", unit: "tokens/s/chip", ranged.range(\.tokensPerSecondPerChip)),
            ], binding: trainingBinding(ranged.nominal.breakdown),
               notes: ["energy (ranges also over the power and price inputs), " + label, e.cost.map { "cost basis (\(chip.id)): \($0.basis)" } ?? "\(chip.id): no price known"])
        }
    }

    /// Serving energy metric: tokens per joule of facility energy (charted), $ per million
    /// tokens, cluster kW and tokens/s; ranges as for training.
    static func inferenceEnergyMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let (base, label) = try inferenceBase(args, context)
        let flags = try powerCostAssumptions(args)
        let tables = try PowerCostTables.builtIn(catalog: try ChipModelCLI.catalog(args, context))
        return WhatIfMetric(label: "energy (ranges also over the power and price inputs), " + label, parameters: inferenceParameters + powerCostParameters) { chip, point, policy in
            let run = try inferenceRun(base, at: point)
            let a = try assumptions(flags, at: point)
            let ranged = try run.ranged(chip, policy: policy)
            guard ranged.nominal.tokensPerSecond != nil else { throw WhatIfPointError("no tokens/s for \(base.model.id)") }
            let e = try PowerCostRuns.serving(ranged, chip: chip, outputTokensPerRequest: run.outputTokens, tables: tables, assumptions: a)
            return MetricRow(metrics: [
                MetricValue(name: "tokensPerJoule", unit: "tokens/J (facility)", e.tokensPerJoule),
                MetricValue(name: "usdPerMillionTokens", unit: "$/M tokens", e.cost?.usdPerMillionTokens ?? RangedValue(exact: .nan), higherIsBetter: false),
                MetricValue(name: "clusterKW", unit: "kW (facility)", e.power.clusterFacilityKW, higherIsBetter: false),
                MetricValue(name: "tokensPerSecond", unit: "tokens/s", ranged.range { $0.tokensPerSecond ?? .nan }),
            ], binding: ranged.nominal.binding,
               notes: ["energy (ranges also over the power and price inputs), " + label, e.cost.map { "cost basis (\(chip.id)): \($0.basis)" } ?? "\(chip.id): no price known"])
        }
    }
}
