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

/// `body` over a few long `items`, each on its own thread: more items than cores then share the
/// cores (the scheduler time-slices them and they finish together) where `parallelMap` would
/// leave the last ones waiting for a worker. For a handful of items only (one thread each, 8 MB
/// of stack); results in the order of `items`.
public func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) -> R) -> [R] {
    guard items.count > 1 else { return items.map(body) }
    var values = [R?](repeating: nil, count: items.count)
    let done = DispatchGroup()
    values.withUnsafeMutableBufferPointer { buffer in
        // Each thread writes its own slot only; the caller waits for all of them.
        nonisolated(unsafe) let out = buffer
        for i in items.indices {
            done.enter()
            let item = items[i]
            let thread = Thread {
                out[i] = body(item)
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
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
