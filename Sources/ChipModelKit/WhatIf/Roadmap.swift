import Foundation

/// A standard workload the roadmap reports for every part: a throughput (higher is better)
/// computed from a chip's parameters at one corner.
///
/// The closure takes `ChipParameters` (not `Chip`) because the attribution evaluates hybrid
/// chips (part i with some of part i+1's specs) that exist only as parameters.
public struct RoadmapWorkload: Sendable {
    /// Column name (`training`, `inference`).
    public var name: String
    /// Unit of the throughput (`training tokens/s`).
    public var unit: String
    /// What it measures, printed under the table.
    public var label: String
    public var evaluate: @Sendable (ChipParameters) throws -> Double
    /// A caveat about a chip's result (a spec the workload needs is missing and was assumed), or nil.
    public var caveat: @Sendable (Chip) -> String?
    /// The estimator's cross-validated error on this throughput for a chip (`ModelErrorBand`),
    /// or nil when the workload has none (the roofline fallback).
    public var modelError: @Sendable (Chip) -> ModelErrorBand? = { _ in nil }
    /// Optional faster metric for one attribution step from `from` to `to` (nil: `evaluate`):
    /// returns the function evaluated on the step's hybrid chips. It must give `evaluate`'s
    /// values at the two endpoints so the step shares sum to the whole change.
    public var attribution: (@Sendable (_ from: ChipParameters, _ to: ChipParameters) throws -> @Sendable (ChipParameters) throws -> Double)? = nil

    public init(name: String, unit: String, label: String, caveat: @escaping @Sendable (Chip) -> String? = { _ in nil },
                evaluate: @escaping @Sendable (ChipParameters) throws -> Double) {
        self.name = name
        self.unit = unit
        self.label = label
        self.caveat = caveat
        self.evaluate = evaluate
    }

    /// The roofline fallback workloads: Llama-3-70B layer, training at batch 8 x 4096 in BF16
    /// and decode at batch 32, context 4096, in FP8 where the chip has it (else BF16, FP16).
    public static func rooflineDefaults(model: ModelSpec) -> [RoadmapWorkload] {
        let train = RooflineLayerWorkload(model: model, mode: .training, batch: 8, seq: 4096, format: .bf16, emulate: true)
        let infer = RooflineLayerWorkload(model: model, mode: .inference, batch: 32, seq: 4096, format: .fp8)
        return [
            RoadmapWorkload(name: "training", unit: "training tokens/s (roofline layer)", label: train.label,
                            caveat: RooflineLayerWorkload.caveat) { p in
                try train.evaluate(p).tokensPerSecond
            },
            RoadmapWorkload(name: "inference", unit: "decode tokens/s (roofline layer)",
                            label: infer.label.replacingOccurrences(of: ", fp8;", with: ", fp8 where the chip has it, else bf16/fp16;"),
                            caveat: RooflineLayerWorkload.caveat) { p in
                var w = infer
                w.format = [NumberFormat.fp8, .bf16, .fp16].first { p.matmulTflops[$0] != nil } ?? .bf16
                w.emulate = true
                return try w.evaluate(p).tokensPerSecond
            },
        ]
    }
}

/// One step of a roadmap attribution: one group of specs changed from part i's value to
/// part i+1's, and what the metric did.
public struct AttributionStep: Sendable, Equatable {
    /// `compute peaks`, `memory bandwidth`, ...
    public var spec: String
    /// Metric after this change (and all earlier ones).
    public var metricAfter: Double
    /// Change of the metric caused by this step.
    public var delta: Double
    /// `delta` over the whole gain from part i to part i+1 (nil when the gain is ~0).
    public var share: Double?
    /// Set when the group is absent from one part's spec (`missing in br20x`): the change is
    /// then an artefact of missing data, not of a design change.
    public var note: String? = nil
}

/// The attribution of one workload's gain from a part to its successor.
public struct Attribution: Sendable, Equatable {
    public var workload: String
    public var from: String
    public var to: String
    public var fromValue: Double
    public var toValue: Double
    public var steps: [AttributionStep]
    public var gainRatio: Double { fromValue > 0 ? toValue / fromValue : .nan }
}

