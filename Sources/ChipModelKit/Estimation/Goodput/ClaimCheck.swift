/// A vendor's cluster claim set beside what the model says at the claimed size.
public struct ClaimCheck: Sendable {
    public var claim: ClusterClaim
    /// The model's scaling efficiency at the claimed chip count for the run in hand (per-chip
    /// throughput against the best smaller size of a strong-scaling sweep from one scale-up
    /// domain, global batch held fixed), when computed.
    public var modelScalingEfficiency: Double?
    /// Why the scaling efficiency is missing (no plan fits at that size, ...).
    public var scalingNote: String?
    /// P(claimed days unbroken) on the claimed chips at the pessimistic, nominal and
    /// optimistic failure rates.
    public var probabilityUnbroken: (pessimistic: Double, nominal: Double, optimistic: Double)?
    /// All-in failures per million chip-hours of the fleet (nominal) and the most a claimed
    /// unbroken run allows: as a 95% bound (p = 0.05) and as the typical run (p = 0.5).
    public var fleetPerChipPerMillionHours: Double
    public var impliedMaxPerChipPerMillionHours95: Double?
    public var impliedMaxPerChipPerMillionHoursTypical: Double?
    /// Goodput of this run with the claimed restart time instead of the one in use.
    public var goodputAtClaimedRestart: Double?
}

extension ClaimCheck {
    /// Compares `claim` with the model, for the goodput input `input` (the run in hand) and the
    /// fleet's rate range; `scalingEfficiency` is computed by the caller (it needs the training
    /// estimator at the claimed size).
    public static func check(_ claim: ClusterClaim, input: GoodputInput, fleet: FailureRateFleet?,
                             scalingEfficiency: Double?, scalingNote: String? = nil) -> ClaimCheck {
        var atClaim = input
        atClaim.chips = claim.chipCount
        atClaim.chipsPerNode = min(input.chipsPerNode, claim.chipCount)
        if case .shrink = atClaim.sparePolicy { atClaim.sparePolicy = .hotSpares }
        let nominal = try? GoodputModel.evaluate(atClaim)
        let perChip = (nominal?.jobFailuresPerHour ?? 0) / Double(claim.chipCount) * 1e6
        var check = ClaimCheck(claim: claim, modelScalingEfficiency: scalingEfficiency, scalingNote: scalingNote,
                               probabilityUnbroken: nil, fleetPerChipPerMillionHours: perChip,
                               impliedMaxPerChipPerMillionHours95: nil, impliedMaxPerChipPerMillionHoursTypical: nil,
                               goodputAtClaimedRestart: nil)
        if let days = claim.unbrokenDays?.nominal {
            atClaim.unbrokenDays = days
            if let fleet, let r = try? GoodputModel.evaluateRange(atClaim, fleet: fleet) {
                check.probabilityUnbroken = (r.pessimistic.probabilityUnbroken, r.nominal.probabilityUnbroken, r.optimistic.probabilityUnbroken)
            } else if let nominal {
                let p = UnbrokenRun.probability(jobFailuresPerHour: nominal.jobFailuresPerHour, days: days)
                check.probabilityUnbroken = (p, p, p)
            }
            check.impliedMaxPerChipPerMillionHours95 = UnbrokenRun.impliedMaxFailuresPerChipHour(chips: claim.chipCount, days: days, probability: 0.05) * 1e6
            check.impliedMaxPerChipPerMillionHoursTypical = UnbrokenRun.impliedMaxFailuresPerChipHour(chips: claim.chipCount, days: days, probability: 0.5) * 1e6
        }
        if let minutes = claim.restartMinutes?.nominal {
            var i = input
            i.restartMinutes = minutes
            check.goodputAtClaimedRestart = try? GoodputModel.evaluate(i).fraction
        }
        return check
    }
}
