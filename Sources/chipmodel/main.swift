import ChipModelCLI
import Foundation

// Streams first: closed descriptors reopened, SIGPIPE handled, temp-file cleanup on signals.
StandardStreams.install()
let context = CommandContext(passthrough: true, stderrIsTerminal: isatty(2) != 0,
                             environment: ProcessInfo.processInfo.environment)
exit(StandardStreams.finish(ChipModelCLI.run(Array(CommandLine.arguments.dropFirst()), context: context)))
