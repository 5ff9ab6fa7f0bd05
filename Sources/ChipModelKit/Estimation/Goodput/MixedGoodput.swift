// Goodput of a mixed-vendor training run. One synchronous job stops whenever any of its chips,
// hosts or NICs fails, so the job's interruption rate is the sum over the groups of
// (units x rate per unit) with each group's own fleet rates (Weibull-free Poisson failures as
// in the homogeneous model). The goodput model takes one homogeneous input, so the groups are
// folded into an equivalent cluster that has the same total rate of every component, the same
// node count and the same aggregate checkpoint write bandwidth; the restart takes the slowest
// group's time.

extension TrainingGoodputEstimator {
    /// One group of a mixed run as the goodput model sees it.
    public struct MixedGroup: Sendable {
        public var chip: Chip
        public var count: Int
        public init(chip: Chip, count: Int) {
            self.chip = chip
            self.count = count
        }
    }

    /// Goodput of a mixed run: `stepSeconds`, `days` and `workload` of the mixed estimate.
    public static func estimateMixed(groups: [MixedGroup], workload: TrainingWorkload, stepSeconds: Double, days: Double,
                                     settings s: GoodputSettings, daysLow: Double? = nil,
                                     daysHigh: Double? = nil) throws(GoodputInputError) -> TrainingGoodput {
        guard !groups.isEmpty, groups.allSatisfy({ $0.count > 0 }) else {
            throw GoodputInputError(field: "groups", message: "a mixed run needs at least one group with chips")
        }
        let table = s.table
        let d = table.defaults
        let fleets = groups.map { table.fleet(forFamily: $0.chip.family) }
        let chips = groups.reduce(0) { $0 + $1.count }
        // Nodes per group: eight-accelerator servers, or the group's scale-up domain when smaller.
        let perNode = groups.map { assumedChipsPerNode($0.chip, count: $0.count) }
        let nodesByGroup = zip(groups, perNode).map { ($0.count + $1 - 1) / $1 }
        let nodes = nodesByGroup.reduce(0, +)
        // The equivalent cluster: chips per node so that it has at least the groups' node count.
        let equivalentPerNode = max(1, chips / max(1, nodes))
        let equivalentNodes = Double((chips + equivalentPerNode - 1) / equivalentPerNode)
        let stacks = groups.map { hbmStacks($0.chip) }
        let totalStacks = zip(groups, stacks).reduce(0.0) { $0 + Double($1.0.count) * $1.1 }

        /// Rates of the equivalent cluster: per chip, per stack and per node, each the groups'
        /// total rate divided by the equivalent cluster's units.
        func rates(at corner: Corner) -> ComponentFailureRates {
            if let m = s.mtbfHours { return .allInPerChip(mtbfHours: m) }
            var out = ComponentFailureRates(perMillionHours: [:])
            for c in FailureComponent.allCases {
                var total = 0.0
                for (i, g) in groups.enumerated() {
                    let r = fleets[i].rates(at: corner)[c]
                    switch c {
                    case .hbm: total += r * Double(g.count) * stacks[i]
                    case .host: total += r * Double(nodesByGroup[i])
                    default: total += r * Double(g.count)
                    }
                }
                switch c {
                case .hbm: out[c] = totalStacks > 0 ? total / totalStacks : 0
                case .host: out[c] = total / equivalentNodes
                default: out[c] = total / Double(chips)
                }
            }
            return out
        }
        let bandwidth = s.checkpointWriteGBpsPerNode ?? d.checkpointWriteGBpsPerNode.nominal
        func aggregatePerNode(_ perNodeGBps: Double) -> Double { perNodeGBps * Double(nodes) / equivalentNodes }
        let input = GoodputInput(
            chips: chips, chipsPerNode: equivalentPerNode, idealSeconds: days * 86_400, stepSeconds: stepSeconds,
            checkpointBytes: CheckpointSize.bytes(parameters: workload.model.totalParams, bytesPerParameter: s.bytesPerParameter),
            checkpointWriteGBpsPerNode: aggregatePerNode(bandwidth), checkpointMode: s.checkpointMode,
            snapshotGBpsPerChip: d.snapshotGBpsPerChip.nominal, inMemoryCopyGBpsPerNode: aggregatePerNode(d.inMemoryCopyGBpsPerNode.nominal),
            restartMinutes: s.restartMinutes ?? d.restartMinutes.nominal,
            checkpointIntervalSeconds: s.checkpointIntervalMinutes.map { $0 * 60 },
            repairHours: d.repairHours.nominal, rates: rates(at: .nominal), hbmStacksPerChip: totalStacks / Double(chips),
            nicsPerChip: 1, unbrokenDays: s.unbrokenDays)
        func at(_ corner: Corner) throws(GoodputInputError) -> GoodputResult {
            var i = input
            i.rates = rates(at: corner)
            if s.restartMinutes == nil { i.restartMinutes = d.restartMinutes.value(at: corner, higherIsBetter: false) }
            if s.checkpointWriteGBpsPerNode == nil { i.checkpointWriteGBpsPerNode = aggregatePerNode(d.checkpointWriteGBpsPerNode.value(at: corner)) }
            i.snapshotGBpsPerChip = d.snapshotGBpsPerChip.value(at: corner)
            i.inMemoryCopyGBpsPerNode = aggregatePerNode(d.inMemoryCopyGBpsPerNode.value(at: corner))
            i.repairHours = d.repairHours.value(at: corner, higherIsBetter: false)
            return try GoodputModel.evaluate(i)
        }
        let range = GoodputRange(pessimistic: try at(.low), nominal: try at(.nominal), optimistic: try at(.high))
        let low = (daysLow ?? days) / range.optimistic.fraction
        let high = (daysHigh ?? days) / range.pessimistic.fraction
        let fleetNames = zip(groups, fleets).map { "\($0.chip.id): \($1.id)" }.joined(separator: ", ")
        let ratesSource = s.mtbfHours.map { "--mtbf-hours \(formatQuantity($0)) per accelerator (all failures charged to the chip)" }
            ?? "each group's fleet (\(fleetNames); \(s.tableSource) failure rates), summed over the groups"
        return TrainingGoodput(
            chipID: "mixed", range: range, input: input, ratesSource: ratesSource, fleetID: nil,
            restartSource: s.restartMinutes != nil ? "--restart-minutes" : "default",
            bandwidthSource: s.checkpointWriteGBpsPerNode != nil ? "--checkpoint-gbps" : "default",
            chipsPerNodeSource: "assumed: \(defaultChipsPerNode)-accelerator servers per group (or the group's scale-up domain when smaller); "
                + "\(nodes) nodes in all", effectiveDaysLow: min(low, high), effectiveDaysHigh: max(low, high), claims: [])
    }
}
