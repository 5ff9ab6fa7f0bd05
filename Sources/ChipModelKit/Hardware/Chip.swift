import Foundation

/// Shipping state of a part.
/// The market a part is built for. Edge parts (low-power inference cards) form their own line
/// on a vendor's roadmap instead of sitting between data-center generations.
public enum ChipSegment: String, Sendable, CaseIterable {
    case datacenter
    case edge
}

public enum ChipStatus: String, Sendable, CaseIterable {
    case shipping, announced, roadmap
}

/// Whether a link bandwidth figure counts one direction or the sum of both.
public enum LinkDirection: String, Sendable, CaseIterable {
    /// Sum of both directions (NVIDIA's NVLink convention: H100 900 GB/s = 450 GB/s each way).
    case bidirectional
    /// One direction.
    case perDirection
}

/// A link bandwidth with its direction convention kept explicit; the other view is derived.
public struct LinkBandwidth: Sendable, Equatable {
    public var stated: SpecValue
    public var direction: LinkDirection

    public init(stated: SpecValue, direction: LinkDirection) {
        self.stated = stated
        self.direction = direction
    }

    /// GB/s each way.
    public func perDirectionGBps(at corner: Corner = .nominal) -> Double {
        let v = stated.value(at: corner)
        return direction == .perDirection ? v : v / 2
    }

    /// GB/s both ways together.
    public func bidirectionalGBps(at corner: Corner = .nominal) -> Double {
        let v = stated.value(at: corner)
        return direction == .bidirectional ? v : v * 2
    }
}

/// The dies inside a chip package.
public struct Dies: Sendable, Equatable {
    /// Compute dies (chiplets) in the package; 1 for a monolithic chip.
    public var computeDies: SpecValue
    /// IO or base dies (MI300X's IODs), when the package has them.
    public var ioDies: SpecValue?
    public var processNode: String?
    public var computeDieAreaMm2: SpecValue?
    public var transistorsBillion: SpecValue?
    /// Devices the software addresses in one package (absent: 1, the package is one device,
    /// as B200's two dies and MI300X's eight XCDs are by default). Ascend 910C's two dies are two
    /// NPUs: CloudMatrix-Infer's EP320 runs one data-parallel-attention rank on each of the 320
    /// dies of 160 packages. Inference counts DP-attention ranks and EP in devices.
    public var devicesPerPackage: SpecValue?

    public var computeDieCount: Int { wholeCount(computeDies.nominal, upper: 1024) }
    public var devicePerPackageCount: Int { devicesPerPackage.map { wholeCount($0.nominal, upper: 1024) } ?? 1 }

    public init(computeDies: SpecValue, ioDies: SpecValue? = nil, processNode: String? = nil, computeDieAreaMm2: SpecValue? = nil,
                transistorsBillion: SpecValue? = nil, devicesPerPackage: SpecValue? = nil) {
        self.computeDies = computeDies
        self.devicesPerPackage = devicesPerPackage
        self.ioDies = ioDies
        self.processNode = processNode
        self.computeDieAreaMm2 = computeDieAreaMm2
        self.transistorsBillion = transistorsBillion
    }
}

/// Off-chip memory.
public struct Memory: Sendable, Equatable {
    public var type: String?
    public var stacks: SpecValue?
    /// Decimal GB as marketed.
    public var capacityGB: SpecValue?
    /// Decimal GB/s, total over all stacks.
    public var bandwidthGBps: SpecValue?

    public init(type: String? = nil, stacks: SpecValue? = nil, capacityGB: SpecValue? = nil, bandwidthGBps: SpecValue? = nil) {
        self.type = type
        self.stacks = stacks
        self.capacityGB = capacityGB
        self.bandwidthGBps = bandwidthGBps
    }
}

/// On-chip memory.
public struct OnChipMemory: Sendable, Equatable {
    /// Total on-chip SRAM (shared memory, register files, scratchpads, L2), MB.
    public var sramMB: SpecValue?
    /// Last-level cache (L2 or equivalent), MB.
    public var l2CacheMB: SpecValue?
    /// Aggregate on-chip (L2/SRAM) read bandwidth, GB/s, where published or estimated.
    public var bandwidthGBps: SpecValue?

    public init(sramMB: SpecValue? = nil, l2CacheMB: SpecValue? = nil, bandwidthGBps: SpecValue? = nil) {
        self.sramMB = sramMB
        self.l2CacheMB = l2CacheMB
        self.bandwidthGBps = bandwidthGBps
    }
}

