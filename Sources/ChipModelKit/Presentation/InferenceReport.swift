import Foundation

/// The serving comparison `chipmodel estimate --inference` prints: one row per chip, the
/// throughput-vs-latency sweep of one chip, JSON, and the SVG plot of all chips.
public enum InferenceReport {
    /// One end of each headline metric's range over the spec corners (`Ranges`), or null for
    /// a chip without ranged values.
    static func rangeJSON(_ o: InferenceRunResult, _ side: KeyPath<RangedValue, Double>) -> JSONValue {
        guard case let .success(r) = o.outcome, !r.cornerEstimates.isEmpty else { return .null }
        func m(_ f: @escaping (InferenceEstimate) -> Double?) -> JSONValue {
            f(r.nominal) == nil ? .null : .num(r.range { f($0) ?? .nan }[keyPath: side])
        }
        return .object([
            ("tokensPerSecond", m(\.tokensPerSecond)), ("tokensPerSecondPerChip", m(\.tokensPerSecondPerChip)),
            ("samplesPerSecond", m(\.samplesPerSecond)), ("ttftMs", m(\.ttftMs)), ("tpotMs", m(\.tpotMs)),
            ("latencyMs", m(\.latencyMs)),
        ])
    }

    static func queueJSON(_ q: ServingQueueSummary?) -> JSONValue {
        guard let q else { return .null }
        func pct(_ v: [Double]?) -> JSONValue {
            guard let v, v.count == 3 else { return .null }
            return .object([("p50", .num(v[0])), ("p90", .num(v[1])), ("p99", .num(v[2]))])
        }
        return .object([("requestsPerSecond", .num(q.requestsPerSecond)), ("bounds", .string(q.boundsLabel)),
                        ("ttftMs", pct(q.ttftMs)), ("tpotMs", pct(q.tpotMs)), ("latencyMs", pct(q.latencyMs)),
                        ("meanBatch", .num(q.meanBatch)), ("simulatedRequests", .number(Double(q.simulatedRequests)))])
    }

    static func disaggregationJSON(_ d: DisaggregationSummary?) -> JSONValue {
        guard let d else { return .null }
        return .object([("prefillChips", .number(Double(d.prefillChips))), ("decodeChips", .number(Double(d.decodeChips))),
                        ("prefillToDecodeRatio", .num(d.prefillToDecodeRatio)), ("prefillPlan", .object(d.prefillPlan.json)),
                        ("decodePlan", .object(d.decodePlan.json)), ("prefillRequestsPerSecond", .num(d.prefillRequestsPerSecond)),
                        ("decodeRequestsPerSecond", .num(d.decodeRequestsPerSecond)), ("kvBytesPerRequest", .num(d.kvBytesPerRequest)),
                        ("kvTransferExposedMs", .num(d.kvTransferExposedMs)), ("transferTier", .string(d.transferTier))])
    }

    /// The throughput range of a result (tokens/s, or samples/s for encoders and CNNs).
    public static func throughputRange(_ o: InferenceRunResult) -> RangedValue? {
        guard case let .success(r) = o.outcome, !r.cornerEstimates.isEmpty else { return nil }
        return r.range { throughput($0) }
    }

    /// The headline throughput's range with the model's own error (`InferenceEstimate.modelErrorBand`)
    /// applied to its spec range (or to the nominal value for a chip without ranged specs).
    public static func throughputWithModelError(_ o: InferenceRunResult) -> (low: Double, high: Double, band: ModelErrorBand)? {
        guard let e = o.nominal else { return nil }
        let x = throughput(e)
        guard x.isFinite else { return nil }
        let r = throughputRange(o)
        let t = e.modelErrorBand.trueRange(low: r?.low ?? x, high: r?.high ?? x)
        return (t.low, t.high, e.modelErrorBand)
    }

