import ChipModelKit

/// `--html FILE` (estimate, whatif, roadmap): the command runs as usual with a copy of its
/// table output kept, then the page (`HTMLReport`) is written through the safe output-file
/// path (`OutputFiles`: never over a FIFO, directory, symbolic link or input; temporary file
/// and rename). The page is built from the text report: with `--format csv|json` the command
/// runs as asked (stdout, files, exit status, and the charts and chips for the page), then once
/// more with `--format table` and no output files, quietly, for the page's text.
enum HTMLReportOutput {
    static let option = OptionSpec.value("--html", "FILE",
                                         "Also write a self-contained HTML report (tables, charts as inline SVG, notes, ranges, spec sources; no scripts, no network). With --format csv|json the table report is rerun for the page.")

    static func run(_ cmd: CommandInfo, _ args: ParsedArguments, arguments: [String], html: String, _ context: CommandContext) throws -> Int32 {
        context.startTranscript()
        let code = try cmd.run(args, context)
        var text = context.transcript ?? ""
        if try ChipModelCLI.format(args) != .table {
            text = try tableText(cmd, args, context)
        }
        let command = ([cmd.program, cmd.name] + arguments).map(shellWord).joined(separator: " ")
        let page = HTMLReport(title: "chipmodel \(cmd.name): \(cmd.abstract.hasSuffix(".") ? String(cmd.abstract.dropLast()) : cmd.abstract)",
                              command: command, text: text, charts: context.reportCharts, chips: context.reportChips)
        try context.writeFile(html, page.render())
        return code
    }

    /// The command's table report for the same arguments, run in a quiet context of its own (its
    /// stderr dropped, no output file written: the charts come from the run the user asked for).
    static func tableText(_ cmd: CommandInfo, _ args: ParsedArguments, _ context: CommandContext) throws -> String {
        var table = args
        table.values["--format"] = nil
        for name in OutputFiles.optionNames { table.values[name] = nil }
        let quiet = CommandContext(environment: context.environment, currentDirectory: context.currentDirectory,
                                   memoryFiles: context.memoryFiles)
        _ = try cmd.run(table, quiet)
        return quiet.stdout
    }

    /// A word as a shell would need it quoted.
    static func shellWord(_ s: String) -> String {
        let plain = s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+*@%".contains($0) }
        return plain && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