/// The die-to-die link of a multi-die package.
public struct D2DLink: Sendable, Equatable {
    public var bandwidth: LinkBandwidth
    public var latencyNs: SpecValue?

    public init(bandwidth: LinkBandwidth, latencyNs: SpecValue? = nil) {
        self.bandwidth = bandwidth
        self.latencyNs = latencyNs
    }
}

/// The scale-up network (NVLink, BLink, HCCS, Infinity Fabric, ICI, ...).
public struct ScaleUp: Sendable, Equatable {
    public var name: String
    public var links: SpecValue?
    /// Bandwidth per chip.
    public var bandwidth: LinkBandwidth
    /// Chips in the default scale-up domain (an 8-GPU board, NVL72, a TPU pod slice).
    public var domainSize: SpecValue
    /// The largest scale-up domain the vendor offers (supernode), when larger than the default.
    public var maxDomainSize: SpecValue?
    public var latencyUs: SpecValue?
    /// Bandwidth the one-sided expert-parallel all-to-all kernels reach per rank (per die on a
    /// multi-die package that runs one rank per die), GB/s: MoE dispatch and combine in decode
    /// (DeepEP-style low-latency kernels) and in prefill (normal kernels). Measured kernel
    /// figures, below the link rate when the kernel, not the link, is the limit; nil: the link.
    public var expertAllToAll: ExpertAllToAllBandwidth?

    public init(name: String, links: SpecValue? = nil, bandwidth: LinkBandwidth, domainSize: SpecValue, maxDomainSize: SpecValue? = nil, latencyUs: SpecValue? = nil,
                expertAllToAll: ExpertAllToAllBandwidth? = nil) {
        self.name = name
        self.links = links
        self.bandwidth = bandwidth
        self.domainSize = domainSize
        self.maxDomainSize = maxDomainSize
        self.latencyUs = latencyUs
        self.expertAllToAll = expertAllToAll
    }
}

/// One row of a measured kernel-rate table: `ranks` expert-parallel ranks, `gbps` per rank.
public struct ExpertParallelRate: Sendable, Equatable {
    public var ranks: Int
    public var gbps: Double
    public init(ranks: Int, gbps: Double) {
        self.ranks = ranks
        self.gbps = gbps
    }

    /// The rate at `ranks` from rows sorted by rank count: the row itself, log-linear in the
    /// rank count between two rows (the tables are measured at powers of two), the end row
    /// beyond either end (DeepEP's rows flatten at EP128-256; below its smallest row the table
    /// says nothing better). Nil for no rows.
    public static func interpolate(_ rows: [ExpertParallelRate], ranks: Int) -> Double? {
        guard let first = rows.first, let last = rows.last else { return nil }
        let r = Double(max(1, ranks))
        if ranks <= first.ranks { return first.gbps }
        if ranks >= last.ranks { return last.gbps }
        for (a, b) in zip(rows, rows.dropFirst()) where ranks <= b.ranks {
            if ranks == b.ranks { return b.gbps }
            let t = (log(r) - log(Double(a.ranks))) / (log(Double(b.ranks)) - log(Double(a.ranks)))
            return a.gbps + t * (b.gbps - a.gbps)
        }
        return last.gbps
    }
}

/// Achieved per-rank bandwidth of the expert dispatch/combine kernels on a scale-up fabric
/// (`scaleUp.expertAllToAll`) or across domains (`scaleOut.expertAllToAll`), GB/s each way;
/// any member may be absent.
public struct ExpertAllToAllBandwidth: Sendable, Equatable {
    public var decodeDispatchGBps: SpecValue?
    public var decodeCombineGBps: SpecValue?
    public var prefillDispatchGBps: SpecValue?
    public var prefillCombineGBps: SpecValue?
    /// The measured rate by expert-parallel size (`<key>ByExpertParallel`: EP ranks -> GB/s,
    /// the same source as `<key>`), keyed by the member name; empty when the spec gives one
    /// figure. The kernel rate falls with EP (DeepEP low-latency dispatch 98 GB/s at EP8, 39 at
    /// EP128), which one figure cannot say.
    public var byExpertParallel: [String: [ExpertParallelRate]] = [:]

    public init(decodeDispatchGBps: SpecValue? = nil, decodeCombineGBps: SpecValue? = nil,
                prefillDispatchGBps: SpecValue? = nil, prefillCombineGBps: SpecValue? = nil) {
        self.decodeDispatchGBps = decodeDispatchGBps
        self.decodeCombineGBps = decodeCombineGBps
        self.prefillDispatchGBps = prefillDispatchGBps
        self.prefillCombineGBps = prefillCombineGBps
    }

