import ChipModelKit

/// `chipmodel chips`: List the chip catalog, show one chip with sources, or compare chips.
public enum ChipsCommand: CLICommand {
    public static let name = "chips"
    public static let abstract = "List the chip catalog, show one chip with sources, or compare chips."
    public static let usage = "chips [show ID | compare ID ID ...] [--format table|json|csv]"
    public static let discussion = ""
    public static let options: [OptionSpec] = []
    public static let maxPositionals = 8

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        throw RunError("'chips' is not implemented yet")
    }
}
