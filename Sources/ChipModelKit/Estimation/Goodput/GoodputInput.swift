/// How checkpoints are taken.
public enum CheckpointMode: String, Sendable, CaseIterable {
    /// Training stops while the full state is written to persistent storage (stall = write
    /// time); the checkpoint is durable when training resumes.
    case synchronous
    /// Training stops only for the device-to-host snapshot; the host writes it to storage in
    /// the background (PyTorch DCP async save, Megatron async checkpointing). A failure loses
    /// the work since the last checkpoint that *finished* writing, so the write time is added
    /// to the rework of every failure, and checkpoints cannot be taken faster than they write.
    case asynchronous
    /// Gemini (Wang et al., SOSP 2023): the snapshot is copied into the CPU memory of peer
    /// hosts over the cluster network, far faster than remote storage; recovery reads it back
    /// from memory (give the matching, shorter restart time). The peer copy time plays the
    /// role of the background write.
    case inMemory
}

/// What happens to the job's size when hardware fails.
public enum SparePolicy: Sendable, Equatable {
    /// Spare nodes stand by; the restart swaps one in and the job keeps its size. The model
    /// reports how many spares cover the failed nodes awaiting repair (99th percentile).
    case hotSpares
    /// No spares: the job restarts without the failed hardware, giving up `unitChips` (the
    /// smallest group it can drop, e.g. one data-parallel replica) per failed node until it is
    /// repaired. Costs throughput instead of standby hardware.
    case shrink(unitChips: Int)
}

/// The goodput model's input: plain named numbers, so any estimator (or a user) can fill it.
public struct GoodputInput: Sendable, Equatable {
    /// Accelerators the job spans.
    public var chips: Int
    public var chipsPerNode: Int
    /// Failure-free wall time of the whole run at full speed, seconds (e.g. from
    /// `idealSeconds(tokenBudget:tokensPerStep:stepSeconds:)`).
    public var idealSeconds: Double
    /// One training step; checkpoints are taken at step boundaries, so the interval is never
    /// shorter than a step.
    public var stepSeconds: Double
    /// Bytes of one checkpoint (one copy of weights + optimizer state; `CheckpointSize`).
    public var checkpointBytes: Double
    /// Bytes each chip snapshots; `nil` = `checkpointBytes / chips` (a fully sharded state).
    public var checkpointBytesPerChip: Double?
    /// Persistent-storage write bandwidth per node, GB/s (10^9 B/s); every node writes its share.
    public var checkpointWriteGBpsPerNode: Double
    /// Optional cap on the storage system's aggregate bandwidth, GB/s.
    public var storageAggregateGBps: Double?
    public var checkpointMode: CheckpointMode
    /// Device-to-host bandwidth per chip for asynchronous / in-memory snapshots, GB/s.
    public var snapshotGBpsPerChip: Double
    /// Peer-memory copy bandwidth per node (in-memory mode), GB/s.
    public var inMemoryCopyGBpsPerNode: Double
    /// Detection + rescheduling + reload after a failure, minutes.
    public var restartMinutes: Double
    /// A fixed checkpoint interval (compute time between checkpoints), seconds; `nil` = the
    /// model's optimum.
    public var checkpointIntervalSeconds: Double?
    public var sparePolicy: SparePolicy
    /// Hours a failed node stays out (spares count, shrink capacity loss).
    public var repairHours: Double
    /// Fraction of throughput lost to silent slowdowns (stragglers), in [0, 1).
    public var stragglerTax: Double
    /// Planned stops (maintenance, upgrades) per day of wall time: each costs one restart and
    /// no lost work (a checkpoint is taken first).
    public var plannedStopsPerDay: Double
    /// Failures per million hours of one unit of each component.
    public var rates: ComponentFailureRates
    /// HBM stacks per chip (H100: 5 active); 0 when the chip's memory is charged to `accelerator`.
    public var hbmStacksPerChip: Double
    /// Scale-out NICs per chip (one 400 Gb/s NIC per GPU on DGX-class nodes).
    public var nicsPerChip: Double
    /// The `D` of "probability of D days without interruption".
    public var unbrokenDays: Double

    public init(chips: Int, chipsPerNode: Int, idealSeconds: Double, stepSeconds: Double, checkpointBytes: Double,
                checkpointBytesPerChip: Double? = nil, checkpointWriteGBpsPerNode: Double, storageAggregateGBps: Double? = nil,
                checkpointMode: CheckpointMode = .synchronous, snapshotGBpsPerChip: Double, inMemoryCopyGBpsPerNode: Double,
                restartMinutes: Double, checkpointIntervalSeconds: Double? = nil, sparePolicy: SparePolicy = .hotSpares,
                repairHours: Double, stragglerTax: Double = 0, plannedStopsPerDay: Double = 0,
                rates: ComponentFailureRates, hbmStacksPerChip: Double, nicsPerChip: Double = 1, unbrokenDays: Double = 30) {
        self.chips = chips
        self.chipsPerNode = chipsPerNode
        self.idealSeconds = idealSeconds
        self.stepSeconds = stepSeconds
        self.checkpointBytes = checkpointBytes
        self.checkpointBytesPerChip = checkpointBytesPerChip
        self.checkpointWriteGBpsPerNode = checkpointWriteGBpsPerNode
        self.storageAggregateGBps = storageAggregateGBps
        self.checkpointMode = checkpointMode
        self.snapshotGBpsPerChip = snapshotGBpsPerChip
        self.inMemoryCopyGBpsPerNode = inMemoryCopyGBpsPerNode
        self.restartMinutes = restartMinutes
        self.checkpointIntervalSeconds = checkpointIntervalSeconds
        self.sparePolicy = sparePolicy
        self.repairHours = repairHours
        self.stragglerTax = stragglerTax
        self.plannedStopsPerDay = plannedStopsPerDay
        self.rates = rates
        self.hbmStacksPerChip = hbmStacksPerChip
        self.nicsPerChip = nicsPerChip
        self.unbrokenDays = unbrokenDays
    }

