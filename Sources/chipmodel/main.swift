import ChipModelCLI
import Foundation

let context = CommandContext(passthrough: true, stderrIsTerminal: isatty(2) != 0,
                             environment: ProcessInfo.processInfo.environment)
exit(ChipModelCLI.run(Array(CommandLine.arguments.dropFirst()), context: context))
