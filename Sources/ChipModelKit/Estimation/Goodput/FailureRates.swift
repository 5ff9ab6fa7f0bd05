/// The parts of a training cluster whose failure interrupts a synchronous training job.
///
/// The split follows the root-cause table of the Llama 3 report (Dubey et al. 2024, section
/// 3.3.4, Table 5), grouped by what the count of each part scales with.
public enum FailureComponent: String, Sendable, CaseIterable, Hashable {
    /// The accelerator die and package other than its memory (faulty GPU, SRAM, system
    /// processor, silent data corruption, thermal interface). Counted per chip.
    case accelerator
    /// High-bandwidth memory. Counted per HBM stack, so a part with more stacks fails more often.
    case hbm
    /// The host server: CPU, DRAM, SSD, power supply, chassis, IO board, unplanned host
    /// maintenance. Counted per node.
    case host
    /// The scale-out network adapter. Counted per NIC.
    case nic
    /// Switches, cables and optics behind one chip's network port. Counted per chip.
    case fabric
    /// Software bugs, dependencies and unexplained collective timeouts. Counted per chip (one
    /// rank per chip).
    case software

    /// The key of this component's rate in `failuresPerMillionHours` of a failure-rate file.
    public var specKey: String {
        switch self {
        case .accelerator: return "acceleratorPerChip"
        case .hbm: return "hbmPerStack"
        case .host: return "hostPerNode"
        case .nic: return "nicPerNic"
        case .fabric: return "fabricPerChip"
        case .software: return "softwarePerChip"
        }
    }

    /// What one unit of this component is, for messages ("per million stack-hours").
    public var unitName: String {
        switch self {
        case .accelerator, .fabric, .software: return "chip"
        case .hbm: return "stack"
        case .host: return "node"
        case .nic: return "NIC"
        }
    }

    /// Whether a failure takes hardware out of the job until it is repaired (software
    /// failures restart in place).
    public var removesHardware: Bool { self != .software }
}

/// Failure rates of each component at one corner, in failures per million hours of one unit
/// of that component (`FailureComponent.unitName`). Plain numbers: the goodput model's input.
public struct ComponentFailureRates: Sendable, Equatable {
    public var perMillionHours: [FailureComponent: Double]

    public init(perMillionHours: [FailureComponent: Double]) {
        self.perMillionHours = perMillionHours
    }

    public subscript(_ component: FailureComponent) -> Double {
        get { perMillionHours[component] ?? 0 }
        set { perMillionHours[component] = newValue }
    }

    /// One all-in rate per accelerator (`--mtbf-hours`): every failure is charged to the chip
    /// and the other components are zero.
    public static func allInPerChip(mtbfHours: Double) -> ComponentFailureRates {
        ComponentFailureRates(perMillionHours: [.accelerator: 1e6 / mtbfHours])
    }

    /// Every rate multiplied by `factor`.
    public func scaled(by factor: Double) -> ComponentFailureRates {
        ComponentFailureRates(perMillionHours: perMillionHours.mapValues { $0 * factor })
    }
}

/// One fleet class of a failure-rate file: sourced rates per component, with ranges.
public struct FailureRateFleet: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Calibration families (chip `family`) this fleet applies to; empty for the default.
    public var families: [String]
    /// Failures per million hours of one unit of each component (all six are present).
    public var rates: [FailureComponent: SpecValue]
    public var notes: [String]

    public init(id: String, name: String, families: [String], rates: [FailureComponent: SpecValue], notes: [String] = []) {
        self.id = id
        self.name = name
        self.families = families
        self.rates = rates
        self.notes = notes
    }

    /// The rates at a corner. `Corner.low` is the pessimistic end (the high failure rates),
    /// as for every other cost in chipmodel.
    public func rates(at corner: Corner) -> ComponentFailureRates {
        var out: [FailureComponent: Double] = [:]
        for (c, v) in rates { out[c] = v.value(at: corner, higherIsBetter: false) }
        return ComponentFailureRates(perMillionHours: out)
    }
}

