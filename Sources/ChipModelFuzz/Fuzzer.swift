import ChipModelKit
import Foundation

/// How one fuzzed input ended.
public enum FuzzOutcome: Sendable, Equatable {
    /// A result that passed the target's checks.
    case accepted
    /// A clean error that passed the target's checks.
    case rejected
    /// A check failed: the message says which.
    case failed(String)
}

extension FuzzOutcome {
    var failureMessage: String? { if case let .failed(m) = self { return m } else { return nil } }
}

/// What a target returns: the outcome and a description of the input (built only when asked
/// for: on a failure, or by `chipmodel-fuzz --show`).
public struct FuzzResult {
    public var outcome: FuzzOutcome
    public var describeInput: () -> String
    public init(_ outcome: FuzzOutcome, input: @escaping @autoclosure () -> String) {
        self.outcome = outcome
        self.describeInput = input
    }
    public var input: String { describeInput() }
}

/// One fuzz target: given a generator seeded for one input, builds the input, runs it and
/// checks the result.
public struct FuzzTarget: Sendable {
    public var name: String
    public var run: @Sendable (inout SplitMix64) -> FuzzResult
    public init(_ name: String, run: @escaping @Sendable (inout SplitMix64) -> FuzzResult) {
        self.name = name
        self.run = run
    }
}

public struct FuzzFailure: Sendable, CustomStringConvertible {
    public var target: String
    public var index: Int
    public var message: String
    /// The input, described (`chipmodel-fuzz --show` prints it; reports give the replay line).
    public var input: String
    /// The command that replays this input alone.
    public var replay: String
    /// One line: the target, index, what went wrong and how to replay it.
    public var description: String { "[\(target) #\(index)] \(oneLine(message, limit: 300)) (replay: \(replay))" }
}

/// The tally of a run.
public struct FuzzReport: Sendable {
    public var seed: UInt64
    public var start: Int
    /// Inputs run.
    public var count = 0
    public var accepted: [String: Int] = [:]
    public var rejected: [String: Int] = [:]
    public var failures: [FuzzFailure] = []
    /// Failures beyond those kept in `failures`.
    public var droppedFailures = 0
    /// Every failure counted by kind (target and the message up to its first quote),
    /// so a long run's closing note can say what failed, not only how often.
    public var failureKinds: [String: Int] = [:]
    public var seconds = 0.0
    /// The slowest single input: seconds, target, index.
    public var slowest: (seconds: Double, target: String, index: Int) = (0, "", -1)
    /// True when the time limit stopped the run before `iterations`.
    public var stoppedByTimeLimit = false

    public var summary: String {
        var s = "fuzz: \(count) inputs, seed \(seed), start \(start), \(String(format: "%.2f", seconds)) s, "
            + "\(failures.count + droppedFailures) failures\n"
        for name in Set(accepted.keys).union(rejected.keys).sorted() {
            s += "  \(name): \(accepted[name] ?? 0) results, \(rejected[name] ?? 0) clean errors\n"
        }
        for (kind, n) in failureKinds.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }).prefix(12) {
            s += "  failure kind \(kind): \(n)\n"
        }
        if slowest.index >= 0 {
            s += "  slowest input: \(slowest.target) #\(slowest.index), \(String(format: "%.4f", slowest.seconds)) s\n"
        }
        if stoppedByTimeLimit { s += "  (stopped by the time limit)\n" }
        return s
    }
}

/// Runs targets round-robin: input `i` goes to `targets[i % targets.count]` with the
/// generator `SplitMix64(seed: seed, index: i)`, so any input can be replayed alone.
public struct Fuzzer: Sendable {
    public var targets: [FuzzTarget]
    public var seed: UInt64

    public init(targets: [FuzzTarget], seed: UInt64) {
        self.targets = targets
        self.seed = seed
    }

    /// The generator and target of input `index`.
    public func input(_ index: Int) -> (FuzzTarget, SplitMix64) {
        (targets[index % targets.count], SplitMix64(seed: seed, index: UInt64(index)))
    }

    /// The long run's default hang threshold: an input slower than this fails as a possible
    /// hang (no absurd size may make a command search for minutes). Only `chipmodel-fuzz`
    /// applies it; the quick run in `swift test` passes none (no wall-clock limits in tests).
    public static let defaultHangSeconds = 10.0

    /// The command that replays input `index` of this fuzzer alone.
    public func replayCommand(_ index: Int) -> String {
        "chipmodel-fuzz --seed \(seed) --targets \(targets.map(\.name).joined(separator: ",")) --from \(index) --iterations 1 --show"
    }

    /// Runs `iterations` inputs from `start`. `hangSeconds` (nil: none) fails any input slower
    /// than that; `timeLimitSeconds` (nil: none) stops the run early.
    public func run(start: Int = 0, iterations: Int, hangSeconds: Double? = nil, timeLimitSeconds: Double? = nil,
                    keepFailures: Int = 20,
                    beforeInput: ((Int) -> Void)? = nil, afterInput: ((Int, FuzzResult) -> Void)? = nil,
                    progress: ((FuzzReport) -> Void)? = nil) -> FuzzReport {
        var report = FuzzReport(seed: seed, start: start)
        guard !targets.isEmpty else { return report }
        let clock = ContinuousClock()
        let begin = clock.now
        for i in start..<(start + max(0, iterations)) {
            beforeInput?(i)
            var (target, rng) = input(i)
            let t0 = clock.now
            let result = target.run(&rng)
            let dt = seconds(clock.now - t0)
            afterInput?(i, result)
            report.count += 1
            if dt > report.slowest.seconds { report.slowest = (dt, target.name, i) }
            var outcome = result.outcome
            if let hang = hangSeconds, dt > hang {
                outcome = .failed("took \(String(format: "%.1f", dt)) s (possible hang)" + (outcome.failureMessage.map { "; \($0)" } ?? ""))
            }
            switch outcome {
            case .accepted: report.accepted[target.name, default: 0] += 1
            case .rejected: report.rejected[target.name, default: 0] += 1
            case let .failed(message):
                let kind = String(message.prefix { $0 != "'" && $0 != "\"" && $0 != "\n" }.prefix(80))
                report.failureKinds["\(target.name): \(kind)", default: 0] += 1
                if report.failures.count < keepFailures {
                    report.failures.append(FuzzFailure(target: target.name, index: i, message: message, input: result.input,
                                                       replay: replayCommand(i)))
                } else {
                    report.droppedFailures += 1
                }
            }
            if let progress, report.count % 10_000 == 0 {
                report.seconds = seconds(clock.now - begin)
                progress(report)
            }
            if let limit = timeLimitSeconds, report.count % 16 == 0, seconds(clock.now - begin) > limit {
                report.stoppedByTimeLimit = report.count < iterations
                break
            }
        }
        report.seconds = seconds(clock.now - begin)
        return report
    }

    private func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}

/// Printing inputs for failure reports and fixtures.
public enum FuzzFormat {
    /// A Swift literal of the bytes: a string literal when they are UTF-8, else a byte array.
    public static func literal(_ bytes: [UInt8], limit: Int = 4_000) -> String {
        var s: String
        if let text = String(validating: bytes, as: UTF8.self) {
            s = text.debugDescription
        } else {
            s = "[" + bytes.map { String($0) }.joined(separator: ", ") + "] as [UInt8]"
        }
        if s.count > limit { s = String(s.prefix(limit)) + "... (\(bytes.count) bytes)" }
        return s
    }

    public static func argv(_ args: [String]) -> String {
        "[" + args.map { $0.debugDescription }.joined(separator: ", ") + "]"
    }
}
