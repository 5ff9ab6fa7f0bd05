/// What a command chose for the goodput model beside a training estimate. Every figure left
/// nil comes from the system spec, else from the failure-rate file's defaults (and then moves
/// with the range corners).
public struct GoodputSettings: Sendable {
    public var table: FailureRateTable
    /// Where `table` came from, for notes (`built-in` or a file path).
    public var tableSource: String
    /// `--mtbf-hours`: one all-in MTBF per accelerator instead of the component rates.
    public var mtbfHours: Double?
    /// `--checkpoint-gbps`: checkpoint write bandwidth per node, GB/s.
    public var checkpointWriteGBpsPerNode: Double?
    /// `--restart-minutes`.
    public var restartMinutes: Double?
    /// `--checkpoint-interval-minutes`; nil = the model's optimum.
    public var checkpointIntervalMinutes: Double?
    public var checkpointMode: CheckpointMode
    public var bytesPerParameter: Double
    public var unbrokenDays: Double
    /// Figures of a `--system` spec, when one is given.
    public var system: SystemGoodputFigures?

    public init(table: FailureRateTable, tableSource: String = "built-in", mtbfHours: Double? = nil,
                checkpointWriteGBpsPerNode: Double? = nil, restartMinutes: Double? = nil,
                checkpointIntervalMinutes: Double? = nil, checkpointMode: CheckpointMode = .synchronous,
                bytesPerParameter: Double = CheckpointSize.defaultBytesPerParameter, unbrokenDays: Double = 30,
                system: SystemGoodputFigures? = nil) {
        self.table = table
        self.tableSource = tableSource
        self.mtbfHours = mtbfHours
        self.checkpointWriteGBpsPerNode = checkpointWriteGBpsPerNode
        self.restartMinutes = restartMinutes
        self.checkpointIntervalMinutes = checkpointIntervalMinutes
        self.checkpointMode = checkpointMode
        self.bytesPerParameter = bytesPerParameter
        self.unbrokenDays = unbrokenDays
        self.system = system
    }
}

/// The goodput-relevant figures of a system spec (nodes, NICs, storage, restart), as plain
/// values so the adapter does not depend on the system spec type.
public struct SystemGoodputFigures: Sendable, Equatable {
    public var id: String
    public var chipsPerNode: Int?
    public var nicsPerChip: Double?
    public var checkpointWriteGBpsPerNode: SpecValue?
    public var restartMinutes: SpecValue?

    public init(id: String, chipsPerNode: Int? = nil, nicsPerChip: Double? = nil,
                checkpointWriteGBpsPerNode: SpecValue? = nil, restartMinutes: SpecValue? = nil) {
        self.id = id
        self.chipsPerNode = chipsPerNode
        self.nicsPerChip = nicsPerChip
        self.checkpointWriteGBpsPerNode = checkpointWriteGBpsPerNode
        self.restartMinutes = restartMinutes
    }
}

/// Goodput of one training estimate: the model at three corners and where each input came from.
public struct TrainingGoodput: Sendable {
    public var chipID: String
    public var range: GoodputRange
    /// The nominal input (for JSON and explanations).
    public var input: GoodputInput
    /// `nvidia-h100-class fleet (built-in)` or `--mtbf-hours 50000 per accelerator`.
    public var ratesSource: String
    public var fleetID: String?
    /// Where the restart time, write bandwidth and chips per node came from.
    public var restartSource: String
    public var bandwidthSource: String
    public var chipsPerNodeSource: String
    /// Effective days over the spec corners' days and the goodput corners together.
    public var effectiveDaysLow: Double
    public var effectiveDaysHigh: Double
    /// Vendor claims about this chip's family.
    public var claims: [ClusterClaim]

    public var nominal: GoodputResult { range.nominal }
}

/// Adapts a training estimate to the goodput model.
public enum TrainingGoodputEstimator {
    /// HBM stacks assumed for an HBM part whose spec gives no stack count.
    public static let assumedHBMStacks = 4.0
    /// Chips per node without a system spec: an eight-accelerator server, or the scale-up
    /// domain when it is smaller.
    public static let defaultChipsPerNode = 8

    /// Chips per node without a system spec: `defaultChipsPerNode`, or the scale-up domain (or
    /// the chip count) when smaller.
    static func assumedChipsPerNode(_ chip: Chip, count: Int) -> Int {
        let domain = chip.scaleUp.map { wholeCount($0.domainSize.nominal, upper: 1 << 24) } ?? 1
        return max(1, min(defaultChipsPerNode, domain, count))
    }