/// Attribution of a metric's change between two chips, one spec group at a time.
///
/// Starting from part i's parameters, the spec groups of `Attribution.order` are switched to
/// part i+1's values one after another, in that fixed order, and the metric is measured after
/// each switch; a group's share is its change over the total change. The order matters when
/// specs interact (a compute gain counts only once memory stops binding), which is why it is
/// fixed and documented: compute peaks first (what a new generation leads with), then memory
/// bandwidth and capacity, on-chip memory, die count, D2D, scale-up, scale-out, and last the
/// efficiency family (calibration constants). Shares sum to 1 by construction; groups whose
/// values did not change are left out.
public enum RoadmapAttribution {
    /// Spec groups in attribution order, each a name and how to copy it between parameters.
    public static let order: [(String, @Sendable (inout ChipParameters, ChipParameters) -> Void)] = [
        ("compute peaks", { $0.matmulTflops = $1.matmulTflops; $0.vectorTflops = $1.vectorTflops }),
        ("memory bandwidth", { $0.memoryBandwidthGBps = $1.memoryBandwidthGBps }),
        ("memory capacity", { $0.memoryCapacityGB = $1.memoryCapacityGB }),
        ("on-chip memory", { $0.sramMB = $1.sramMB; $0.l2CacheMB = $1.l2CacheMB; $0.sramBandwidthGBps = $1.sramBandwidthGBps }),
        ("compute dies", { $0.computeDies = $1.computeDies }),
        ("d2d link", { $0.d2dPerDirectionGBps = $1.d2dPerDirectionGBps; $0.d2dLatencyNs = $1.d2dLatencyNs }),
        ("scale-up", {
            $0.scaleUpPerDirectionGBps = $1.scaleUpPerDirectionGBps; $0.scaleUpDomainSize = $1.scaleUpDomainSize
            $0.scaleUpLatencyUs = $1.scaleUpLatencyUs
        }),
        ("scale-out", { $0.scaleOutPerDirectionGBps = $1.scaleOutPerDirectionGBps; $0.scaleOutLatencyUs = $1.scaleOutLatencyUs }),
        ("efficiency family", { $0.family = $1.family }),
    ]

    /// Whether a part's spec states each group (by name); a group stated on one side only is
    /// flagged in the attribution.
    static func stated(_ group: String, _ p: ChipParameters) -> Bool {
        switch group {
        case "compute peaks": return !p.matmulTflops.isEmpty
        case "memory bandwidth": return p.memoryBandwidthGBps != nil
        case "memory capacity": return p.memoryCapacityGB != nil
        case "on-chip memory": return p.sramMB != nil || p.l2CacheMB != nil
        case "d2d link": return p.computeDies <= 1 || p.d2dPerDirectionGBps != nil
        case "scale-up": return p.scaleUpPerDirectionGBps != nil
        case "scale-out": return p.scaleOutPerDirectionGBps != nil
        default: return true
        }
    }

    /// Attributes `metric(to) - metric(from)` to the spec groups, at the nominal corner.
    public static func attribute(workload: String, from a: ChipParameters, to b: ChipParameters,
                                 metric: (ChipParameters) throws -> Double) throws -> Attribution {
        let start = try metric(a)
        let end = try metric(b)
        let total = end - start
        var cur = a
        var prev = start
        var steps: [AttributionStep] = []
        for (name, copy) in order {
            var next = cur
            copy(&next, b)
            if next == cur { continue }
            let v = try metric(next)
            let d = v - prev
            var step = AttributionStep(spec: name, metricAfter: v, delta: d, share: nil)
            let (sa, sb) = (stated(name, a), stated(name, b))
            if sa != sb { step.note = "missing in \(sa ? b.id : a.id)" }
            steps.append(step)
            cur = next
            prev = v
        }
        // Anything the groups do not cover (nothing today) shows up as a residual.
        if abs(end - prev) > 1e-9 * max(abs(end), 1) {
            steps.append(AttributionStep(spec: "other", metricAfter: end, delta: end - prev, share: nil))
        }
        if abs(total) > 1e-9 * max(abs(start), abs(end), 1e-300) {
            for i in steps.indices { steps[i].share = steps[i].delta / total }
        }
        return Attribution(workload: workload, from: a.id, to: b.id, fromValue: start, toValue: end, steps: steps)
    }
}

/// One part on a vendor's roadmap.
public struct RoadmapEntry: Sendable {
    public var chip: Chip
    /// The part this one is compared with (nil for the first).
    public var predecessor: String?
    /// Per workload: ranged throughput, or the reason it could not be estimated.
    public var throughput: [(workload: String, value: Result<RangedValue, RoadmapEstimateError>)]
    public var attributions: [Attribution]
}

/// Why a roadmap estimate is missing.
public struct RoadmapEstimateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A vendor's parts in order with standard-workload throughput and step attributions.
public struct Roadmap: Sendable {
    public var vendor: String
    public var workloads: [String]
    public var entries: [RoadmapEntry]

    /// Vendors in the catalog (as spelled in the specs), sorted.
    public static func vendors(in catalog: ChipCatalog) -> [String] {
        Array(Set(catalog.chips.map(\.vendor))).sorted()
    }

