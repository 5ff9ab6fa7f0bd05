import ChipModelKit

/// The work of `estimate` (`WorkEstimate`): every chip compared costs one estimate per spec
/// corner (3 with ranged specs, else 1); a training estimate is a plan search unless tp, pp
/// and dp are all given, and `--scaling` adds one search per table row (one scale-up domain,
/// doubling, up to --chips).
enum EstimateWork {
    static func training(_ chips: [Chip], run: TrainingRun, scaling: Bool, levers: Bool = false) -> WorkEstimate {
        let c = run.constraints
        let cost = c.tp != nil && c.pp != nil && c.dp != nil ? WorkEstimate.Cost.trainingFixedDegrees : WorkEstimate.Cost.trainingSearch
        var estimates = 0.0, rows = 0.0
        for chip in chips {
            estimates += chip.hasRanges ? 3 : 1
            if levers { estimates += Double(TrainingResource.allCases.count) }
            guard scaling else { continue }
            var n = min(max(1, Cluster(chip: ChipParameters(chip: chip), count: run.chips, scaleUpDomain: run.scaleUpDomain).scaleUpDomain), run.chips)
            rows += 1
            while n < run.chips { rows += 1; n *= 2 }
        }
        var e = WorkEstimate.items(estimates, levers ? "training estimates (chips x (corners + levers))" : "training estimates (chips x corners)", unitsEach: cost)
        if rows > 0 { e = e + .items(rows, "--scaling rows", unitsEach: WorkEstimate.Cost.trainingSearch) }
        return e
    }

    static func inference(_ chips: [Chip]) -> WorkEstimate {
        .items(chips.reduce(0) { $0 + ($1.hasRanges ? 3 : 1) }, "inference estimates (chips x corners)", unitsEach: WorkEstimate.Cost.inferenceEstimate)
    }
}
