import ChipModelKit

/// `chipmodel roadmap`: Show a vendor's parts in order with estimated delivered throughput.
public enum RoadmapCommand: CLICommand {
    public static let name = "roadmap"
    public static let abstract = "Show a vendor's parts in order with estimated delivered throughput."
    public static let usage = "roadmap VENDOR [--format table|json|csv]"
    public static let discussion = ""
    public static let options: [OptionSpec] = []
    public static let maxPositionals = 8

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        throw RunError("'roadmap' is not implemented yet")
    }
}
