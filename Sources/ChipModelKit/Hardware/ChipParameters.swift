/// A chip flattened to plain numbers at one corner of its spec ranges: what the estimators
/// compute with. Absent spec values stay `nil`; an estimator that needs one reports
/// `MissingSpecError` naming the key.
public struct ChipParameters: Sendable, Equatable {
    public var id: String
    public var family: String
    public var corner: Corner
    /// Dense matrix-unit peak per format, TFLOPS (TOPS for integer formats).
    public var matmulTflops: [NumberFormat: Double]
    /// Dense vector-unit peak per format where stated (FP32/FP64 apart from the matrix unit).
    public var vectorTflops: [NumberFormat: Double]
    public var memoryBandwidthGBps: Double?
    /// Off-chip memory capacity in decimal GB (10^9 bytes): the spec's marketed figure
    /// converted with `bytesPerMarketedGB`.
    public var memoryCapacityGB: Double?
    public var sramMB: Double?
    public var l2CacheMB: Double?
    /// On-chip (L2/SRAM) bandwidth, GB/s, when known.
    public var sramBandwidthGBps: Double?
    public var computeDies: Int
    /// Devices software addresses in the package (`dies.devicesPerPackage`, default 1): the
    /// data-parallel-attention ranks one chip runs.
    public var devicesPerPackage: Int
    /// Die-to-die bandwidth each way, GB/s (nil for a monolithic chip).
    public var d2dPerDirectionGBps: Double?
    public var d2dLatencyNs: Double?
    /// Scale-up bandwidth per chip each way, GB/s.
    public var scaleUpPerDirectionGBps: Double?
    public var scaleUpDomainSize: Int
    public var scaleUpLatencyUs: Double?
    /// Per-rank bandwidth the expert dispatch/combine kernels reach on the scale-up fabric,
    /// GB/s each way (`scaleUp.expertAllToAll`; per die on a multi-die package), nil when unknown.
    public var expertDecodeDispatchGBps: Double?
    public var expertDecodeCombineGBps: Double?
    public var expertPrefillDispatchGBps: Double?
    public var expertPrefillCombineGBps: Double?
    /// The same measured per-rank kernel bandwidths across scale-up domains, over the NIC
    /// (`scaleOut.expertAllToAll`), GB/s each way, nil when unknown.
    public var expertScaleOutDecodeDispatchGBps: Double?
    public var expertScaleOutDecodeCombineGBps: Double?
    public var expertScaleOutPrefillDispatchGBps: Double?
    public var expertScaleOutPrefillCombineGBps: Double?
    /// Measured kernel rates by expert-parallel size (`<key>ByExpertParallel`), keyed
    /// "scaleUp.<key>" / "scaleOut.<key>", at this corner: each row x (the key's corner value /
    /// its nominal), so the table gives the shape over EP and the key its level and range.
    public var expertKernelRates: [String: [ExpertParallelRate]] = [:]
    /// Scale-out NIC bandwidth per chip each way, GB/s.
    public var scaleOutPerDirectionGBps: Double?
    public var scaleOutLatencyUs: Double?
    public var tdpW: Double?
    /// The units a kernel's tiles spread over (SMs, CUs, AI cores; `computeUnits`), nil when unknown.
    public var computeUnits: Double?
    /// True when any value came from an estimate or a range (results must say so).
    public var usesEstimates: Bool

    /// Bytes in one marketed gigabyte of DRAM capacity. DRAM dies hold 2^n bits, so a capacity
    /// marketed in "GB" (H100 80 GB HBM3: 5 stacks x 16 GiB) is binary: 2^30 bytes per GB
    /// (nvidia-smi shows 81,559 MiB = 85.5e9 bytes on an H100 80GB; Google states TPU
    /// capacities in GiB outright). Specs record the marketed number (`memory.capacityGB`).
    public static let bytesPerMarketedGB = 1_073_741_824.0

