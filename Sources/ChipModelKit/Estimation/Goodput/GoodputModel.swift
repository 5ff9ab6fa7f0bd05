import Foundation

/// What the goodput model says about one run.
public struct GoodputResult: Sendable, Equatable {
    /// Job failures per hour, by component and in total.
    public var failuresPerHourByComponent: [FailureComponent: Double]
    public var jobFailuresPerHour: Double
    /// Mean time between job failures, hours (infinite when every rate is zero).
    public var jobMTBFHours: Double
    /// Seconds one checkpoint stalls training (synchronous: the whole write; otherwise the
    /// device-to-host snapshot).
    public var checkpointStallSeconds: Double
    /// Seconds to write one checkpoint to persistent storage.
    public var checkpointWriteSeconds: Double
    /// Seconds after a checkpoint starts until it survives a failure (0 synchronous; the
    /// background write or peer copy otherwise), added to the rework of every failure.
    public var checkpointLagSeconds: Double
    /// The interval used (compute seconds between checkpoints), and whether the model chose it.
    public var checkpointIntervalSeconds: Double
    public var intervalIsOptimal: Bool
    /// True when a given interval was raised to the shortest possible one (a step, or the
    /// background write of the previous checkpoint).
    public var intervalWasRaised: Bool
    /// Young's and Daly's estimates for the same stall and MTBF (nil without failures).
    public var youngIntervalSeconds: Double?
    public var dalyIntervalSeconds: Double?
    public var restartSeconds: Double
    /// Goodput: useful training time over wall-clock time, in (0, 1], and its natural log.
    public var fraction: Double
    public var logFraction: Double
    /// The factors of `fraction`: failures and checkpoints (Daly's model), planned stops,
    /// stragglers, and capacity lost while shrunk.
    public var checkpointAndFailureFactor: Double
    public var plannedStopFactor: Double
    public var stragglerFactor: Double
    public var shrinkFactor: Double
    public var idealDays: Double
    /// `idealDays / fraction`; infinite when the run never finishes (`finishes` false).
    public var effectiveDays: Double
    public var failuresExpected: Double
    public var plannedStopsExpected: Double
    public var interruptionsExpected: Double { failuresExpected + plannedStopsExpected }
    /// Where the extra wall time goes, hours: checkpoint stalls, restarts, lost (redone) work,
    /// and slow compute (stragglers, shrunk job).
    public var checkpointHours: Double
    public var restartHours: Double
    public var lostWorkHours: Double
    public var slowComputeHours: Double
    /// `P(no failure in unbrokenDays)`.
    public var unbrokenDays: Double
    public var probabilityUnbroken: Double
    /// Hot spares covering the nodes awaiting repair at the 99th percentile (hot-spare policy).
    public var spareNodes: Int?

    /// False when goodput is below one millionth: the run does not finish in any useful time.
    public var finishes: Bool { fraction >= 1e-6 }
}

