// Power, energy and cost of a mixed-vendor training run: every group draws its own power for
// the whole run (all groups step together, so they share the wall time), each through its own
// chip's TDP, family power profile and price; the cluster is their sum.

/// One group's share of a mixed run's power, energy and cost.
public struct MixedGroupEnergy: Sendable {
    public var chipID: String
    public var count: Int
    /// The group's activity: busy chips compute-bound for their busy time, the rest of the
    /// step and every idle chip idle.
    public var activity: ActivityMix
    /// Nil with the reason when the group's chip lacks what the power model needs.
    public var estimate: Result<TrainingEnergyEstimate, PowerInputError>
}

/// The cluster's power, energy and cost: the groups' sums (a sum of ranges takes the low and
/// high ends together, which treats the groups' spec uncertainties as fully correlated).
public struct MixedEnergyEstimate: Sendable {
    public var groups: [MixedGroupEnergy]
    public var clusterFacilityKW: RangedValue
    public var clusterITKW: RangedValue
    public var energyMWh: RangedValue
    public var chipEnergyMWh: RangedValue
    public var tCO2e: RangedValue
    /// Nil when any group has no price (the groups that have one are in `groups`).
    public var usdTotal: RangedValue?
    public var wallDays: RangedValue
}

extension PowerCostRuns {
    /// The activity of one group of a mixed estimate. A group that trains alone with a
    /// homogeneous plan takes that plan's step breakdown; a group in the mixed plan is
    /// compute-bound for its stages' busy time (forward, backward, recompute) and idle for the
    /// rest of the step (fill/drain, waiting for slower groups, exposed reductions, optimizer:
    /// the optimizer's memory-bound part is not split out of the group's tail). Unused chips
    /// of a group are idle for the whole step.
    public static func activity(_ e: MixedTrainingEstimate, group g: Int) throws(PowerInputError) -> ActivityMix {
        let r = e.groups[g]
        let usedShare = Double(r.chipsUsed) / Double(max(1, r.count))
        guard usedShare > 0, e.stepSeconds > 0 else { return try ActivityMix(computeBound: 0, memoryBound: 0, idle: 1) }
        if let h = e.homogeneous, h.group == g {
            let a = try activity(h.estimate.breakdown)
            return try ActivityMix(computeBound: a.computeBound * usedShare, memoryBound: a.memoryBound * usedShare,
                                   idle: 1 - (a.computeBound + a.memoryBound) * usedShare)
        }
        let busy = min(1, max(0, r.busySeconds / e.stepSeconds)) * usedShare
        return try ActivityMix(computeBound: busy, memoryBound: 0, idle: 1 - busy)
    }

    /// Power, energy and cost of a mixed estimate: `chips` holds each group's chip (same order
    /// as `e.groups`). The step time's range comes from the spec corners of the throughput.
    public static func mixedTraining(_ e: MixedTrainingEstimate, chips: [Chip], tables: PowerCostTables,
                                     assumptions a: PowerCostAssumptions) throws(PowerInputError) -> MixedEnergyEstimate {
        guard chips.count == e.groups.count else {
            throw PowerInputError("mixed power: \(chips.count) chips given for \(e.groups.count) groups")
        }
        guard e.stepSeconds > 0, e.tokensPerSecond > 0 else { throw PowerInputError("mixed power: the estimate has no positive step time") }
        let tps = e.tokensPerSecond
        let step = RangedValue(low: e.stepSeconds * tps / max(tps, e.tokensPerSecondHigh ?? tps), nominal: e.stepSeconds,
                               high: e.stepSeconds * tps / min(tps, e.tokensPerSecondLow ?? tps))
        var groups: [MixedGroupEnergy] = []
        for (g, chip) in chips.enumerated() {
            let count = e.groups[g].count
            let mix = try activity(e, group: g)
            let estimate = Result { () throws(PowerInputError) in
                try EnergyCostEstimator.training(TrainingEnergyInputs(
                    setup: try setup(chip: chip, chips: count, tables: tables, assumptions: a), activity: mix,
                    stepSeconds: step, tokensPerStep: e.workload.tokensPerStep, tokenBudget: e.workload.tokenBudget,
                    goodput: RangedValue(exact: a.goodput ?? 1), price: price(chipID: chip.id, tables: tables, assumptions: a)))
            }
            groups.append(MixedGroupEnergy(chipID: chip.id, count: count, activity: mix, estimate: estimate))
        }
        var ests: [TrainingEnergyEstimate] = []
        for g in groups {
            switch g.estimate {
            case let .success(x): ests.append(x)
            case let .failure(err): throw PowerInputError("group \(g.chipID): \(err.message)")
            }
        }
        func sum(_ f: (TrainingEnergyEstimate) -> RangedValue) -> RangedValue {
            ests.dropFirst().reduce(f(ests[0])) { acc, x in
                let v = f(x)
                return RangedValue(low: acc.low + v.low, nominal: acc.nominal + v.nominal, high: acc.high + v.high)
            }
        }
        var usd: RangedValue?
        if ests.allSatisfy({ $0.cost?.usdTotal != nil }) { usd = sum { $0.cost!.usdTotal! } }
        return MixedEnergyEstimate(groups: groups, clusterFacilityKW: sum(\.power.clusterFacilityKW), clusterITKW: sum(\.power.clusterITKW),
                                   energyMWh: sum(\.energyMWh), chipEnergyMWh: sum(\.chipEnergyMWh), tCO2e: sum(\.tCO2e),
                                   usdTotal: usd, wallDays: ests[0].wallDays)
    }
}
