import ChipModelKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process fuzz targets (`chipmodel-fuzz --process`): every input is a real `chipmodel`
/// process with real argv, real files, FIFOs, devices and symlinks in a fresh temporary
/// directory, and real pipes, drawn from the families of issue 14 (streams, inputs, outputs,
/// limits, contracts, signals, loaders). Each run is judged, in this order, as
/// - `hang`: it did not end within the bound and was killed;
/// - `crash`: it died of SIGILL/SIGTRAP/SIGABRT/SIGSEGV/SIGBUS/SIGFPE or printed a backtrace;
/// - `data loss`: a file that was in the directory changed or vanished when it should not have,
///   or a temporary file was left behind;
/// - `wrong exit code`: the status (or the signal) is not the one the family expects;
/// - `bad diagnostics`: a stderr line that is not a one-line diagnostic, or a failure without
///   exactly one `error:` line.
/// The quick in-process fuzz run stays in `swift test`; this mode is for the long run.
public enum ProcessFuzzTargets {
    public static let failureClasses = ["hang", "crash", "data loss", "wrong exit code", "bad diagnostics"]

    /// Every family, given the executables to run.
    public static func all(chipmodel: String, fuzzTool: String, bound: Double = 60) -> [FuzzTarget] {
        let env = ProcessFuzzEnvironment(chipmodel: chipmodel, fuzzTool: fuzzTool, bound: bound)
        return [streams(env), inputs(env), outputs(env), limits(env), contracts(env), signals(env), loaders(env)]
    }

    /// What a family expects of one run.
    struct Expectation {
        var exits: Set<Int32> = []
        var signals: Set<Int32> = []
        /// Text the single `error:` line must contain (nil: no check).
        var error: String?
        /// Nothing at all on stderr (a broken pipe ends quietly).
        var quiet = false
        var stdoutEmpty = false
        /// Text stderr must not contain (a malformed `--vary` value blamed on a spec file).
        var forbidden: String?
        /// Names in the scratch directory the run may create or replace.
        var mayChange: Set<String> = []
    }

    /// The verdict on one run (see the type's documentation for the order).
    static func judge(_ r: ChildProcess.Result, _ e: Expectation, before: [String: String], after: [String: String],
                      stderrIsPipe: Bool, input: @escaping @autoclosure () -> String) -> FuzzResult {
        let status = r.signal.map { "signal \($0)" } ?? "exit \(r.status)"
        if r.timedOut { return FuzzResult(.failed("hang 'killed after the bound'"), input: input()) }
        if [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE].contains(r.signal ?? 0) || r.stderr.contains("Backtrac")
            || r.stderr.contains("Fatal error") {
            return FuzzResult(.failed("crash '\(status): \(oneLine(String(r.stderr.prefix(300))))'"), input: input())
        }
        let leftovers = after.keys.filter { $0.contains(".tmp-") }
        var lost = before.filter { after[$0.key] != $0.value && !e.mayChange.contains($0.key) }.map(\.key)
        lost += after.keys.filter { before[$0] == nil && !e.mayChange.contains($0) && !$0.contains(".tmp-") }
        if !leftovers.isEmpty || !lost.isEmpty {
            return FuzzResult(.failed("data loss 'changed: \(lost.sorted()), temporary files left: \(leftovers.sorted())'"), input: input())
        }
        let exitOK = r.signal.map { e.signals.contains($0) } ?? e.exits.contains(r.status)
        if !exitOK {
            return FuzzResult(.failed("wrong exit code '\(status), expected exit \(e.exits.sorted()) signal \(e.signals.sorted()); stderr: \(oneLine(String(r.stderr.prefix(200))))'"), input: input())
        }
        if stderrIsPipe {
            let lines = r.stderrLines
            let allowed = ["error: ", "usage: ", "See '", "note: ", "warning: ", "wrote "]
            if let bad = lines.first(where: { l in !allowed.contains { l.hasPrefix($0) } }) {
                return FuzzResult(.failed("bad diagnostics 'line: \(oneLine(String(bad.prefix(200))))'"), input: input())
            }
            let errors = lines.filter { $0.hasPrefix("error: ") }
            if e.quiet, !r.stderr.isEmpty { return FuzzResult(.failed("bad diagnostics 'expected silence: \(oneLine(String(r.stderr.prefix(200))))'"), input: input()) }
            if let text = e.error {
                if errors.count != 1 || !(errors.first?.contains(text) ?? false) {
                    return FuzzResult(.failed("bad diagnostics 'expected one error with \(text): \(oneLine(String(r.stderr.prefix(300))))'"), input: input())
                }
            }
            if r.signal == nil, ![0, 141, 65].contains(r.status), errors.count != 1 {
                return FuzzResult(.failed("bad diagnostics '\(errors.count) error lines for \(status)'"), input: input())
            }
        }
        if let f = e.forbidden, r.stderr.contains(f) { return FuzzResult(.failed("bad diagnostics 'mentions \(f)'"), input: input()) }
        if e.stdoutEmpty, !r.stdout.isEmpty { return FuzzResult(.failed("bad diagnostics 'output before a refusal'"), input: input()) }
        return FuzzResult(r.exitCode == 0 ? .accepted : .rejected, input: input())
    }

