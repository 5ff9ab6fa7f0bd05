import ChipModelKit

/// `chipmodel whatif`: Sweep chip parameters and see what a workload gains.
public enum WhatIfCommand: CLICommand {
    public static let name = "whatif"
    public static let abstract = "Sweep chip parameters and see what a workload gains."
    public static let usage = "whatif --from ID [--set KEY=VALUE ...] [--vary KEY=VALUES ...] [options]"
    public static let discussion = ""
    public static let options: [OptionSpec] = []
    public static let maxPositionals = 8

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        throw RunError("'whatif' is not implemented yet")
    }
}
