import ChipModelKit

/// Options of `estimate` (training and `--inference`) for comparing chips like for like.
public let comparisonOptions: [OptionSpec] = [
    .flag("--like-for-like", "Run every chip in the best number format they all share (inference: fp8, else bf16, else fp16; training: bf16, else fp16) instead of each chip's default; the header names it and a chip forced off its default shows it."),
    .value("--baseline", "ID", "Add an 'x vs ID' column: tokens/s per chip of each row over chip ID's (one of the compared chips); a ratio across different formats is marked."),
    .flag("--strict", "Exit 1 when any chip has no estimate (does not fit, no plan meets the bounds); without it such rows keep exit 0."),
]

/// The comparison settings of an `estimate` over `chips`: checks `--baseline` names one of them
/// and that `--like-for-like` is not combined with a fixed `--precision`.
func comparisonSettings(_ args: ParsedArguments, chips: [Chip]) throws -> (likeForLike: Bool, baselineID: String?) {
    let like = args.has("--like-for-like")
    if like, args.value("--precision") != nil {
        throw UsageError("--like-for-like chooses the format every chip shares; drop --precision (or drop --like-for-like to run --precision on every chip)")
    }
    let baseline = args.value("--baseline")
    if let b = baseline, !chips.contains(where: { $0.id == b }) {
        throw UsageError("--baseline '\(b)' is not one of the compared chips (\(chips.map(\.id).joined(separator: ", "))); add --chip \(b)")
    }
    return (like, baseline)
}

/// A fixed format some chip lacks is a usage error (64), unless `--emulate` runs it at the next
/// wider format the chip has.
func checkFormats(_ formats: [(flag: String, format: NumberFormat)], on chips: [Chip], emulate: Bool) throws {
    guard !emulate else { return }
    for (flag, f) in formats {
        let lacking = chips.filter { ChipParameters(chip: $0).matmulTflops[f] == nil }
        guard let first = lacking.first else { continue }
        let has = ChipParameters(chip: first).formats.map(\.rawValue).joined(separator: ", ")
        let names = lacking.map(\.id).joined(separator: ", ")
        throw UsageError("\(flag) \(f.rawValue): chip\(lacking.count > 1 ? "s" : "") \(names) \(lacking.count > 1 ? "have" : "has") no \(f.rawValue) peak (\(first.id) supports \(has)); pass --emulate to run \(f.rawValue) at the next wider format, or --like-for-like")
    }
}

/// `--strict`: exit 1 (with one line per chip on stderr) when some chip has no estimate.
func strictExit(_ args: ParsedArguments, _ context: CommandContext, failures: [(chipID: String, reason: String)]) -> Int32 {
    guard args.has("--strict"), !failures.isEmpty else { return 0 }
    for f in failures { context.err("error: --strict: \(f.chipID): \(oneLine(f.reason))\n") }
    return 1
}