    public init(chip: Chip, corner: Corner = .nominal) {
        id = chip.id
        family = chip.family
        self.corner = corner
        var mm: [NumberFormat: Double] = [:]
        var vec: [NumberFormat: Double] = [:]
        for f in NumberFormat.allCases {
            if let v = chip.matmulPeak(f) { mm[f] = v.value(at: corner) }
            if let v = chip.densePeaks[f] { vec[f] = v.value(at: corner) }
        }
        matmulTflops = mm
        vectorTflops = vec
        memoryBandwidthGBps = chip.memory.bandwidthGBps?.value(at: corner)
        memoryCapacityGB = chip.memory.capacityGB.map { $0.value(at: corner) * ChipParameters.bytesPerMarketedGB / 1e9 }
        sramMB = chip.onChip.sramMB?.value(at: corner)
        l2CacheMB = chip.onChip.l2CacheMB?.value(at: corner)
        sramBandwidthGBps = chip.onChip.bandwidthGBps?.value(at: corner)
        computeDies = chip.dies.computeDieCount
        devicesPerPackage = chip.dies.devicePerPackageCount
        d2dPerDirectionGBps = chip.d2d.map { $0.bandwidth.perDirectionGBps(at: corner) }
        d2dLatencyNs = chip.d2d?.latencyNs?.value(at: corner, higherIsBetter: false)
        scaleUpPerDirectionGBps = chip.scaleUp.map { $0.bandwidth.perDirectionGBps(at: corner) }
        scaleUpDomainSize = wholeCount(chip.scaleUp?.domainSize.nominal ?? 1, upper: 1 << 30)
        scaleUpLatencyUs = chip.scaleUp?.latencyUs?.value(at: corner, higherIsBetter: false)
        let expert = chip.scaleUp?.expertAllToAll
        expertDecodeDispatchGBps = expert?.decodeDispatchGBps?.value(at: corner)
        expertDecodeCombineGBps = expert?.decodeCombineGBps?.value(at: corner)
        expertPrefillDispatchGBps = expert?.prefillDispatchGBps?.value(at: corner)
        expertPrefillCombineGBps = expert?.prefillCombineGBps?.value(at: corner)
        let expertOut = chip.scaleOut?.expertAllToAll
        expertScaleOutDecodeDispatchGBps = expertOut?.decodeDispatchGBps?.value(at: corner)
        expertScaleOutDecodeCombineGBps = expertOut?.decodeCombineGBps?.value(at: corner)
        expertScaleOutPrefillDispatchGBps = expertOut?.prefillDispatchGBps?.value(at: corner)
        expertScaleOutPrefillCombineGBps = expertOut?.prefillCombineGBps?.value(at: corner)
        for (tier, e) in [("scaleUp", expert), ("scaleOut", expertOut)] {
            guard let e else { continue }
            for (key, rows) in e.byExpertParallel where !rows.isEmpty {
                guard let v = e.value(key), v.nominal > 0 else { continue }
                let k = v.value(at: corner) / v.nominal
                expertKernelRates[tier + "." + key] = rows.map { ExpertParallelRate(ranks: $0.ranks, gbps: $0.gbps * k) }
            }
        }
        scaleOutPerDirectionGBps = chip.scaleOut.map { $0.nicBandwidth.perDirectionGBps(at: corner) }
        scaleOutLatencyUs = chip.scaleOut?.latencyUs?.value(at: corner, higherIsBetter: false)
        tdpW = chip.tdpW?.value(at: corner, higherIsBetter: false)
        computeUnits = chip.computeUnits?.nominal
        usesEstimates = chip.allSpecValues.contains { $0.1.confidence == .estimated || $0.1.hasRange }
    }

    /// The measured expert-kernel rate of `key` ("scaleUp.decodeDispatchGBps", ...) at
    /// `ranks` expert-parallel ranks: the spec's table by EP where it has one (interpolated,
    /// `ExpertParallelRate.interpolate`), else its single figure (nil when it has none).
    public func expertKernelGBps(_ key: String, ranks: Int) -> Double? {
        if let rows = expertKernelRates[key], let g = ExpertParallelRate.interpolate(rows, ranks: ranks) { return g }
        switch key {
        case "scaleUp.decodeDispatchGBps": return expertDecodeDispatchGBps
        case "scaleUp.decodeCombineGBps": return expertDecodeCombineGBps
        case "scaleUp.prefillDispatchGBps": return expertPrefillDispatchGBps
        case "scaleUp.prefillCombineGBps": return expertPrefillCombineGBps
        case "scaleOut.decodeDispatchGBps": return expertScaleOutDecodeDispatchGBps
        case "scaleOut.decodeCombineGBps": return expertScaleOutDecodeCombineGBps
        case "scaleOut.prefillDispatchGBps": return expertScaleOutPrefillDispatchGBps
        case "scaleOut.prefillCombineGBps": return expertScaleOutPrefillCombineGBps
        default: return nil
        }
    }

    /// The formats this chip computes in, for messages.
    public var formats: [NumberFormat] { NumberFormat.allCases.filter { matmulTflops[$0] != nil } }
}

/// A spec value an estimate needs is absent from the chip's spec.
public struct MissingSpecError: Error, Sendable, CustomStringConvertible {
    public var chip: String
    public var key: String
    public init(chip: String, key: String) {
        self.chip = chip
        self.key = key
    }
    public var description: String { "chip '\(chip)' has no '\(key)' in its spec; add it (with a source) or use another chip" }
}

/// A number format the chip does not compute in.
public struct UnsupportedFormatError: Error, Sendable, CustomStringConvertible {
    public var chip: String
    public var format: NumberFormat
    public var available: [NumberFormat]
    /// Whether the wider formats were tried (`--emulate`, `system.emulate`) and none was found.
    public var emulationTried = false
    public var description: String {
        let hint = emulationTried ? " (emulation found no wider format on it to run \(format.rawValue) in)"
            : format.widerFormat != nil ? " (pass --emulate to run \(format.rawValue) at the next wider format it has)" : ""
        return "chip '\(chip)' has no \(format.rawValue) peak; it supports \(available.map(\.rawValue).joined(separator: ", "))" + hint
    }
}

extension ChipParameters {
    /// The matrix peak for `format`, or with `emulate` the next wider format the chip has.
    /// Returns the format actually used.
    public func matmulPeak(_ format: NumberFormat, emulate: Bool = false) throws(UnsupportedFormatError) -> (NumberFormat, Double) {
        if let p = matmulTflops[format] { return (format, p) }
        if emulate {
            var f = format.widerFormat
            while let w = f {
                if let p = matmulTflops[w] { return (w, p) }
                f = w.widerFormat
            }
        }
        throw UnsupportedFormatError(chip: id, format: format, available: formats, emulationTried: emulate)
    }
}
