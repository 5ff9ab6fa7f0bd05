import Foundation

/// Goodput lines and JSON for `estimate` (training): one summary line per chip under the
/// table, explanation lines with the details, and `estimates[i].goodput` in JSON.
public enum GoodputReport {
    static func pct(_ x: Double) -> String { formatQuantity(x * 100, decimals: 1) + "%" }

    /// A probability for people: `0.51`, `3.2e-05`, `< 1e-300`.
    static func probability(_ p: Double) -> String {
        if p >= 0.01 { return formatQuantity(p, decimals: 2) }
        if p < 1e-300 { return "< 1e-300" }
        let exponent = Int(log10(p).rounded(.down))
        let mantissa = p / pow(10, Double(exponent))
        return formatFixed(mantissa, decimals: 1) + "e" + (exponent < 0 ? "-" : "+") + String(format: "%02d", abs(exponent))
    }

    /// Three significant digits (`0.000338`, `0.0556`, `12.3`).
    static func sig(_ x: Double) -> String {
        guard x > 0, x < 1 else { return formatQuantity(x) }
        let decimals = max(0, 2 - Int(log10(x).rounded(.down)))
        return formatFixed(x, decimals: min(decimals, 12))
    }

    static func duration(seconds s: Double) -> String {
        if s < 120 { return formatQuantity(s) + " s" }
        if s < 7200 { return formatQuantity(s / 60) + " min" }
        return formatQuantity(s / 3600) + " h"
    }

    /// `goodput h100: 92.2% (87.3-94.7%); 73.1 effective days (68.5-95.2) vs 66.9 ideal; ...`.
    public static func summary(_ g: TrainingGoodput) -> String {
        let r = g.range
        let n = r.nominal
        var line = "goodput \(g.chipID): \(pct(n.fraction))"
        if r.pessimistic.fraction < n.fraction * 0.9995 || r.optimistic.fraction > n.fraction * 1.0005 {
            line += " (\(formatQuantity(r.pessimistic.fraction * 100, decimals: 1))-\(pct(r.optimistic.fraction)))"
        }
        guard n.finishes else {
            return line + " of wall time trains: the job fails faster than it restarts and checkpoints; it never finishes (job MTBF \(duration(seconds: n.jobMTBFHours * 3600)))"
        }
        line += "; \(formatQuantity(n.effectiveDays)) effective days"
        if g.effectiveDaysHigh.isFinite, g.effectiveDaysLow < n.effectiveDays * 0.9995 || g.effectiveDaysHigh > n.effectiveDays * 1.0005 {
            line += " (\(formatQuantity(g.effectiveDaysLow))-\(formatQuantity(g.effectiveDaysHigh)))"
        }
        line += " vs \(formatQuantity(n.idealDays)) ideal; \(formatQuantity(n.interruptionsExpected)) interruptions expected"
        line += n.jobMTBFHours.isFinite ? " (job MTBF \(duration(seconds: n.jobMTBFHours * 3600)))" : ""
        line += "; checkpoint every \(duration(seconds: n.checkpointIntervalSeconds)) (\(duration(seconds: n.checkpointStallSeconds)) stall, \(g.input.checkpointMode.rawValue))"
        line += "; restart \(formatQuantity(n.restartSeconds / 60)) min; P(\(formatQuantity(n.unbrokenDays)) days unbroken) \(probability(n.probabilityUnbroken))"
        return line
    }