    public static let memberKeys = ["decodeDispatchGBps", "decodeCombineGBps", "prefillDispatchGBps", "prefillCombineGBps"]

    /// The member named `key` (one of `memberKeys`).
    public func value(_ key: String) -> SpecValue? {
        switch key {
        case "decodeDispatchGBps": return decodeDispatchGBps
        case "decodeCombineGBps": return decodeCombineGBps
        case "prefillDispatchGBps": return prefillDispatchGBps
        case "prefillCombineGBps": return prefillCombineGBps
        default: return nil
        }
    }

    /// The present members as (key path, value), keys prefixed with `prefix`.
    func specValues(prefix: String) -> [(String, SpecValue)] {
        var out: [(String, SpecValue)] = []
        if let v = decodeDispatchGBps { out.append((prefix + "decodeDispatchGBps", v)) }
        if let v = decodeCombineGBps { out.append((prefix + "decodeCombineGBps", v)) }
        if let v = prefillDispatchGBps { out.append((prefix + "prefillDispatchGBps", v)) }
        if let v = prefillCombineGBps { out.append((prefix + "prefillCombineGBps", v)) }
        return out
    }
}

/// The scale-out network (InfiniBand, RoCE, optical).
public struct ScaleOut: Sendable, Equatable {
    public var name: String?
    /// NIC bandwidth per chip.
    public var nicBandwidth: LinkBandwidth
    public var latencyUs: SpecValue?
    /// Bandwidth the expert-parallel all-to-all kernels reach per rank across scale-up domains
    /// (RDMA through this NIC), GB/s, as `ScaleUp.expertAllToAll` inside a domain: measured
    /// kernel figures; nil: the NIC at the family's sustained fraction.
    public var expertAllToAll: ExpertAllToAllBandwidth?

    public init(name: String? = nil, nicBandwidth: LinkBandwidth, latencyUs: SpecValue? = nil,
                expertAllToAll: ExpertAllToAllBandwidth? = nil) {
        self.name = name
        self.nicBandwidth = nicBandwidth
        self.latencyUs = latencyUs
        self.expertAllToAll = expertAllToAll
    }
}

/// A chip: a package of dies with its compute, memory and interconnect, every number sourced.
public struct Chip: Sendable, Equatable {
    public var id: String
    public var name: String
    public var vendor: String
    /// The calibration family whose efficiency constants apply (`nvidia-ampere`, `biren-br1`).
    public var family: String
    public var status: ChipStatus
    public var year: SpecValue
    /// Market segment (spec key `segment`, default data center): a vendor's roadmap compares
    /// each part with the latest earlier part of the same segment.
    public var segment: ChipSegment = .datacenter
    public var formFactors: [String]
    public var dies: Dies
    /// Dense peaks, TFLOPS (or TOPS for integer formats), per format.
    public var densePeaks: [NumberFormat: SpecValue]
    /// Sparse (2:4 structured) peaks, kept apart from dense and never used by the estimators.
    public var sparsePeaks: [NumberFormat: SpecValue]
    /// FP64 and FP32 matrix-unit (tensor core) peaks where the vendor states them apart from
    /// the vector-unit figure in `densePeaks`.
    public var matrixPeaks: [NumberFormat: SpecValue]
    public var onChip: OnChipMemory
    public var memory: Memory
    public var d2d: D2DLink?
    public var scaleUp: ScaleUp?
    public var scaleOut: ScaleOut?
    public var tdpW: SpecValue?
    public var sources: [String: SourceRef]
    public var notes: [String]
    /// Compute units a kernel's tiles are spread over (SMs, CUs, AI cores, TensorCores,
    /// NeuronCores; spec key `computeUnits`), for wave/tile quantization.
    public var computeUnits: SpecValue? = nil
    /// What `computeUnits` counts (`SM`, `CU`, `AI core (cube)`, ...; spec key `computeUnitKind`).
    public var computeUnitKind: String? = nil
    /// Boost (maximum) clock of the compute units, MHz (spec key `boostClockMHz`).
    public var boostClockMHz: SpecValue? = nil
    /// The chip id this part is a SKU variant of (same silicon; another form factor, power,
    /// bin or links: BR106C of BR106M, A800 of A100). A vendor roadmap lists the base part only.
    public var variantOf: String? = nil

