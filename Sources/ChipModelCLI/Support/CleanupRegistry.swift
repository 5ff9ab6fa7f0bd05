import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Temporary files to remove on every way out of the process: a normal exit, a failed write to
/// standard output (`StandardStreams`), and SIGINT, SIGTERM or SIGHUP arriving while an output
/// file is being written.
///
/// Signal-safe: paths live in preallocated C buffers; the handler only calls `unlink(2)` on the
/// slots in use, restores the default action and re-raises the signal (so the parent sees the
/// process killed by it). Registering and unregistering block those signals, so the handler never
/// sees a half-written slot. A signal that was ignored when the process started (`nohup`) stays
/// ignored.
public enum CleanupRegistry {
    /// Temporary files that can be open at once (a run writes one output file at a time).
    public static let capacity = 8
    static let pathBytes = Int(PATH_MAX) + 1
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    nonisolated(unsafe) static let paths = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * pathBytes)
    nonisolated(unsafe) static let inUse: UnsafeMutablePointer<sig_atomic_t> = {
        let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()

    /// Installs the handlers for SIGINT, SIGTERM and SIGHUP (those not ignored at start).
    public static func installSignalHandlers() {
        _ = inUse  // allocate before any handler can run
        for s in signals {
            let previous = signal(s, handler)
            if isIgnore(previous) { signal(s, SIG_IGN) }
        }
    }

    /// True when a handler `signal(2)` returned is SIG_IGN.
    static func isIgnore<H>(_ handler: H) -> Bool {
        MemoryLayout<H>.size == MemoryLayout<Int>.size && unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    static let handler: @convention(c) (Int32) -> Void = { sig in
        CleanupRegistry.removeAll()
        signal(sig, SIG_DFL)
        raise(sig)
    }

    /// Registers `path` for removal; returns its slot, or nil when the path is too long or every
    /// slot is taken (the caller then refuses to create the file).
    public static func register(_ path: String) -> Int? {
        let bytes = Array(path.utf8)
        guard bytes.count < pathBytes, !bytes.contains(0) else { return nil }
        return withSignalsBlocked { () -> Int? in
            for slot in 0..<capacity where inUse[slot] == 0 {
                let base = paths + slot * pathBytes
                for (i, b) in bytes.enumerated() { base[i] = CChar(bitPattern: b) }
                base[bytes.count] = 0
                inUse[slot] = 1
                return slot
            }
            return nil
        }
    }

    /// Forgets a slot (the file was renamed into place or removed).
    public static func unregister(_ slot: Int) {
        guard (0..<capacity).contains(slot) else { return }
        withSignalsBlocked { inUse[slot] = 0 }
    }

    /// Removes every registered file and frees its slot. Async-signal-safe.
    public static func removeAll() {
        for slot in 0..<capacity where inUse[slot] != 0 {
            _ = unlink(paths + slot * pathBytes)
            inUse[slot] = 0
        }
    }

    /// The number of registered files (tests).
    public static var registeredCount: Int { (0..<capacity).filter { inUse[$0] != 0 }.count }

    static func withSignalsBlocked<T>(_ body: () -> T) -> T {
        var set = sigset_t(), old = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        return body()
    }
}
