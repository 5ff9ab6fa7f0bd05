import ChipModelKit

/// `chipmodel roofline`: Evaluate operations against a chip's roofline ceilings.
public enum RooflineCommand: CLICommand {
    public static let name = "roofline"
    public static let abstract = "Evaluate operations against a chip's roofline ceilings."
    public static let usage = "roofline CHIP [--precision bf16] [--op gemm:M,N,K] [--format table|json|csv] [--svg FILE]"
    public static let discussion = ""
    public static let options: [OptionSpec] = []
    public static let maxPositionals = 8

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        throw RunError("'roofline' is not implemented yet")
    }
}
