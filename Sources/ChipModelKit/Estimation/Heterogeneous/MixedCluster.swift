// Inputs of the mixed-vendor (heterogeneous) training planner: groups of one kind of chip each,
// joined by an inter-group fabric. See `MixedTrainingPlanner` for the model and the search.

/// One kind of chip in a mixed cluster: `count` chips of `chip`, in scale-up domains of
/// `scaleUpDomain` (nil: the spec's domain), with the family's calibration (nil: the family
/// table). Collectives of a stage (TP, CP, DP) never leave a group.
public struct ChipGroup: Sendable, Equatable {
    public var chip: ChipParameters
    public var count: Int
    public var scaleUpDomain: Int?
    public var calibration: FamilyCalibration?

    public init(chip: ChipParameters, count: Int, scaleUpDomain: Int? = nil, calibration: FamilyCalibration? = nil) {
        self.chip = chip
        self.count = count
        self.scaleUpDomain = scaleUpDomain
        self.calibration = calibration
    }

    /// The group as a homogeneous cluster (what the group alone runs on).
    public var cluster: Cluster { Cluster(chip: chip, count: count, scaleUpDomain: scaleUpDomain) }
}

/// How traffic crosses from one vendor's chips to another's.
public enum InterGroupTransport: String, Sendable, CaseIterable {
    /// The NIC reads and writes device memory directly (GPUDirect-style RDMA; H2's DiComm,
    /// Tang et al. 2025, arXiv 2505.17548).
    case deviceDirect = "device-direct"
    /// Each transfer is staged through host memory on both sides (device -> host copy, NIC,
    /// host -> device copy), as a CPU-proxied Gloo/TCP path does when the vendors' collective
    /// libraries cannot talk to each other.
    case hostStaged = "host-staged"
}

/// The fabric that joins the groups, per chip. Absent values default to the slowest group's
/// scale-out network: the lowest sustained NIC bandwidth and the highest latency of the groups
/// that take part (every cross-group transfer has one end on that group's NICs).
public struct InterGroupFabric: Sendable, Equatable {
    /// Link rate per chip and direction, GB/s (decimal). The sustained rate is this times the
    /// lowest training scale-out efficiency of the groups' families.
    public var bandwidthGBps: Double?
    /// One-way latency per message, microseconds.
    public var latencyUs: Double?
    public var transport: InterGroupTransport

    public init(bandwidthGBps: Double? = nil, latencyUs: Double? = nil, transport: InterGroupTransport = .deviceDirect) {
        self.bandwidthGBps = bandwidthGBps
        self.latencyUs = latencyUs
        self.transport = transport
    }

    /// Host-staged copy rate, GB/s per direction (estimated): a pinned-memory device<->host copy
    /// over PCIe 4.0 x16 (32 GB/s per direction raw) sustains about 20 GB/s; the staged path is
    /// pipelined in chunks, so its throughput is the slower of this and the network.
    public static let hostStagedCopyGBps = 20.0
    /// Host-staged extra latency per message, microseconds (estimated): one copy launch and
    /// completion on each side (about 10 us each) plus the CPU proxy hand-off.
    public static let hostStagedExtraLatencyUs = 25.0
}

/// A mixed cluster: the groups and the fabric between them.
public struct MixedCluster: Sendable, Equatable {
    public var groups: [ChipGroup]
    public var fabric: InterGroupFabric

    public init(groups: [ChipGroup], fabric: InterGroupFabric = InterGroupFabric()) {
        self.groups = groups
        self.fabric = fabric
    }

    public var totalChips: Int { groups.reduce(0) { $0 + $1.count } }
}

/// The inter-group fabric resolved to numbers, per chip.
public struct ResolvedFabric: Sendable, Equatable {
    /// Sustained bytes per second per chip and direction.
    public var bytesPerSecond: Double
    public var latencySeconds: Double
    public var transport: InterGroupTransport
    /// Where the numbers came from, for explanations.
    public var note: String

    /// One point-to-point message of `bytes` over the fabric (alpha-beta, as `ClusterNetwork`).
    @inline(__always)
    public func messageSeconds(_ bytes: Double) -> Double {
        bytes > 0 ? bytes / bytesPerSecond + latencySeconds : 0
    }

    /// The fabric as a one-tier network (for collectives across groups).
    public var network: ClusterNetwork {
        let tier = NetworkTier(name: "inter-group", domainSize: Int.max, bytesPerSecond: bytesPerSecond, latencySeconds: latencySeconds)
        return ClusterNetwork(scaleUp: NetworkTier(name: "inter-group", domainSize: 1, bytesPerSecond: bytesPerSecond,
                                                   latencySeconds: latencySeconds), scaleOut: tier)
    }

    /// Resolves `fabric` for groups whose sustained scale-out per chip is `scaleOutBytesPerSecond`,
    /// latency `scaleOutLatencySeconds` and training scale-out efficiency `scaleOutEfficiency`.
    public static func resolve(_ fabric: InterGroupFabric, ids: [String], scaleOutBytesPerSecond: [Double],
                               scaleOutLatencySeconds: [Double], scaleOutEfficiency: [Double]) -> ResolvedFabric {
        var bw: Double, lat: Double, note: String
        if let given = fabric.bandwidthGBps {
            let eff = scaleOutEfficiency.min() ?? 1
            bw = given * 1e9 * eff
            note = "inter-group fabric \(formatQuantity(given)) GB/s per chip per direction x \(formatQuantity(eff)) (lowest training scale-out efficiency of the groups)"
        } else {
            let i = scaleOutBytesPerSecond.indices.min { scaleOutBytesPerSecond[$0] < scaleOutBytesPerSecond[$1] } ?? 0
            bw = scaleOutBytesPerSecond.isEmpty ? 0 : scaleOutBytesPerSecond[i]
            note = "inter-group fabric: the slowest group's scale-out network (\(ids.isEmpty ? "-" : ids[i]), \(formatQuantity(bw / 1e9)) GB/s sustained per chip per direction)"
        }
        if let given = fabric.latencyUs {
            lat = given * 1e-6
        } else {
            lat = scaleOutLatencySeconds.max() ?? 8e-6
        }
        if fabric.transport == .hostStaged {
            bw = min(bw, InterGroupFabric.hostStagedCopyGBps * 1e9)
            lat += InterGroupFabric.hostStagedExtraLatencyUs * 1e-6
            note += "; host-staged: capped at \(formatQuantity(InterGroupFabric.hostStagedCopyGBps)) GB/s copy rate, +\(formatQuantity(InterGroupFabric.hostStagedExtraLatencyUs)) us per message (estimated)"
        } else {
            note += "; device-direct RDMA"
        }
        return ResolvedFabric(bytesPerSecond: bw, latencySeconds: lat, transport: fabric.transport, note: note)
    }
}
