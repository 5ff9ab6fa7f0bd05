import ChipModelKit

/// `chipmodel estimate`: Estimate training (or, with --inference, serving) throughput on a cluster.
public enum EstimateCommand: CLICommand {
    public static let name = "estimate"
    public static let abstract = "Estimate training (or, with --inference, serving) throughput on a cluster."
    public static let usage = "estimate [--chip ID ...] [--chips N] [--model ID|FILE] [options]"
    public static let discussion = ""
    public static let options: [OptionSpec] = sharedEstimateOptions + inferenceOptions
    public static let maxPositionals = 8

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        if args.has("--inference") { return try runInferenceEstimate(args, context) }
        throw RunError("'estimate' is not implemented yet")
    }
}