    /// "br20x: ranged specs; throughput low 5405 / high 13803; with model error 4045-16133 (...)",
    /// one line per chip that has an estimate.
    public static func rangeLine(_ o: InferenceRunResult) -> String? {
        guard let m = throughputWithModelError(o), let e = o.nominal else { return nil }
        let pct = { (x: Double) in (x >= 0 ? "+" : "") + formatQuantity(x * 100) + "%" }
        var line = "\(o.chipID): "
        if let r = throughputRange(o) {
            line += "ranged specs; throughput low \(formatQuantity(r.low)) / high \(formatQuantity(r.high))"
        } else {
            line += "throughput \(formatQuantity(throughput(e)))"
        }
        return line + "; with model error \(formatQuantity(m.low))-\(formatQuantity(m.high)) (model error \(pct(m.band.low))..\(pct(m.band.high)): \(m.band.basis))"
    }

    static func throughput(_ e: InferenceEstimate?) -> Double {
        guard let e else { return .nan }
        return e.tokensPerSecond ?? e.samplesPerSecond ?? .nan
    }

    static func fmt(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "-" }
        return formatQuantity(x)
    }

    public static func table(_ outcomes: [InferenceRunResult], comparison: ComparisonOptions = ComparisonOptions()) -> TextTable {
        let ratios = baselineRatios(outcomes, comparison)
        var headers = ["chip", "chips", "tp", "pp", "ep", "replicas", "batch", "attention", "precision", "tokens/s", "tokens/s/chip"]
        if let b = comparison.baselineHeader { headers.append(b) }
        var t = TextTable(headers: headers + ["samples/s", "TTFT ms", "TPOT ms", "latency ms", "GB/chip", "bound"])
        for o in outcomes {
            guard let e = o.nominal else {
                t.add([o.chipID] + Array(repeating: "-", count: headers.count + 5 - 1) + [o.failure ?? "no estimate"])
                continue
            }
            var attention = e.tokensPerSecond == nil ? "-" : (e.plan.dpAttention ? "DP" : "TP")
            if let d = e.disaggregation { attention += " P\(d.prefillChips):D\(d.decodeChips)" }
            var row = [e.chipID, "\(e.chips)", "\(e.plan.tp)", "\(e.plan.pp)", "\(e.plan.ep)", "\(e.plan.replicas)", "\(e.plan.batch)", attention,
                       comparison.formatCell(e.chipID, ran: e.weightPrecision, label: e.precisionLabel),
                       fmt(e.tokensPerSecond), fmt(e.tokensPerSecondPerChip)]
            if comparison.baselineID != nil { row.append(ratios[e.chipID]?.cell ?? "-") }
            t.add(row + [fmt(e.samplesPerSecond), fmt(e.ttftMs), fmt(e.tpotMs), fmt(e.latencyMs), fmt(e.memoryPerChipGB), e.binding])
        }
        return t
    }

    public static func sweepTable(_ e: InferenceEstimate) -> TextTable {
        let llm = e.tokensPerSecond != nil
        var t = TextTable(headers: llm ? ["batch", "tokens/s", "tokens/s/chip", "TTFT ms", "TPOT ms", "meets bounds"]
                                       : ["batch", "samples/s", "samples/s/chip", "batch latency ms", "meets bounds"])
        for r in e.sweep {
            if llm {
                t.add(["\(r.batch)", fmt(r.throughput), fmt(r.throughput / Double(e.chips)), fmt(r.ttftMs), fmt(r.tpotMs), r.meetsBounds ? "yes" : "no"])
            } else {
                t.add(["\(r.batch)", fmt(r.throughput), fmt(r.throughput / Double(e.chips)), fmt(r.latencyMs), r.meetsBounds ? "yes" : "no"])
            }
        }
        return t
    }

    public static func json(_ outcomes: [InferenceRunResult], model: ModelSpec, scenario: InferenceScenario, chips: Int,
                            energy: [String: Result<ServingEnergyEstimate, PowerInputError>] = [:],
                            comparison: ComparisonOptions = ComparisonOptions(), system: JSONValue? = nil) -> JSONValue {
        let ratios = baselineRatios(outcomes, comparison)
        var items: [JSONValue] = []
        for o in outcomes {
            guard let e = o.nominal else {
                var members: [(String, JSONValue)] = [("chip", .string(o.chipID)), ("chips", .number(Double(chips))), ("model", .string(model.id)),
                                                      ("scenario", .string(scenario.rawValue)), ("plan", .null)]
                for key in ["tokensPerSecond", "tokensPerSecondPerChip", "samplesPerSecond", "ttftMs", "tpotMs", "latencyMs", "memoryPerChipGB",
                            "modelErrorBand", "throughputWithModelError"] {
                    members.append((key, .null))
                }
                members.append(("error", .str(o.failure)))
                items.append(.object(members))
                continue
            }
            let plan = JSONValue.object(e.plan.json)
            let mem = JSONValue.object([
                ("weightsGB", .num(e.memory.weightsBytes / 1e9)), ("kvCacheGB", .num(e.memory.kvUsedBytes / 1e9)),
                ("workspaceGB", .num(e.memory.workspaceBytes / 1e9)), ("capacityGB", .num(e.memory.capacityBytes / 1e9)),
            ])
            let sweep = JSONValue.array(e.sweep.map { r in
                .object([("batch", .number(Double(r.batch))), ("throughput", .num(r.throughput)), ("ttftMs", .num(r.ttftMs)),
                         ("tpotMs", .num(r.tpotMs)), ("latencyMs", .num(r.latencyMs)), ("meetsBounds", .bool(r.meetsBounds))])
            })
            items.append(.object([
                ("chip", .string(e.chipID)), ("chips", .number(Double(e.chips))), ("model", .string(e.modelID)),
                ("scenario", .string(e.scenario.rawValue)), ("plan", plan),
                ("tokensPerSecond", .num(e.tokensPerSecond)), ("tokensPerSecondPerChip", .num(e.tokensPerSecondPerChip)),
                ("samplesPerSecond", .num(e.samplesPerSecond)), ("ttftMs", .num(e.ttftMs)), ("tpotMs", .num(e.tpotMs)),
                ("latencyMs", .num(e.latencyMs)), ("memoryPerChipGB", .num(e.memoryPerChipGB)),
                ("memory", mem), ("bound", .string(e.binding)),
                ("weightPrecision", .str(e.weightPrecision?.rawValue)), ("computePrecision", .str(e.computePrecision?.rawValue)),
                ("kvPrecision", .str(e.kvPrecision?.rawValue)),
            ] + comparisonJSON(o.chipID, e, comparison, ratios) + [
                ("phase", .string(e.phase.rawValue)),
                ("inputTokensPerSecond", .num(e.inputTokensPerSecond)), ("queue", queueJSON(e.queue)),
                ("disaggregation", disaggregationJSON(e.disaggregation)),
                ("low", rangeJSON(o, \.low)), ("high", rangeJSON(o, \.high)),
                ("modelErrorBand", .object([("low", .num(e.modelErrorBand.low)), ("high", .num(e.modelErrorBand.high)),
                                            ("basis", .string(e.modelErrorBand.basis)), ("cases", .int(e.modelErrorBand.cases))])),
                ("throughputWithModelError", throughputWithModelError(o).map { .object([("low", .num($0.low)), ("high", .num($0.high))]) } ?? .null),
                ("usesEstimatedSpecs", .bool(e.usesEstimatedSpecs)), ("sweep", sweep),
                ("search", e.search.map { s in .object([("layouts", .int(s.layouts)), ("layoutsBounded", .int(s.layoutsBounded)),
                                                         ("layoutsEvaluated", .int(s.layoutsEvaluated)), ("points", .int(s.points)),
                                                         ("pointsEvaluated", .int(s.pointsEvaluated))]) } ?? .null),
            ] + (energy[o.chipID].map { PowerCostReport.servingJSON($0, llm: model.isDecoder) } ?? [])))
        }
        return .object((system.map { [("system", $0)] } ?? []) + [("estimates", .array(items))])
    }

    /// The next round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) at or above x.
    public static func niceCeil(_ x: Double) -> Double {
        guard x.isFinite, x > 0 else { return 1 }
        var p = 1.0
        while p * 10 <= x { p *= 10 }
        while p > x { p /= 10 }
        for m in [1.0, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where m * p >= x { return m * p }
        return 10 * p
    }
}