    /// Formats with a dense peak, narrowest last.
    public var supportedFormats: [NumberFormat] {
        NumberFormat.allCases.filter { densePeaks[$0] != nil || matrixPeaks[$0] != nil }
    }

    /// Dense peak for matrix work in a format: the matrix-unit figure where stated, else the
    /// plain dense figure.
    public func matmulPeak(_ format: NumberFormat) -> SpecValue? {
        matrixPeaks[format] ?? densePeaks[format]
    }

    /// True when any value the estimators use is estimated or has a range.
    public var hasRanges: Bool { allSpecValues.contains { $0.1.hasRange } }

    /// Every spec value with its key path, in spec-file order.
    public var allSpecValues: [(String, SpecValue)] {
        var out: [(String, SpecValue)] = [("year", year)]
        out.append(("dies.computeDies", dies.computeDies))
        if let v = dies.ioDies { out.append(("dies.ioDies", v)) }
        if let v = dies.devicesPerPackage { out.append(("dies.devicesPerPackage", v)) }
        if let v = dies.computeDieAreaMm2 { out.append(("dies.computeDieAreaMm2", v)) }
        if let v = dies.transistorsBillion { out.append(("dies.transistorsBillion", v)) }
        if let v = computeUnits { out.append(("computeUnits", v)) }
        if let v = boostClockMHz { out.append(("boostClockMHz", v)) }
        for f in NumberFormat.allCases {
            if let v = densePeaks[f] { out.append((f.denseKey, v)) }
            if let v = matrixPeaks[f] { out.append((f.rawValue + "MatrixDenseTflops", v)) }
            if let v = sparsePeaks[f] { out.append((f.sparseKey, v)) }
        }
        if let v = onChip.sramMB { out.append(("onChip.sramMB", v)) }
        if let v = onChip.l2CacheMB { out.append(("onChip.l2CacheMB", v)) }
        if let v = onChip.bandwidthGBps { out.append(("onChip.bandwidthGBps", v)) }
        if let v = memory.stacks { out.append(("memory.stacks", v)) }
        if let v = memory.capacityGB { out.append(("memory.capacityGB", v)) }
        if let v = memory.bandwidthGBps { out.append(("memory.bandwidthGBps", v)) }
        if let d = d2d {
            out.append(("d2d.bandwidthGBps", d.bandwidth.stated))
            if let v = d.latencyNs { out.append(("d2d.latencyNs", v)) }
        }
        if let s = scaleUp {
            if let v = s.links { out.append(("scaleUp.links", v)) }
            out.append(("scaleUp.bandwidthGBps", s.bandwidth.stated))
            out.append(("scaleUp.domainSize", s.domainSize))
            if let v = s.maxDomainSize { out.append(("scaleUp.maxDomainSize", v)) }
            if let v = s.latencyUs { out.append(("scaleUp.latencyUs", v)) }
            if let e = s.expertAllToAll { out += e.specValues(prefix: "scaleUp.expertAllToAll.") }
        }
        if let s = scaleOut {
            out.append(("scaleOut.nicBandwidthGBps", s.nicBandwidth.stated))
            if let v = s.latencyUs { out.append(("scaleOut.latencyUs", v)) }
            if let e = s.expertAllToAll { out += e.specValues(prefix: "scaleOut.expertAllToAll.") }
        }
        if let v = tdpW { out.append(("tdpW", v)) }
        return out
    }

    public init(id: String, name: String, vendor: String, family: String, status: ChipStatus, year: SpecValue, segment: ChipSegment = .datacenter, formFactors: [String], dies: Dies, densePeaks: [NumberFormat: SpecValue], sparsePeaks: [NumberFormat: SpecValue], matrixPeaks: [NumberFormat: SpecValue], onChip: OnChipMemory, memory: Memory, d2d: D2DLink? = nil, scaleUp: ScaleUp? = nil, scaleOut: ScaleOut? = nil, tdpW: SpecValue? = nil, sources: [String: SourceRef], notes: [String]) {
        self.id = id
        self.name = name
        self.vendor = vendor
        self.family = family
        self.status = status
        self.year = year
        self.segment = segment
        self.formFactors = formFactors
        self.dies = dies
        self.densePeaks = densePeaks
        self.sparsePeaks = sparsePeaks
        self.matrixPeaks = matrixPeaks
        self.onChip = onChip
        self.memory = memory
        self.d2d = d2d
        self.scaleUp = scaleUp
        self.scaleOut = scaleOut
        self.tdpW = tdpW
        self.sources = sources
        self.notes = notes
    }
}
