import ChipModelKit
import Foundation

/// What a command may touch: output streams, files, the environment. Tests use an in-memory
/// instance and read back what was written.
public final class CommandContext: @unchecked Sendable {
    public private(set) var stdout = ""
    public private(set) var stderr = ""
    /// Write-through to the real streams (the executable) instead of only buffering (tests).
    public let passthrough: Bool
    public let stderrIsTerminal: Bool
    /// How long a run takes before it shows progress on a terminal (`SweepProgress`): 1 s, or
    /// `CHIPMODEL_PROGRESS_AFTER_MS` from the environment (tests set zero).
    public var progressThreshold: Duration = .seconds(1)
    public let environment: [String: String]
    public let currentDirectory: String
    /// In-memory files (tests and the fuzzer): when set, every read, directory listing and
    /// write goes to this table, keyed by resolved absolute path, and the disk is not touched.
    public private(set) var memoryFiles: [String: [UInt8]]?

    /// The largest input file chipmodel loads.
    public static let maximumFileBytes = 64 << 20

    public init(passthrough: Bool = false, stderrIsTerminal: Bool = false, environment: [String: String] = [:],
                currentDirectory: String = FileManager.default.currentDirectoryPath,
                memoryFiles: [String: [UInt8]]? = nil) {
        self.passthrough = passthrough
        self.stderrIsTerminal = stderrIsTerminal
        self.environment = environment
        self.currentDirectory = currentDirectory
        if let ms = environment["CHIPMODEL_PROGRESS_AFTER_MS"].flatMap(Int.init), ms >= 0 { progressThreshold = .milliseconds(ms) }
        self.memoryFiles = memoryFiles.map { files in
            Dictionary(files.map { ($0.key.hasPrefix("/") ? $0.key : (currentDirectory as NSString).appendingPathComponent($0.key), $0.value) },
                       uniquingKeysWith: { a, _ in a })
        }
    }

    /// Every input file read so far, by identity (disk) or resolved path (memory), with the
    /// name it was given by: an output file may not be one of them (`OutputFiles`).
    public private(set) var inputs: [FileIdentity: String] = [:]
    public private(set) var memoryInputs: [String: String] = [:]

    /// Standard output. The executable writes through `StandardStreams` (write(2) in a loop; a
    /// closed pipe or full disk ends the run cleanly, never a trap); tests buffer.
    public func out(_ s: String) {
        if passthrough { StandardStreams.out(s) } else { stdout += s }
        if transcript != nil { transcript! += s }
    }

    /// With `--html FILE`: a copy of everything written to standard output, the charts the
    /// command rendered and the chips it rests on, for the page (`HTMLReportOutput`).
    public private(set) var transcript: String?
    public private(set) var reportCharts: [(caption: String, svg: String)] = []
    public private(set) var reportChips: [Chip] = []
    /// True while a report is being collected: commands then render their chart even without `--svg`.
    public var collectsReport: Bool { transcript != nil }
    public func startTranscript() { transcript = "" }
    public func addReportChart(_ caption: String, _ svg: String) { if collectsReport { reportCharts.append((caption, svg)) } }
    public func addReportChips(_ chips: [Chip]) {
        guard collectsReport else { return }
        for c in chips where !reportChips.contains(where: { $0.id == c.id }) { reportChips.append(c) }
    }