    /// Explanation lines: inputs and their sources, failures by component, the wall-time split.
    public static func explain(_ g: TrainingGoodput, claims: [ClaimCheck] = []) -> [String] {
        let n = g.nominal
        let i = g.input
        var out: [String] = []
        out.append("goodput: Daly (2006) checkpoint/restart model under Poisson failures, exact optimal interval; rates: \(g.ratesSource); range: low/high failure rates with defaulted restart and storage figures at the same corners")
        let parts = FailureComponent.allCases.compactMap { c -> String? in
            let v = n.failuresPerHourByComponent[c] ?? 0
            return v > 0 ? "\(c.rawValue) \(sig(v))" : nil
        }
        out.append("failures per hour on \(i.chips) chips (\(i.nodes) nodes of \(i.chipsPerNode), \(formatQuantity(i.hbmStacksPerChip)) HBM stacks per chip): \(parts.joined(separator: ", ")); total \(sig(n.jobFailuresPerHour)), job MTBF \(duration(seconds: n.jobMTBFHours * 3600))")
        var ckpt = "checkpoint \(formatQuantity(i.checkpointBytes / 1e12)) TB; write \(duration(seconds: n.checkpointWriteSeconds)) at \(formatQuantity(i.checkpointWriteGBpsPerNode)) GB/s per node (\(g.bandwidthSource)); \(i.checkpointMode.rawValue): stall \(duration(seconds: n.checkpointStallSeconds))"
        if n.checkpointLagSeconds > 0 { ckpt += ", durable after \(duration(seconds: n.checkpointLagSeconds))" }
        ckpt += "; interval \(duration(seconds: n.checkpointIntervalSeconds)) (\(n.intervalIsOptimal ? "optimal" : "given"))"
        if let y = n.youngIntervalSeconds, let d = n.dalyIntervalSeconds { ckpt += "; Young \(duration(seconds: y)), Daly \(duration(seconds: d))" }
        out.append(ckpt)
        if n.finishes {
            var wall = "wall time: ideal \(formatQuantity(n.idealDays)) d + checkpoints \(formatQuantity(n.checkpointHours / 24)) d + restarts \(formatQuantity(n.restartHours / 24)) d (\(formatQuantity(n.restartSeconds / 60)) min each, \(g.restartSource)) + lost work \(formatQuantity(n.lostWorkHours / 24)) d"
            if n.slowComputeHours > 0 { wall += " + slow compute \(formatQuantity(n.slowComputeHours / 24)) d" }
            wall += " = \(formatQuantity(n.effectiveDays)) d"
            if let s = n.spareNodes { wall += "; \(s) hot-spare nodes cover the repair queue (99%)" }
            out.append(wall)
        }
        out.append("goodput model error is not quantified: failures independent and exponential (no lemon nodes, correlated outages or infant mortality), one restart figure, chips per node \(g.chipsPerNodeSource)")
        for c in claims { out.append(contentsOf: claimLines(c, restartInUse: n.restartSeconds / 60)) }
        return out
    }

    /// A vendor claim beside the model's numbers.
    public static func claimLines(_ c: ClaimCheck, restartInUse: Double) -> [String] {
        let claim = c.claim
        var out = ["\(claim.vendor) claims (\(claim.summary); \(claim.chips.source.title)):"]
        let n = claim.chipCount
        if let s = claim.scalingEfficiency {
            var line = "  linear speedup above \(formatQuantity(s.nominal * 100))% on \(n) chips -> model: "
            if let e = c.modelScalingEfficiency {
                line += "scaling efficiency \(pct(e)) at \(n) chips for this run (per-chip tokens/s against the best smaller size from one scale-up domain up, global batch held fixed)"
            } else {
                line += c.scalingNote ?? "not computed"
            }
            out.append(line)
        }
        if let days = claim.unbrokenDays?.nominal, let p = c.probabilityUnbroken {
            var line = "  \(formatQuantity(days)) days without interruption on \(n) chips -> model: P = \(probability(p.nominal))"
            if p.pessimistic != p.optimistic { line += " (\(probability(p.pessimistic)) to \(probability(p.optimistic)))" }
            if let b95 = c.impliedMaxPerChipPerMillionHours95, let typical = c.impliedMaxPerChipPerMillionHoursTypical {
                line += "; one such run allows at most \(formatQuantity(b95)) failures per million chip-hours (95% bound; \(sig(typical)) to be the typical run) against the fleet's \(sig(c.fleetPerChipPerMillionHours))"
            }
            out.append(line)
        }
        if let minutes = claim.restartMinutes?.nominal {
            var line = "  restart under \(formatQuantity(minutes)) min -> model uses \(formatQuantity(restartInUse)) min"
            if let g = c.goodputAtClaimedRestart { line += "; at \(formatQuantity(minutes)) min this run's goodput would be \(pct(g))" }
            out.append(line)
        }
        return out
    }

