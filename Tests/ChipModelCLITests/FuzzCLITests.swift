import Foundation
import Testing
@testable import ChipModelCLI
import ChipModelFuzz
@testable import ChipModelKit

/// The command-line fuzz target and usage errors for absurd arguments (issue 9). The quick
/// run covers every command registered in `ChipModelCLI.commands`; the long run is
/// `CHIPMODEL_FUZZ_ITERATIONS=N swift test --filter FuzzCLITests` or `chipmodel-fuzz`.
@Suite struct FuzzCLITests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = UInt64(environment["CHIPMODEL_FUZZ_SEED"] ?? "") ?? 20_261_122
    static let longIterations = Int(environment["CHIPMODEL_FUZZ_ITERATIONS"] ?? "")

    /// Case files in the repository (the validate command's calibration cases, once present).
    static var corpus: FuzzCorpus {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var extra: [SpecDocument] = []
        for path in ["Benchmarks/calibration-cases.json"] {
            if let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) {
                extra.append(SpecDocument(file: path, bytes: [UInt8](data)))
            }
        }
        return FuzzCorpus.builtIn(extraCases: extra, limits: .init(maxArrayLength: 500, maxNesting: 100))
    }

    /// The quick run: a fixed number of inputs (the work bound; no wall-clock limit or hang
    /// threshold, which only the long run `chipmodel-fuzz` applies). A failure is one line
    /// with its replay command.
    @Test func quickRunOverEveryCommand() {
        let report = Fuzzer(targets: [CLIFuzzTargets.loaders(Self.corpus), CLIFuzzTargets.cli(Self.corpus)], seed: Self.seed)
            .run(iterations: 400)
        for f in report.failures { Issue.record(Comment(rawValue: f.description)) }
        #expect(report.count == 400)
        #expect((report.rejected["cli"] ?? 0) > 0)
        #expect((report.accepted["cli-load"] ?? 0) > 0 && (report.rejected["cli-load"] ?? 0) > 0)
    }

    @Test(.enabled(if: FuzzCLITests.longIterations != nil, "set CHIPMODEL_FUZZ_ITERATIONS for the long run"))
    func longRunOverEveryCommand() {
        let report = Fuzzer(targets: KitFuzzTargets.all(Self.corpus) + [CLIFuzzTargets.loaders(Self.corpus), CLIFuzzTargets.cli(Self.corpus)],
                            seed: Self.seed)
            .run(iterations: Self.longIterations ?? 0)
        print(report.summary)
        for f in report.failures { Issue.record(Comment(rawValue: f.description)) }
        #expect(report.failures.isEmpty)
    }

    /// Runs `chipmodel-fuzz ARGS` in-process.
    static func runFuzz(_ args: [String]) -> (Int32, String, String) {
        let ctx = CommandContext()
        let code = ChipModelCLI.runCommand(CommandInfo(FuzzCommand.self, program: "chipmodel-fuzz"), arguments: args, context: ctx)
        return (code, ctx.stdout, ctx.stderr)
    }

    @Test func fuzzCommandReplaysOneInput() {
        let (code, out, _) = Self.runFuzz(["--iterations", "12", "--seed", "9", "--show"])
        #expect(code == 0)
        #expect(out.contains("fuzz: 12 inputs, seed 9"))
        let (code2, again, _) = Self.runFuzz(["--iterations", "1", "--seed", "9", "--from", "7", "--show"])
        #expect(code2 == 0)
        // Input #7 of the run, alone, is the same input.
        let block = { (text: String) in text.components(separatedBy: "\n#").first { $0.hasPrefix("7 [") || $0.hasPrefix("#7 [") } }
        #expect(block(out) != nil && block(out)?.split(separator: "\n").dropFirst().first == block(again)?.split(separator: "\n").dropFirst().first)
    }

    @Test func everyRegisteredCommandIsFuzzed() {
        // New commands are picked up from the registry.
        var seen = Set<String>()
        let commands = ChipModelCLI.commands
        var rng = SplitMix64(seed: 1)
        for c in commands {
            let args = CLIFuzzTargets.generate(c, CLIFuzzTargets.world(), rng: &rng)
            #expect(args.first == c.name)
            seen.insert(c.name)
        }
        #expect(seen.count == ChipModelCLI.commands.count)
        #expect(!ChipModelCLI.commands.contains { $0.name == "fuzz" }, "the fuzzer is a developer tool, not a chipmodel command")
    }

    // MARK: Absurd arguments are usage errors with the usage line

    static let usageErrors: [[String]] = [
        ["chips", "--format"],                       // missing value
        ["chips", "--format", "xml"],                // bad choice
        ["chips", "--format=json=1"],
        ["chips", "--format", "--specs", "x"],       // value missing before the next option
        ["chips", "--bogus"],                        // unknown flag
        ["chips", "--help=1"],                       // a flag given a value
        ["chips", "--specs"],
        ["chips", "--format", "json", "--format", "csv"],
        ["chips", "a", "b", "c", "d", "e", "f", "g", "h", "i"],
        ["estimate", "--chips"],
        ["estimate", "--chips", "--model", "x"],
        ["estimate", "--chip"],
        ["estmate"],
        ["help", "nope"],
        ["", "--help"],
        ["\n"],
        ["fuzz", "--iterations", "10"],              // no longer a chipmodel command
    ]

    static let fuzzUsageErrors: [[String]] = [
        ["--iterations", "0"], ["--iterations", "1e12"], ["--iterations", "9223372036854775808"], ["--iterations", "ten"],
        ["--seed", "-1"], ["--seed", "18446744073709551616"], ["--targets", "bogus"], ["--max-seconds", "NaN"],
        ["--max-seconds", "-1"], ["--hang-seconds", "0"], ["extra"],
    ]

    @Test(arguments: fuzzUsageErrors)
    func absurdFuzzArgumentsAreUsageErrors(_ args: [String]) {
        let (code, out, err) = Self.runFuzz(args)
        #expect(code == 64, "\(args): exit \(code), \(err)")
        #expect(err.hasPrefix("error: "))
        #expect(err.contains("\nusage: chipmodel-fuzz ") && err.contains("See 'chipmodel-fuzz --help'."))
        #expect(out.isEmpty)
    }

    @Test(arguments: usageErrors)
    func absurdArgumentsAreUsageErrors(_ args: [String]) {
        let (code, out, err) = runCLI(args)
        #expect(code == 64, "\(args): exit \(code), \(err)")
        #expect(err.hasPrefix("error: "))
        #expect(err.contains("\nusage: chipmodel "))
        #expect(out.isEmpty)
        #expect(CLIFuzzTargets.check(args, files: [:]) == .rejected)
    }

    @Test func messagesNameTheOption() {
        #expect(runCLI(["chips", "--format"]).2.contains("missing value for '--format <table|json|csv>'"))
        #expect(runCLI(["chips", "--fromat", "json"]).2.contains("unknown option '--fromat' (did you mean '--format'?)"))
        #expect(Self.runFuzz(["--iterations", "1e12"]).2.contains("--iterations must be in 1...1000000000, got '1e12'"))
        #expect(Self.runFuzz(["--iterations", "ten"]).2.contains("--iterations expects a whole number, got 'ten'"))
        // A line break inside an argument does not split the error line.
        let (code, _, err) = runCLI(["chips", "--bo\ngus"])
        #expect(code == 64)
        #expect(err.split(separator: "\n").count == 3)
    }

    @Test func wholeNumbersNeverTrap() throws {
        // Regression: `Int(d)` trapped for 2^63, which passed `d <= Double(Int.max)`.
        #expect(throws: UsageError.self) { try parseInt("9223372036854775808", option: "--n", range: 0...Int.max) }
        #expect(throws: UsageError.self) { try parseInt("9.3e18", option: "--n", range: 0...Int.max) }
        #expect(throws: UsageError.self) { try parseInt("-9223372036854775809", option: "--n", range: Int.min...Int.max) }
        #expect(throws: UsageError.self) { try parseInt("1e400", option: "--n", range: 0...Int.max) }
        #expect(throws: UsageError.self) { try parseInt("0x10", option: "--n", range: 0...Int.max) }
        #expect(throws: UsageError.self) { try parseInt("nan", option: "--n", range: 0...Int.max) }
        #expect(throws: UsageError.self) { try parseInt("1000000000000", option: "--chips", range: 1...Int(Int32.max)) }
        #expect(throws: UsageError.self) { try parseInt("0", option: "--chips", range: 1...Int(Int32.max)) }
        #expect(try parseInt("1e3", option: "--n", range: 0...Int.max) == 1000)
        #expect(try parseInt("1_024", option: "--n", range: 0...Int.max) == 1024)
        #expect(try parseInt("-0", option: "--n", range: 0...1) == 0)
        #expect(try parseInt("9223372036854775807", option: "--n", range: 0...Int.max) == Int.max)
        #expect(throws: UsageError.self) { try parseDouble("0x1p3", option: "--x", range: 0...100) }
        #expect(throws: UsageError.self) { try parseDouble("inf", option: "--x", range: -1e18...1e18) }
    }

    // MARK: Files

    @Test func memoryFilesNeverTouchTheDisk() throws {
        let ctx = CommandContext(currentDirectory: "/nonexistent-dir", memoryFiles: ["specs/a.json": [1], "specs/b.txt": [2], "m.json": [3]])
        #expect(try ctx.readFile("m.json") == [3])
        #expect(try ctx.readFile("/nonexistent-dir/specs/a.json") == [1])
        #expect(try ctx.jsonFiles(in: "specs") == ["specs/a.json"])
        #expect(throws: RunError.self) { try ctx.readFile("specs") }
        #expect(throws: RunError.self) { try ctx.readFile("nope.json") }
        #expect(throws: RunError.self) { try ctx.jsonFiles(in: "nope") }
        try ctx.writeFile("out.svg", "<svg/>")
        #expect(ctx.memoryFiles?["/nonexistent-dir/out.svg"] == Array("<svg/>".utf8))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-dir/out.svg"))
    }

    @Test func oversizedMemoryFileIsRefused() {
        let ctx = CommandContext(currentDirectory: "/x", memoryFiles: ["big.json": [UInt8](repeating: 0x20, count: CommandContext.maximumFileBytes + 1)])
        #expect(throws: RunError.self) { try ctx.readFile("big.json") }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/zero")))
    func endlessDeviceIsRefusedNotRead() throws {
        // Regression: `FileManager.contents(atPath:)` read /dev/zero until memory ran out.
        // Since issue 14 a device is refused before it is opened (only regular files are read).
        let ctx = CommandContext()
        do {
            _ = try ctx.readFile("/dev/zero")
            Issue.record("read /dev/zero")
        } catch {
            #expect(error.exitCode == 66)
            #expect(error.message.contains("/dev/zero: is a character device, expected a regular file"))
        }
    }

    @Test func badUserSpecsFailTheWholeCatalog() throws {
        let good = String(decoding: EmbeddedSpecs.chips[0].bytes, as: UTF8.self)
            .replacingOccurrences(of: "\"id\": \"a100-sxm4-80gb\"", with: "\"id\": \"mine\"")
        let ctx = CommandContext(currentDirectory: "/w", memoryFiles: [
            "specs/a.json": Array(good.utf8),
            "specs/b.json": Array(#"{"id": "x\ny", "tdpW": "NaN"}"#.utf8),
        ])
        let args = try parseArguments(["--specs", "specs"], options: commonOptions, maxPositionals: 0)
        do {
            _ = try ChipModelCLI.catalog(args, ctx)
            Issue.record("loaded a catalog with a bad file")
        } catch let e as InputError {
            #expect(e.problems.allSatisfy { $0.file == "specs/b.json" && !$0.description.contains("\n") })
            #expect(e.problems.contains { $0.keyPath == "tdpW" && $0.message.contains("expected an object") })
        }
    }

    @Test func tableCellsStayOnOneLine() {
        var t = TextTable(headers: ["chip", "TFLOPS"])
        t.add(["evil\nchip", "1"])
        #expect(t.renderText().split(separator: "\n").count == 3)
        #expect(t.renderCSV() == "chip,TFLOPS\n\"evil\nchip\",1\n")
    }

    @Test func checksCatchBrokenOutput() {
        #expect(CLIFuzzTargets.nonFiniteWord(in: "tokens/s  nan\n") == "nan")
        #expect(CLIFuzzTargets.nonFiniteWord(in: "a,-inf,b") == "inf")
        #expect(CLIFuzzTargets.nonFiniteWord(in: "{\"x\": Infinity}") == "Infinity")
        #expect(CLIFuzzTargets.nonFiniteWord(in: "InfiniBand inference n/a") == nil)
        #expect(CLIFuzzTargets.nonFiniteWord(in: "chip Infinity", excusedBy: "name: infinity") == nil)
    }
}
