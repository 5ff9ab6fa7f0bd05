import Testing
@testable import ChipModelCLI

/// Runs the CLI in-process and returns (exit code, stdout, stderr).
func runCLI(_ args: [String]) -> (Int32, String, String) {
    let ctx = CommandContext()
    let code = ChipModelCLI.run(args, context: ctx)
    return (code, ctx.stdout, ctx.stderr)
}

@Suite struct CLITests {
    @Test func overviewListsCommands() {
        let (code, out, _) = runCLI(["--help"])
        #expect(code == 0)
        for c in ChipModelCLI.commands { #expect(out.contains(c.name)) }
    }

    @Test func unknownCommandSuggests() {
        let (code, _, err) = runCLI(["estmate"])
        #expect(code == 64)
        #expect(err.contains("unknown command 'estmate' (did you mean 'estimate'?)"))
    }

    @Test func everyCommandHasHelp() {
        for c in ChipModelCLI.commands {
            let (code, out, _) = runCLI([c.name, "--help"])
            #expect(code == 0)
            #expect(out.contains("USAGE: chipmodel \(c.usage)"))
            let (code2, out2, _) = runCLI(["help", c.name])
            #expect(code2 == 0 && out2 == out)
        }
    }

    @Test func badFormatIsAUsageError() {
        let (code, _, err) = runCLI(["chips", "--format", "xml"])
        #expect(code == 64)
        #expect(err.contains("invalid value 'xml' for --format"))
    }
}
