// chipmodel-fuzz: the long fuzz run of chipmodel's loaders and commands (a developer tool;
// `swift test` runs a quick pass of the same targets). See `FuzzCommand` for the options.
import ChipModelCLI
import ChipModelFuzz
import Foundation

StandardStreams.install()
let context = CommandContext(passthrough: true, stderrIsTerminal: isatty(2) != 0,
                             environment: ProcessInfo.processInfo.environment)
let command = CommandInfo(FuzzCommand.self, program: "chipmodel-fuzz")
exit(StandardStreams.finish(ChipModelCLI.runCommand(command, arguments: Array(CommandLine.arguments.dropFirst()), context: context)))