    public func err(_ s: String) {
        if passthrough { StandardStreams.err(s) } else { stderr += s }
    }

    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (currentDirectory as NSString).appendingPathComponent(path)
    }

    /// Reads a regular file (`InputFiles`: a FIFO, device or directory is refused by name
    /// before it is opened); a missing or unreadable file is a `RunError` naming it (exit 66),
    /// one larger than `maximumFileBytes` exit 65.
    public func readFile(_ path: String) throws(RunError) -> [UInt8] {
        let full = resolve(path)
        let limit = CommandContext.maximumFileBytes
        if let memoryFiles {
            if let bytes = memoryFiles[full] {
                if bytes.count > limit { throw RunError("\(oneLine(path)): larger than \(limit >> 20) MB, refusing to load", exitCode: 65) }
                memoryInputs[full] = path
                return bytes
            }
            if memoryFiles.keys.contains(where: { $0.hasPrefix(full + "/") }) {
                throw RunError("\(oneLine(path)): is a directory, expected a file", exitCode: 66)
            }
            throw RunError("\(oneLine(path)): no such file", exitCode: 66)
        }
        let (bytes, identity) = try InputFiles.readRegularFile(full, display: path, limit: limit)
        inputs[identity] = path
        return bytes
    }

    /// The `*.json` files of a directory, sorted.
    public func jsonFiles(in dir: String) throws(RunError) -> [String] {
        let full = resolve(dir)
        if let memoryFiles {
            let prefix = full.hasSuffix("/") ? full : full + "/"
            let inside = memoryFiles.keys.filter { $0.hasPrefix(prefix) }
            guard !inside.isEmpty else { throw RunError("\(oneLine(dir)): no such directory", exitCode: 66) }
            let names = Set(inside.map { String($0.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)[0]) })
            return names.filter { $0.hasSuffix(".json") }.sorted().map { (dir as NSString).appendingPathComponent($0) }
        }
        return try InputFiles.jsonNames(inDirectory: full, display: dir).map { (dir as NSString).appendingPathComponent($0) }
    }

    /// Writes an output file without destroying what was there (`OutputFiles`: a temporary
    /// file, fsync, rename over an absent or regular file only; never over an input).
    public func writeFile(_ path: String, _ text: String) throws(RunError) {
        if memoryFiles != nil {
            try checkOutputTarget(path)
            memoryFiles?[resolve(path)] = Array(text.utf8)
            return
        }
        try OutputFiles.write(text, to: resolve(path), display: path, inputs: inputs)
    }

    /// Refuses an output path that could not be written safely (see `OutputFiles`): called
    /// before any work with the inputs the arguments name, and by `writeFile`.
    public func checkOutputTarget(_ path: String, inputPaths: [String] = []) throws(RunError) {
        let full = resolve(path)
        if let memoryFiles {
            let named = Dictionary(inputPaths.map { (resolve($0), $0) }, uniquingKeysWith: { a, _ in a })
            if let input = memoryInputs[full] ?? named[full] {
                throw RunError("\(oneLine(path)): is an input of this run\(input == path ? "" : " (\(oneLine(input)))"); refusing to overwrite it", exitCode: 73)
            }
            if memoryFiles.keys.contains(where: { $0.hasPrefix(full + "/") }) {
                throw RunError("\(oneLine(path)): is a directory, not a regular file; refusing to write to it", exitCode: 73)
            }
            return
        }
        var known = inputs
        for p in inputPaths { if let id = FileIdentity.of(resolve(p)), known[id] == nil { known[id] = p } }
        try OutputFiles.checkTarget(full, display: path, inputs: known)
    }
}

/// A subcommand of `chipmodel`.
public protocol CLICommand: Sendable {
    static var name: String { get }
    /// One imperative sentence.
    static var abstract: String { get }
    /// The usage line after `chipmodel `.
    static var usage: String { get }
    /// Longer help: what the command does, examples.
    static var discussion: String { get }
    /// Options besides the common `--format`, `--specs` and `--help`.
    static var options: [OptionSpec] { get }
    static var maxPositionals: Int { get }
    static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32
}

/// Options every command takes.
public let commonOptions: [OptionSpec] = [
    .value("--format", "table|json|csv", "Output format (default: table)."),
    .value("--specs", "DIR", "Also load chip spec files (*.json) from DIR; a user file with a built-in id overrides it."),
    .flag("--help", short: "-h", "Show help for this command."),
]

/// A command's description and entry point, as a plain value.
public struct CommandInfo: Sendable {
    public var name: String
    public var abstract: String
    public var usage: String
    public var discussion: String
    public var options: [OptionSpec]
    public var maxPositionals: Int
    public var run: @Sendable (ParsedArguments, CommandContext) throws -> Int32
    /// The executable that runs it: `chipmodel` for subcommands, a tool's own name otherwise.
    public var program: String

    /// Where the full help is: `chipmodel help NAME`, or `TOOL --help` for a tool.
    public var helpCommand: String { program == "chipmodel" ? "chipmodel help \(name)" : "\(program) --help" }

    public init<C: CLICommand>(_ type: C.Type, program: String = "chipmodel") {
        self.program = program
        name = C.name
        abstract = C.abstract
        usage = C.usage
        discussion = C.discussion
        options = C.options
        maxPositionals = C.maxPositionals
        run = { try C.run($0, $1) }
    }
}

public enum ChipModelCLI {
    /// Every command, in the order `chipmodel help` lists them.
    public static let commands: [CommandInfo] = [
        CommandInfo(ChipsCommand.self), CommandInfo(SystemsCommand.self), CommandInfo(ModelsCommand.self), CommandInfo(RooflineCommand.self), CommandInfo(EstimateCommand.self),
        CommandInfo(ValidateCommand.self), CommandInfo(WhatIfCommand.self), CommandInfo(RoadmapCommand.self),
    ]

    public static let version = "0.1.0"

    /// Runs `chipmodel ARGS` and returns the exit code. Never traps on any argument vector.
    public static func run(_ arguments: [String], context: CommandContext) -> Int32 {
        guard let first = arguments.first else {
            context.out(overview())
            return 0
        }
        if first == "--help" || first == "-h" || first == "help" {
            if first == "help", arguments.count > 1 {
                if arguments[1] == "help" {
                    context.out(helpForHelp)
                    return 0
                }
                guard let cmd = commands.first(where: { $0.name == arguments[1] }) else {
                    return usageFailure(UsageError(unknownCommandMessage(arguments[1])), command: nil, context: context)
                }
                context.out(help(for: cmd))
                return 0
            }
            context.out(overview())
            return 0
        }
        if first == "--version" { context.out("chipmodel \(version)\n"); return 0 }
        guard let cmd = commands.first(where: { $0.name == first }) else {
            return usageFailure(UsageError(unknownCommandMessage(first)), command: nil, context: context)
        }
        return runCommand(cmd, arguments: Array(arguments.dropFirst()), context: context)
    }

