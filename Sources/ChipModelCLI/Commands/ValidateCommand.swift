import ChipModelKit

/// `chipmodel validate`: Compare estimates with published measurements.
public enum ValidateCommand: CLICommand {
    public static let name = "validate"
    public static let abstract = "Compare estimates with published measurements."
    public static let usage = "validate --cases FILE [--format table|json] [--explain ID]"
    public static let discussion = ""
    public static let options: [OptionSpec] = []
    public static let maxPositionals = 8

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        throw RunError("'validate' is not implemented yet")
    }
}
