import Dispatch
import Foundation

/// `body` over `items` on every core (Dispatch), results in the order of `items` whatever
/// order the work finishes in: the parallel form of `items.map(body)` for independent,
/// thread-safe work (spec corners, Monte Carlo samples, chip counts). One item, or
/// `threads` 1, runs on the calling thread.
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                                  _ body: @Sendable (T) -> R) -> [R] {
    guard items.count > 1, threads > 1 else { return items.map(body) }
    var values = [R?](repeating: nil, count: items.count)
    values.withUnsafeMutableBufferPointer { buffer in
        // Each iteration writes its own slot only.
        nonisolated(unsafe) let out = buffer
        DispatchQueue.concurrentPerform(iterations: items.count) { i in out[i] = body(items[i]) }
    }
    return values.map { $0! }
}

/// Where a long library run reports finished units of work (a Monte Carlo sample, a row of a
/// scaling table), for the command that started it to show progress. Scoped to the thread
/// that installs it (`ProgressSink.with`); library code reads `ProgressSink.current` on the
/// calling thread before it fans work out, and workers call `report`.
public final class ProgressSink: @unchecked Sendable {
    private let step: @Sendable (Int) -> Void

    public init(_ step: @escaping @Sendable (Int) -> Void) { self.step = step }

    /// Reports `units` more finished units.
    public func report(_ units: Int = 1) { step(units) }

    static let key = "chipmodel.progressSink"

    /// The sink installed on this thread, if any.
    public static var current: ProgressSink? { Thread.current.threadDictionary[key] as? ProgressSink }

    /// Runs `body` with `sink` installed on this thread (the previous one restored after).
    public static func with<T>(_ sink: ProgressSink, _ body: () throws -> T) rethrows -> T {
        let previous = Thread.current.threadDictionary[key]
        Thread.current.threadDictionary[key] = sink
        defer { Thread.current.threadDictionary[key] = previous }
        return try body()
    }
}
