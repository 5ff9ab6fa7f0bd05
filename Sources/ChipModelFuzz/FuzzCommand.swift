import ChipModelCLI
import ChipModelKit
import Foundation

/// `chipmodel-fuzz`: the long fuzz run (a developer tool, not a `chipmodel` command). Runs the library targets (JSON parser, chip
/// spec decoder, catalog, model decoder, case decoder) and the command-line target round-robin; input `i`
/// is a pure function of `(seed, i)`, so a failure is replayed with
/// `chipmodel-fuzz --seed S --from I --iterations 1 --show`. When an input traps, the process
/// prints the index it died on before it exits.
public enum FuzzCommand: CLICommand {
    public static let name = "fuzz"
    public static let abstract = "Fuzz chipmodel's loaders and commands with mutated inputs (developer tool)."
    public static let usage = "[--iterations N] [--seed S] [--from I] [--targets LIST] [--show] [--max-seconds T]"
    public static let discussion = """
    Mutates the built-in chip and model specs, a sample case file (plus any *.json in --corpus DIR)
    and real argument vectors of every command, runs each input and checks that it ends in a
    result or a clean one-line error with an allowed exit code, and that no output shows NaN or
    infinity. Exit 0 when every input passed, 1 when a check failed.

    Targets: json, chip-spec, catalog, model, cases, cli-load, cli (default: all). Examples:
      swift run -c release chipmodel-fuzz --iterations 1000000 --seed 42
      chipmodel-fuzz --seed 42 --from 123456 --iterations 1 --show
    """
    public static let options: [OptionSpec] = [
        .value("--iterations", "N", "Inputs to run (default 10000)."),
        .value("--seed", "S", "Seed, a whole number 0...2^64-1 (default 1)."),
        .value("--from", "I", "Index of the first input (default 0)."),
        .value("--targets", "LIST", "Comma-separated targets: json, chip-spec, catalog, model, cases, cli-load, cli."),
        .value("--corpus", "DIR", "Extra seed documents: case files (JSON arrays), chip and model specs."),
        .value("--max-seconds", "T", "Stop after this many seconds."),
        .value("--hang-seconds", "T", "Fail any input slower than this as a possible hang (default 10)."),
        .flag("--show", "Print every input (for replaying one)."),
        .flag("--process", "Process mode: run real chipmodel processes (real argv, files, FIFOs, pipes) from the families of issue 14."),
        .value("--chipmodel", "PATH", "Process mode: the chipmodel executable (default: the one beside chipmodel-fuzz)."),
    ]
    public static let maxPositionals = 0

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        // The tally is text or JSON; CSV has no shape for it (a usage error, like any
        // format a command cannot print).
        let format = try args.choice("--format", from: ["table", "json"]) ?? "table"
        let iterations = try args.int("--iterations", range: 1...1_000_000_000) ?? 10_000
        let start = try args.int("--from", range: 0...Int(Int32.max)) ?? 0
        let seedText = args.value("--seed") ?? "1"
        guard let seed = UInt64(seedText.replacingOccurrences(of: "_", with: "")) else {
            throw UsageError("--seed expects a whole number in 0...18446744073709551615, got '\(seedText)'")
        }
        let maxSeconds = try args.double("--max-seconds", range: 0.001...1e9)
        let hangSeconds = try args.double("--hang-seconds", range: 0.001...1e9) ?? Fuzzer.defaultHangSeconds
        var corpus = FuzzCorpus.builtIn()
        if let dir = args.value("--corpus") {
            for file in try context.jsonFiles(in: dir) {
                let doc = SpecDocument(file: file, bytes: try context.readFile(file))
                switch try? JSONValue.parse(doc.bytes) {
                case .array?: corpus.cases.append(doc)
                case let .object(members)? where members.contains { $0.0 == "architecture" }: corpus.models.append(doc)
                case .object?: corpus.chips.append(doc)
                default: context.err("note: \(file): not valid JSON, skipped as a seed\n")
                }
            }
        }
        corpus.indexTrees()
        let show = args.has("--show")
        if show, format == "json" { throw UsageError("--show prints each input as text; it cannot be combined with --format json") }
        corpus.describeLimit = show ? Int.max : 300
        let processMode = args.has("--process")
        if !processMode, args.value("--chipmodel") != nil { throw UsageError("--chipmodel applies to --process") }
        var targets = processMode ? try processTargets(args)
            : KitFuzzTargets.all(corpus) + [CLIFuzzTargets.loaders(corpus), CLIFuzzTargets.cli(corpus)]
        if let list = args.value("--targets") {
            let names = list.split(separator: ",").map { String($0) }
            for n in names where !targets.contains(where: { $0.name == n }) {
                throw UsageError("unknown fuzz target '\(n)'; expected: \(targets.map(\.name).joined(separator: ", "))")
            }
            targets = targets.filter { names.contains($0.name) }
        }
        let fuzzer = Fuzzer(targets: targets, seed: seed)
        if context.passthrough { CrashReporter.install(seed: seed) }
        defer { if context.passthrough { CrashReporter.uninstall() } }
        var report = fuzzer.run(
            start: start, iterations: iterations, hangSeconds: hangSeconds, timeLimitSeconds: maxSeconds,
            beforeInput: { i in CrashReporter.current = i },
            afterInput: show ? { i, result in
                context.out("#\(i) [\(fuzzer.input(i).0.name)] \(result.outcome)\n  \(result.input)\n")
            } : nil,
            progress: context.passthrough ? { r in
                if r.count % 100_000 == 0 {
                    context.err("fuzz: \(r.count) inputs, \(String(format: "%.1f", r.seconds)) s, \(r.failures.count + r.droppedFailures) failures\n")
                }
            } : nil)
        if processMode {
            for i in report.failures.indices {
                report.failures[i].replay = report.failures[i].replay.replacingOccurrences(of: "chipmodel-fuzz ", with: "chipmodel-fuzz --process ")
            }
        }
        if format == "json" {
            var doc = report.json
            if processMode, case var .object(members) = doc {
                members.append(("processClasses", .object(processClasses(report).map { ($0.0, .int($0.1)) })))
                doc = .object(members)
            }
            context.out(doc.serialized() + "\n")
            return report.failures.isEmpty ? 0 : 1
        }
        context.out(report.summary)
        if processMode {
            context.out("  process runs: \(report.count); " + processClasses(report).map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "\n")
        }
        for f in report.failures { context.out("FAIL \(f)\n") }
        if report.droppedFailures > 0 { context.out("... and \(report.droppedFailures) more failures\n") }
        return report.failures.isEmpty ? 0 : 1
    }
}

