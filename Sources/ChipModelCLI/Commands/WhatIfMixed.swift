import ChipModelKit

/// `chipmodel whatif --group CHIP:N ... --vary group2.count=VALUES | inter-group-gbps=VALUES`:
/// a sweep over a mixed cluster, one full mixed estimate per point.
func runMixedWhatIf(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
    let notMixed = ["--from", "--chip", "--chips", "--set", "--name", "--inference", "--metric", "--svg", "--monte-carlo", "--pp", "--ep",
                    "--virtual-stages"] + powerCostOptions.map(\.name)
    for flag in notMixed where args.has(flag) || args.value(flag) != nil {
        throw UsageError("\(flag) does not apply to a mixed-cluster what-if (--group); vary \(MixedSweepParameter.names(groups: 2).joined(separator: ", ")), ...")
    }
    let format = try ChipModelCLI.format(args)
    let catalog = try ChipModelCLI.catalog(args, context)
    let groups = try parseGroups(args, catalog: catalog)
    let varies = args.all("--vary")
    guard varies.count == 1 else { throw UsageError("a mixed-cluster what-if varies one parameter: --vary NAME=VALUES") }
    let axis: SweepAxis
    do { axis = try SweepAxis.parse(varies[0]) } catch { throw UsageError("\(error)") }
    guard let parameter = MixedSweepParameter.parse(axis.name, groups: groups.count) else {
        throw UsageError("unknown mixed-cluster parameter '\(axis.name)'; expected one of: \(MixedSweepParameter.names(groups: groups.count).joined(separator: ", "))")
    }
    let model = try loadModel(args.value("--model") ?? StandardRunDefaults.trainingModelID, context)
    guard model.isDecoder else { throw UsageError("the training estimator models decoder transformers; '\(model.id)' is \(model.architecture.rawValue)") }
    let seq = try args.int("--seq", range: 1...10_000_000) ?? StandardRunDefaults.trainingSequenceLength
    let batch = try args.int("--batch", range: 1...100_000_000) ?? StandardRunDefaults.trainingGlobalBatch(sequenceLength: seq)
    let workload = TrainingWorkload(model: model, sequenceLength: seq, globalBatch: batch, precision: try parsePrecision(args, default: .bf16),
                                    tokenBudget: try args.double("--tokens", range: 1...1e18) ?? StandardRunDefaults.trainingTokenBudget,
                                    emulate: args.has("--emulate"))
    let sweep = MixedSweep(groups: groups, fabric: try parseFabric(args), workload: workload, constraints: try trainingConstraints(args),
                           parameter: parameter, values: axis.values)
    if let bad = sweep.invalidValue { throw UsageError("invalid value \(formatQuantity(bad)) for \(axis.name) in --vary") }
    let progress = SweepProgress(context: context, total: axis.values.count, label: "whatif")
    let rows = sweep.run { _ in progress.step() }
    progress.finish()
    if rows.allSatisfy({ (try? $0.outcome.get()) == nil }), case let .failure(e)? = rows.first?.outcome { throw RunError(e.message) }
    switch format {
    case .json:
        let points: [JSONValue] = rows.map { r in
            switch r.outcome {
            case let .success(e): return .object([(axis.name, .number(r.value))] + MixedTrainingReport.json(e))
            case let .failure(e): return .object([(axis.name, .number(r.value)), ("feasible", .bool(false)), ("reason", .string(e.message))])
            }
        }
        context.out(JSONValue.object([("parameter", .string(axis.name)), ("points", .array(points))]).serialized() + "\n")
    case .csv, .table:
        var t = TextTable(headers: [axis.name, "mode", "step s", "tokens/s", "vs best alone", "vs separate jobs", "groups used"])
        for r in rows {
            switch r.outcome {
            case let .success(e):
                t.add([formatQuantity(r.value), e.mode.rawValue, formatQuantity(e.stepSeconds), formatQuantity(e.tokensPerSecond),
                       formatQuantity(e.speedupVsBestGroupAlone, decimals: 2) + "x", formatQuantity(e.efficiencyVsSeparateJobs * 100, decimals: 1) + "%",
                       e.groups.filter { $0.chipsUsed > 0 }.map { "\($0.chipID) \($0.chipsUsed)" }.joined(separator: " + ")])
            case let .failure(e):
                t.add([formatQuantity(r.value), "no plan", "-", "-", "-", "-", oneLine(e.message, limit: 120)])
            }
        }
        if format == .csv { context.out(t.renderCSV()); break }
        let total = groups.reduce(0) { $0 + $1.count }
        context.out("What-if: training \(model.name) on \(total) chips in \(groups.count) groups (\(groups.map { "\($0.count) x \($0.chip.id)" }.joined(separator: " + "))), varying \(axis.name)\n")
        context.out(t.renderText())
    }
    return 0
}
