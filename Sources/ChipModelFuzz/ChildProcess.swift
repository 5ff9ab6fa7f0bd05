import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a built executable as a child process with exactly the streams and signal state a test
/// asks for (posix_spawn): standard output to a pipe, a file such as /dev/full, a closed
/// descriptor, or a pipe whose reader is already gone; standard error to a pipe or closed;
/// SIGPIPE at its default or ignored. A child that does not finish within `bound` is killed and
/// reported (`timedOut`), so a hang fails its test instead of hanging the suite; no test
/// asserts on how long anything took. Used by the process tests and by `chipmodel-fuzz --process`.
public struct ChildProcess: Sendable {
    public enum Output: Sendable {
        case pipe
        case file(String)
        case closed
        /// A pipe whose read end is closed before the child starts: every write gets EPIPE.
        case brokenPipe
        /// A pipe whose write end is non-blocking (the child sees EAGAIN when it is full).
        case nonBlockingPipe
    }

    public struct Result: Sendable {
        public var status: Int32 = -1
        /// The signal that killed the child, if one did.
        public var signal: Int32?
        public var stdout = ""
        public var stderr = ""
        public var timedOut = false
        /// Peak resident memory of the child (`ru_maxrss`, the kernel's VmHWM), KiB.
        public var maxResidentKiB = 0
        public var exitCode: Int32? { signal == nil ? status : nil }
        public var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    /// The directory of the build products (`.build/<config>/`): next to the running test
    /// bundle or tool.
    public static let productsDirectory: URL = {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        var url = URL(fileURLWithPath: me).deletingLastPathComponent()
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: url.appendingPathComponent("chipmodel").path) {
            url = url.deletingLastPathComponent()
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("chipmodel").path) { return url }
        // Fallback: the package's debug products.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }()

    public static func executable(_ name: String) -> String { productsDirectory.appendingPathComponent(name).path }

    /// Runs `program args` (with `ignoreSIGPIPE`, through `/bin/sh -c "trap '' PIPE; exec ..."`).
    public static func run(_ program: String, _ args: [String], stdout: Output = .pipe, stderr: Output = .pipe,
                           ignoreSIGPIPE: Bool = false, environment: [String: String] = [:], directory: String? = nil,
                           bound: Double = 120) -> Result {
        var argv = [program] + args
        if ignoreSIGPIPE || directory != nil {
            let cd = directory.map { "cd '\($0)' && " } ?? ""
            argv = ["/bin/sh", "-c", "\(cd)\(ignoreSIGPIPE ? "trap '' PIPE; " : "")exec \"$0\" \"$@\"", program] + args
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, s) }
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var readEnds: [Int32] = []   // parent's ends to read: [stdout, stderr] or -1
        var closeAfterSpawn: [Int32] = []
        for (fd, output) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch output {
            case .closed:
                posix_spawn_file_actions_addclose(&actions, fd)
                readEnds.append(-1)
            case let .file(path):
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY, 0)
                readEnds.append(-1)
            case .pipe, .brokenPipe, .nonBlockingPipe:
                var p: [Int32] = [0, 0]
                _ = pipe(&p)
                for e in p { _ = fcntl(e, F_SETFD, FD_CLOEXEC) }
                if case .nonBlockingPipe = output { _ = fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK) }
                posix_spawn_file_actions_adddup2(&actions, p[1], fd)
                closeAfterSpawn.append(p[1])
                if case .brokenPipe = output { _ = close(p[0]); readEnds.append(-1) } else { readEnds.append(p[0]) }
            }
        }
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, &attr, cArgs, cEnv)
        closeAfterSpawn.forEach { _ = close($0) }
        var result = Result()
        guard spawned == 0 else {
            readEnds.filter { $0 >= 0 }.forEach { _ = close($0) }
            result.stderr = "spawn failed: \(String(cString: strerror(spawned)))"
            return result
        }
        // Read both pipes to the end; kill the child if it outlives the bound.
        var buffers: [[UInt8]] = [[], []]
        var open = readEnds
        let deadline = Date().addingTimeInterval(bound)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while open.contains(where: { $0 >= 0 }) {
            var fds = open.enumerated().filter { $0.element >= 0 }.map { pollfd(fd: $0.element, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 200)
            if Date() > deadline {
                result.timedOut = true
                kill(pid, SIGKILL)
                break
            }
            guard ready > 0 else { continue }
            for f in fds where f.revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(f.fd, $0.baseAddress, $0.count) }
                let k = open.firstIndex(of: f.fd)!
                if n > 0 { buffers[k] += chunk[0..<n] } else if n == 0 || errno != EINTR { _ = close(f.fd); open[k] = -1 }
            }
        }
        open.filter { $0 >= 0 }.forEach { _ = close($0) }
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let r = wait4(pid, &status, result.timedOut ? 0 : WNOHANG, &usage)
            if r == pid { break }
            if r < 0, errno != EINTR { break }
            if r == 0 {
                if Date() > deadline { result.timedOut = true; kill(pid, SIGKILL) }
                usleep(2_000)
            }
        }
        result.maxResidentKiB = Int(usage.ru_maxrss)
        if status & 0x7f == 0 { result.status = (status >> 8) & 0xff } else { result.signal = status & 0x7f }
        result.stdout = String(decoding: buffers[0], as: UTF8.self)
        result.stderr = String(decoding: buffers[1], as: UTF8.self)
        return result
    }

    /// `chipmodel ARGS`.
    public static func chipmodel(_ args: [String], stdout: Output = .pipe, stderr: Output = .pipe, ignoreSIGPIPE: Bool = false,
                          environment: [String: String] = [:], directory: String? = nil) -> Result {
        run(executable("chipmodel"), args, stdout: stdout, stderr: stderr, ignoreSIGPIPE: ignoreSIGPIPE,
            environment: environment, directory: directory)
    }
}

/// A fresh temporary directory for one test or fuzz input, removed by `remove()`.
public struct ScratchDirectory: Sendable {
    public let path: String

    public init() {
        var template = Array((NSTemporaryDirectory() + "chipmodel-proc-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = made.map { String(cString: $0) } ?? NSTemporaryDirectory()
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func write(_ name: String, _ text: String, mode: Int = 0o644) {
        _ = FileManager.default.createFile(atPath: file(name), contents: Data(text.utf8), attributes: [.posixPermissions: mode])
    }

    public func read(_ name: String) -> String? { FileManager.default.contents(atPath: file(name)).map { String(decoding: $0, as: UTF8.self) } }

    public func mkfifo(_ name: String) { _ = Glibc.mkfifo(file(name), 0o644) }

    /// Every entry, hidden ones included (temporary files start with a dot).
    public var entries: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    public func remove() {
        for e in entries { _ = chmod(file(e), 0o644) }
        try? FileManager.default.removeItem(atPath: path)
    }
}
