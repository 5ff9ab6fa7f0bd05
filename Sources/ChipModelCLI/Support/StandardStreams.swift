import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's standard output and standard error, written with `write(2)` in a loop so that
/// no failed write can trap (Foundation's `FileHandle.write` traps on EPIPE, ENOSPC and EBADF).
///
/// What a failed write does (the executables call `install()` first and exit through `finish`):
/// - **A closed pipe** (EPIPE on either stream, e.g. `chipmodel chips | head -c 10`) ends the run
///   quietly: temporary files are removed, nothing more is written, and the status is the
///   conventional 141 (128 + SIGPIPE) that `head` users and `set -o pipefail` expect. chipmodel
///   ignores SIGPIPE while it runs so that it sees EPIPE and can clean up first; then, if SIGPIPE
///   was at its default when the process started, it restores the default and raises SIGPIPE
///   (the parent sees "killed by SIGPIPE", exactly like any other filter); if SIGPIPE was ignored
///   (`trap '' PIPE`), it exits with status 141. Either way the shell's `$?` is 141.
/// - **Any other failure of standard output** (ENOSPC on `> /dev/full`, EBADF on `>&-`, EIO)
///   ends the run: one line `error: cannot write to standard output: ...` on standard error,
///   temporary files removed, exit 74 (EX_IOERR).
/// - **A failure of standard error** (`2>&-`) drops the diagnostics (there is nowhere to put
///   them), the run goes on, and at the end one line `error: cannot write to standard error:
///   ...` goes to standard output; the exit status is the run's own when it failed, 74 when it
///   would have been 0.
/// - EINTR is retried; EAGAIN (a non-blocking descriptor inherited from the parent) waits for
///   the descriptor to become writable with `poll(2)`.
///
/// A descriptor 0, 1 or 2 that is closed at start is reopened on /dev/null *read-only*: a file
/// the run opens later can never land on it (and be written as if it were standard output), and
/// writes to it still fail with EBADF, as the closed stream did.
public enum StandardStreams {
    /// EX_IOERR: standard output or an output file could not be written.
    public static let ioErrorExitCode: Int32 = 74
    /// 128 + SIGPIPE: the status of a run that ended because its reader closed the pipe.
    public static let brokenPipeExitCode: Int32 = 128 + SIGPIPE

    nonisolated(unsafe) static var installed = false
    nonisolated(unsafe) static var sigpipeWasIgnored = false
    /// errno of the first failed write to standard error (further diagnostics are dropped).
    nonisolated(unsafe) public private(set) static var stderrFailure: Int32?

    /// Prepares the process: reopens closed standard descriptors on /dev/null (read-only),
    /// ignores SIGPIPE (remembering whether it was ignored already) and installs the signal
    /// handlers that remove temporary files (`CleanupRegistry`). Idempotent.
    public static func install() {
        guard !installed else { return }
        installed = true
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_RDONLY)
            if opened >= 0, opened != fd { _ = dup2(opened, fd); _ = close(opened) }
        }
        let previous = signal(SIGPIPE, SIG_IGN)
        sigpipeWasIgnored = CleanupRegistry.isIgnore(previous)
        CleanupRegistry.installSignalHandlers()
    }

    /// Writes to standard output; a failure ends the run (see the type's documentation).
    public static func out(_ s: String) {
        guard !s.isEmpty else { return }
        let error = writeAll(1, s)
        guard error != 0 else { return }
        if error == EPIPE { endQuietlyAfterBrokenPipe() }
        _ = writeAll(2, "error: cannot write to standard output: \(describe(error))\n")
        CleanupRegistry.removeAll()
        exit(ioErrorExitCode)
    }

    /// Writes to standard error; a failure is remembered and reported by `finish`.
    public static func err(_ s: String) {
        guard !s.isEmpty, stderrFailure == nil else { return }
        let error = writeAll(2, s)
        guard error != 0 else { return }
        if error == EPIPE { endQuietlyAfterBrokenPipe() }
        stderrFailure = error
    }

    /// The exit status of a run that returned `code`: reports a failed standard error on
    /// standard output (the stream that still works) and turns a success into 74.
    public static func finish(_ code: Int32) -> Int32 {
        CleanupRegistry.removeAll()
        guard let failure = stderrFailure else { return code }
        // Best effort: when standard output has failed too there is nowhere left to say it.
        _ = writeAll(1, "error: cannot write to standard error: \(describe(failure))\n")
        return code == 0 ? ioErrorExitCode : code
    }

    /// Ends the process after EPIPE: temporary files removed, status 141 (see above).
    static func endQuietlyAfterBrokenPipe() -> Never {
        CleanupRegistry.removeAll()
        if !sigpipeWasIgnored {
            signal(SIGPIPE, SIG_DFL)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGPIPE)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            raise(SIGPIPE)
        }
        exit(brokenPipeExitCode)
    }

    /// Writes every byte of `s` to `fd`; returns 0 or the errno of the failure.
    static func writeAll(_ fd: Int32, _ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { buffer in writeAll(fd, UnsafeRawBufferPointer(buffer)) }
    }

    /// Writes every byte to `fd`, retrying EINTR and waiting out EAGAIN; returns 0 or errno.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard var p = bytes.baseAddress else { return 0 }
        var left = bytes.count
        while left > 0 {
            let n = write(fd, p, left)
            if n > 0 {
                p += n
                left -= n
                continue
            }
            let e = n < 0 ? errno : EIO
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let r = poll(&pfd, 1, -1)
                if r < 0, errno != EINTR { return errno }
                if r > 0, pfd.revents & Int16(POLLNVAL) != 0 { return EBADF }
                continue  // writable, or an error condition the next write reports
            }
            return e
        }
        return 0
    }

    /// `No space left on device`.
    public static func describe(_ error: Int32) -> String { String(cString: strerror(error)) }
}