    /// An input whose system figures (restart, bandwidths, repair) come from a failure-rate
    /// table's defaults at `corner` (`.low` = pessimistic: slow storage, long restart).
    public static func withDefaults(_ defaults: GoodputDefaults, corner: Corner = .nominal, chips: Int, chipsPerNode: Int,
                                    idealSeconds: Double, stepSeconds: Double, checkpointBytes: Double,
                                    rates: ComponentFailureRates, hbmStacksPerChip: Double) -> GoodputInput {
        GoodputInput(chips: chips, chipsPerNode: chipsPerNode, idealSeconds: idealSeconds, stepSeconds: stepSeconds,
                     checkpointBytes: checkpointBytes,
                     checkpointWriteGBpsPerNode: defaults.checkpointWriteGBpsPerNode.value(at: corner),
                     snapshotGBpsPerChip: defaults.snapshotGBpsPerChip.value(at: corner),
                     inMemoryCopyGBpsPerNode: defaults.inMemoryCopyGBpsPerNode.value(at: corner),
                     restartMinutes: defaults.restartMinutes.value(at: corner, higherIsBetter: false),
                     repairHours: defaults.repairHours.value(at: corner, higherIsBetter: false),
                     rates: rates, hbmStacksPerChip: hbmStacksPerChip)
    }

    /// Failure-free seconds to train `tokenBudget` tokens at `tokensPerStep` per step.
    public static func idealSeconds(tokenBudget: Double, tokensPerStep: Double, stepSeconds: Double) -> Double {
        tokenBudget / tokensPerStep * stepSeconds
    }

    public var nodes: Int { (chips + chipsPerNode - 1) / max(chipsPerNode, 1) }
}

/// A nonsense goodput input: which field, what is wrong (one line).
public struct GoodputInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

extension GoodputInput {
    /// The first problem with the input, if any (every number finite and in range).
    public func validationError() -> GoodputInputError? {
        func bad(_ f: String, _ m: String) -> GoodputInputError { GoodputInputError(field: f, message: m) }
        if chips < 1 || chips > 100_000_000 { return bad("chips", "must be a whole number in 1...100000000, found \(chips)") }
        if chipsPerNode < 1 || chipsPerNode > 1_000_000 { return bad("chipsPerNode", "must be a whole number in 1...1000000, found \(chipsPerNode)") }
        let positive: [(String, Double)] = [
            ("idealSeconds", idealSeconds), ("stepSeconds", stepSeconds),
            ("checkpointWriteGBpsPerNode", checkpointWriteGBpsPerNode), ("snapshotGBpsPerChip", snapshotGBpsPerChip),
            ("inMemoryCopyGBpsPerNode", inMemoryCopyGBpsPerNode), ("repairHours", repairHours), ("unbrokenDays", unbrokenDays),
        ] + [("storageAggregateGBps", storageAggregateGBps), ("checkpointIntervalSeconds", checkpointIntervalSeconds)]
            .compactMap { name, v in v.map { (name, $0) } }
        for (name, v) in positive where !(v.isFinite && v > 0 && v < 1e15) {
            return bad(name, "must be a positive finite number, found \(formatQuantity(v))")
        }
        let nonNegative: [(String, Double)] = [
            ("checkpointBytes", checkpointBytes), ("restartMinutes", restartMinutes), ("plannedStopsPerDay", plannedStopsPerDay),
            ("hbmStacksPerChip", hbmStacksPerChip), ("nicsPerChip", nicsPerChip),
        ] + (checkpointBytesPerChip.map { [("checkpointBytesPerChip", $0)] } ?? [])
            + FailureComponent.allCases.map { ("rates.\($0.specKey)", rates[$0]) }
        for (name, v) in nonNegative where !(v.isFinite && v >= 0 && v < 1e18) {
            return bad(name, "must be a finite number >= 0, found \(formatQuantity(v))")
        }
        if !(stragglerTax >= 0 && stragglerTax < 1) { return bad("stragglerTax", "must be in [0, 1), found \(formatQuantity(stragglerTax))") }
        if case let .shrink(unit) = sparePolicy, unit < 1 || unit > chips {
            return bad("sparePolicy.unitChips", "must be in 1...\(chips) (the job's chips), found \(unit)")
        }
        if plannedStopsPerDay * restartMinutes >= 24 * 60 {
            return bad("plannedStopsPerDay", "planned stops x restart minutes leave no time to train")
        }
        return nil
    }
}
