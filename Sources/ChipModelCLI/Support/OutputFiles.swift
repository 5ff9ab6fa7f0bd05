import ChipModelKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing output files (`--svg PATH`) without ever destroying what was there.
///
/// - The target must be absent or a regular, writable file that is not one of the run's inputs.
///   A symbolic link (even one to /dev/stdout), a FIFO, socket, device or directory, a
///   read-only file and an input of the run (`--model m.json --svg m.json`) are refused with
///   one line naming the path, exit 73 (EX_CANTCREAT). Commands check their targets before
///   doing any work (`ChipModelCLI.checkOutputTargets`) and again just before the rename.
/// - The text goes to a temporary file in the target's directory (`.NAME.tmp-PID-RANDOM`,
///   created with O_EXCL|O_NOFOLLOW, the old file's permissions kept), is fsync'ed, and is
///   renamed over the target; the directory is fsync'ed after. A failed write (a full disk)
///   is exit 74 and leaves the old file as it was.
/// - The temporary file is registered with `CleanupRegistry`, so it is removed on every exit
///   path, including SIGINT, SIGTERM and SIGHUP in the middle of the write.
public enum OutputFiles {
    /// The options that name a file the CLI writes; `runCommand` checks them before any work.
    public static let optionNames = ["--svg", "--energy-svg", "--cost-svg", "--html"]
    /// The options that name an input file, and those that name a directory of inputs.
    public static let inputFileOptions = ["--cases", "--model"]
    public static let inputDirectoryOptions = ["--specs", "--corpus"]

    /// Refuses a target that is not absent-or-regular-and-writable, or that is an input.
    /// `inputs` maps the identity of every input file to the name it was given by.
    static func checkTarget(_ full: String, display: String, inputs: [FileIdentity: String]) throws(RunError) {
        let name = oneLine(display)
        func refuse(_ why: String) -> RunError { RunError("\(name): \(why)", exitCode: 73) }
        let dir = (full as NSString).deletingLastPathComponent
        var dst = stat()
        if stat(dir.isEmpty ? "/" : dir, &dst) != 0 || dst.st_mode & S_IFMT != S_IFDIR {
            let shown = (display as NSString).deletingLastPathComponent
            throw refuse("cannot be created: its directory \(oneLine(shown.isEmpty ? "." : shown)) does not exist")
        }
        var st = stat()
        guard lstat(full, &st) == 0 else {
            if errno != ENOENT { throw refuse("cannot be written (\(StandardStreams.describe(errno)))") }
            if access(dir.isEmpty ? "/" : dir, W_OK | X_OK) != 0 { throw refuse("cannot be created: its directory is not writable") }
            return
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFLNK { throw refuse("is a symbolic link; refusing to replace it (name the file it points to instead)") }
        if kind != S_IFREG { throw refuse("is \(fileKindName(st.st_mode)), not a regular file; refusing to write to it") }
        if st.st_mode & 0o222 == 0 || access(full, W_OK) != 0 { throw refuse("is read-only; refusing to replace it") }
        if let input = inputs[FileIdentity(st)] {
            throw refuse(input == display ? "is an input of this run; refusing to overwrite it"
                                          : "is an input of this run (\(oneLine(input))); refusing to overwrite it")
        }
        if access(dir.isEmpty ? "/" : dir, W_OK | X_OK) != 0 { throw refuse("cannot be replaced: its directory is not writable") }
    }

    /// Writes `text` to `full` through a temporary file and a rename (see the type).
    static func write(_ text: String, to full: String, display: String, inputs: [FileIdentity: String]) throws(RunError) {
        try checkTarget(full, display: display, inputs: inputs)
        let name = oneLine(display)
        let dir = (full as NSString).deletingLastPathComponent
        let base = String(decoding: Array((full as NSString).lastPathComponent.utf8.prefix(180)), as: UTF8.self)
        let temp = (dir as NSString).appendingPathComponent(".\(base).tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))")
        guard let slot = CleanupRegistry.register(temp) else {
            throw RunError("\(name): cannot be written (path too long for a temporary file)", exitCode: 73)
        }
        var fd: Int32 = -1
        var renamed = false
        defer {
            if fd >= 0 { _ = close(fd) }
            if !renamed { _ = unlink(temp) }
            CleanupRegistry.unregister(slot)
        }
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o666)
        guard fd >= 0 else {
            throw RunError("\(name): cannot create a temporary file beside it (\(StandardStreams.describe(errno)))", exitCode: 73)
        }
        var old = stat()
        if lstat(full, &old) == 0, old.st_mode & S_IFMT == S_IFREG { _ = fchmod(fd, old.st_mode & 0o7777) }
        var bytes = text
        let failure = bytes.withUTF8 { StandardStreams.writeAll(fd, UnsafeRawBufferPointer($0)) }
        if failure != 0 { throw RunError("\(name): cannot be written (\(StandardStreams.describe(failure)))", exitCode: StandardStreams.ioErrorExitCode) }
        if fsync(fd) != 0, errno != EINVAL, errno != EROFS {
            throw RunError("\(name): cannot be written (\(StandardStreams.describe(errno)))", exitCode: StandardStreams.ioErrorExitCode)
        }
        let closed = close(fd)
        fd = -1
        if closed != 0 { throw RunError("\(name): cannot be written (\(StandardStreams.describe(errno)))", exitCode: StandardStreams.ioErrorExitCode) }
        // Test hook: CHIPMODEL_TEST_SIGNAL_BEFORE_RENAME=N raises signal N here, with the
        // temporary file complete on disk (the process tests check it is removed on SIGINT,
        // SIGTERM and SIGHUP, and that the target is untouched).
        if let hook = getenv("CHIPMODEL_TEST_SIGNAL_BEFORE_RENAME"), let sig = Int32(String(cString: hook)) { raise(sig) }
        try checkTarget(full, display: display, inputs: inputs)
        guard rename(temp, full) == 0 else {
            throw RunError("\(name): cannot be written (\(StandardStreams.describe(errno)))", exitCode: 73)
        }
        renamed = true
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); _ = close(dfd) }
    }
}

