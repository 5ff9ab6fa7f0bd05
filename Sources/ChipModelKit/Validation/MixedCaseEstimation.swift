// Training cases on mixed clusters (case format v2 `system.groups`, Benchmarks/CASES.md).

/// One group of a mixed-cluster case: `{ "chip": ID, "count": N, "scaleUpDomain": M }`.
public struct CaseGroup: Sendable, Equatable {
    public var chip: String
    public var count: Int
    public var scaleUpDomain: Int?

    /// `system.groups`: a non-empty array of groups; problems go to the log with their key path.
    static func decode(_ s: ObjectReader, log: ProblemLog) -> [CaseGroup]? {
        guard let items = s.array("groups", required: true) else { return nil }
        if items.isEmpty { log.add(s.keyPath("groups"), "needs at least one group") }
        var out: [CaseGroup] = []
        for (i, item) in items.enumerated() {
            guard let g = ObjectReader(item, path: s.keyPath("groups") + "[\(i)]", log: log) else { continue }
            let chip = g.string("chip", required: true)
            let count = g.integer("count", required: true, range: 1...10_000_000)
            let domain = g.integer("scaleUpDomain", range: 1...10_000_000)
            g.finish()
            if let chip, let count { out.append(CaseGroup(chip: chip, count: count, scaleUpDomain: domain)) }
        }
        return out.count == items.count && !items.isEmpty ? out : nil
    }

    /// `system.interGroup`: `{ "bandwidthGBps": per chip per direction, "latencyUs": ...,
    /// "transport": "device-direct" | "host-staged" }`, every key optional.
    static func decodeFabric(_ s: ObjectReader) -> InterGroupFabric? {
        guard let f = s.object("interGroup") else { return nil }
        let bw = f.number("bandwidthGBps", positive: true)
        let lat = f.number("latencyUs", nonNegative: true)
        let transport = f.choice("transport", from: InterGroupTransport.allCases.map(\.rawValue)).flatMap(InterGroupTransport.init(rawValue:))
        f.finish()
        return InterGroupFabric(bandwidthGBps: bw, latencyUs: lat, transport: transport ?? .deviceDirect)
    }
}

/// Estimates a training case on a mixed cluster with `MixedTrainingEstimator` (the case's
/// plan fields fix TP, CP, SP, recompute, ZeRO or the microbatch for every group).
enum MixedCaseEstimation {
    static func estimate(_ c: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate {
        guard let groups = c.groups else { throw MixedInfeasibleError(message: "not a mixed-cluster case") }
        let model = try c.resolveModel(in: zoo)
        guard model.isDecoder else {
            throw MixedInfeasibleError(message: "the training estimator models decoder transformers; \(model.name) is \(model.architecture.rawValue)")
        }
        guard let s = c.sequenceLength, let b = c.globalBatch else {
            throw MixedInfeasibleError(message: "a training case needs sequenceLength and globalBatch")
        }
        let w = TrainingWorkload(model: model, sequenceLength: s, globalBatch: b, precision: c.precision)
        let specs = try groups.map { MixedGroupSpec(chip: try catalog.chip($0.chip), count: $0.count, scaleUpDomain: $0.scaleUpDomain) }
        let e = try MixedTrainingEstimator.estimate(groups: specs, fabric: c.interGroup ?? InterGroupFabric(), workload: w,
                                                    constraints: c.plan)
        let value: Double
        switch c.metric {
        case .stepTimeSeconds: value = e.stepSeconds
        case .tokensPerSecondPerChip: value = e.tokensPerSecond / Double(max(1, c.chipCount))
        default: throw MixedInfeasibleError(message: "metric \(c.metric.rawValue) is not a training metric")
        }
        let plan: [(String, JSONValue)] = [
            ("mode", .string(e.mode.rawValue)),
            ("groups", .array(e.groups.map { g in
                .object([("chip", .string(g.chipID)), ("chipsUsed", .number(Double(g.chipsUsed))), ("layers", .number(Double(g.layers))),
                         ("stages", .number(Double(g.stages))), ("tp", .number(Double(g.tp))), ("cp", .number(Double(g.cp))),
                         ("dp", .number(Double(g.dp))), ("microBatch", .number(Double(g.microBatch))),
                         ("recompute", .string(g.recompute.rawValue)), ("zeroStage", .number(Double(g.zeroStage)))])
            })),
        ]
        return CaseEstimate(value: value, plan: plan, explanation: MixedTrainingEstimator.explain(e),
                            usesEstimatedSpecs: specs.contains { ChipParameters(chip: $0.chip).usesEstimates })
    }
}
