import ChipModelKit

/// `--html FILE` (estimate, whatif, roadmap): the command runs as usual with a copy of its
/// table output kept, then the page (`HTMLReport`) is written through the safe output-file
/// path (`OutputFiles`: never over a FIFO, directory, symbolic link or input; temporary file
/// and rename). The page is built from the text report, so it needs `--format table`.
enum HTMLReportOutput {
    static let option = OptionSpec.value("--html", "FILE",
                                         "Also write a self-contained HTML report (tables, charts as inline SVG, notes, ranges, spec sources; no scripts, no network).")

    static func run(_ cmd: CommandInfo, _ args: ParsedArguments, arguments: [String], html: String, _ context: CommandContext) throws -> Int32 {
        if try ChipModelCLI.format(args) != .table {
            throw UsageError("--html builds its page from the table report; it cannot be combined with --format \(args.value("--format") ?? "")")
        }
        context.startTranscript()
        let code = try cmd.run(args, context)
        let command = ([cmd.program, cmd.name] + arguments).map(shellWord).joined(separator: " ")
        let page = HTMLReport(title: "chipmodel \(cmd.name): \(cmd.abstract.hasSuffix(".") ? String(cmd.abstract.dropLast()) : cmd.abstract)",
                              command: command, text: context.transcript ?? "", charts: context.reportCharts, chips: context.reportChips)
        try context.writeFile(html, page.render())
        return code
    }

    /// A word as a shell would need it quoted.
    static func shellWord(_ s: String) -> String {
        let plain = s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+*@%".contains($0) }
        return plain && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