    /// HBM stacks per chip: the spec's, else `assumedHBMStacks` for an HBM part, else none.
    static func hbmStacks(_ chip: Chip) -> Double {
        chip.memory.stacks?.nominal ?? ((chip.memory.type ?? "").uppercased().contains("HBM") ? assumedHBMStacks : 0)
    }

    /// Goodput of `estimate` (the nominal estimate of a chip), with the failure-rate range, the
    /// defaulted system figures moved to the same corners, and the effective days combining the
    /// spec corners' `daysLow`/`daysHigh` (nil: the nominal days).
    public static func estimate(_ e: TrainingEstimate, chip: Chip, settings s: GoodputSettings,
                                daysLow: Double? = nil, daysHigh: Double? = nil) throws(GoodputInputError) -> TrainingGoodput {
        let table = s.table
        let d = table.defaults
        let fleet = table.fleet(forFamily: chip.family)
        let perNode: Int
        let perNodeSource: String
        if let n = s.system?.chipsPerNode {
            perNode = n
            perNodeSource = "system \(s.system?.id ?? "")"
        } else {
            perNode = assumedChipsPerNode(chip, count: e.chips)
            perNodeSource = "assumed: \(defaultChipsPerNode)-accelerator servers (or the scale-up domain when smaller)"
        }
        let stacks = hbmStacks(chip)
        let rates = s.mtbfHours.map { ComponentFailureRates.allInPerChip(mtbfHours: $0) } ?? fleet.rates(at: .nominal)

        let restartDefault = s.system?.restartMinutes ?? d.restartMinutes
        let bandwidthDefault = s.system?.checkpointWriteGBpsPerNode ?? d.checkpointWriteGBpsPerNode
        let input = GoodputInput(
            chips: e.chips, chipsPerNode: perNode, idealSeconds: e.days * 86_400, stepSeconds: e.stepSeconds,
            checkpointBytes: CheckpointSize.bytes(parameters: e.workload.model.totalParams, bytesPerParameter: s.bytesPerParameter),
            checkpointWriteGBpsPerNode: s.checkpointWriteGBpsPerNode ?? bandwidthDefault.nominal,
            checkpointMode: s.checkpointMode,
            snapshotGBpsPerChip: d.snapshotGBpsPerChip.nominal, inMemoryCopyGBpsPerNode: d.inMemoryCopyGBpsPerNode.nominal,
            restartMinutes: s.restartMinutes ?? restartDefault.nominal,
            checkpointIntervalSeconds: s.checkpointIntervalMinutes.map { $0 * 60 },
            repairHours: d.repairHours.nominal, rates: rates, hbmStacksPerChip: stacks,
            nicsPerChip: s.system?.nicsPerChip ?? 1, unbrokenDays: s.unbrokenDays)

        // Corners: the fleet's rates (unless one MTBF was given) and every defaulted figure.
        let mtbfGiven = s.mtbfHours != nil
        let adjust: (Corner, inout GoodputInput) -> Void = { corner, i in
            if mtbfGiven { i.rates = rates }
            if s.restartMinutes == nil { i.restartMinutes = restartDefault.value(at: corner, higherIsBetter: false) }
            if s.checkpointWriteGBpsPerNode == nil { i.checkpointWriteGBpsPerNode = bandwidthDefault.value(at: corner) }
            i.snapshotGBpsPerChip = d.snapshotGBpsPerChip.value(at: corner)
            i.inMemoryCopyGBpsPerNode = d.inMemoryCopyGBpsPerNode.value(at: corner)
            i.repairHours = d.repairHours.value(at: corner, higherIsBetter: false)
        }
        let range = try GoodputModel.evaluateRange(input, fleet: fleet, adjust: adjust)
        let low = (daysLow ?? e.days) / range.optimistic.fraction
        let high = (daysHigh ?? e.days) / range.pessimistic.fraction
        let ratesSource = s.mtbfHours.map { "--mtbf-hours \(formatQuantity($0)) per accelerator (all failures charged to the chip)" }
            ?? "\(fleet.id) fleet (\(s.tableSource) failure rates)"
        return TrainingGoodput(
            chipID: e.chipID, range: range, input: input, ratesSource: ratesSource, fleetID: mtbfGiven ? nil : fleet.id,
            restartSource: s.restartMinutes != nil ? "--restart-minutes" : (s.system?.restartMinutes != nil ? "system \(s.system?.id ?? "")" : "default"),
            bandwidthSource: s.checkpointWriteGBpsPerNode != nil ? "--checkpoint-gbps"
                : (s.system?.checkpointWriteGBpsPerNode != nil ? "system \(s.system?.id ?? "")" : "default"),
            chipsPerNodeSource: perNodeSource, effectiveDaysLow: min(low, high), effectiveDaysHigh: max(low, high),
            claims: table.claims(forFamily: chip.family))
    }
}
