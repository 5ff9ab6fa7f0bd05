import ChipModelKit

/// Options of the goodput model (training `estimate` and `whatif --metric goodput`).
public let goodputOptions: [OptionSpec] = [
    .value("--mtbf-hours", "H", "Goodput: one all-in MTBF per accelerator, hours (replaces the per-component failure rates)."),
    .value("--failure-rates", "FILE", "Goodput: a failure-rate file (format of Specs/reliability/failure-rates.json)."),
    .value("--checkpoint-gbps", "GBPS", "Goodput: checkpoint write bandwidth per node, GB/s (default: the system spec's, else 0.65)."),
    .value("--restart-minutes", "MIN", "Goodput: detection + rescheduling + reload after a failure (default 10)."),
    .value("--checkpoint-interval-minutes", "MIN", "Goodput: fixed checkpoint interval (default: the optimum of Daly's model)."),
    .value("--checkpoint-mode", "MODE", "Goodput: sync (default), async (background write) or in-memory (Gemini-style peer copies)."),
    .flag("--no-goodput", "Training estimate: leave out the goodput line and JSON member."),
]

/// The goodput flags given on a command line (for "does not apply" errors).
func goodputFlagsGiven(_ args: ParsedArguments) -> [String] {
    goodputOptions.map(\.name).filter { $0 == "--no-goodput" ? args.has($0) : args.value($0) != nil }
}

/// `--checkpoint-mode` spellings.
let checkpointModeNames: [String: CheckpointMode] = ["sync": .synchronous, "async": .asynchronous, "in-memory": .inMemory]

/// Goodput settings from the command line: the built-in failure rates or `--failure-rates
/// FILE` (its problems are one line each naming the key, exit 65), and the overrides.
func goodputSettings(_ args: ParsedArguments, _ context: CommandContext) throws -> GoodputSettings {
    var table: FailureRateTable
    var source = "built-in"
    if let file = args.value("--failure-rates") {
        let bytes = try context.readFile(file)
        switch FailureRateDecoder.decode(bytes: bytes, file: file) {
        case let .success(t): table = t
        case let .failure(e): throw e
        }
        source = file
    } else {
        table = try FailureRateTable.builtIn()
    }
    let mode = try args.choice("--checkpoint-mode", from: checkpointModeNames.keys.sorted()).flatMap { checkpointModeNames[$0] }
    let settings = GoodputSettings(
        table: table, tableSource: source,
        mtbfHours: try args.double("--mtbf-hours", range: 1e-3...1e12),
        checkpointWriteGBpsPerNode: try args.double("--checkpoint-gbps", range: 1e-6...1e9),
        restartMinutes: try args.double("--restart-minutes", range: 0...1e6),
        checkpointIntervalMinutes: try args.double("--checkpoint-interval-minutes", range: 1e-3...1e9),
        checkpointMode: mode ?? .synchronous)
    if args.value("--mtbf-hours") != nil, args.value("--failure-rates") != nil {
        throw UsageError("--mtbf-hours replaces the failure rates; give it or --failure-rates, not both")
    }
    return settings
}

/// Goodput of each feasible training result (nominal estimate; days over its spec corners),
/// and the vendor claims about each chip's family with the model's numbers beside them.
/// The scaling efficiency at a claim's size is computed only with `details` and when the run
/// is at that size (it runs the plan search at every doubling up to it, or reuses `--scaling`).
func trainingGoodput(_ results: [TrainingRunResult], chips: [Chip], run: TrainingRun, settings: GoodputSettings,
                     details: Bool) throws -> (goodput: [String: TrainingGoodput], claims: [String: [ClaimCheck]]) {
    var goodput: [String: TrainingGoodput] = [:]
    var claims: [String: [ClaimCheck]] = [:]
    for r in results {
        guard case let .success(ranged) = r.outcome, let chip = chips.first(where: { $0.id == r.chipID }) else { continue }
        let days = ranged.range(\.days)
        let g: TrainingGoodput
        do {
            g = try TrainingGoodputEstimator.estimate(ranged.nominal, chip: chip, settings: settings, daysLow: days.low, daysHigh: days.high)
        } catch {
            throw UsageError("goodput: \(error)")
        }
        goodput[r.chipID] = g
        guard details, !g.claims.isEmpty else { continue }
        claims[r.chipID] = g.claims.map { claim in
            var efficiency: Double?
            var note: String?
            if claim.scalingEfficiency != nil {
                if run.chips != claim.chipCount {
                    note = "computed only at the claimed size: rerun with --chips \(claim.chipCount)"
                } else {
                    // Strong scaling (global batch held fixed) from one scale-up domain; the claim's
                    // size against the best per-chip throughput of any smaller size, so a base that
                    // barely fits (superlinear rows) does not flatter the claim's size.
                    let rows = r.scaling ?? run.scaling(chip)
                    let smaller = rows.dropLast().filter { $0.plan != nil }.map(\.tokensPerSecondPerChip).max()
                    if let last = rows.last, last.plan != nil, let smaller, smaller > 0 {
                        efficiency = last.tokensPerSecondPerChip / smaller
                    } else if let last = rows.last, last.plan == nil {
                        note = "no plan at \(claim.chipCount) chips: \(last.note ?? "-")"
                    } else {
                        note = "no smaller size to compare with"
                    }
                }
            }
            return ClaimCheck.check(claim, input: g.input, fleet: g.fleetID.flatMap { settings.table.fleet(id: $0) },
                                    scalingEfficiency: efficiency, scalingNote: note)
        }
    }
    return (goodput, claims)
}