/// System figures the goodput model needs when neither a system spec nor a flag gives them,
/// each a sourced spec value with a range.
public struct GoodputDefaults: Sendable, Equatable {
    /// Detection + rescheduling + reload, minutes.
    public var restartMinutes: SpecValue
    /// Checkpoint write bandwidth to persistent storage per node, GB/s (10^9 B/s).
    public var checkpointWriteGBpsPerNode: SpecValue
    /// Device-to-host copy bandwidth per chip for asynchronous / in-memory snapshots, GB/s.
    public var snapshotGBpsPerChip: SpecValue
    /// Bandwidth per node for copying a snapshot into a peer host's memory, GB/s.
    public var inMemoryCopyGBpsPerNode: SpecValue
    /// Hours a failed node stays out of the job.
    public var repairHours: SpecValue

    public init(restartMinutes: SpecValue, checkpointWriteGBpsPerNode: SpecValue, snapshotGBpsPerChip: SpecValue,
                inMemoryCopyGBpsPerNode: SpecValue, repairHours: SpecValue) {
        self.restartMinutes = restartMinutes
        self.checkpointWriteGBpsPerNode = checkpointWriteGBpsPerNode
        self.snapshotGBpsPerChip = snapshotGBpsPerChip
        self.inMemoryCopyGBpsPerNode = inMemoryCopyGBpsPerNode
        self.repairHours = repairHours
    }
}

/// A vendor's published cluster claim (a run's size, scaling, unbroken days, restart time),
/// kept as sourced values so reports can set the model's numbers beside it.
public struct ClusterClaim: Sendable, Equatable {
    public var id: String
    public var vendor: String
    /// Chip families the claim is about.
    public var families: [String]
    public var summary: String
    public var chips: SpecValue
    public var parametersBillion: SpecValue?
    /// Claimed scaling efficiency (linear speedup), a fraction.
    public var scalingEfficiency: SpecValue?
    public var unbrokenDays: SpecValue?
    public var restartMinutes: SpecValue?

    public init(id: String, vendor: String, families: [String], summary: String, chips: SpecValue,
                parametersBillion: SpecValue? = nil, scalingEfficiency: SpecValue? = nil,
                unbrokenDays: SpecValue? = nil, restartMinutes: SpecValue? = nil) {
        self.id = id
        self.vendor = vendor
        self.families = families
        self.summary = summary
        self.chips = chips
        self.parametersBillion = parametersBillion
        self.scalingEfficiency = scalingEfficiency
        self.unbrokenDays = unbrokenDays
        self.restartMinutes = restartMinutes
    }

    public var chipCount: Int { wholeCount(chips.nominal, upper: 100_000_000) }
}

/// A decoded failure-rate file (`Specs/reliability/failure-rates.json`): fleet classes, the
/// fallback fleet, the system defaults, and vendors' cluster claims.
public struct FailureRateTable: Sendable, Equatable {
    public var fleets: [FailureRateFleet]
    public var defaultFleetID: String
    public var defaults: GoodputDefaults
    public var claims: [ClusterClaim]
    public var file: String

    public init(fleets: [FailureRateFleet], defaultFleetID: String, defaults: GoodputDefaults, claims: [ClusterClaim] = [], file: String) {
        self.fleets = fleets
        self.defaultFleetID = defaultFleetID
        self.defaults = defaults
        self.claims = claims
        self.file = file
    }

    /// The claims about a chip family.
    public func claims(forFamily family: String) -> [ClusterClaim] { claims.filter { $0.families.contains(family) } }

    /// The fleet whose `families` list the chip family, else the default fleet.
    public func fleet(forFamily family: String) -> FailureRateFleet {
        if let f = fleets.first(where: { $0.families.contains(family) }) { return f }
        return defaultFleet
    }

    /// The fallback fleet (the decoder guarantees it exists).
    public var defaultFleet: FailureRateFleet {
        fleets.first { $0.id == defaultFleetID } ?? fleets[0]
    }

    public func fleet(id: String) -> FailureRateFleet? { fleets.first { $0.id == id } }

    /// The built-in table (embedded at build time from `Specs/reliability/failure-rates.json`).
    public static func builtIn() throws(InputError) -> FailureRateTable {
        guard let doc = EmbeddedSpecs.reliability.first(where: { $0.file.hasSuffix("failure-rates.json") }) else {
            throw InputError([InputProblem(file: "Specs/reliability/failure-rates.json", keyPath: "", message: "not embedded: run Scripts/embed-specs")])
        }
        return try FailureRateDecoder.decode(bytes: doc.bytes, file: doc.file).get()
    }
}