/// Goodput of a long synchronous training run under component failures, checkpoints and
/// restarts. The checkpoint/failure part is Daly's (2006) complete model with its exact
/// optimum (`CheckpointInterval`); the job fails when any component it spans fails
/// (independent exponential failures, rates summed over the components, as in Kokolis et al.
/// 2025's fleet model); planned stops, stragglers and shrinking multiply on top.
public enum GoodputModel {
    public static func evaluate(_ input: GoodputInput) throws(GoodputInputError) -> GoodputResult {
        if let e = input.validationError() { throw e }
        let chips = Double(input.chips)
        let nodes = Double(input.nodes)

        // Job failure rate: units of each component the job spans x its rate.
        let units: [FailureComponent: Double] = [
            .accelerator: chips, .hbm: chips * input.hbmStacksPerChip, .host: nodes,
            .nic: chips * input.nicsPerChip, .fabric: chips, .software: chips,
        ]
        var byComponent: [FailureComponent: Double] = [:]
        for c in FailureComponent.allCases { byComponent[c] = (units[c] ?? 0) * input.rates[c] / 1e6 }
        let lambdaPerHour = FailureComponent.allCases.reduce(0) { $0 + (byComponent[$1] ?? 0) }
        let hardwarePerHour = FailureComponent.allCases.filter(\.removesHardware).reduce(0) { $0 + (byComponent[$1] ?? 0) }
        let mtbfSeconds = lambdaPerHour > 0 ? 3600 / lambdaPerHour : Double.infinity

        // Checkpoint times.
        let bytesPerChip = input.checkpointBytesPerChip ?? input.checkpointBytes / chips
        let writeGBps = min(nodes * input.checkpointWriteGBpsPerNode, input.storageAggregateGBps ?? .infinity)
        let writeSeconds = input.checkpointBytes / (writeGBps * 1e9)
        let snapshotSeconds = bytesPerChip / (input.snapshotGBpsPerChip * 1e9)
        let stall: Double
        let lag: Double
        switch input.checkpointMode {
        case .synchronous:
            stall = writeSeconds
            lag = 0
        case .asynchronous:
            stall = snapshotSeconds
            lag = writeSeconds
        case .inMemory:
            stall = snapshotSeconds
            lag = bytesPerChip * Double(input.chipsPerNode) / (input.inMemoryCopyGBpsPerNode * 1e9)
        }

        // Throughput factors that lengthen the solve time.
        let stragglerFactor = 1 - input.stragglerTax
        var logShrink = 0.0
        if case let .shrink(unit) = input.sparePolicy {
            let downFraction = hardwarePerHour * input.repairHours * Double(unit) / chips
            logShrink = downFraction < 1 ? log1p(-downFraction) : -Double.infinity
        }
        let shrinkFactor = exp(logShrink)
        let solveSeconds = input.idealSeconds / stragglerFactor / max(shrinkFactor, Double.leastNormalMagnitude)

        // The interval: given, or the exact optimum, within [shortest possible, whole run].
        let shortest = max(input.stepSeconds, lag)
        let longest = max(solveSeconds, shortest)
        let tau: Double
        var raised = false
        if let given = input.checkpointIntervalSeconds {
            raised = given < shortest
            tau = max(given, shortest)
        } else if mtbfSeconds.isFinite {
            tau = min(max(CheckpointInterval.exactOptimum(checkpointSeconds: stall, mtbfSeconds: mtbfSeconds), shortest), longest)
        } else {
            tau = longest
        }
        let restartSeconds = input.restartMinutes * 60
        let logDaly = CheckpointInterval.logGoodput(intervalSeconds: tau, checkpointSeconds: stall,
                                                    restartSeconds: restartSeconds + lag, mtbfSeconds: mtbfSeconds)
        let plannedPerSecond = input.plannedStopsPerDay / 86_400
        let plannedFactor = 1 - plannedPerSecond * restartSeconds
        let logFraction = min(0, logDaly + log(plannedFactor) + log(stragglerFactor) + logShrink)
        let fraction = max(exp(logFraction), Double.leastNormalMagnitude)

        // Where the wall time goes, per segment of Daly's model (tau of compute + one stall,
        // L = tau + delta; failures at rate 1/M; after each failure a restart phase that needs
        // an uninterrupted R' = R + lag): failed attempts per segment n = e^(L/M) - 1, time lost
        // in them M(e^(L/M) - 1) - L, restart phase M(e^(R'/M) - 1) per failed attempt, with
        // e^(R'/M) - 1 further failures inside it. These add up to Daly's M e^(R'/M)(e^(L/M)-1).
        let finishes = fraction >= 1e-6
        var wallSeconds = Double.infinity, failures = Double.infinity, planned = Double.infinity
        var checkpointSeconds = Double.infinity, restartTotal = Double.infinity, lost = Double.infinity
        if finishes {
            let segments = solveSeconds / tau
            checkpointSeconds = segments * stall
            var dalyWall = solveSeconds + checkpointSeconds
            var restartPhase = 0.0, lostInAttempts = 0.0
            failures = 0
            if mtbfSeconds.isFinite {
                let m = mtbfSeconds
                let rPrime = restartSeconds + lag
                let attempts = expm1((tau + stall) / m)
                lostInAttempts = segments * (m * attempts - (tau + stall))
                restartPhase = segments * attempts * m * expm1(rPrime / m)
                failures = segments * attempts * exp(rPrime / m)
                dalyWall += lostInAttempts + restartPhase
            }
            wallSeconds = dalyWall / plannedFactor
            planned = plannedPerSecond * wallSeconds
            let rPrime = restartSeconds + lag
            let restartShare = rPrime > 0 ? restartSeconds / rPrime : 0
            restartTotal = restartPhase * restartShare + planned * restartSeconds
            lost = max(0, lostInAttempts + restartPhase * (1 - restartShare))
        }

        var spares: Int?
        if input.sparePolicy == .hotSpares {
            spares = poissonQuantile99(mean: hardwarePerHour * input.repairHours)
        }
        let youngDaly = mtbfSeconds.isFinite
        return GoodputResult(
            failuresPerHourByComponent: byComponent, jobFailuresPerHour: lambdaPerHour, jobMTBFHours: mtbfSeconds / 3600,
            checkpointStallSeconds: stall, checkpointWriteSeconds: writeSeconds, checkpointLagSeconds: lag,
            checkpointIntervalSeconds: tau, intervalIsOptimal: input.checkpointIntervalSeconds == nil, intervalWasRaised: raised,
            youngIntervalSeconds: youngDaly ? CheckpointInterval.young(checkpointSeconds: stall, mtbfSeconds: mtbfSeconds) : nil,
            dalyIntervalSeconds: youngDaly ? CheckpointInterval.daly(checkpointSeconds: stall, mtbfSeconds: mtbfSeconds) : nil,
            restartSeconds: restartSeconds, fraction: fraction, logFraction: logFraction,
            checkpointAndFailureFactor: exp(logDaly), plannedStopFactor: plannedFactor, stragglerFactor: stragglerFactor,
            shrinkFactor: shrinkFactor, idealDays: input.idealSeconds / 86_400, effectiveDays: wallSeconds / 86_400,
            failuresExpected: failures, plannedStopsExpected: planned,
            checkpointHours: checkpointSeconds / 3600, restartHours: restartTotal / 3600, lostWorkHours: lost / 3600,
            slowComputeHours: (solveSeconds - input.idealSeconds) / 3600,
            unbrokenDays: input.unbrokenDays,
            probabilityUnbroken: UnbrokenRun.probability(jobFailuresPerHour: lambdaPerHour, days: input.unbrokenDays),
            spareNodes: spares)
    }