    /// Runs one command on its arguments (everything after the command name): parses them,
    /// answers `--help`, and turns every error into a one-line message and its exit code.
    /// `chipmodel` calls it for each subcommand; a tool executable (`chipmodel-fuzz`) calls it
    /// with its own single command.
    public static func runCommand(_ cmd: CommandInfo, arguments rest: [String], context: CommandContext) -> Int32 {
        do {
            let parsed = try parseArguments(rest, options: cmd.options + commonOptions, maxPositionals: cmd.maxPositionals)
            if parsed.has("--help") {
                context.out(help(for: cmd))
                return 0
            }
            _ = try parsed.choice("--format", from: OutputFormat.allCases.map(\.rawValue))
            try checkOutputTargets(parsed, context)
            guard let html = parsed.value("--html") else { return try cmd.run(parsed, context) }
            return try HTMLReportOutput.run(cmd, parsed, arguments: rest, html: html, context)
        } catch let e as UsageError {
            return usageFailure(e, command: cmd, context: context)
        } catch let e as UnknownIDError {
            return usageFailure(UsageError(e.description), command: cmd, context: context)
        } catch let e as InputError {
            for p in e.problems { context.err("error: \(p)\n") }
            return 65
        } catch let e as RunError {
            context.err("error: \(oneLine(e.message))\n")
            return e.exitCode
        } catch {
            context.err("error: \(oneLine("\(error)"))\n")
            return 1
        }
    }

    static func unknownCommandMessage(_ name: String) -> String {
        var msg = "unknown command '\(name)'"
        if let near = nearestNames(to: name, in: commands.map { $0.name } + ["help"], limit: 1).first {
            msg += " (did you mean '\(near)'?)"
        }
        return msg
    }

    static func usageFailure(_ e: UsageError, command: CommandInfo?, context: CommandContext) -> Int32 {
        context.err("error: \(oneLine(e.message))\n")
        if let command {
            context.err("usage: \(command.program) \(command.usage)\nSee '\(command.helpCommand)'.\n")
        } else {
            context.err("usage: chipmodel <command> [options]\nSee 'chipmodel help'.\n")
        }
        return 64
    }

    public static func overview() -> String {
        var s = """
        OVERVIEW: chipmodel \(version): model AI accelerator chips and estimate what they deliver.

        USAGE: chipmodel <command> [options]

        COMMANDS:

        """
        let width = commands.map { $0.name.count }.max() ?? 8
        for c in commands {
            s += "  " + c.name + String(repeating: " ", count: width - c.name.count + 2) + c.abstract + "\n"
        }
        s += "\nSee 'chipmodel help <command>' for detailed help.\n"
        return s
    }

    public static func help(for cmd: CommandInfo) -> String {
        var s = "OVERVIEW: \(cmd.abstract)\n\nUSAGE: \(cmd.program) \(cmd.usage)\n"
        if !cmd.discussion.isEmpty { s += "\n" + cmd.discussion + "\n" }
        s += "\nOPTIONS:\n"
        let all = cmd.options + commonOptions
        let labels = all.map { o -> String in
            var l = o.name
            if let sh = o.short { l = "\(sh), \(l)" }
            if let v = o.valueName { l += " <\(v)>" }
            return l
        }
        let width = min(34, labels.map(\.count).max() ?? 10)
        for (o, l) in zip(all, labels) {
            let pad = l.count < width ? String(repeating: " ", count: width - l.count + 2) : "\n" + String(repeating: " ", count: width + 4)
            s += "  " + l + pad + o.help + (o.repeatable ? " (repeatable)" : "") + "\n"
        }
        return s
    }

    /// Loads the built-in catalog plus `--specs DIR`, and reports overrides on stderr.
    public static func catalog(_ args: ParsedArguments, _ context: CommandContext) throws -> ChipCatalog {
        var user: [SpecDocument] = []
        if let dir = args.value("--specs") {
            for f in try context.jsonFiles(in: dir) {
                user.append(SpecDocument(file: f, bytes: try context.readFile(f)))
            }
        }
        let catalog = try ChipCatalog.load(builtIn: EmbeddedSpecs.chips, user: user)
        for o in catalog.overrides { context.err("note: \(o)\n") }
        return catalog
    }

    public static func format(_ args: ParsedArguments) throws -> OutputFormat {
        OutputFormat(rawValue: try args.choice("--format", from: OutputFormat.allCases.map(\.rawValue)) ?? "table") ?? .table
    }
}
