import ChipModelKit

/// Options of the mixed-vendor training estimate (`estimate --group ...`).
public let mixedEstimateOptions: [OptionSpec] = [
    .value("--group", "CHIP:N[:DOMAIN]", repeatable: true,
           "Train one model on a mixed cluster: N chips of CHIP (repeat per kind of chip; DOMAIN: chips per scale-up domain)."),
    .value("--inter-group-gbps", "X", "Mixed cluster: fabric between groups, GB/s per chip per direction (default: the slowest group's NIC)."),
    .value("--inter-group-latency-us", "X", "Mixed cluster: fabric latency per message, microseconds (default: the highest group's)."),
    .value("--inter-group", "device-direct|host-staged", "Mixed cluster: how traffic crosses vendors (default device-direct RDMA)."),
]

/// Parses `--group CHIP:N[:DOMAIN]` values against the catalog.
/// Most `--group` options one mixed run takes: the mixed plan space grows with the ways to
/// order and partition the groups, so the count is bounded before any work (HGCT-style runs
/// span 4-5 vendors).
let maximumMixedGroups = 8

func parseGroups(_ args: ParsedArguments, catalog: ChipCatalog) throws -> [MixedGroupSpec] {
    let given = args.all("--group")
    if given.count > maximumMixedGroups {
        throw UsageError("--group given \(given.count) times; a mixed cluster takes at most \(maximumMixedGroups) groups")
    }
    return try given.map { text in
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty,
              let n = Int(parts[1]), (1...10_000_000).contains(n) else {
            throw UsageError("invalid value '\(text)' for --group; expected CHIP:N or CHIP:N:DOMAIN with N in 1...10000000")
        }
        var domain: Int?
        if parts.count == 3 {
            guard let d = Int(parts[2]), (1...10_000_000).contains(d) else {
                throw UsageError("invalid scale-up domain in '\(text)' for --group; expected a whole number in 1...10000000")
            }
            domain = d
        }
        return MixedGroupSpec(chip: try catalog.chip(parts[0]), count: n, scaleUpDomain: domain)
    }
}

/// Parses the inter-group fabric flags.
func parseFabric(_ args: ParsedArguments) throws -> InterGroupFabric {
    let transport = try args.choice("--inter-group", from: InterGroupTransport.allCases.map(\.rawValue))
        .flatMap(InterGroupTransport.init(rawValue:)) ?? .deviceDirect
    return InterGroupFabric(bandwidthGBps: try args.double("--inter-group-gbps", range: 1e-6...1e9),
                            latencyUs: try args.double("--inter-group-latency-us", range: 0...1e9), transport: transport)
}

/// `chipmodel estimate --group ...`: one model trained on several kinds of chip at once.
func runMixedEstimate(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
    let notMixed = ["--chip", "--chips", "--scale-up-domain", "--pp", "--ep", "--virtual-stages", "--top", "--inference", "--scaling"]
        + powerCostPlotOptions.map(\.name)
    for flag in notMixed where args.has(flag) || args.value(flag) != nil {
        throw UsageError("\(flag) does not apply with --group (a mixed cluster: give each group as --group CHIP:N[:DOMAIN]; stages per group are searched)")
    }
    let format = try ChipModelCLI.format(args)
    let catalog = try ChipModelCLI.catalog(args, context)
    let groups = try parseGroups(args, catalog: catalog)
    let model = try loadModel(args.value("--model") ?? StandardRunDefaults.trainingModelID, context)
    guard model.isDecoder else {
        throw UsageError("the training estimator models decoder transformers; '\(model.id)' is \(model.architecture.rawValue)")
    }
    let seq = try args.int("--seq", range: 1...10_000_000) ?? StandardRunDefaults.trainingSequenceLength
    let batch = try args.int("--batch", range: 1...100_000_000) ?? StandardRunDefaults.trainingGlobalBatch(sequenceLength: seq)
    let workload = TrainingWorkload(model: model, sequenceLength: seq, globalBatch: batch,
                                    precision: try parsePrecision(args, default: .bf16),
                                    tokenBudget: try args.double("--tokens", range: 1...1e18) ?? StandardRunDefaults.trainingTokenBudget,
                                    emulate: args.has("--emulate"))
    let constraints = try trainingConstraints(args)
    if let t = constraints.tp, model.heads % t != 0 { throw UsageError("--tp \(t) does not divide the model's \(model.heads) attention heads") }
    if let c = constraints.cp, seq % c != 0 { throw UsageError("--cp \(c) does not divide the sequence length \(seq)") }
    if let d = constraints.dp, d > batch { throw UsageError("--dp \(d) exceeds the global batch of \(batch) sequences") }
    // Power/cost and goodput flags are parsed before any work: a bad value is a usage error.
    let assumptions = try powerCostAssumptions(args)
    let tables = try PowerCostTables.builtIn(catalog: catalog)
    var settings: GoodputSettings?
    if !args.has("--no-goodput") {
        settings = try goodputSettings(args, context)
    } else if let flag = goodputFlagsGiven(args).first(where: { $0 != "--no-goodput" }) {
        throw UsageError("\(flag) contradicts --no-goodput")
    }
    let estimate: MixedTrainingEstimate
    do {
        let fabric = try parseFabric(args)
        let progress = SweepProgress(context: context, total: 1, label: "estimate", unit: "mixed estimate")
        estimate = try progress.run {
            let e = try MixedTrainingEstimator.estimate(groups: groups, fabric: fabric, workload: workload, constraints: constraints)
            progress.step()
            return e
        }
    } catch let e as MixedInfeasibleError {
        throw RunError(e.message)
    } catch let e as UnsupportedFormatError {
        throw RunError(e.description)
    } catch let e as MissingSpecError {
        throw RunError(e.description)
    }
    let chips = groups.map(\.chip)
    let energy = Result { () throws(PowerInputError) in
        try PowerCostRuns.mixedTraining(estimate, chips: chips, tables: tables, assumptions: assumptions)
    }
    var goodput: TrainingGoodput?
    if let settings {
        do {
            goodput = try TrainingGoodputEstimator.estimateMixed(
                groups: groups.map { .init(chip: $0.chip, count: $0.count) }, workload: workload, stepSeconds: estimate.stepSeconds,
                days: estimate.days, settings: settings,
                daysLow: estimate.tokensPerSecondHigh.map { workload.tokenBudget / $0 / 86_400 },
                daysHigh: estimate.tokensPerSecondLow.map { workload.tokenBudget / $0 / 86_400 })
        } catch {
            throw UsageError("goodput: \(error)")
        }
    }
    context.out(MixedTrainingReport.render(estimate, format: format, energy: energy, goodput: goodput))
    return 0
}