    /// The vendor's chips in roadmap order: data-center parts first, then edge parts (spec key
    /// `segment`), each segment by year (nominal), then status (shipping, announced, roadmap),
    /// then id (vendors number parts upward within a generation: BR106 before BR166).
    public static func parts(vendor: String, in catalog: ChipCatalog) throws(UnknownIDError) -> [Chip] {
        let key = vendor.lowercased()
        // SKU variants (spec key `variantOf`: same silicon, another form factor or power) are
        // not roadmap steps; `--parts` can still name them.
        let all = catalog.chips.filter { $0.vendor.lowercased() == key }
        let chips = all.filter { $0.variantOf == nil }
        guard !chips.isEmpty else {
            let vendors = vendors(in: catalog)
            throw UnknownIDError(kind: "vendor", id: vendor, suggestions: nearestNames(to: key, in: vendors.map { $0.lowercased() }))
        }
        let statusRank: [ChipStatus: Int] = [.shipping: 0, .announced: 1, .roadmap: 2]
        let segmentRank: [ChipSegment: Int] = [.datacenter: 0, .edge: 1]
        return chips.sorted { a, b in
            if a.segment != b.segment { return (segmentRank[a.segment] ?? 0) < (segmentRank[b.segment] ?? 0) }
            if a.year.nominal != b.year.nominal { return a.year.nominal < b.year.nominal }
            if a.status != b.status { return (statusRank[a.status] ?? 0) < (statusRank[b.status] ?? 0) }
            return a.id < b.id
        }
    }

    /// Predecessors: each part is compared with the latest part before it in `parts` of the
    /// same segment (data center or edge) and an earlier year, preferring among the parts of
    /// that year the latest one with no more compute dies than this part (so a single-die part
    /// follows the previous single-die part: BR104 -> BR106, not the two-die BR100). Parts of
    /// one segment and year share one predecessor; an edge card is never a step of the
    /// data-center line and the other way round. The first part of a segment has none.
    public static func predecessors(_ parts: [Chip]) -> [Int?] {
        var out: [Int?] = []
        for (i, c) in parts.enumerated() {
            var pred: Int?
            for j in stride(from: i - 1, through: 0, by: -1) {
                let p = parts[j]
                if p.segment == c.segment, p.year.nominal < c.year.nominal { pred = j; break }
            }
            if let j = pred {
                // Among the parts of the predecessor's year, the latest with no more dies.
                let year = parts[j].year.nominal
                let sameYear = (0...j).filter { parts[$0].segment == c.segment && parts[$0].year.nominal == year }
                if let k = sameYear.last(where: { parts[$0].dies.computeDieCount <= c.dies.computeDieCount }) { pred = k }
            }
            out.append(pred)
        }
        return out
    }

    /// Builds the roadmap: throughput with corner ranges per workload, and per step the
    /// attribution of each workload's nominal gain. `partDone` is called after each part (progress).
    public static func build(vendor: String, catalog: ChipCatalog, workloads: [RoadmapWorkload], only: [String]? = nil,
                             partDone: () -> Void = {}) throws -> Roadmap {
        var parts = try parts(vendor: vendor, in: catalog)
        let everyPart = catalog.chips.filter { $0.vendor.lowercased() == vendor.lowercased() }
        if let only {
            // The user's own selection and order (e.g. one product line: br106,br166,br20x).
            var chosen: [Chip] = []
            for id in only {
                guard let c = everyPart.first(where: { $0.id == id.lowercased() }) else {
                    throw UnknownIDError(kind: "\(parts.first?.vendor ?? vendor) part", id: id, suggestions: nearestNames(to: id.lowercased(), in: everyPart.map(\.id)))
                }
                chosen.append(c)
            }
            parts = chosen
        }
        let preds = predecessors(parts)
        var entries: [RoadmapEntry] = []
        for (i, chip) in parts.enumerated() {
            var throughput: [(workload: String, value: Result<RangedValue, RoadmapEstimateError>)] = []
            for w in workloads {
                do {
                    let r = try evaluateWithRanges(chip) { try w.evaluate($0) }
                    throughput.append((w.name, .success(r)))
                } catch {
                    throughput.append((w.name, .failure(RoadmapEstimateError(message: "\(error)"))))
                }
            }
            var attributions: [Attribution] = []
            if let pi = preds[i] {
                let a = ChipParameters(chip: parts[pi]), b = ChipParameters(chip: chip)
                for w in workloads {
                    let metric: @Sendable (ChipParameters) throws -> Double
                    if let prepare = w.attribution {
                        guard let m = try? prepare(a, b) else { continue }
                        metric = m
                    } else {
                        metric = w.evaluate
                    }
                    if let at = try? RoadmapAttribution.attribute(workload: w.name, from: a, to: b, metric: metric) {
                        attributions.append(at)
                    }
                }
            }
            entries.append(RoadmapEntry(chip: chip, predecessor: preds[i].map { parts[$0].id }, throughput: throughput,
                                        attributions: attributions))
            partDone()
        }
        return Roadmap(vendor: parts.first?.vendor ?? vendor, workloads: workloads.map(\.name), entries: entries)
    }
}
