import ChipModelFuzz
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `chipmodel` run as a child process against real files, FIFOs, symlinks,
/// /dev/full, closed and broken pipes (issue 14: the in-process fuzzer never reaches the process
/// boundary). Every reproducer of the issue is a case here. Each check is on exit status, the
/// streams and the files: none on time.
@Suite(.serialized) struct ProcessTests {
    typealias P = ChildProcess

    /// No run may trap: a trap is signal 4/5/6/11 or a Swift backtrace on stderr.
    static func expectNoCrash(_ r: P.Result, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.timedOut, "\(what): did not finish (killed)", sourceLocation: sourceLocation)
        #expect(![SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS].contains(r.signal ?? 0), "\(what): crashed with signal \(r.signal ?? 0)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Backtrac") && !r.stderr.contains("Fatal error"), "\(what): \(r.stderr.prefix(300))", sourceLocation: sourceLocation)
    }

    /// One `error: ...` line (plus the usage lines of a usage error) and the status.
    static func expectError(_ r: P.Result, code: Int32, containing text: String, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        expectNoCrash(r, what, sourceLocation: sourceLocation)
        #expect(r.exitCode == code, "\(what): exit \(r.exitCode.map(String.init) ?? "signal \(r.signal ?? 0)"), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        let errors = r.stderrLines.filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1, "\(what): one error line, got \(r.stderr)", sourceLocation: sourceLocation)
        #expect(text.isEmpty || errors.first?.contains(text) == true, "\(what): '\(text)' not in \(r.stderr)", sourceLocation: sourceLocation)
        let others = r.stderrLines.filter { !$0.hasPrefix("error: ") && !$0.hasPrefix("usage: ") && !$0.hasPrefix("See '") && !$0.hasPrefix("note: ") }
        #expect(others.isEmpty, "\(what): stray stderr lines \(others)", sourceLocation: sourceLocation)
    }

    @Test func theExecutableIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: P.executable("chipmodel")), "chipmodel next to the tests: \(P.executable("chipmodel"))")
    }

    // MARK: - Streams

    @Test func fullDiskOnStandardOutput() {
        let r = P.chipmodel(["chips"], stdout: .file("/dev/full"))
        Self.expectError(r, code: 74, containing: "cannot write to standard output: No space left on device", "chips > /dev/full")
    }

    @Test func closedStandardOutput() {
        let r = P.chipmodel(["chips"], stdout: .closed)
        Self.expectError(r, code: 74, containing: "cannot write to standard output", "chips >&-")
    }

    @Test(arguments: [false, true])
    func brokenPipe(ignoreSIGPIPE: Bool) {
        let r = P.chipmodel(["chips", "--format", "json"], stdout: .brokenPipe, ignoreSIGPIPE: ignoreSIGPIPE)
        Self.expectNoCrash(r, "chips | (closed reader)")
        #expect(r.stderr.isEmpty, "a closed pipe ends the run quietly: \(r.stderr)")
        if ignoreSIGPIPE {
            #expect(r.exitCode == 141, "SIGPIPE ignored: exit 141, got \(r.status) signal \(r.signal ?? 0)")
        } else {
            #expect(r.signal == SIGPIPE, "SIGPIPE at its default: killed by SIGPIPE, got \(r.status) signal \(r.signal ?? 0)")
        }
    }

    /// `estimate --chips 0 2>&-`: the usage error cannot be printed; the run still exits 64
    /// and says on standard output that standard error failed.
    @Test func closedStandardErrorOnAUsageError() {
        let r = P.chipmodel(["estimate", "--chips", "0"], stderr: .closed)
        Self.expectNoCrash(r, "estimate --chips 0 2>&-")
        #expect(r.exitCode == 64)
        #expect(r.stdout == "error: cannot write to standard error: Bad file descriptor\n", "\(r.stdout)")
    }

    @Test func nonBlockingStandardOutputDeliversEverything() {
        let normal = P.chipmodel(["chips", "--format", "json"])
        let r = P.chipmodel(["chips", "--format", "json"], stdout: .nonBlockingPipe)
        Self.expectNoCrash(r, "chips > non-blocking pipe")
        #expect(r.exitCode == 0)
        #expect(r.stdout == normal.stdout && !r.stdout.isEmpty)
    }

    // MARK: - Input files

    @Test func fifosAndDevicesAreRefusedNotRead() {
        let d = ScratchDirectory()
        defer { d.remove() }
        d.mkfifo("x.json")
        for (args, what) in [(["validate", "--cases", d.file("x.json")], "--cases FIFO"),
                             (["chips", "--specs", d.path], "--specs DIR with a FIFO"),
                             (["estimate", "--model", d.file("x.json")], "--model FIFO"),
                             (["chips", "--specs", d.file("x.json")], "--specs FIFO")] {
            let r = P.chipmodel(args)
            Self.expectError(r, code: 66, containing: "x.json: is a FIFO, expected a", what)
        }
        let z = P.chipmodel(["validate", "--cases", "/dev/zero"])
        Self.expectError(z, code: 66, containing: "/dev/zero: is a character device", "--cases /dev/zero")
        let dir = P.chipmodel(["validate", "--cases", d.path])
        Self.expectError(dir, code: 66, containing: "is a directory", "--cases DIR")
    }

    @Test func aSymlinkToARegularInputIsRead() {
        let d = ScratchDirectory()
        defer { d.remove() }
        d.write("model.json", #"{"id": "tiny", "name": "Tiny", "architecture": "llama", "source": "test", "layers": 2, "hidden": 256, "heads": 4, "kvHeads": 4, "ffnHidden": 512, "vocab": 1000}"#)
        _ = symlink(d.file("model.json"), d.file("link.json"))
        let r = P.chipmodel(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "1", "--model", d.file("link.json"), "--format", "json"])
        Self.expectNoCrash(r, "--model symlink")
        #expect(r.exitCode == 0, "\(r.stderr)")
    }

    // MARK: - Output files

    /// Targets that must be refused before any work, each left exactly as it was.
    @Test func unsafeSVGTargetsAreRefused() {
        let d = ScratchDirectory()
        defer { d.remove() }
        d.write("keep.svg", "old plot\n")
        _ = symlink("/dev/stdout", d.file("stdout.svg"))
        _ = symlink(d.file("keep.svg"), d.file("link.svg"))
        d.mkfifo("fifo.svg")
        d.write("ro.svg", "read-only\n", mode: 0o444)
        _ = mkdir(d.file("dir.svg"), 0o755)
        let before = d.entries
        let cases: [(String, String)] = [("stdout.svg", "is a symbolic link"), ("link.svg", "is a symbolic link"),
                                         ("fifo.svg", "is a FIFO"), ("ro.svg", "is read-only"), ("dir.svg", "is a directory"),
                                         ("missing/x.svg", "does not exist")]
        for (target, message) in cases {
            let r = P.chipmodel(["roofline", "h100-sxm5-80gb", "--svg", d.file(target)])
            Self.expectError(r, code: 73, containing: message, "--svg \(target)")
            #expect(r.stdout.isEmpty, "--svg \(target): refused before any output")
        }
        let dev = P.chipmodel(["roofline", "h100-sxm5-80gb", "--svg", "/dev/null"])
        Self.expectError(dev, code: 73, containing: "character device", "--svg /dev/null")
        #expect(d.entries == before, "no file added or removed: \(d.entries)")
        #expect(d.read("keep.svg") == "old plot\n" && d.read("ro.svg") == "read-only\n")
        var st = stat()
        #expect(lstat(d.file("fifo.svg"), &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: d.file("stdout.svg"))) == "/dev/stdout")
    }

    @Test func anInputIsNeverOverwritten() {
        let d = ScratchDirectory()
        defer { d.remove() }
        let model = #"{"id": "tiny", "name": "Tiny", "architecture": "llama", "source": "test", "layers": 2, "hidden": 256, "heads": 4, "kvHeads": 4, "ffnHidden": 512, "vocab": 1000}"#
        d.write("m.json", model)
        _ = link(d.file("m.json"), d.file("hard.json"))
        for (input, target) in [("m.json", "m.json"), ("hard.json", "m.json")] {
            let r = P.chipmodel(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "1", "--model", d.file(input), "--svg", d.file(target)])
            Self.expectError(r, code: 73, containing: "is an input of this run", "--model \(input) --svg \(target)")
        }
        d.write("cases.json", "[]")
        let c = P.chipmodel(["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1,2", "--model", d.file("cases.json"), "--svg", d.file("cases.json")])
        Self.expectError(c, code: 73, containing: "is an input of this run", "--model X --svg X (whatif)")
        #expect(d.read("m.json") == model && d.read("cases.json") == "[]")
        #expect(d.entries == ["cases.json", "hard.json", "m.json"])
    }

    @Test func aRegularTargetIsReplacedAtomically() {
        let d = ScratchDirectory()
        defer { d.remove() }
        d.write("plot.svg", "old\n", mode: 0o640)
        let r = P.chipmodel(["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1,2,4", "--svg", d.file("plot.svg")])
        Self.expectNoCrash(r, "whatif --svg")
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(d.read("plot.svg")?.hasPrefix("<svg") == true)
        #expect(d.entries == ["plot.svg"], "no temporary file left: \(d.entries)")
        var st = stat()
        #expect(stat(d.file("plot.svg"), &st) == 0 && st.st_mode & 0o777 == 0o640, "the old file's permissions are kept")
    }

    /// A run with nothing to plot (the model fits on no chip) writes nothing and says so.
    @Test func nothingToPlotWritesNothing() {
        let d = ScratchDirectory()
        defer { d.remove() }
        d.write("keep.svg", "old plot\n")
        let r = P.chipmodel(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "1", "--model", "llama3.1-405b", "--svg", d.file("keep.svg")])
        Self.expectNoCrash(r, "nothing to plot")
        #expect(r.exitCode == 0)
        #expect(r.stderr.contains("nothing to plot") && r.stderr.contains("not written"), "\(r.stderr)")
        #expect(d.read("keep.svg") == "old plot\n")
        #expect(d.entries == ["keep.svg"])
    }

    /// A signal in the middle of writing the plot (the temporary file complete, not yet
    /// renamed) removes the temporary file and leaves the target as it was.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalDuringTheWriteLeavesNoTemporaryFile(signal: Int32) {
        let d = ScratchDirectory()
        defer { d.remove() }
        d.write("plot.svg", "old\n")
        let r = P.chipmodel(["roofline", "h100-sxm5-80gb", "--svg", d.file("plot.svg")],
                            environment: ["CHIPMODEL_TEST_SIGNAL_BEFORE_RENAME": String(signal)])
        #expect(r.signal == signal, "killed by signal \(signal), got status \(r.status) signal \(r.signal ?? 0)")
        #expect(d.entries == ["plot.svg"], "temporary file removed: \(d.entries)")
        #expect(d.read("plot.svg") == "old\n")
    }

    // MARK: - Limits and contracts

    @Test func anUnboundedGridIsRefusedBeforeAnyWork() {
        let r = P.chipmodel(["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1..10000+1", "--vary", "seq=1..10000+1"])
        Self.expectError(r, code: 64, containing: "work units", "10^8-point grid")
        #expect(r.stderr.contains("--max-work") && r.stderr.contains("200,000"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let mc = P.chipmodel(["whatif", "--from", "br166", "--monte-carlo", "1000"])
        Self.expectError(mc, code: 64, containing: "work units", "1000 training Monte Carlo samples")
    }

    @Test func aLargeCaseFileIsRefusedBeforeAnyWork() {
        let d = ScratchDirectory()
        defer { d.remove() }
        let one = #"{"id": "C-ID", "source": "s", "weight": 1, "system": {"chip": "h100-sxm5-80gb", "count": 64}, "workload": {"kind": "training", "model": "llama3-8b", "precision": "bf16", "sequenceLength": 2048, "globalBatch": 64}, "measured": {"metric": "tokensPerSecondPerChip", "value": 1000}}"#
        d.write("cases.json", "[" + (0..<1_000).map { one.replacingOccurrences(of: "C-ID", with: "C-\($0)") }.joined(separator: ",") + "]")
        let r = P.chipmodel(["validate", "--cases", d.file("cases.json")])
        Self.expectError(r, code: 64, containing: "1,000 training cases without a full plan", "1,000 cases without plans")
    }

    @Test(arguments: ["memory.bandwidthGBps=-1", "bf16DenseTflops=1e300", "dies.computeDies=0.5", "batch=0", "batch=0.5,1",
                      "batch=abc", "batch=1..", "=1"])
    func malformedVaryValuesAreUsageErrors(_ vary: String) {
        let r = P.chipmodel(["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", vary])
        Self.expectError(r, code: 64, containing: "", "--vary \(vary)")
        #expect(!r.stderr.contains("Specs/chips"), "no spec-file blame: \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    /// One input of every process fuzz family (the long run is `chipmodel-fuzz --process`).
    @Test func everyProcessFuzzFamilyRunsClean() {
        let targets = ProcessFuzzTargets.all(chipmodel: P.executable("chipmodel"), fuzzTool: P.executable("chipmodel-fuzz"))
        let report = Fuzzer(targets: targets, seed: 14).run(iterations: targets.count)
        #expect(report.count == targets.count)
        #expect(report.failures.isEmpty, "\(report.failures.map(\.description))")
    }

    @Test func contractBreaks() {
        let help = P.chipmodel(["help", "help"])
        #expect(help.exitCode == 0 && help.stdout.contains("USAGE: chipmodel help"))
        let format = P.chipmodel(["chips", "--format", "xml"])
        Self.expectError(format, code: 64, containing: "--format", "--format xml")
        #expect(format.stderr.contains("usage: chipmodel chips"))
        let explain = P.chipmodel(["validate", "--cases", "Benchmarks/calibration-cases.json", "--explain", "x", "--format", "csv"])
        Self.expectError(explain, code: 64, containing: "unknown case 'x'", "--explain x --format csv")
        let fuzz = P.run(P.executable("chipmodel-fuzz"), ["--format", "json", "--iterations", "3"])
        #expect(fuzz.exitCode == 0)
        #expect((try? JSONSerialization.jsonObject(with: Data(fuzz.stdout.utf8))) != nil, "fuzz --format json prints JSON: \(fuzz.stdout.prefix(200))")
    }
}