    /// Goodput at the pessimistic, nominal and optimistic failure rates of a fleet (the
    /// pessimistic end uses each component's `high` rate). `adjust` may move other inputs to
    /// the same corner (e.g. restart time and storage bandwidth that came from
    /// `GoodputDefaults`, not from the user); by default only the rates move.
    public static func evaluateRange(_ input: GoodputInput, fleet: FailureRateFleet,
                                     adjust: (Corner, inout GoodputInput) -> Void = { _, _ in }) throws(GoodputInputError) -> GoodputRange {
        func at(_ corner: Corner) throws(GoodputInputError) -> GoodputResult {
            var i = input
            i.rates = fleet.rates(at: corner)
            adjust(corner, &i)
            return try evaluate(i)
        }
        return GoodputRange(pessimistic: try at(.low), nominal: try at(.nominal), optimistic: try at(.high))
    }

    /// Smallest `k` with `P(X <= k) >= 0.99` for `X ~ Poisson(mean)` (log-space pmf; an
    /// expansion above a mean of 1,000).
    static func poissonQuantile99(mean: Double) -> Int {
        let probability = 0.99
        guard mean > 0 else { return 0 }
        if mean > 1000 {
            // Cornish-Fisher expansion of the Poisson quantile: mean + z sqrt(mean) + (z^2 - 1)/6
            // (z = 2.326 at 99%); within one count of the exact quantile at this size.
            let z = 2.326_347_874
            return Int((mean + z * mean.squareRoot() + (z * z - 1) / 6).rounded(.up))
        }
        let limit = Int(mean + 12 * mean.squareRoot() + 20)
        var cumulative = 0.0
        for k in 0...limit {
            cumulative += exp(-mean + Double(k) * log(mean) - lgamma(Double(k) + 1))
            if cumulative >= probability { return k }
        }
        return limit
    }
}

/// Goodput at three failure-rate corners.
public struct GoodputRange: Sendable, Equatable {
    public var pessimistic: GoodputResult
    public var nominal: GoodputResult
    public var optimistic: GoodputResult
}