    /// Every entry of a directory with what it is: a regular file's contents (hashed), a
    /// link's target, a FIFO, a directory.
    static func snapshot(_ d: ScratchDirectory) -> [String: String] {
        var out: [String: String] = [:]
        for name in d.entries {
            var st = stat()
            guard lstat(d.file(name), &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                var h = Hasher()
                h.combine(d.read(name) ?? "")
                out[name] = "file \(st.st_mode & 0o777) \(h.finalize())"
            case S_IFLNK: out[name] = "link " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: d.file(name))) ?? "")
            case S_IFIFO: out[name] = "fifo"
            case S_IFDIR: out[name] = "dir"
            default: out[name] = "other \(st.st_mode)"
            }
        }
        return out
    }

    /// Runs one prepared input and judges it.
    static func execute(_ env: ProcessFuzzEnvironment, _ d: ScratchDirectory, program: String? = nil, _ args: [String],
                        stdout: ChildProcess.Output = .pipe, stderr: ChildProcess.Output = .pipe, ignoreSIGPIPE: Bool = false,
                        environment: [String: String] = [:], expect e: Expectation, setup: String) -> FuzzResult {
        let before = snapshot(d)
        let r = ChildProcess.run(program ?? env.chipmodel, args, stdout: stdout, stderr: stderr, ignoreSIGPIPE: ignoreSIGPIPE,
                                 environment: environment, directory: d.path, bound: env.bound)
        let after = snapshot(d)
        var stderrIsPipe = false
        if case .pipe = stderr { stderrIsPipe = true }
        let modes = "stdout \(stdout), stderr \(stderr)\(ignoreSIGPIPE ? ", SIGPIPE ignored" : "")"
        let line = "cd \(d.path); \(setup); chipmodel \(FuzzFormat.argv(args)) [\(modes)\(environment.isEmpty ? "" : ", env \(environment)")]"
        return judge(r, e, before: before, after: after, stderrIsPipe: stderrIsPipe, input: line)
    }

    /// One input in a fresh scratch directory, removed afterwards.
    static func target(_ name: String, _ body: @escaping @Sendable (inout SplitMix64, ScratchDirectory) -> FuzzResult) -> FuzzTarget {
        FuzzTarget(name) { rng in
            let d = ScratchDirectory()
            defer { d.remove() }
            return body(&rng, d)
        }
    }

    // MARK: - Streams

    /// Commands and their baseline (normal pipes): the streams family derives what each stream
    /// failure must do from whether the command writes to stdout and stderr.
    static let streamCommands: [[String]] = [
        ["chips"], ["chips", "--format", "json"], ["chips", "show", "h100-sxm5-80gb"], ["chips", "compare", "a100-sxm4-80gb", "h100-sxm5-80gb"],
        ["roofline", "a100-sxm4-80gb"], ["roofline", "h100-sxm5-80gb", "--format", "json"],
        ["estimate", "--chip", "h100-sxm5-80gb", "--chips", "8", "--model", "llama3-8b", "--seq", "2048", "--batch", "16"],
        ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "8", "--model", "llama3-8b"],
        ["validate", "--cases", "cases.json"], ["validate", "--cases", "cases.json", "--format", "json"],
        ["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1..64*2", "--format", "csv"],
        ["roadmap", "biren", "--roofline"], ["help"], ["help", "help"], ["--version"],
        ["estimate", "--chips", "0"], ["chips", "--format", "xml"], ["validate", "--cases", "missing.json"],
    ]

    static func streams(_ env: ProcessFuzzEnvironment) -> FuzzTarget {
        target("proc-streams") { rng, d in
            d.write("cases.json", ProcessFuzzFixtures.cases)
            let args = rng.pick(streamCommands)
            let base = env.baseline(args) { ChildProcess.run(env.chipmodel, args, directory: d.path, bound: env.bound) }
            let outs: [ChildProcess.Output] = [.pipe, .file("/dev/full"), .closed, .brokenPipe, .nonBlockingPipe]
            let stdout = rng.pick(outs)
            let stderr: ChildProcess.Output = rng.chance(0.3) ? .closed : (rng.chance(0.2) ? .file("/dev/full") : .pipe)
            let ignore = rng.bool()
            var e = Expectation()
            let writesOut = !base.stdout.isEmpty, writesErr = !base.stderr.isEmpty
            var stderrFails = false
            if case .pipe = stderr {} else { stderrFails = writesErr }
            switch stdout {
            case .brokenPipe where writesOut:
                if ignore { e.exits = [141] } else { e.signals = [SIGPIPE] }
                if !writesErr { e.quiet = true }
            case .file, .closed:
                if writesOut { e.exits = [74]; if !stderrFails, case .pipe = stderr { e.error = "cannot write to standard output" } }
                else { e.exits = [stderrFails && base.status == 0 ? 74 : base.status] }
            default:
                e.exits = [stderrFails && base.status == 0 ? 74 : base.status]
            }
            return execute(env, d, args, stdout: stdout, stderr: stderr, ignoreSIGPIPE: ignore, expect: e, setup: "cases.json: 2 inference cases")
        }
    }

    // MARK: - Inputs

    enum InputKind: CaseIterable { case regular, symlinkRegular, fifo, symlinkFifo, directory, devZero, devNull, missing, dangling, sparseHuge }

    static func make(_ kind: InputKind, _ name: String, content: String, in d: ScratchDirectory) {
        switch kind {
        case .regular: d.write(name, content)
        case .symlinkRegular: d.write(name + ".real", content); _ = symlink(d.file(name + ".real"), d.file(name))
        case .fifo: d.mkfifo(name)
        case .symlinkFifo: d.mkfifo(name + ".real"); _ = symlink(d.file(name + ".real"), d.file(name))
        case .directory: _ = mkdir(d.file(name), 0o755)
        case .devZero: _ = symlink("/dev/zero", d.file(name))
        case .devNull: _ = symlink("/dev/null", d.file(name))
        case .missing: break
        case .dangling: _ = symlink(d.file("nowhere"), d.file(name))
        case .sparseHuge:
            let fd = open(d.file(name), O_WRONLY | O_CREAT, 0o644)
            if fd >= 0 { _ = ftruncate(fd, off_t(65 << 20)); _ = close(fd) }
        }
    }

    static func inputs(_ env: ProcessFuzzEnvironment) -> FuzzTarget {
        target("proc-inputs") { rng, d in
            let kind = rng.pick(InputKind.allCases)
            let option = rng.below(4)
            var e = Expectation()
            let args: [String]
            switch option {
            case 0:
                make(kind, "c.json", content: ProcessFuzzFixtures.cases, in: d)
                args = ["validate", "--cases", "c.json"]
            case 1:
                make(kind, "m.json", content: ProcessFuzzFixtures.model, in: d)
                args = ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "1", "--model", "m.json"]
            case 2:
                _ = mkdir(d.file("specs"), 0o755)
                make(kind, "specs/x.json", content: ProcessFuzzFixtures.chipSpec, in: d)
                args = ["chips", "--specs", "specs"]
            default:
                make(kind, "specs", content: ProcessFuzzFixtures.chipSpec, in: d)
                args = ["chips", "--specs", "specs"]
            }
            switch (kind, option) {
            case (.regular, 3), (.symlinkRegular, 3), (.sparseHuge, 3): e.exits = [66]; e.error = "expected a directory"
            case (.directory, 3), (.missing, 2): e.exits = [0]
            case (.regular, _), (.symlinkRegular, _): e.exits = [0]
            case (.sparseHuge, _): e.exits = [65]; e.error = "larger than"
            case (.missing, _), (.dangling, _): e.exits = [66]; e.error = "no such"
            default: e.exits = [66]; e.error = "expected a"
            }
            e.stdoutEmpty = e.exits != [0]
            return execute(env, d, args, expect: e, setup: "input \(kind) for option \(option)")
        }
    }
}

/// What the process targets share: the executables, the kill bound, and the baselines of the
/// stream family's commands (each run once with ordinary pipes).
public final class ProcessFuzzEnvironment: @unchecked Sendable {
    public let chipmodel: String
    public let fuzzTool: String
    public let bound: Double
    private let lock = NSLock()
    private var baselines: [String: ChildProcess.Result] = [:]

    init(chipmodel: String, fuzzTool: String, bound: Double) {
        self.chipmodel = chipmodel
        self.fuzzTool = fuzzTool
        self.bound = bound
    }

    func baseline(_ args: [String], _ make: () -> ChildProcess.Result) -> ChildProcess.Result {
        let key = args.joined(separator: "\u{1}")
        lock.lock()
        if let r = baselines[key] { lock.unlock(); return r }
        lock.unlock()
        let r = make()
        lock.lock()
        baselines[key] = r
        lock.unlock()
        return r
    }
}