    /// `estimates[i].goodput`.
    public static func json(_ g: TrainingGoodput, claims: [ClaimCheck] = []) -> JSONValue {
        let n = g.nominal
        var members: [(String, JSONValue)] = [
            ("fraction", .num(n.fraction)), ("interruptionsExpected", .num(n.interruptionsExpected)),
            ("checkpointIntervalMinutes", .num(n.checkpointIntervalSeconds / 60)), ("checkpointSeconds", .num(n.checkpointStallSeconds)),
            ("restartMinutes", .num(n.restartSeconds / 60)), ("effectiveDays", .num(n.effectiveDays)),
            ("probabilityUnbroken", .object([("days", .num(n.unbrokenDays)), ("p", .num(n.probabilityUnbroken))])),
            ("finishes", .bool(n.finishes)), ("idealDays", .num(n.idealDays)), ("jobMTBFHours", .num(n.jobMTBFHours)),
            ("failuresExpected", .num(n.failuresExpected)), ("plannedStopsExpected", .num(n.plannedStopsExpected)),
            ("failuresPerHour", .object(FailureComponent.allCases.map { ($0.rawValue, .num(n.failuresPerHourByComponent[$0] ?? 0)) })),
            ("checkpointMode", .string(g.input.checkpointMode.rawValue)), ("checkpointBytes", .num(g.input.checkpointBytes)),
            ("checkpointWriteSeconds", .num(n.checkpointWriteSeconds)), ("checkpointIntervalOptimal", .bool(n.intervalIsOptimal)),
            ("checkpointWriteGBpsPerNode", .num(g.input.checkpointWriteGBpsPerNode)), ("chipsPerNode", .int(g.input.chipsPerNode)),
            ("hours", .object([("checkpoint", .num(n.checkpointHours)), ("restart", .num(n.restartHours)),
                               ("lostWork", .num(n.lostWorkHours)), ("slowCompute", .num(n.slowComputeHours))])),
            ("spareNodes", .int(n.spareNodes)),
            ("range", .object([
                ("fraction", .object([("low", .num(g.range.pessimistic.fraction)), ("high", .num(g.range.optimistic.fraction))])),
                ("effectiveDays", .object([("low", .num(g.effectiveDaysLow)), ("high", .num(g.effectiveDaysHigh))])),
                ("policy", .string("failure-rate low/high corners; defaulted restart and storage figures at the same corners; days over the spec corners")),
            ])),
            ("ratesSource", .string(g.ratesSource)), ("restartSource", .string(g.restartSource)),
            ("bandwidthSource", .string(g.bandwidthSource)),
        ]
        if !claims.isEmpty {
            members.append(("claims", .array(claims.map { c in
                .object([("id", .string(c.claim.id)), ("chips", .int(c.claim.chipCount)),
                         ("scalingEfficiencyClaimed", .num(c.claim.scalingEfficiency?.nominal)),
                         ("scalingEfficiencyModel", .num(c.modelScalingEfficiency)),
                         ("unbrokenDaysClaimed", .num(c.claim.unbrokenDays?.nominal)),
                         ("probabilityUnbroken", .num(c.probabilityUnbroken?.nominal)),
                         ("impliedMaxFailuresPerMillionChipHours95", .num(c.impliedMaxPerChipPerMillionHours95)),
                         ("fleetFailuresPerMillionChipHours", .num(c.fleetPerChipPerMillionHours)),
                         ("restartMinutesClaimed", .num(c.claim.restartMinutes?.nominal)),
                         ("goodputAtClaimedRestart", .num(c.goodputAtClaimedRestart))])
            })))
        }
        return .object(members)
    }
}
