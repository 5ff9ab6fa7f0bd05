import ChipModelKit
import Foundation

extension WhatIfCommand {
    /// Goodput parameters `--vary` may sweep besides the training ones: `mtbf` (all-in MTBF per
    /// accelerator, hours), `restart-minutes`, `checkpoint-gbps` (write GB/s per node).
    static let goodputParameters = ["mtbf", "restart-minutes", "checkpoint-gbps"]

    /// Goodput metric: the training estimate at each point (cached across points that only move
    /// goodput parameters), then the goodput model on it. Headline: goodput (charted), with the
    /// range over the failure-rate corners and the spec corners' days; also effective days,
    /// interruptions expected, job MTBF and training tokens/s per chip.
    /// Binding: the largest overhead (restarts, lost work, checkpoints).
    static func goodputMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let (base, _, batch) = try trainingBase(args, context)
        let settings = try goodputSettings(args, context)
        let chipsSwept = args.all("--vary").contains { $0.hasPrefix("chips=") }
        let label = "goodput: " + (chipsSwept ? base.label.replacingOccurrences(of: ", \(base.chips) chips,", with: ", chips as swept,") : base.label)
        let cache = TrainingEstimateCache()
        return WhatIfMetric(label: label, parameters: trainingParameters + goodputParameters) { chip, point, policy in
            let t = try trainingRun(base, at: point, batchFixed: batch != nil)
            var s = settings
            if let v = point["mtbf"] {
                guard v > 0, v.isFinite else { throw WhatIfPointError("mtbf must be a positive number of hours, got \(formatQuantity(v))") }
                s.mtbfHours = v
            }
            if let v = point["restart-minutes"] {
                guard v >= 0, v.isFinite else { throw WhatIfPointError("restart-minutes must be >= 0, got \(formatQuantity(v))") }
                s.restartMinutes = v
            }
            if let v = point["checkpoint-gbps"] {
                guard v > 0, v.isFinite else { throw WhatIfPointError("checkpoint-gbps must be positive, got \(formatQuantity(v))") }
                s.checkpointWriteGBpsPerNode = v
            }
            let ranged = try cache.estimate(chip: chip, run: t, policy: policy)
            let days = ranged.range(\.days)
            let g: TrainingGoodput
            do {
                g = try TrainingGoodputEstimator.estimate(ranged.nominal, chip: chip, settings: s, daysLow: days.low, daysHigh: days.high)
            } catch { throw WhatIfPointError("goodput: \(error)") }
            let r = g.range
            let n = r.nominal
            let metrics = [
                MetricValue(name: "goodput", unit: "goodput", nominal: n.fraction, low: r.pessimistic.fraction, high: r.optimistic.fraction),
                MetricValue(name: "effectiveDays", unit: "effective days", nominal: n.effectiveDays, low: g.effectiveDaysLow,
                            high: g.effectiveDaysHigh, higherIsBetter: false),
                MetricValue(name: "interruptionsExpected", unit: "interruptions", nominal: n.interruptionsExpected,
                            low: min(r.optimistic.interruptionsExpected, r.pessimistic.interruptionsExpected),
                            high: max(r.optimistic.interruptionsExpected, r.pessimistic.interruptionsExpected), higherIsBetter: false),
                MetricValue(name: "jobMTBFHours", unit: "job MTBF h", nominal: n.jobMTBFHours,
                            low: r.pessimistic.jobMTBFHours, high: r.optimistic.jobMTBFHours),
                MetricValue(name: "tokensPerSecondPerChip", unit: "training tokens/s/chip", ranged.range(\.tokensPerSecondPerChip)),
            ]
            let overheads = [("restarts", n.restartHours), ("lost work", n.lostWorkHours), ("checkpoints", n.checkpointHours)]
            let binding = n.finishes ? (overheads.max { $0.1 < $1.1 }?.0 ?? "-") : "never finishes"
            var notes = [label, "goodput rates: \(g.ratesSource); restart \(g.restartSource), checkpoint bandwidth \(g.bandwidthSource); goodput ranges: low/high failure rates with defaulted restart and storage figures at the same corners, days also over the spec corners"]
            notes.append("training plan on \(t.chips) x \(chip.id)\(point.values.isEmpty ? "" : " at " + point.values.map { "\($0.name)=\(formatQuantity($0.value))" }.joined(separator: ", ")): \(ranged.nominal.plan)")
            return MetricRow(metrics: metrics, binding: binding, notes: notes)
        }
    }
}

/// Training estimates of a goodput sweep, keyed by chip and run: a point that only moves a
/// goodput parameter reuses the plan search of an earlier point.
final class TrainingEstimateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(chip: Chip, key: String, estimate: RangedEstimate<TrainingEstimate>)] = []

    func estimate(chip: Chip, run: TrainingRun, policy: RangePolicy) throws -> RangedEstimate<TrainingEstimate> {
        let key = "\(run.model.id)|\(run.label)|\(run.constraints)|\(run.tokenBudget)|\(String(describing: run.scaleUpDomain))|\(run.emulate)|\(policy)"
        lock.lock()
        let hit = entries.first { $0.key == key && $0.chip == chip }?.estimate
        lock.unlock()
        if let hit { return hit }
        let e = try run.ranged(chip, policy: policy)
        lock.lock()
        entries.append((chip, key, e))
        lock.unlock()
        return e
    }
}
