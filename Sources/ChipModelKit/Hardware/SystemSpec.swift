/// How the chips of one scale-up domain are wired.
public enum ScaleUpTopology: String, Sendable, CaseIterable {
    /// Every chip reaches every other through switches at full per-chip bandwidth
    /// (NVSwitch, a non-blocking UB or BLink switch fabric).
    case switched
    /// Direct point-to-point links from every chip to every other (HCCS full mesh in an
    /// Atlas 800T A2, AMD Infinity Fabric 8-GPU board, Gaudi's RoCE all-to-all): the per-chip
    /// bandwidth is split over `domainSize - 1` links.
    case allToAll = "all-to-all"
    /// A 2D torus (TPU v5e/v6e pods): a ring in each of two dimensions.
    case torus2d
    /// A 3D torus (TPU v4/v5p/7x, Trn2 UltraServer): a ring in each of three dimensions.
    case torus3d
    /// A 2D or 3D mesh without wrap-around links (TPU slices smaller than a cube).
    case mesh
    /// One ring through every chip of the domain.
    case ring

    /// Topologies laid out over `dimensions`.
    public var hasDimensions: Bool { self == .torus2d || self == .torus3d || self == .mesh }
}

/// The scale-up domain of a system: its size, topology and per-chip bandwidth.
public struct SystemScaleUp: Sendable, Equatable {
    public var name: String
    public var topology: ScaleUpTopology
    /// Chips in one scale-up domain.
    public var domainSize: SpecValue
    /// Chips along each dimension of a torus or mesh (product = `domainSize`); empty otherwise.
    public var dimensions: [Int]
    /// Bandwidth per chip into the domain, with its direction convention.
    public var bandwidth: LinkBandwidth
    /// Per-chip bandwidth along each dimension of a torus or mesh, when the dimensions differ
    /// (Trn2 UltraServer: 4x4 in a node, a slower ring across nodes); per direction, both
    /// neighbours of that dimension together. Empty: the per-chip bandwidth is split evenly.
    public var dimensionBandwidthGBps: [SpecValue]
    /// Links per chip into the domain.
    public var links: SpecValue?
    public var latencyUs: SpecValue?
    public var note: String?

    /// GB/s per chip per direction.
    public func perDirectionGBps(at corner: Corner = .nominal) -> Double { bandwidth.perDirectionGBps(at: corner) }
}

/// The scale-out fabric that joins scale-up domains (InfiniBand, RoCE, DCN, EFA).
public struct SystemScaleOut: Sendable, Equatable {
    public var name: String
    /// NICs per chip (TPU hosts share NICs between chips: fractional).
    public var nicsPerChip: SpecValue
    /// Line rate of one NIC, Gb/s per direction as marketed (a 400G NIC = 400).
    public var nicLineRateGbps: SpecValue
    /// Independent network rails (rail-optimized fabrics: one per GPU position in a node).
    public var rails: SpecValue?
    /// Oversubscription of the fabric, >= 1 (1 = non-blocking).
    public var oversubscription: SpecValue?
    /// Switch tiers a message crosses at worst (leaf-spine = 2).
    public var tiers: SpecValue?
    public var latencyUs: SpecValue?
    public var note: String?

    /// Scale-out bandwidth per chip, GB/s per direction: NICs x line rate / 8, divided by the
    /// oversubscription when `includingOversubscription`.
    public func perChipGBps(at corner: Corner = .nominal, includingOversubscription: Bool = false) -> Double {
        let raw = nicsPerChip.value(at: corner) * nicLineRateGbps.value(at: corner) / 8
        guard includingOversubscription, let o = oversubscription else { return raw }
        // Oversubscription is a cost: the optimistic corner takes its low end.
        return raw / max(1, o.value(at: corner, higherIsBetter: false))
    }
}

/// Host, storage and power figures per node that the estimators need beside the chips.
public struct SystemHost: Sendable, Equatable {
    /// Sustained checkpoint write bandwidth per node to shared storage, GB/s.
    public var checkpointWriteGBpsPerNode: SpecValue?
    /// Power per node beyond the accelerators (CPUs, memory, NICs, fans, its share of the
    /// switches), W.
    public var powerOverheadWPerNode: SpecValue?
}

/// A system built from one chip: nodes, scale-up domains, the scale-out fabric and hosts,
/// every number sourced (format: `Specs/README.md`, section Systems).
public struct SystemSpec: Sendable, Equatable {
    public var id: String
    public var name: String
    public var vendor: String
    public var status: ChipStatus
    public var year: SpecValue
    /// The chip id (`Specs/chips/<chip>.json`).
    public var chip: String
    public var chipsPerNode: SpecValue
    public var nodes: SpecValue
    public var scaleUp: SystemScaleUp
    public var scaleOut: SystemScaleOut?
    public var host: SystemHost
    public var sources: [String: SourceRef]
    public var notes: [String]

    /// Chips in the whole system at the nominal corner.
    public var totalChips: Int {
        wholeCount(chipsPerNode.nominal, upper: 1 << 24) * wholeCount(nodes.nominal, upper: 1 << 24)
    }

    /// Scale-up domains in the system at the nominal corner.
    public var domains: Int { max(1, totalChips / max(1, wholeCount(scaleUp.domainSize.nominal, upper: 1 << 24))) }

    /// Every spec value with its key path, in spec-file order.
    public var allSpecValues: [(String, SpecValue)] {
        var out: [(String, SpecValue)] = [("year", year), ("chipsPerNode", chipsPerNode), ("nodes", nodes)]
        out.append(("scaleUp.domainSize", scaleUp.domainSize))
        out.append(("scaleUp.bandwidthGBps", scaleUp.bandwidth.stated))
        for (i, v) in scaleUp.dimensionBandwidthGBps.enumerated() { out.append(("scaleUp.dimensionBandwidthGBps[\(i)]", v)) }
        if let v = scaleUp.links { out.append(("scaleUp.links", v)) }
        if let v = scaleUp.latencyUs { out.append(("scaleUp.latencyUs", v)) }
        if let s = scaleOut {
            out.append(("scaleOut.nicsPerChip", s.nicsPerChip))
            out.append(("scaleOut.nicLineRateGbps", s.nicLineRateGbps))
            if let v = s.rails { out.append(("scaleOut.rails", v)) }
            if let v = s.oversubscription { out.append(("scaleOut.oversubscription", v)) }
            if let v = s.tiers { out.append(("scaleOut.tiers", v)) }
            if let v = s.latencyUs { out.append(("scaleOut.latencyUs", v)) }
        }
        if let v = host.checkpointWriteGBpsPerNode { out.append(("host.checkpointWriteGBpsPerNode", v)) }
        if let v = host.powerOverheadWPerNode { out.append(("host.powerOverheadWPerNode", v)) }
        return out
    }
}
