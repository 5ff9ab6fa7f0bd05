import ChipModelKit
import Foundation

/// A progress line on stderr for long runs (`whatif` points, `validate` cases, `estimate` chips,
/// `roadmap` parts): shown only when stderr is a terminal, never in a pipe or file, and only
/// once the run has taken longer than `CommandContext.progressThreshold` (1 s). The library's
/// finer units (spec corners, Monte Carlo samples, `--scaling` rows, reported to the
/// `ProgressSink` that `run` installs) are counted beside: "estimate: 2/6 chips, 14 estimates".
/// Thread-safe: the sink is called from the library's worker threads.
final class SweepProgress: @unchecked Sendable {
    let context: CommandContext
    let total: Int
    let label: String
    /// What is counted ("points", "cases", "chips").
    let unit: String
    /// How long a run must take before the progress line appears.
    let threshold: Duration
    let start = ContinuousClock.now
    private let lock = NSLock()
    private(set) var done = 0
    private(set) var finer = 0
    private var shown = false
    private var finished = false

    init(context: CommandContext, total: Int, label: String, unit: String = "points", threshold: Duration? = nil) {
        self.context = context
        self.total = total
        self.label = label
        self.unit = unit
        self.threshold = threshold ?? context.progressThreshold
    }

    /// One more unit (point, case, chip) finished.
    func step() {
        lock.withLock {
            done += 1
            draw()
        }
    }

    /// `units` more finer units (estimates) finished, from the library's sink.
    func stepFiner(_ units: Int) {
        lock.withLock {
            finer += units
            draw()
        }
    }

    /// Runs `body` with a `ProgressSink` installed that counts the library's finer units here,
    /// then ends the line (`finish`), also when `body` throws.
    func run<T>(_ body: () throws -> T) rethrows -> T {
        defer { finish() }
        return try ProgressSink.with(ProgressSink { [self] in stepFiner($0) }, body)
    }

    private var line: String { "\r\(label): \(done)/\(total) \(unit)" + (finer > 0 ? ", \(finer) estimates" : "") }

    private func draw() {
        guard context.stderrIsTerminal, !finished else { return }
        if !shown, ContinuousClock.now - start < threshold { return }
        shown = true
        context.err(line)
    }

    /// Ends the line (once) if it was shown.
    func finish() {
        lock.withLock {
            if shown { context.err(line + ", done\n") }
            shown = false
            finished = true
        }
    }
}