extension ChipModelCLI {
    /// Checks every output file the arguments name (`OutputFiles.optionNames`) before the
    /// command does any work: against the disk, and against the inputs the arguments name
    /// (`--cases`, `--model`, the `*.json` files of `--specs`).
    static func checkOutputTargets(_ args: ParsedArguments, _ context: CommandContext) throws(RunError) {
        let targets = OutputFiles.optionNames.flatMap { args.all($0) }
        guard !targets.isEmpty else { return }
        var inputs = OutputFiles.inputFileOptions.flatMap { args.all($0) }
        for option in OutputFiles.inputDirectoryOptions {
            for dir in args.all(option) {
                if let files = try? context.jsonFiles(in: dir) { inputs += files }
            }
        }
        for target in targets { try context.checkOutputTarget(target, inputPaths: inputs) }
    }

    /// `chipmodel help help`.
    static let helpForHelp = """
        OVERVIEW: Show help for chipmodel or for one of its commands.

        USAGE: chipmodel help [<command>]

        'chipmodel help' lists the commands; 'chipmodel help <command>' (or 'chipmodel <command> --help')
        shows a command's usage, options and examples.

        """
}

extension CommandContext {
    /// Writes a plot to `path`; when there is nothing to plot (every chip failed, no point
    /// could be estimated), writes nothing, leaves any existing file as it was, and says so on
    /// standard error. Returns true when the file was written.
    @discardableResult
    public func writePlot(_ path: String, hasData: Bool, _ render: () -> String) throws(RunError) -> Bool {
        guard hasData else {
            err("note: nothing to plot (no point could be estimated); \(oneLine(path)) not written\n")
            return false
        }
        let svg = render()
        addReportChart((path as NSString).lastPathComponent, svg)
        try writeFile(path, svg)
        return true
    }
}
