import ChipModelKit

/// Options `estimate` shares between training and inference (`--inference`).
public let sharedEstimateOptions: [OptionSpec] = [
    .value("--chip", "ID", repeatable: true, "Chip id (repeat to compare chips)."),
    .value("--chips", "N", "Number of chips in the cluster."),
    .value("--model", "ID|FILE", "Built-in model id or a model JSON file."),
    .value("--precision", "FORMAT", "Number format: fp32, tf32, bf16, fp16, fp8, fp4, int8, int4."),
    .value("--batch", "N", "Training: global batch in sequences. Inference: concurrent sequences per replica."),
    .value("--tp", "N", "Tensor-parallel degree."),
    .value("--pp", "N", "Pipeline-parallel degree."),
    .value("--ep", "N", "Expert-parallel degree."),
    .value("--scale-up-domain", "N", "Chips per scale-up domain (overrides the chip spec)."),
    .flag("--emulate", "Run a format the chip lacks at the next wider format it has."),
] + systemOptions

/// Resolves `--model`: a built-in id, or a path to a model JSON file (anything with a '/' or
/// ending in .json).
public func loadModel(_ idOrFile: String, _ context: CommandContext) throws -> ModelSpec {
    if idOrFile.contains("/") || idOrFile.hasSuffix(".json") {
        let bytes = try context.readFile(idOrFile)
        switch ModelDecoder.decode(bytes: bytes, file: idOrFile) {
        case let .success(m): return m
        case let .failure(e): throw e
        }
    }
    return try ModelZoo.builtIn().model(idOrFile)
}

/// Parses `--precision`.
public func parsePrecision(_ args: ParsedArguments, default fallback: NumberFormat) throws -> NumberFormat {
    guard let s = args.value("--precision") else { return fallback }
    guard let f = NumberFormat(name: s) else {
        throw UsageError("invalid value '\(s)' for --precision; expected one of: \(NumberFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return f
}
