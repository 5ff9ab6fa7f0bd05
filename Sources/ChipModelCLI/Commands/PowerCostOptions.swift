import ChipModelKit

/// Options of the power, energy and cost model (`estimate`, training and `--inference`, and `whatif --metric energy`).
/// Without them every input comes from the built-in tables `Specs/economics/*.json` (sourced
/// values with ranges; the result carries the ranges).
public let powerCostOptions: [OptionSpec] = [
    .value("--pue", "X", "Power: facility / IT power usage effectiveness (default: the table's, with its range)."),
    .value("--power-price-usd-kwh", "USD", "Cost: electricity price per kWh for owned hardware (default: the table's)."),
    .value("--chip-price-usd", "USD", "Cost: purchase price of one chip (owned hardware; default: the price table's, when it has one)."),
    .value("--chip-hour-usd", "USD", "Cost: cloud price per chip-hour, everything included (wins over --chip-price-usd)."),
    .value("--amortize-years", "Y", "Cost: straight-line life of owned hardware (default: the table's)."),
    .value("--grid-gco2-kwh", "G", "Energy: location-based grid intensity, g CO2e per kWh (default: the table's)."),
]

/// Options only `estimate --inference` takes for the efficiency scatter.
public let powerCostPlotOptions: [OptionSpec] = [
    .value("--energy-svg", "FILE", "Inference: scatter of tokens/s per chip against tokens per joule across chips, Pareto front marked."),
    .value("--cost-svg", "FILE", "Inference: scatter of tokens/s per chip against $ per million tokens, Pareto front marked."),
]

/// The user's overrides of the power and cost model.
func powerCostAssumptions(_ args: ParsedArguments) throws -> PowerCostAssumptions {
    PowerCostAssumptions(pue: try args.double("--pue", range: 1...5),
                         powerPriceUSDPerKWh: try args.double("--power-price-usd-kwh", range: 0...100),
                         chipPriceUSD: try args.double("--chip-price-usd", range: 0...1e9),
                         chipHourUSD: try args.double("--chip-hour-usd", range: 1e-6...1e6),
                         amortizationYears: try args.double("--amortize-years", range: 0.1...50),
                         gridGCO2PerKWh: try args.double("--grid-gco2-kwh", range: 0...5000))
}

/// Training energy and cost per chip of a training comparison (only chips with an estimate).
func trainingEnergy(_ results: [TrainingRunResult], chips: [Chip], tables: PowerCostTables,
                    assumptions: PowerCostAssumptions) -> [String: Result<TrainingEnergyEstimate, PowerInputError>] {
    var out: [String: Result<TrainingEnergyEstimate, PowerInputError>] = [:]
    for (chip, r) in zip(chips, results) {
        guard case let .success(ranged) = r.outcome else { continue }
        out[r.chipID] = Result { () throws(PowerInputError) in try PowerCostRuns.training(ranged, chip: chip, tables: tables, assumptions: assumptions) }
    }
    return out
}

/// Serving energy and cost per chip of a serving comparison (only chips with an estimate).
func servingEnergy(_ outcomes: [InferenceRunResult], chips: [Chip], outputTokens: Int, tables: PowerCostTables,
                   assumptions: PowerCostAssumptions) -> [String: Result<ServingEnergyEstimate, PowerInputError>] {
    var out: [String: Result<ServingEnergyEstimate, PowerInputError>] = [:]
    for (chip, o) in zip(chips, outcomes) {
        guard case let .success(ranged) = o.outcome else { continue }
        out[o.chipID] = Result { () throws(PowerInputError) in
            try PowerCostRuns.serving(ranged, chip: chip, outputTokensPerRequest: outputTokens, tables: tables, assumptions: assumptions)
        }
    }
    return out
}

/// The efficiency scatters of `estimate --inference` (`--energy-svg`, `--cost-svg`).
func writeEfficiencyPlots(_ args: ParsedArguments, _ context: CommandContext, outcomes: [InferenceRunResult],
                          energy: [String: Result<ServingEnergyEstimate, PowerInputError>], model: ModelSpec) throws {
    let llm = model.isDecoder
    let unit = llm ? "tokens" : "samples"
    func points(_ y: (ServingEnergyEstimate) -> RangedValue?) -> [PowerCostReport.ScatterPoint] {
        outcomes.compactMap { o in
            guard let e = try? energy[o.chipID]?.get(), let yv = y(e), let x = InferenceReport.throughputRange(o) ?? o.nominal.map({
                RangedValue(exact: $0.tokensPerSecond ?? $0.samplesPerSecond ?? .nan)
            }), let chips = o.nominal?.chips else { return nil }
            let perChip = RangedValue(low: x.low / Double(chips), nominal: x.nominal / Double(chips), high: x.high / Double(chips))
            return PowerCostReport.ScatterPoint(label: o.chipID, throughput: perChip, efficiency: yv)
        }
    }
    func left(out p: [PowerCostReport.ScatterPoint]) -> [String] { outcomes.map(\.chipID).filter { id in !p.contains { $0.label == id } } }
    if let file = args.value("--energy-svg") {
        let p = points { $0.tokensPerJoule }
        try context.writePlot(file, hasData: !p.isEmpty) {
            PowerCostReport.scatterSVG(p, title: "\(model.name): throughput vs energy efficiency",
                                       xLabel: "generated \(unit)/s per chip", yLabel: "\(unit) per joule (facility)", higherIsBetter: true,
                                       missing: left(out: p))
        }
    }
    if let file = args.value("--cost-svg") {
        let p = points { $0.cost?.usdPerMillionTokens }
        try context.writePlot(file, hasData: !p.isEmpty) {
            PowerCostReport.scatterSVG(p, title: "\(model.name): throughput vs cost",
                                       xLabel: "generated \(unit)/s per chip", yLabel: "$ per million \(unit)", higherIsBetter: false,
                                       missing: left(out: p))
        }
    }
}