extension FuzzCommand {
    /// The process families, running the chipmodel beside this tool (or `--chipmodel PATH`).
    static func processTargets(_ args: ParsedArguments) throws -> [FuzzTarget] {
        let chipmodel = args.value("--chipmodel") ?? ChildProcess.executable("chipmodel")
        guard FileManager.default.isExecutableFile(atPath: chipmodel) else {
            throw RunError("\(oneLine(chipmodel)): no chipmodel executable there (build it, or pass --chipmodel PATH)", exitCode: 66)
        }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ChildProcess.executable("chipmodel-fuzz")
        return ProcessFuzzTargets.all(chipmodel: chipmodel, fuzzTool: me)
    }

    /// Failures per class (hang, crash, data loss, wrong exit code, bad diagnostics).
    static func processClasses(_ report: FuzzReport) -> [(String, Int)] {
        ProcessFuzzTargets.failureClasses.map { c in
            (c, report.failureKinds.filter { $0.key.split(separator: ":", maxSplits: 1).last.map { $0.dropFirst().hasPrefix(c) } ?? false }
                .reduce(0) { $0 + $1.value })
        }
    }
}

/// Prints the index of the input being fuzzed when the process dies of a trap or signal, so
/// the input can be replayed. Async-signal-safe: the handler only formats digits into a
/// preallocated buffer and calls write(2).
enum CrashReporter {
    nonisolated(unsafe) static var current = 0
    nonisolated(unsafe) static var seed: UInt64 = 0
    nonisolated(unsafe) static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]

    static func install(seed: UInt64) {
        self.seed = seed
        for s in signals {
            signal(s) { sig in
                var n = 0
                func put(_ bytes: StaticString) {
                    let p = bytes.utf8Start
                    for i in 0..<bytes.utf8CodeUnitCount where n < 255 { CrashReporter.buffer[n] = p[i]; n += 1 }
                }
                func putNumber(_ value: UInt64) {
                    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                    var v = value, count = 0
                    withUnsafeMutableBytes(of: &digits) { d in
                        repeat { d[count] = UInt8(48 + v % 10); v /= 10; count += 1 } while v > 0 && count < 20
                        while count > 0 && n < 255 { count -= 1; CrashReporter.buffer[n] = d[count]; n += 1 }
                    }
                }
                put("\nfuzz: died (signal ")
                putNumber(UInt64(max(0, sig)))
                put(") on input #")
                putNumber(UInt64(max(0, CrashReporter.current)))
                put("; replay: chipmodel-fuzz --seed ")
                putNumber(CrashReporter.seed)
                put(" --from ")
                putNumber(UInt64(max(0, CrashReporter.current)))
                put(" --iterations 1 --show\n")
                _ = write(2, CrashReporter.buffer, n)
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }

    static func uninstall() {
        for s in signals { signal(s, SIG_DFL) }
    }
}
